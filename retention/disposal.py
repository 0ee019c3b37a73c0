"""Carrying disposals out, the steps of a run (``retention.runs``).

``dispose_due`` appends ``retention.disposed`` entries batch by batch (one per rule, split to
stay well under 64 KiB) and carries each batch out (``carry_out``): the records are marked
shredded in the catalog (``verify`` accepts their payloads missing), their data keys
destroyed, ``Register.redaction_hooks`` called (the search index drops them). The entry is
the commit point; every later step is idempotent, so ``finish`` redoes them for the entries an
interrupted run left. ``delete_packs`` deletes the payload packs whose every payload is gone,
where the store allows (an object still under lock stays, unreadable without its keys).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from contract.errors import StoreError
from contract.progress import Progress
from ledger import layout
from ledger.canonical import canonical_fast
from ledger.sql import transaction
from retention.holds import HoldIndex
from retention.kinds import Kind
from retention.ports import Register
from retention.rows import DueRow

ENTRY_BUDGET = 40_000  # bytes of record ids per retention.disposed entry (an entry < 64 KiB)


def finish(register: Register, run_id: str) -> None:
    """Carry out the disposals already in the ledger for this run but not done (interrupted)."""
    state = register.retention()
    pending = state.disposed_by(run_id, unfinished=True)
    if pending:
        seqs = state.disposal_seqs([r.record_id for r in pending])
        carry_out(register, [(r, seqs[r.record_id]) for r in pending])


def dispose_due(
    register: Register, run_id: str, as_of: date, due: Sequence[DueRow], progress: Progress | None
) -> None:
    size = register.settings.retention.batch
    if progress is not None:
        progress(0, total=len(due))
    for start in range(0, len(due), size):
        batch = _still_due(register, due[start : start + size], as_of)
        if batch:
            entries = list(_entries(run_id, as_of, batch))
            seqs = register.append_entries(entries)
            entry_of = {
                rid: seq for (_, env), seq in zip(entries, seqs, strict=True) for rid in env["records"]
            }
            carry_out(register, [(due, entry_of[due.record_id]) for due in batch])
        if progress is not None:
            progress(min(size, len(due) - start))


def _still_due(register: Register, batch: Sequence[DueRow], as_of: date) -> list[DueRow]:
    """The batch as of now: a hold placed, a case closed or a review decided since the run
    planned it takes a record out (another process may have written meanwhile)."""
    state = register.retention()
    holds = HoldIndex(state.holds(), register.subjects.group)
    current = state.verdicts([d.record_id for d in batch])
    day = as_of.isoformat()
    kept = [
        now
        for d in batch
        if (now := current.get(d.record_id)) and now.retain_until < day and now.action != "review"
    ]
    if not holds:
        return kept
    facts = state.rows([d.record_id for d in kept])
    return [d for d in kept if not holds.covering(facts[d.record_id][1])]


def _entries(run_id: str, as_of: date, batch: Sequence[DueRow]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``retention.disposed`` envelopes: one per (policy, rule, class), split to stay small."""
    groups: dict[tuple[int, str, str], list[str]] = {}
    for due in batch:
        groups.setdefault((due.policy, due.rule, due.retention_class), []).append(due.record_id)
    for (policy, rule, cls), ids in groups.items():
        chunk: list[str] = []
        used = 0
        for rid in ids:
            cost = len(canonical_fast(rid)) + 1
            if chunk and used + cost > ENTRY_BUDGET:
                yield _disposed(run_id, as_of, policy, rule, cls, chunk)
                chunk, used = [], 0
            chunk.append(rid)
            used += cost
        if chunk:
            yield _disposed(run_id, as_of, policy, rule, cls, chunk)


def _disposed(
    run_id: str, as_of: date, policy: int, rule: str, cls: str, ids: list[str]
) -> tuple[str, dict[str, Any]]:
    envelope = {"run": run_id, "as_of": as_of.isoformat(), "policy": policy, "rule": rule, "class": cls}
    return Kind.DISPOSED, {**envelope, "records": ids}


def carry_out(register: Register, disposed: list[tuple[DueRow, int]]) -> None:
    """Make disposals in the ledger (each record with the seq of its entry) true: shredded in
    the catalog (so ``verify`` accepts their payloads gone), data keys destroyed, redaction
    hooks called. Idempotent."""
    ids = [due.record_id for due, _ in disposed]
    with register.catalog.transaction():
        register.catalog.mark_shredded((due.record_id, seq) for due, seq in disposed)
    with transaction(register.privacy):
        register.keys.destroy(ids)
    for hook in register.redaction_hooks:
        hook(ids)
    state = register.retention()
    state.mark_carried(seq for _, seq in disposed)


def delete_packs(register: Register) -> dict[str, int]:
    """Delete the payload packs whose every payload belongs to a shredded record."""
    state = register.retention()
    gone = state.deleted_packs()
    deleted, kept = [], 0
    for name in register.catalog.dead_packs():
        if name in gone:
            continue
        try:
            register.store.delete(layout.payload_pack_path(name))
        except StoreError:
            kept += 1  # still locked (Object Lock): its data keys are gone, so is its content
            continue
        deleted.append(name)
    state.add_deleted_packs(deleted)
    return {"deleted": len(deleted), "kept": kept}
