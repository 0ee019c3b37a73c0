"""Identifiers of a data subject, normalised so every spelling of one finds the same person.

``email:`` lower-cased after validation (CONTRACT: e-mails match case-insensitively);
``phone:`` E.164, national spellings read in the default region; ``customer:`` as given
(trimmed); ``handle:`` lower-cased with one leading ``@``; ``address:`` case-folded with
punctuation and runs of spaces collapsed.

Fullwidth forms (``ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ``, what an East Asian input method types) are
folded to their plain forms (NFKC, applied to the Halfwidth and Fullwidth Forms block only)
in e-mails, handles and addresses, as phone digits already are. Why only that block: those
characters are presentation variants nobody owns a mailbox in, so folding them can only join
spellings of one person; NFKC over everything would also fold ligatures, superscripts and
circled letters, which may tell two real mailboxes apart, and joining two people would show
one of them the other's records in a subject access request. Customer ids stay as given:
they are a system's exact keys. Normalisation is cached: the same spellings recur
on every message to the same person, and the libraries cost ~40 us a call.

Errors name the field and never repeat the value (it is personal data).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from contract.errors import InvalidInput

# The libraries cost ~40 us a call; a cached answer ~117 bytes (a plain dict: an lru_cache
# entry costs 272). Bounded per process, cleared when full.
_CACHE = 1 << 16
_PHONE_NOISE = re.compile(r"[\s().\-/]")
_ADDRESS_NOISE = re.compile(r"[^\w]+", re.UNICODE)
_WIDE = re.compile("[\uff00-\uffef\u3000]+")  # Halfwidth and Fullwidth Forms, ideographic space


class IdKind(StrEnum):
    CUSTOMER = "customer"
    EMAIL = "email"
    PHONE = "phone"
    HANDLE = "handle"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class Identifier:
    """A normalised identifier; ``str()`` gives the ``kind:value`` form of the contract."""

    kind: IdKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class _Memo:
    """A bounded memo of a normalising function: answers only, errors are not kept."""

    def __init__(self) -> None:
        self.answers: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.answers.get(key)

    def put(self, key: str, value: str) -> str:
        if len(self.answers) >= _CACHE:
            self.answers.clear()
        self.answers[key] = value
        return value


_EMAILS = _Memo()
_PHONES: dict[str, _Memo] = {}


def narrow(raw: str) -> str:
    """``raw`` with fullwidth and halfwidth forms folded to their plain forms (NFKC)."""
    if raw.isascii() or not _WIDE.search(raw):
        return raw
    return _WIDE.sub(lambda found: unicodedata.normalize("NFKC", found.group()), raw)


def normalise_email(raw: str) -> str:
    """Lower-cased, validated address; raises ``InvalidInput`` (without the value)."""
    key = narrow(raw).strip().lower()
    return _EMAILS.get(key) or _EMAILS.put(key, _plain_email(key) or _email(key))


# A plain address: an ASCII dot-atom before the one @-sign (the library's own character set,
# RFC 5322 3.2.3), an ASCII host name after it.
_PLAIN_EMAIL = re.compile(
    r"([a-z0-9_!#$%&'*+\-/=?^`{|}~]+(?:\.[a-z0-9_!#$%&'*+\-/=?^`{|}~]+)*)@([a-z0-9.\-]+)"
)
_EMAIL_LIMIT = 254  # octets of a whole address (RFC 5321 4.5.3.1.3), the library's limit
_DOMAINS: dict[str, bool] = {}  # host name -> whether the library takes it as it is


def _plain_email(key: str) -> str | None:
    """``_email(key)`` for a plain address (None for any other), with its domain checked
    once: the library's checks of a dot-atom local part are its characters and dots (and
    the length of the whole), so a plain address is valid exactly when its domain is, as
    ``tests/privacy/test_identifiers_email.py`` checks against the library itself."""
    match = _PLAIN_EMAIL.fullmatch(key)
    if match is None or len(key) > _EMAIL_LIMIT:
        return None
    domain = match.group(2)
    plain = _DOMAINS.get(domain)
    if plain is None:
        if len(_DOMAINS) >= _CACHE:
            _DOMAINS.clear()
        plain = _DOMAINS[domain] = _domain_as_is(domain)
    return key if plain else None


def _domain_as_is(domain: str) -> bool:
    """Whether the library accepts ``domain`` and normalises it to itself."""
    try:
        probe = validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return False
    return probe.domain == probe.ascii_domain == domain


def _email(key: str) -> str:
    try:
        return validate_email(key, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidInput("not a valid e-mail address") from None


def normalise_phone(raw: str, region: str = "GB") -> str:
    """E.164 form of a phone number in any common spelling; raises ``InvalidInput``."""
    key = _PHONE_NOISE.sub("", raw)
    memo = _PHONES.setdefault(region, _Memo())
    return memo.get(key) or memo.put(key, _phone(key, region))


def _phone(key: str, region: str) -> str:
    try:
        number = phonenumbers.parse(key, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("not a valid phone number") from None
    # is_possible, not is_valid: reserved ranges (e.g. Ofcom drama numbers) still identify
    # someone in a test system, and numbering plans change faster than the library.
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput("not a possible phone number") from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_customer(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise InvalidInput("customer id is empty")
    return value


def normalise_handle(raw: str) -> str:
    value = narrow(raw).strip().lower().lstrip("@")
    if not value or any(c.isspace() for c in value):
        raise InvalidInput("not a valid handle")
    return "@" + value


def normalise_address(raw: str) -> str:
    value = " ".join(_ADDRESS_NOISE.sub(" ", narrow(raw).casefold()).split())
    if not value:
        raise InvalidInput("address is empty")
    return value


def normalise(kind: IdKind, raw: str, region: str = "GB") -> Identifier:
    """Normalise ``raw`` as an identifier of ``kind``; raises ``InvalidInput``."""
    if kind is IdKind.EMAIL:
        return Identifier(kind, normalise_email(raw))
    if kind is IdKind.PHONE:
        return Identifier(kind, normalise_phone(raw, region))
    if kind is IdKind.HANDLE:
        return Identifier(kind, normalise_handle(raw))
    if kind is IdKind.ADDRESS:
        return Identifier(kind, normalise_address(raw))
    return Identifier(kind, normalise_customer(raw))


def identifier_text(kind: IdKind, raw: str, region: str = "GB") -> str:
    """``kind:value`` of ``raw`` normalised (the ingest hot path: no object built)."""
    return f"{kind}:{_NORMALISERS[kind](raw, region)}"


def _regionless(normaliser: Callable[[str], str]) -> Callable[[str, str], str]:
    return lambda raw, _region: normaliser(raw)


_NORMALISERS: dict[IdKind, Callable[[str, str], str]] = {
    IdKind.EMAIL: _regionless(normalise_email),
    IdKind.PHONE: normalise_phone,
    IdKind.HANDLE: _regionless(normalise_handle),
    IdKind.ADDRESS: _regionless(normalise_address),
    IdKind.CUSTOMER: _regionless(normalise_customer),
}


def parse_identifier(text: str, region: str = "GB") -> Identifier:
    """Parse the contract form ``kind:value`` (``email:``, ``phone:``, ``customer:``, ...).

    Raises ``InvalidInput`` naming the accepted kinds when the prefix is unknown.
    """
    kind, sep, raw = text.partition(":")
    try:
        id_kind = IdKind(kind.strip().lower())
    except ValueError:
        id_kind = None
    if not sep or id_kind is None:
        kinds = ", ".join(f"{k}:" for k in IdKind)
        raise InvalidInput(f"a subject is named as one of {kinds} followed by the value")
    return normalise(id_kind, raw, region)
