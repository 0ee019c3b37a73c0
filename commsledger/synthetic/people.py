"""Subjects: synthetic people computed on demand from (seed, index), and the spellings of their
phone numbers and e-mail addresses."""

from __future__ import annotations

from dataclasses import dataclass

from commsledger.synthetic.common import MASK, mix
from commsledger.synthetic.directory import (
    DOMAINS,
    FLATS,
    INWARD_CODES,
    LANDLINE_RANGES,
    MOBILE_RANGE,
    NAMES,
    PHONE_POOL,
    STREET_TOWNS,
)

_D3 = [f"{i:03d}" for i in range(1000)]
_D4 = [f"{i:04d}" for i in range(10000)]


@dataclass(frozen=True)
class Subject:
    """One synthetic person; ``email`` and ``phone`` are stored in canonical form."""

    customer_id: str
    name: str
    email: str
    phone: str
    address: str
    handle: str | None

    def identifiers(self) -> list[str]:
        """The subject's identifiers in canonical form (``kind:value``)."""
        return [
            f"customer:{self.customer_id}",
            f"email:{self.email.lower()}",
            f"phone:{self.phone}",
        ]


def phone_spelling(groups: tuple[str, ...], style: int) -> str:
    """One spelling of a UK number: 0 is E.164, 1-5 common national and international forms."""
    if style == 0:
        return "+44" + "".join(groups)
    head, rest = groups[0], groups[1:]
    if style == 1:
        return "0" + " ".join(groups)
    if style == 2:
        return "+44 (0)" + " ".join(groups)
    if style == 3:
        if len(rest) == 1:
            return f"0{head}-{rest[0][:3]}-{rest[0][3:]}"
        return "0" + "-".join(groups)
    if style == 4:
        return "+44 " + " ".join(groups)
    if head.startswith("7"):
        return "0" + "".join(groups)
    return f"(0{head}) {' '.join(rest)}"


def email_spelling(parts: tuple[str, str, str, int, str], style: int) -> str:
    """One spelling of an address: 0 is canonical (lower case), 1-4 case variants."""
    first, last, sep, num, domain = parts
    if style == 4:
        return f"{first}{sep}{last}{num}@{domain}".upper()
    local = f"{first.title()}{sep}{last.title()}{num}" if style in (1, 3) else (f"{first}{sep}{last}{num}")
    return f"{local}@{domain[0].upper() + domain[1:] if style >= 2 else domain}"


class Person:
    """A subject plus what the generator needs to write to them."""

    __slots__ = (
        "acct",
        "address",
        "card",
        "cid",
        "ctx",
        "email",
        "email_parts",
        "first",
        "groups",
        "handle",
        "k",
        "large_print",
        "mobile",
        "name",
        "phone",
        "vulnerable",
        "welsh",
    )

    def __init__(
        self,
        k: int,
        name: str,
        first: str,
        email_parts: tuple[str, str, str, int, str],
        groups: tuple[str, ...],
        address: str,
        handle: str | None,
        bits: int,
    ) -> None:
        self.k = k
        self.cid = cid = "C-" + str(1001 + k)
        self.name, self.first, self.email_parts, self.groups = name, first, email_parts, groups
        self.email = email_spelling(email_parts, 0)
        self.phone = "+44" + "".join(groups)
        self.address, self.handle = address, handle
        self.mobile = groups[0] == "7700"
        self.acct = acct = _D4[bits % 10000]
        self.card = card = _D4[(bits >> 14) % 10000]
        self.vulnerable = (bits >> 28) % 25 == 0
        self.large_print = self.vulnerable and (bits >> 33) % 3 == 0
        self.welsh = False
        self.ctx = {
            "name": name,
            "first": first,
            "cid": cid,
            "acct": acct,
            "card": card,
            "address": address,
            "ref": cid + "/" + acct,
        }

    @property
    def subject(self) -> Subject:
        return Subject(self.cid, self.name, self.email, self.phone, self.address, self.handle)


class Population:
    """Subjects 0..size-1 of one seed, computed on demand and cached in bounded memory."""

    def __init__(self, seed: int, size: int) -> None:
        self.size = size
        self._salt = mix((seed & MASK) ^ 0x5EED5EED)
        self._mult = next(p for p in (1_000_003, 1_000_033, 1_000_037) if size % p)
        self._off = mix(self._salt ^ 1) % size
        self._mobiles = min(1000, (3 * size + 3) // 4)
        self._cache: dict[int, Person] = {}
        self._older: dict[int, Person] = {}

    def person(self, k: int, keep: bool = True) -> Person:
        """Subject ``k``. Two cache generations of 8,192 approximate LRU in bounded memory;
        ``keep=False`` (one-off recipients of a mailing) leaves the cache as it is."""
        p = self._cache.get(k)
        if p is None:
            if not keep:
                return self._older.get(k) or self._make(k)
            p = self._older.get(k) or self._make(k)
            if len(self._cache) >= 8192:
                self._older, self._cache = self._cache, {}
            self._cache[k] = p
        return p

    def _phone(self, k: int) -> tuple[str, ...]:
        """Number groups: unique up to 16,000 subjects, then shared by a few."""
        j = (k * self._mult + self._off) % self.size
        mobiles = self._mobiles
        if self.size > PHONE_POOL:
            j, mobiles = j % PHONE_POOL, 1000
        if j < mobiles:
            return (MOBILE_RANGE[0], MOBILE_RANGE[1] + _D3[(j * 37 + self._salt) % 1000])
        j -= mobiles
        groups = LANDLINE_RANGES[j % len(LANDLINE_RANGES)]
        last = groups[-1] + _D3[(j // len(LANDLINE_RANGES) * 613 + self._salt) % 1000]
        return (*groups[:-1], last)

    def _make(self, k: int) -> Person:
        h1 = mix(self._salt + 2 * k)
        h2 = (h1 * 0xD6E8FEB86659FD93 & MASK) ^ (h1 >> 29)
        name, first, fa, la = NAMES[h1 % len(NAMES)]
        num, style, domain = k + 1, (h1 >> 32) % 4, DOMAINS[(h1 >> 24) % len(DOMAINS)]
        parts = (
            (fa, la, ".", num, domain)
            if style == 0
            else (fa, la, "", num, domain)
            if style == 1
            else (fa[0], la, ".", num, domain)
            if style == 2
            else (la, fa, "_", num, domain)
        )
        street, wales = STREET_TOWNS[(h2 >> 8) % len(STREET_TOWNS)]
        address = (
            FLATS[(h2 >> 44) % 72]
            + str((h2 >> 4) % 180 + 1)
            + street
            + str((h2 >> 24) % 20 + 1)
            + INWARD_CODES[(h2 >> 30) % 4000]
        )
        p = Person(
            k,
            name,
            first,
            parts,
            self._phone(k),
            address,
            f"@{fa}_{la}{num}" if (h1 >> 40) % 10 < 3 else None,
            h2,
        )
        p.welsh = wales and (h1 >> 44) % 3 == 0
        return p


def subjects(count: int, *, seed: int = 0) -> list[Subject]:
    """The ``count`` subjects that ``records(..., seed=seed, subjects=count)`` writes to."""
    if count < 1:
        raise ValueError("count must be at least 1")
    population = Population(seed, count)
    return [population.person(k).subject for k in range(count)]
