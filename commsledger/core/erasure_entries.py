"""The ``subject.erased`` entries of erasure requests, and what is read back from them.

An entry holds no personal data: ``{request, records: [ids erased], withheld: [{reason,
ground, until, rule, class, holds, awaiting, records: [ids]}], part, parts}`` and, when the
disposition run erases records once withheld, ``deferred: true`` and its ``run``. Lists are
split so that each entry's ids take at most 40 KB (an entry may hold 64 KiB), as
``retention.disposed`` entries are; ``verify`` accepts the payloads of the records in
``records`` missing, as it does for disposals.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commsledger.core.erasure_plan import Withheld
from commsledger.core.register import Register
from commsledger.core.requests import RequestBook
from contract.errors import Conflict
from ledger.canonical import canonical_fast
from ledger.entry import Entry
from privacy.identifiers import parse_identifier
from privacy.requests import RequestType, Status

KIND = "subject.erased"
BUDGET = 40_000  # bytes of ids and group fields per entry
CACHE = Path("exports") / "subject-requests"  # cached bundles of the HTTP API, under the data dir


# -- writing -----------------------------------------------------------------------------------
def envelopes(
    request_id: str, erased: Sequence[str], withheld: Sequence[Withheld], *, run: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """The entries recording an erasure (at least one, even when nothing was found)."""
    head: dict[str, Any] = {"request": request_id}
    if run is not None:
        head.update(deferred=True, run=run)
    parts = list(_parts(erased, _groups(withheld))) or [{"records": [], "withheld": []}]
    return [(KIND, {**head, **part, "part": n, "parts": len(parts)}) for n, part in enumerate(parts, start=1)]


def _groups(withheld: Sequence[Withheld]) -> list[tuple[dict[str, Any], list[str]]]:
    found: dict[tuple[Any, ...], tuple[dict[str, Any], list[str]]] = {}
    for item in withheld:
        doc = {k: v for k, v in item.to_json().items() if k != "id"}
        found.setdefault(item.key(), (doc, []))[1].append(item.record_id)
    return list(found.values())


def _parts(erased: Sequence[str], groups: list[tuple[dict[str, Any], list[str]]]) -> Iterator[dict[str, Any]]:
    part: dict[str, Any] = {"records": [], "withheld": []}
    used = 0
    for rid in erased:
        used += len(canonical_fast(rid)) + 1
        if used > BUDGET and part["records"]:
            yield part
            part, used = {"records": [], "withheld": []}, len(canonical_fast(rid)) + 1
        part["records"].append(rid)
    for doc, ids in groups:
        group: dict[str, Any] = {**doc, "records": []}
        part["withheld"].append(group)
        used += len(canonical_fast(doc)) + 16
        for rid in ids:
            used += len(canonical_fast(rid)) + 1
            if used > BUDGET and (group["records"] or part["records"]):
                yield part
                group = {**doc, "records": []}
                part, used = {"records": [], "withheld": [group]}, len(canonical_fast(doc)) + 16
            group["records"].append(rid)
    if part["records"] or part["withheld"]:
        yield part


# -- reading back ------------------------------------------------------------------------------
@dataclass
class Written:
    """What the entries of one request say so far."""

    erased: list[str] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.erased or self.withheld) or self.entries > 0

    entries: int = 0


def _entries(register: Register) -> Iterator[Entry]:
    if register.writer:
        register.refresh()
    for seq, _ in register.catalog.special(KIND, KIND + "\x00"):
        yield register.log.entry(seq)


def of_request(register: Register, request_id: str) -> Written:
    """The records a request's first erasure entries erased and withheld (not deferred ones)."""
    found = Written()
    for entry in _entries(register):
        env = entry.envelope
        if env.get("request") != request_id or env.get("deferred"):
            continue
        found.entries += 1
        found.erased += [str(r) for r in env.get("records", [])]
        for group in env.get("withheld", []):
            found.withheld += [_withheld(str(rid), group) for rid in group.get("records", [])]
    return found


def _withheld(record_id: str, group: dict[str, Any]) -> Withheld:
    return Withheld(record_id, str(group.get("reason")), str(group.get("ground")), group.get("until"),
                    group.get("rule"), group.get("class"), tuple(group.get("holds", ())),
                    group.get("awaiting"))  # fmt: skip


def erasure_seqs(register: Register, record_ids: Sequence[str]) -> dict[str, int]:
    """record id -> seq of the (first) ``subject.erased`` entry that erased it."""
    wanted = set(record_ids)
    found: dict[str, int] = {}
    for entry in _entries(register):
        for rid in entry.envelope.get("records", []):
            if rid in wanted:
                found.setdefault(str(rid), entry.seq)
    return found


def withheld_pending(register: Register) -> dict[str, tuple[list[str], list[str]]]:
    """request id -> (its subjects, the records it withheld that are not erased yet)."""
    withheld: dict[str, list[str]] = {}
    erased: set[str] = set()
    for entry in _entries(register):
        env = entry.envelope
        erased.update(str(r) for r in env.get("records", []))
        for group in env.get("withheld", []):
            withheld.setdefault(str(env.get("request")), []).extend(str(r) for r in group.get("records", []))
    requests = RequestBook(register).all()
    found: dict[str, tuple[list[str], list[str]]] = {}
    for request_id, ids in withheld.items():
        left = [r for r in dict.fromkeys(ids) if r not in erased]
        gone = register.catalog.shredded_of(left)
        subjects = requests[request_id].subjects if request_id in requests else []
        if left:
            found[request_id] = (
                subjects,
                [r for r in left if r not in gone] + [r for r in left if r in gone],
            )
    return found


def withheld_left(register: Register, subjects: Sequence[str]) -> bool:
    """Whether an erasure request about these subjects still withholds a record."""
    mine = set(subjects)
    for request_subjects, waiting in withheld_pending(register).values():
        if mine & set(request_subjects) and waiting:
            live = [r for r in waiting if r not in register.catalog.shredded_of(waiting)]
            if live:
                return True
    return False


# -- before and after ----------------------------------------------------------------------------
def check_not_erased_before(book: RequestBook, identifiers: Sequence[str]) -> None:
    """Raise ``Conflict`` when nothing is held under these identifiers and an erasure request
    already named one of them: the clear answer to erasing the same person twice."""
    region = book.register.settings.default_region
    names = {str(parse_identifier(i, region)) for i in identifiers}
    if any(book.register.subjects.lookup(n) for n in names):
        return  # records are held under them (sent since, or withheld): erase those
    for request in book.all().values():
        if request.type is RequestType.ERASURE and request.status is Status.COMPLETED:
            theirs = {i["identifier"] for i in book.identifiers(request)}
            if names & theirs:
                got = request.outcome or {}
                raise Conflict(
                    f"this person's data was erased under request {request.id} on {request.closed_at}: "
                    f"{got.get('erased', 0)} records erased, {got.get('withheld', 0)} withheld; nothing "
                    "is held under these identifiers now"
                )


def drop_cached_bundles(register: Register, subjects: Sequence[str]) -> int:
    """Delete (zeroed first) the cached bundles of every request about these subjects."""
    folder = register.data / CACHE
    mine = set(subjects)
    dropped = 0
    for request in RequestBook(register).all().values():
        if mine & set(request.subjects):
            for path in (folder / f"{request.id}.zip", folder / f"{request.id}.zip.partial"):
                dropped += _wipe(path)
    return dropped


def _wipe(path: Path) -> int:
    """Overwrite a file with zeros, sync, unlink; 1 if there was one."""
    with contextlib.suppress(FileNotFoundError):
        size = path.stat().st_size
        with path.open("r+b") as handle:
            for start in range(0, size, 1 << 20):
                handle.write(b"\0" * min(1 << 20, size - start))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        return 1
    return 0
