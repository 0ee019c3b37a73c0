"""Replaying ledger entries into the retention state (``retention.state``), in seq order.

- ``record``: its facts and verdict. The verdict is the longest of what every policy version
  in force since it was recorded says (a new version can lengthen, never shorten), and never
  earlier than the retain-until stamped at ingest.
- ``event``: ``last_event`` moves on; ``case_closed`` closes the record's case (by case id, or
  the record alone when it names none), and every record of the case is evaluated again.
- ``retention.policy``: a new version (a repeat of the current one is ignored); every record
  not yet disposed of is evaluated again under it.
- holds, runs, disposals and review decisions: as their entries say.

Re-evaluation only ever moves ``retain_until`` later: the column is ``max(old, new)``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from contract.progress import Progress
from ledger.entry import Entry
from retention.evaluate import Facts, Policy, Verdict, longest, moment
from retention.kinds import EVENT, RECORD, Kind

_INSERT = (
    "INSERT OR IGNORE INTO records (seq, record_id, subject, purpose, channel, department, case_type, "
    "case_id, case_key, campaign, tags, sent_at, received_at, last_event, recorded_at, own_policy, "
    "policy, rule, class, action, retain_until, awaiting) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_FACTS = (
    "SELECT seq, purpose, channel, department, case_type, case_key, tags, sent_at, received_at, "
    "last_event, own_policy, retain_until FROM records"
)
_FLUSH_AT = 4096


class Replayer:
    """Applies entries to the state tables through ``conn`` (inside the caller's transaction)."""

    def __init__(self, conn: sqlite3.Connection, policies: dict[int, Policy]) -> None:
        self.conn = conn
        self.policies = dict(sorted(policies.items()))
        self._by_sha = {p.sha256: v for v, p in self.policies.items()}
        self._closed: dict[str, str] = dict(conn.execute("SELECT case_key, closed_at FROM cases"))
        self._pending: list[tuple[Any, ...]] = []
        self._handlers: dict[str, Callable[[Entry], None]] = {
            RECORD: self._record,
            EVENT: self._event,
            Kind.POLICY: self._policy,
            Kind.HOLD_PLACED: self._hold_placed,
            Kind.HOLD_RELEASED: self._hold_released,
            Kind.RUN: self._run,
            Kind.DISPOSED: self._disposed,
            Kind.REVIEWED: self._reviewed,
        }

    def apply(self, entries: Iterable[Entry], progress: Progress | None = None) -> None:
        done = 0
        for entry in entries:
            handler = self._handlers.get(entry.kind)
            if handler is not None:
                if entry.kind != RECORD or len(self._pending) >= _FLUSH_AT:
                    self._flush()
                handler(entry)
            done += 1
            if progress is not None and done % _FLUSH_AT == 0:
                progress(_FLUSH_AT)
        self._flush()
        if progress is not None:
            progress(done % _FLUSH_AT)

    def _flush(self) -> None:
        if self._pending:
            self.conn.executemany(_INSERT, self._pending)
            self._pending = []

    # -- records and events ----------------------------------------------------------------
    def _record(self, entry: Entry) -> None:
        env = entry.envelope
        record_id = str(entry.record_id)
        case = env.get("case") or {}
        case_key = case.get("id") or f"record:{record_id}"
        closed = self._closed.get(case_key)
        facts = Facts.of(env, closed_at=moment(closed) if closed else None)
        stamp = env.get("retention") or {}
        own = int(stamp.get("policy", 0))
        verdict, until = self._verdict(facts, own, stamp.get("retain_until"))
        tags = "|".join(sorted(facts.tags))
        self._pending.append(
            (entry.seq, record_id, entry.subject, facts.purpose, facts.channel, facts.department,
             facts.case_type, case.get("id"), case_key, env.get("campaign_id"), tags, env["sent_at"],
             case.get("received_at"), env["sent_at"], entry.ts, own, *_verdict_columns(verdict, until))
        )  # fmt: skip

    def _verdict(self, facts: Facts, own: int, floor: str | None) -> tuple[Verdict | None, str | None]:
        """The longest verdict of the versions from ``own`` on, and its retain-until (>= floor)."""
        verdict = longest([p.evaluate(facts) for v, p in self.policies.items() if v >= own])
        if verdict is None:
            return None, floor
        until = verdict.retain_until.isoformat()
        return verdict, max(until, floor) if floor else until

    def _event(self, entry: Entry) -> None:
        env = entry.envelope
        found = self.conn.execute(
            "SELECT case_key, last_event, own_policy FROM records WHERE record_id = ? AND disposed IS NULL",
            (entry.record_id,),
        ).fetchone()
        at = env.get("at")
        if found is None or not isinstance(at, str):
            return
        case_key, last, own = found
        if moment(at) > moment(last):
            self.conn.execute("UPDATE records SET last_event = ? WHERE record_id = ?", (at, entry.record_id))
        if env.get("type") == "case_closed":
            self._close(case_key, at)
        elif any(p.follows_events for v, p in self.policies.items() if v >= own):
            self._reevaluate("record_id = ?", (entry.record_id,))

    def _close(self, case_key: str, at: str) -> None:
        before = self._closed.get(case_key)
        if before is not None and moment(before) >= moment(at):
            return
        self._closed[case_key] = at
        self.conn.execute("INSERT OR REPLACE INTO cases(case_key, closed_at) VALUES (?, ?)", (case_key, at))
        self._reevaluate("case_key = ?", (case_key,))

    def _reevaluate(self, where: str, args: tuple[Any, ...]) -> None:
        """Evaluate again the records selected (not disposed of), moving retain-until on only."""
        rows = self.conn.execute(f"{_FACTS} WHERE {where} AND disposed IS NULL", args).fetchall()
        self._update(rows)

    def _update(self, rows: list[Any]) -> None:
        updates = []
        for seq, purpose, channel, dept, case_type, case_key, tags, sent, received, last, own, until in rows:
            closed = self._closed.get(case_key)
            facts = Facts(
                purpose, channel, dept, case_type, frozenset(t for t in tags.split("|") if t), moment(sent),
                moment(received) if received else None, moment(closed) if closed else None, moment(last),
            )  # fmt: skip
            verdict, new_until = self._verdict(facts, own, until)
            if verdict is not None:
                updates.append((*_verdict_columns(verdict, new_until), seq))
        self.conn.executemany(
            "UPDATE records SET policy = ?, rule = ?, class = ?, action = ?, retain_until = ?, awaiting = ? "
            "WHERE seq = ?",
            updates,
        )

    # -- policy versions -------------------------------------------------------------------
    def _policy(self, entry: Entry) -> None:
        env = entry.envelope
        if env.get("sha256") in self._by_sha:
            return  # the current version recorded again (two writers at once): nothing new
        version = max(self.policies, default=0) + 1
        policy = Policy.from_entry({**env, "version": version})
        self.conn.execute(
            "INSERT INTO versions(version, sha256, seq, recorded_at, schedule) VALUES (?, ?, ?, ?, ?)",
            (version, policy.sha256, entry.seq, entry.ts, json.dumps(policy.document, ensure_ascii=False)),
        )
        self.policies[version] = policy
        self._by_sha[policy.sha256] = version
        last = -1
        while rows := self.conn.execute(
            f"{_FACTS} WHERE seq > ? AND disposed IS NULL ORDER BY seq LIMIT 10000", (last,)
        ).fetchall():
            self._update(rows)
            last = rows[-1][0]

    # -- holds, runs, disposals, reviews ------------------------------------------------------
    def _hold_placed(self, entry: Entry) -> None:
        env = entry.envelope
        self.conn.execute(
            "INSERT OR IGNORE INTO holds(hold, scope, reason, placed_at, placed_seq) VALUES (?, ?, ?, ?, ?)",
            (env["hold"], json.dumps(env["scope"]), env.get("reason", ""), entry.ts, entry.seq),
        )

    def _hold_released(self, entry: Entry) -> None:
        env = entry.envelope
        self.conn.execute(
            "UPDATE holds SET released_at = ?, release_reason = ?, released_seq = ? "
            "WHERE hold = ? AND released_at IS NULL",
            (entry.ts, env.get("reason", ""), entry.seq, env["hold"]),
        )

    def _run(self, entry: Entry) -> None:
        env = entry.envelope
        if env.get("state") == "started":
            self.conn.execute(
                "INSERT OR IGNORE INTO runs(run, as_of, policy, started_at, started_seq) "
                "VALUES (?, ?, ?, ?, ?)",
                (env["run"], env["as_of"], env.get("policy"), entry.ts, entry.seq),
            )
            return
        self.conn.execute(
            "UPDATE runs SET completed_at = ?, completed_seq = ?, report_sha256 = ? "
            "WHERE run = ? AND completed_seq IS NULL",
            (entry.ts, entry.seq, env.get("report_sha256"), env["run"]),
        )
        self.conn.execute(
            "INSERT OR IGNORE INTO carried(seq) SELECT DISTINCT disposed FROM records WHERE disposed_run = ?",
            (env["run"],),
        )

    def _disposed(self, entry: Entry) -> None:
        env = entry.envelope
        self.conn.executemany(
            "UPDATE records SET disposed = ?, disposed_run = ?, disposed_at = ? "
            "WHERE record_id = ? AND disposed IS NULL",
            ((entry.seq, env["run"], entry.ts, rid) for rid in env.get("records", [])),
        )

    def _reviewed(self, entry: Entry) -> None:
        env = entry.envelope
        ids = [(rid,) for rid in env.get("records", [])]
        if env.get("decision") == "dispose":
            self.conn.executemany("UPDATE records SET review = 'dispose' WHERE record_id = ?", ids)
        elif env.get("decision") == "keep" and isinstance(env.get("until"), str):
            self.conn.executemany(
                "UPDATE records SET retain_until = max(retain_until, ?), review = NULL WHERE record_id = ?",
                ((env["until"], rid) for (rid,) in ids),
            )


def _verdict_columns(verdict: Verdict | None, until: str | None) -> tuple[Any, ...]:
    if verdict is None:
        return (None, None, None, None, until, None)
    awaiting = None if verdict.awaiting is None else str(verdict.awaiting)
    return (verdict.policy, verdict.rule, verdict.retention_class, str(verdict.action), until, awaiting)
