"""Erasure by redaction (UK GDPR Art. 17): the subject's records erased where no duty keeps
them, every proof intact.

An erasure request whose matches the DPO has seen is carried out in two steps:

1. **the commit point**: ``subject.erased`` entries name the request, the records erased and
   the records withheld (with reason, ground, rule and the date the duty ends), split to stay
   under 40 KB each. Once they are in the ledger the records are erased.
2. **making it true** (``carry_out``, idempotent): the records marked shredded in the catalog
   (``verify`` accepts their payloads gone), their data keys destroyed (the ciphertext
   anywhere, locked S3 objects and backups included, is unreadable), the search index shards
   holding them rebuilt without their text (``Register.redaction_hooks``), payload packs
   whose every payload is gone deleted where the store's lock allows, sealed access-log
   queries naming the subject shredded, cached bundles of the subject's requests deleted, the
   subject's identifiers removed from the registry once nothing withheld needs them, and the
   SQLite write-ahead logs folded in (``secure_delete`` zeroes what was deleted).

A process killed anywhere resumes: running the erasure of the same request again carries out
what its entries say and completes it. Withheld records are erased by the disposition run
once their duty ends (``erase_deferred``), which says so in its signed report.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from commsledger.core import erasure_entries as entries
from commsledger.core.erasure_plan import Plan, Withheld, plan
from commsledger.core.register import Register
from commsledger.core.requests import Given, RequestBook, today
from contract.errors import Conflict
from contract.progress import Progress
from ledger.sql import transaction
from privacy.requests import RequestType, Status, SubjectRequest
from retention.disposal import delete_packs
from retention.subjects import records_of

Shredder = Callable[[Sequence[str]], int]  # pseudonyms -> accesses whose sealed queries were shredded


@dataclass
class Erased:
    """What an erasure did (``to_json``: the contract's ``erase --json``)."""

    request: str
    erased: list[str] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)
    already: int = 0
    resumed: bool = False
    queries_shredded: int = 0
    identifiers_removed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "erased": self.erased,
            "withheld": [w.to_json() for w in self.withheld],
            "already_erased": self.already,
            "resumed": self.resumed,
            "queries_shredded": self.queries_shredded,
            "identifiers_removed": self.identifiers_removed,
        }


def erase_for(
    register: Register,
    identifiers: list[str],
    ref: str | None,
    *,
    shredder: Shredder | None,
    progress: Progress | None = None,
) -> Erased:
    """``erase --subject S --request REF``: REF names an erasure request already recorded (by
    id, or by the reference it was recorded with: running the same command again resumes it),
    or is the reference of a new one for these identifiers (the DPO running the command
    vouches for them). Raises ``Conflict`` when the person was erased already and nothing is
    held under these identifiers now, ``InvalidInput`` when REF's request names others."""
    book = RequestBook(register)
    known = book.find(ref, RequestType.ERASURE) if ref else None
    if known is not None and identifiers:
        book.check_names(known, identifiers)
    if known is None:
        entries.check_not_erased_before(book, identifiers)
        known = book.create(RequestType.ERASURE, [Given(i, verified=True) for i in identifiers], ref=ref)
    if identifiers and known.status in (Status.RECEIVED, Status.IN_PROGRESS):
        book.match(known.id)  # the DPO naming the subject on the command line approves it
    return erase_request(register, known.id, shredder=shredder, progress=progress)


def erase_request(
    register: Register, request_id: str, *, shredder: Shredder | None, progress: Progress | None = None
) -> Erased:
    """Carry out an erasure request (or finish one a killed process left); raises
    ``NotFound``, ``Conflict`` for an access request, one not matched yet, or one completed."""
    book = RequestBook(register)
    request = book.get(request_id)
    written = entries.of_request(register, request.id)
    check_erasable(request, bool(written))
    if written:
        done = Erased(request.id, written.erased, written.withheld, resumed=True)
    else:
        done = _commit(register, book, request, progress)
    _carry_out(register, done, request.subjects, shredder, progress)
    outcome = {"erased": len(done.erased), "withheld": len(done.withheld), "already_erased": done.already}
    book.complete(request.id, outcome, request.subjects)
    return done


def check_erasable(request: SubjectRequest, resuming: bool) -> None:
    """Raise ``Conflict`` unless the request is an erasure request awaiting approval (or,
    ``resuming``, one whose erasure a killed process left unfinished)."""
    if request.type is not RequestType.ERASURE:
        raise Conflict(f"request {request.id} is an {request.type} request, not an erasure request")
    if request.status is Status.COMPLETED:
        raise Conflict(f"request {request.id} was completed on {request.closed_at}: {_outcome(request)}")
    if not resuming and request.status is not Status.AWAITING_APPROVAL:
        hint = "review its matches first (commsledger request matches)" if request.open else "it is closed"
        raise Conflict(f"request {request.id} is {request.status}: {hint}")


def _outcome(request: SubjectRequest) -> str:
    got = request.outcome or {}
    return (
        f"{got.get('erased', 0)} records erased, {got.get('withheld', 0)} withheld (the disposition "
        "run erases those when their duty ends); there is nothing more to do"
    )


def _commit(
    register: Register, book: RequestBook, request: SubjectRequest, progress: Progress | None
) -> Erased:
    """Plan the erasure and write its entries: the commit point."""
    found = book.matches(request)
    ids = [rid for rid, _ in records_of(register.retention(), found.subjects)]
    decided: Plan = plan(register, ids, today())
    if progress is not None:
        progress(0, total=len(decided.erasable))
    register.append_entries(entries.envelopes(request.id, decided.erasable, decided.withheld))
    return Erased(request.id, decided.erasable, decided.withheld, already=len(decided.gone))


def _carry_out(
    register: Register,
    done: Erased,
    subjects: Sequence[str],
    shredder: Shredder | None,
    progress: Progress | None,
) -> None:
    shred(register, done.erased, progress)
    if shredder is not None:
        done.queries_shredded = shredder(subjects)
    entries.drop_cached_bundles(register, subjects)
    if not entries.withheld_left(register, subjects):
        done.identifiers_removed = forget_identifiers(register, subjects)
    scrub(register)


def shred(register: Register, record_ids: Sequence[str], progress: Progress | None = None) -> None:
    """Make the erasure of these records true (idempotent): shredded in the catalog, keys
    destroyed, index rebuilt without them, dead payload packs deleted where allowed."""
    if not record_ids:
        return
    seqs = entries.erasure_seqs(register, record_ids)
    with register.catalog.transaction():
        register.catalog.mark_shredded((rid, seqs[rid]) for rid in record_ids if rid in seqs)
    with transaction(register.privacy):
        register.keys.destroy(record_ids)
    for hook in register.redaction_hooks:
        hook(list(record_ids))
    delete_packs(register)
    if progress is not None:
        progress(len(record_ids))


def forget_identifiers(register: Register, subjects: Sequence[str]) -> bool:
    """Remove the subject's identifiers from the registry (nothing withheld needs them)."""
    with transaction(register.privacy, undo=register.subjects.discard_cache):
        register.subjects.forget(list(subjects))
    return True


def scrub(register: Register, attempts: int = 20) -> None:
    """Fold each SQLite write-ahead log into its database and truncate it, so nothing deleted
    lingers in a WAL frame (retried while another connection reads)."""
    for conn in (register.privacy, register.catalog.conn):
        for _ in range(attempts):
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                break
            time.sleep(0.05)


def erase_deferred(register: Register, as_of: date, *, shredder: Shredder | None, run: str) -> dict[str, Any]:
    """The disposition run's step: erase the records erasure requests withheld whose duty
    has ended (or whose hold was released); returns the report's section."""
    erased: dict[str, list[str]] = {}
    still = 0
    for request_id, (subjects, waiting) in entries.withheld_pending(register).items():
        decided = plan(register, waiting, as_of)
        now = decided.erasable + decided.gone
        if now:
            register.append_entries(entries.envelopes(request_id, now, [], run=run))
            shred(register, decided.erasable)
            erased[request_id] = now
        still += len(decided.withheld)
        if not decided.withheld:
            with contextlib.suppress(Conflict):
                _finish_subject(register, subjects, shredder)
    return {"erased": sum(len(v) for v in erased.values()), "requests": erased, "still_withheld": still}


def _finish_subject(register: Register, subjects: Sequence[str], shredder: Shredder | None) -> None:
    if shredder is not None:
        shredder(subjects)
    entries.drop_cached_bundles(register, subjects)
    if not entries.withheld_left(register, subjects):
        forget_identifiers(register, subjects)
    scrub(register)


def deferred_step(register: Register, shredder: Shredder | None) -> Callable[[str, date], tuple[str, Any]]:
    """``erase_deferred`` as a step of a disposition run (``retention.runs.run(steps=...)``):
    its section of the run's signed report is ``erasures``."""

    def step(run_id: str, as_of: date) -> tuple[str, Any]:
        return "erasures", erase_deferred(register, as_of, shredder=shredder, run=run_id)

    return step
