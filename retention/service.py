"""Retention on a Register: the policy version in force, and legal holds.

The functions the CLI and the HTTP API call (disposition runs are in ``retention.runs``):

- ``current_policy(register)``: the configured schedule as a recorded policy version (a changed
  schedule is appended to the ledger as a new ``retention.policy`` entry first).
- ``place_hold(register, hold_scope(register, body), reason)`` -> ``Hold``: ``hold_scope``
  reads ``{"case" | "record" | "subject" | "query": ...}`` (a subject given as an identifier
  in contract form becomes the pseudonyms the hold names). For ``POST /v1/holds``;
  ``hold_coverage(register, hold)`` then says how many records it covers now (a warning if none).
- ``release_hold(register, hold_id, reason)`` -> ``Hold``. For ``DELETE /v1/holds/{id}``.
- ``holds(register, include_released=False)`` -> ``list[Hold]``.
- ``covering(register, record_ids)`` -> record id -> active hold ids (for erasure: a held
  record is withheld).
- ``review(register, record_ids, decision, reason, until)``: a decision on records due for review.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from contract.errors import Conflict, InvalidInput, NotFound
from ledger.canonical import canonical_fast
from ledger.sql import transaction
from policies.retention import Schedule, load_schedule
from privacy.identifiers import parse_identifier
from retention.evaluate import Policy
from retention.holds import Hold, HoldIndex, Scope, ScopeKind, check_reason, new_hold_id
from retention.kinds import Kind
from retention.locks import sync_locks
from retention.ports import Register
from retention.review import Decision, decision_envelope

POLICY_LIMIT = 48 * 1024  # a schedule is recorded whole in one entry, well under 64 KiB


# -- the policy in force ---------------------------------------------------------------------
def current_policy(register: Register) -> Policy:
    """The policy version records are stamped with now: the configured schedule, recorded as
    a new version when it differs from the latest one in the ledger.

    Raises ``InvalidInput`` naming the rule and field if the schedule is not valid, or if it is
    too large to record in one entry.
    """
    schedule = configured_schedule(register.settings.retention.schedule)
    if register.writer:
        register.refresh()
    recorded = _recorded(register)
    if recorded is not None and recorded.sha256 == Policy(schedule, recorded.version).sha256:
        return recorded  # the usual case: no lease needed to read it
    if not register.writer:
        return _stamp_with(register, schedule)
    # A new version: under the lease, so writers starting together record one, not one each.
    with register.lease.hold():
        register.refresh()
        return _stamp_with(register, schedule)


def _stamp_with(register: Register, schedule: Schedule) -> Policy:
    recorded = _recorded(register)
    candidate = Policy(schedule, recorded.version + 1 if recorded else 1)
    if recorded is not None and recorded.sha256 == candidate.sha256:
        return recorded
    size = len(canonical_fast(candidate.entry()))
    if size > POLICY_LIMIT:
        raise InvalidInput(
            f"the retention schedule takes {size} bytes as JSON, more than the {POLICY_LIMIT} "
            "one ledger entry may hold; shorten its descriptions",
            field="schedule",
        )
    register.append_entries([(Kind.POLICY, candidate.entry())])
    return candidate


def configured_schedule(path: Path | None) -> Schedule:
    """The schedule file, parsed once per version of the file (by size and mtime)."""
    if path is None:
        return _load(None, 0, 0)
    try:
        stat = path.stat()
    except OSError as exc:
        raise InvalidInput(f"cannot read the retention schedule {path}: {exc.strerror}") from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load(path: Path | None, _mtime: int, _size: int) -> Schedule:
    return load_schedule(path)


def _recorded(register: Register) -> Policy | None:
    seq = register.catalog.last_of_kind(Kind.POLICY)
    return None if seq is None else _policy_at(register.log.entry(seq).raw)


@functools.lru_cache(maxsize=8)
def _policy_at(raw: bytes) -> Policy:
    """The policy a ``retention.policy`` entry records (parsed once per entry)."""
    return Policy.from_entry(orjson.loads(raw)["envelope"])


# -- legal holds ------------------------------------------------------------------------------
def hold_scope(register: Register, request: dict[str, Any]) -> Scope:
    """The scope a request names (``POST /v1/holds``, ``hold place``): exactly one of
    ``{"case": id}``, ``{"record": id}``, ``{"subject": "email:..."}`` (an identifier in
    contract form, never stored: its pseudonyms are) or ``{"query": "terms" | {...}}``.

    Raises ``InvalidInput`` naming what is wrong.
    """
    given = {k: v for k, v in request.items() if k in ScopeKind.__members__.values() and v}
    if len(given) != 1:
        raise InvalidInput("give exactly one of case, subject, record or query", field="scope")
    ((kind, value),) = given.items()
    if kind == ScopeKind.SUBJECT:
        if not isinstance(value, str):
            raise InvalidInput("a subject is an identifier such as email:...", field="subject")
        return subject_scope(register, value)
    return Scope.from_json({kind: value})


def subject_scope(register: Register, identifier: str) -> Scope:
    """The scope of a hold on the person ``identifier`` names (``email:...``, ``phone:...``,
    ``customer:...``): their pseudonyms. A person with no record yet is registered (as a keyed
    hash, like every identifier), so the hold covers their records when they come.

    Raises ``InvalidInput`` for an identifier that is not in contract form.
    """
    parsed = parse_identifier(identifier, register.settings.default_region)
    pseudonyms = register.subjects.lookup(parsed)
    if not pseudonyms:
        with transaction(register.privacy, undo=register.subjects.discard_cache):
            pseudonyms = [register.subjects.resolve([parsed])]
            register.subjects.flush()
    return Scope(ScopeKind.SUBJECT, tuple(pseudonyms))


def place_hold(register: Register, scope: Scope, reason: str) -> Hold:
    """Place a legal hold (a ``hold.placed`` entry); returns it.

    Raises ``InvalidInput`` for a missing or over-long reason, ``NotFound`` for a record hold
    on a record that is not recorded.
    """
    text = check_reason(reason)
    if scope.kind is ScopeKind.RECORD and not register.catalog.record_seqs([str(scope.value)]):
        raise NotFound(f"no record with id {scope.value!r}")
    hold_id = new_hold_id()
    register.append_entries([(Kind.HOLD_PLACED, {"hold": hold_id, "scope": scope.to_json(), "reason": text})])
    placed = register.retention().hold(hold_id)
    assert placed is not None, "a committed hold is in the state after catching up"
    sync_locks(register)  # the store's legal hold on the packs it covers (where locks exist)
    return placed


NOTHING_COVERED = (
    "no record matches it now; it is placed all the same, since a hold also covers the "
    "matching records recorded after it (check the {kind} if that is not what you meant)"
)


def hold_coverage(register: Register, hold: Hold) -> dict[str, Any]:
    """How many records (not disposed of) ``hold`` covers now: ``{"records": n}``, and a
    ``warning`` when that is none, since a mistyped case id or identifier looks just like a
    hold on future records. Holds are placed whatever this says."""
    index = HoldIndex([hold], register.subjects.group)
    count = sum(1 for row in register.retention().kept() if index.covering(row))
    found: dict[str, Any] = {"records": count}
    if count == 0:
        found["warning"] = NOTHING_COVERED.format(kind=hold.scope.kind.value)
    return found


def release_hold(register: Register, hold_id: str, reason: str | None = None) -> Hold:
    """Release a hold (a ``hold.released`` entry); returns it as released.

    Raises ``NotFound`` for an unknown hold, ``Conflict`` if it was released already.
    """
    text = check_reason(reason) if reason else "(no reason given)"
    found = register.retention().hold(hold_id)
    if found is None:
        raise NotFound(f"no hold with id {hold_id!r}")
    if not found.active:
        raise Conflict(f"hold {hold_id} was released at {found.released_at}")
    register.append_entries([(Kind.HOLD_RELEASED, {"hold": hold_id, "reason": text})])
    released = register.retention().hold(hold_id)
    assert released is not None
    sync_locks(register)
    return released


def list_holds(register: Register, *, include_released: bool = False) -> list[Hold]:
    """The holds in force (and the released ones with ``include_released``), oldest first."""
    return register.retention().holds(active_only=not include_released)


def holds_covering(register: Register, record_ids: Sequence[str]) -> dict[str, list[str]]:
    """record id -> ids of the active holds covering it (records no hold covers are left out)."""
    state = register.retention()
    index = HoldIndex(state.holds(), register.subjects.group)
    rows = state.rows(record_ids, kept_only=False)
    found = {rid: index.covering(facts) for rid, (_, facts) in rows.items()}
    return {rid: ids for rid, ids in found.items() if ids}


# -- review decisions ---------------------------------------------------------------------------
def review_records(
    register: Register, record_ids: Sequence[str], decision: Decision, reason: str, until: date | None = None
) -> dict[str, Any]:
    """Record a decision on records due for review (a ``retention.reviewed`` entry per 1,000).

    Raises ``InvalidInput`` as ``retention.review.decision_envelope`` does, or for a missing reason.
    """
    text = check_reason(reason)
    ids = list(dict.fromkeys(record_ids))
    state = register.retention()
    entries = [
        (Kind.REVIEWED, decision_envelope(state, ids[i : i + 1000], decision, text, until))
        for i in range(0, len(ids), 1000)
    ]
    register.append_entries(entries)
    return {"decision": str(decision), "records": ids, "until": None if until is None else until.isoformat()}
