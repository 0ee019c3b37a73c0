"""Disposition runs: dispose of what is due as of a date, or preview it.

A run appends ``retention.run`` (started), then, batch by batch, ``retention.disposed``
entries (one per rule, each well under 64 KiB), and carries each batch out: the records are
marked shredded in the catalog, their data keys destroyed, the redaction hooks called (the
search index drops them). Payload packs whose every payload is gone are deleted where the
store allows (an object still under lock stays, unreadable). The report is written, signed
and its SHA-256 recorded in ``retention.run`` (completed).

The disposal entry is the commit point: once it is in the ledger the record is disposed of,
and carrying it out is idempotent. So a run interrupted anywhere resumes by its id
(``run(register, resume=RUN)``): it finishes the records already in its entries, then goes on
with what is still due as of its date; nothing is disposed of twice, nothing skipped.
Records under a legal hold are never disposed of; ``review`` records are listed instead.

For the scheduler: ``run_due(register)`` resumes interrupted runs, then runs as of today.
The steps that carry disposals out are in ``retention.disposal``.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from contract.errors import Busy, Conflict, InvalidInput, NotFound
from contract.progress import Progress
from retention import disposal, report
from retention.holds import HoldIndex
from retention.kinds import Kind
from retention.locks import sync_locks
from retention.ports import Register
from retention.rows import DueRow
from retention.service import current_policy

RunStep = Callable[[str, date], tuple[str, Any]]  # (run id, as of) -> (report section name, section)


def today() -> date:
    return datetime.now(UTC).date()


def parse_as_of(text: str | None) -> date:
    """``--as-of``: a date (YYYY-MM-DD), today (UTC) when not given; raises ``InvalidInput``."""
    if not text:
        return today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field="as_of") from None


@dataclass
class Result:
    """What a run (or a preview) did; ``to_json`` is the contract's output."""

    as_of: date
    dry_run: bool
    outcomes: report.Outcomes
    run: str | None = None
    resumed: bool = False
    policy: int | None = None
    packs: dict[str, int] = field(default_factory=dict)
    report: dict[str, str] | None = None
    sections: dict[str, Any] = field(default_factory=dict)  # what ``steps`` reported

    def to_json(self) -> dict[str, Any]:
        o = self.outcomes
        return {
            **self.sections,
            "run": self.run,
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "resumed": self.resumed,
            "policy": self.policy,
            "disposed": [r.record_id for r in o.disposed],
            "held": [r.record_id for r, _ in o.held],
            "review": [r.record_id for r in o.review],
            "counts": o.counts(),
            "classes": o.classes(),
            "packs": self.packs,
            "report": self.report,
        }


def plan(register: Register, as_of: date) -> report.Outcomes:
    """What is due as of ``as_of``: to dispose of, held (with the holds), for review."""
    state = register.retention()
    holds = HoldIndex(state.holds(), register.subjects.group)
    dispose: list[DueRow] = []
    held: list[tuple[DueRow, list[str]]] = []
    review: list[DueRow] = []
    for due, covering in state.due(as_of, holds if holds else None):
        if covering:
            held.append((due, covering))
        elif due.action == "review":
            review.append(due)
        else:
            dispose.append(due)
    return report.Outcomes(dispose, held, review)


def preview(register: Register, as_of: date) -> Result:
    """A dry run: what a run as of ``as_of`` would do; nothing is written."""
    if register.writer:
        register.refresh()
    state = register.retention()
    current = state.current_policy()
    return Result(as_of, True, plan(register, as_of), policy=None if current is None else current.version)


def run(
    register: Register,
    as_of: date | None = None,
    *,
    resume: str | None = None,
    progress: Progress | None = None,
    steps: Sequence[RunStep] = (),
) -> Result:
    """Dispose of what is due as of ``as_of`` (today by default), or resume run ``resume``.
    ``steps`` run after the disposals, inside the run: each returns a section of its report
    (``(name, section)``; the app's erasure of records withheld until their duty ended).

    Raises ``InvalidInput`` for a date after today, ``Conflict`` if a run was interrupted and
    not resumed (or ``resume`` names a completed run), ``NotFound`` for an unknown run,
    ``Busy`` while another run is going on.
    """
    with _one_run(register):
        register.refresh()
        if resume is not None:
            run_id, as_of, policy = _resumable(register, resume)
        else:
            run_id, as_of, policy = _start(register, as_of or today())
        disposal.finish(register, run_id)
        disposal.dispose_due(register, run_id, as_of, plan(register, as_of).disposed, progress)
        sections = dict(step(run_id, as_of) for step in steps)
        packs = disposal.delete_packs(register)
        outcomes, written = _complete(register, run_id, as_of, policy, packs, sections)
        sync_locks(register)  # locks extended as cases closed, legal holds as holds say
        return Result(as_of, False, outcomes, run_id, resume is not None, policy, packs, written, sections)


def run_due(register: Register, as_of: date | None = None, steps: Sequence[RunStep] = ()) -> list[Result]:
    """The scheduled job: resume every interrupted run, then run as of ``as_of`` (today).

    Safe to call at any time and from a scheduler's thread (one run at a time per data dir:
    ``Busy`` when another is going on, in which case nothing was done).
    """
    results = [run(register, resume=r, steps=steps) for r in register.retention().unfinished_runs()]
    results.append(run(register, as_of, steps=steps))
    return results


# -- the steps of a run ------------------------------------------------------------------------
def _start(register: Register, as_of: date) -> tuple[str, date, int]:
    if as_of > today():
        raise InvalidInput(
            f"a run that disposes may not be dated after today ({today()}); preview it with --dry-run",
            field="as_of",
        )
    interrupted = register.retention().unfinished_runs()
    if interrupted:
        found = register.retention().run(interrupted[0])
        when = "" if found is None else f" (as of {found.as_of})"
        raise Conflict(
            f"run {interrupted[0]}{when} was interrupted; resume it first: "
            f"commsledger retention run --resume {interrupted[0]}"
        )
    policy = current_policy(register)
    run_id = f"run-{as_of:%Y%m%d}-{secrets.token_hex(3)}"
    started = {"run": run_id, "state": "started", "as_of": as_of.isoformat(), "policy": policy.version}
    register.append_entries([(Kind.RUN, started)])
    return run_id, as_of, policy.version


def _resumable(register: Register, run_id: str) -> tuple[str, date, int]:
    found = register.retention().run(run_id)
    if found is None:
        raise NotFound(f"no disposition run with id {run_id!r}")
    if found.completed_at is not None:
        raise Conflict(f"run {run_id} was completed at {found.completed_at}; there is nothing to resume")
    return run_id, found.as_of, int(found.policy or 0)


def _complete(
    register: Register,
    run_id: str,
    as_of: date,
    policy: int,
    packs: dict[str, int],
    sections: dict[str, Any] | None = None,
) -> tuple[report.Outcomes, dict[str, str]]:
    """Write and sign the run's report, then record its completion with the report's SHA-256."""
    state = register.retention()
    final = plan(register, as_of)  # held and review as they are now, at the end
    outcomes = report.Outcomes(state.disposed_by(run_id), final.held, final.review)
    started = state.run(run_id)
    head = {
        "run": run_id,
        "as_of": as_of.isoformat(),
        "policy": policy,
        "packs": packs,
        "origin": register.signer.name,
        "started_at": started.started_at if started else None,
        **(sections or {}),
    }
    folder = _reports(register) / run_id
    written = report.write(folder, report.document(head, outcomes), outcomes, register.signer)
    done = {"run": run_id, "state": "completed", "report_sha256": written["sha256"], **outcomes.counts()}
    register.append_entries([(Kind.RUN, done)])
    return outcomes, written


def _reports(register: Register) -> Path:
    return register.settings.retention.reports or register.data / "reports" / "retention"


@contextmanager
def _one_run(register: Register) -> Iterator[None]:
    """One disposition run at a time per data dir (an exclusive lock on ``retention.lock``)."""
    path = register.data / "retention.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy("another disposition run is going on in this data dir") from None
        yield
    finally:
        os.close(fd)
