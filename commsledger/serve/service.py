"""The service behind the HTTP API: one register, shared safely between requests.

It owns the one writer ``Register`` (behind a ``WriterGate``: bounded waiting, then
``Busy``), a pool of read-only registers for reads (so no read waits behind an ingest), the
API keys, the roles policy, the access log and its writer thread, verification jobs, the
scheduled jobs and the metrics. Every operation of the API is a method here; the routes only
translate HTTP to these calls and back.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from commsledger.access.apikeys import ApiKeys
from commsledger.access.auth import Authorizer
from commsledger.access.catalog import CATALOG_FILE, AccessCatalog, Filters
from commsledger.access.events import Access
from commsledger.access.log import AccessLog
from commsledger.access.search import search_access
from commsledger.access.writer import AccessWriter
from commsledger.config import ServiceSettings, Settings
from commsledger.core import ingest
from commsledger.core.commit import IngestReport
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from commsledger.serve.background import BackgroundJob, BackgroundJobs
from commsledger.serve.concurrency import ReaderPool, WriterGate
from commsledger.serve.exports import ExportJobs
from commsledger.serve.jobs import Scheduler, service_jobs
from commsledger.serve.metrics import Metrics
from commsledger.serve.requests import SubjectRequests
from contract.errors import Busy, Conflict, Error, InvalidInput
from ledger import layout
from policies.roles import load_roles
from retention import runs
from retention.service import hold_coverage, hold_scope, list_holds, place_hold, release_hold
from search.query import Keyword
from search.service import build_query, find


@dataclass
class Ingested:
    """An ingest's report, with the stored version's entry hash of each conflicting id."""

    report: IngestReport
    stored: dict[str, str] = field(default_factory=dict)


@dataclass
class Reader:
    """What one read request uses alone: a read-only register and access-log catalog."""

    register: Register
    access: AccessCatalog

    def close(self) -> None:
        self.register.close()
        self.access.close()


class Service:
    def __init__(
        self, settings: Settings, api: ServiceSettings | None = None, *, register: Register | None = None
    ):
        """Open everything; ``register``: use this writer (its caller closes it)."""
        self.settings = settings
        self.api = api or ServiceSettings()
        self.policy = load_roles(self.api.roles_file)
        self.metrics = Metrics()
        self._owns_writer = register is None
        self.writer = register or Register(settings)
        self.data = self.writer.data
        self.gate = WriterGate(self.api.write_queue, self.api.write_wait)
        self.keys = ApiKeys(self.data / "api-keys.db")
        self.access_log = AccessLog(settings, self.writer.master, self.writer.signer)
        self.audit = AccessWriter(
            self.access_log, queue_size=self.api.access_queue, batch=self.api.access_batch
        )
        self.auth = Authorizer(self.keys, self.policy, self.record_access)
        self.readers: ReaderPool[Reader] = ReaderPool(
            self._reader, self.api.readers, self.api.read_wait, Reader.close
        )
        self.verify_jobs = BackgroundJobs(self._verify, self.metrics.verified)
        self.retention_jobs = BackgroundJobs(None, lambda ok: None, prefix="r-")
        self.exports = ExportJobs(settings, self.data, self.record_access)
        self.scheduler: Scheduler | None = None
        self._gauges()
        self.requests = SubjectRequests(self)  # /v1/subject-requests

    def _reader(self) -> Reader:
        return Reader(Register(self.settings, writer=False), AccessCatalog(self.data / CATALOG_FILE))

    @contextlib.contextmanager
    def reader(self, wait: float | None = None) -> Iterator[Reader]:
        """A read-only register brought up to date with what is committed; raises ``Busy``
        if none is free within ``wait`` seconds (default ``COMMSLEDGER_API_READ_WAIT``)."""
        with self.readers.lend(wait) as reader:
            reader.register.refresh()
            yield reader

    def start_jobs(self) -> None:
        self.scheduler = Scheduler(
            service_jobs(self, self.api, self.settings.retention),
            misfire_grace=self.api.misfire_grace,
            on_run=lambda name, ok: self.metrics.job_runs.labels(name, "ok" if ok else "failed").inc(),
        )
        self.scheduler.start()

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
        self.exports.close()  # before the access log: a finishing export logs its records
        self.audit.close()
        self.readers.close()
        self.access_log.close()
        self.keys.close()
        if self._owns_writer:
            self.writer.close()

    # -- access log ----------------------------------------------------------------------
    def record_access(self, access: Access, wait: bool = True) -> None:
        """Log an access; with ``wait`` only once durable (raises ``Busy`` if it cannot be)."""
        if access.status in (401, 403):
            self.metrics.refused.labels(str(access.status)).inc()
        self.audit.record(access, wait=wait)

    async def record_access_async(self, access: Access) -> None:
        """``record_access(access)`` awaited on the event loop (raises ``Busy`` likewise)."""
        await self.audit.record_async(access)

    def search_access_log(self, filters: Filters, *, reveal: bool) -> dict[str, Any]:
        with self.reader() as reader:
            return search_access(reader.access, self.access_log, filters, reveal=reveal)

    # -- writing -------------------------------------------------------------------------
    def ingest(self, body: bytes, *, ndjson: bool) -> Ingested:
        """Ingest one record (JSON) or many (NDJSON) through the one writer; raises ``Busy``,
        ``InvalidInput`` for a body with no record at all."""
        lines = _lines(body, ndjson)
        report = IngestReport(per_line=True)
        with self.gate.enter():
            ingest.ingest(self.writer, lines, report=report)
            stored = self._stored_hashes([rid for _, rid, s, _ in report.lines if s == "conflict" and rid])
        self.metrics.ingest(report.accepted, report.duplicates, report.conflicts, report.rejected_count)
        return Ingested(report, stored)

    def _stored_hashes(self, record_ids: list[str]) -> dict[str, str]:
        """The entry hash of the version that stands, for each conflicting record id."""
        seqs = self.writer.catalog.record_seqs(record_ids) if record_ids else {}
        return {rid: self.writer.log.entry(seq).hash.hex() for rid, seq in seqs.items()}

    def ingest_one(self, body: bytes) -> Ingested:
        """One record; raises ``InvalidInput`` or ``Conflict`` (with the stored version's hash)."""
        done = self.ingest(body, ndjson=False)
        report = done.report
        if report.conflicts:
            record_id = report.lines[0][1]
            extra = {"record_id": record_id, "stored_hash": done.stored.get(str(record_id))}
            raise Conflict(report.rejected[0]["error"], extra=extra)
        if report.rejected_count:
            raise InvalidInput(report.rejected[0]["error"])
        report.per_line = False
        return done

    def add_events(self, record_id: str, body: bytes, *, ndjson: bool) -> IngestReport:
        """Later events about a record; raises ``NotFound``, ``Busy``."""
        lines = _lines(body, ndjson)
        with self.gate.enter():
            return ingest.add_events(self.writer, record_id, lines)

    # -- reading -------------------------------------------------------------------------
    def show(self, record_id: str, *, content: bool) -> dict[str, Any]:
        with self.reader() as reader:
            return reader.register.show(record_id, content=content)

    def prove(self, record_id: str) -> dict[str, Any]:
        with self.reader() as reader:
            return reader.register.prove(record_id)

    def latest_checkpoint(self) -> dict[str, Any]:
        with self.reader() as reader:
            log = reader.register.log
            vkey = reader.register.signer.verifier().vkey()
            return {
                "size": log.checkpoint.size,
                "root": log.checkpoint.root.hex(),
                "note": log.note,
                "vkey": vkey,
            }

    # -- search ----------------------------------------------------------------------------
    def search(
        self, params: Mapping[str, list[str]], *, content: bool = True
    ) -> tuple[dict[str, Any], str | None]:
        """The contract's search document for request parameters (``search.params`` names,
        each a list of values), and the pseudonym of the person searched for (if any: the
        access-log entry names it, so erasure finds it). ``content=False``: envelopes only,
        nothing decrypted (no subject line, no snippet).

        Raises ``InvalidInput`` naming the parameter at fault, ``Busy`` with no reader free.
        """
        with self.reader() as reader:
            query = build_query(reader.register, params)
            found = find(reader.register, query, content=content)
        subjects = sorted(query.terms.get(Keyword.SUBJECT, ()))
        return found, subjects[0] if subjects else None

    # -- legal holds and retention -----------------------------------------------------------
    def place_hold(self, request: dict[str, Any]) -> dict[str, Any]:
        """Place a legal hold (``{"case" | "subject" | "record" | "query": ..., "reason"}``);
        raises ``InvalidInput``, ``NotFound`` (an unknown record), ``Busy``."""
        with self.gate.enter():
            scope = hold_scope(self.writer, request)
            hold = place_hold(self.writer, scope, str(request.get("reason") or ""))
            coverage = hold_coverage(self.writer, hold)
        return {"hold": hold.id, **hold.to_json(), **coverage}

    def release_hold(self, hold_id: str, reason: str | None) -> dict[str, Any]:
        """Release a hold; raises ``NotFound``, ``Conflict`` (released already), ``Busy``."""
        with self.gate.enter():
            hold = release_hold(self.writer, hold_id, reason)
        return {"released": hold.id, **hold.to_json()}

    def holds(self, *, include_released: bool) -> dict[str, Any]:
        with self.gate.enter():
            found = list_holds(self.writer, include_released=include_released)
        return {"holds": [h.to_json() for h in found]}

    def retention_preview(self, as_of: str | None) -> dict[str, Any]:
        """What a disposition run as of ``as_of`` (today) would do; nothing is written."""
        when = runs.parse_as_of(as_of)
        with self.gate.enter():
            return runs.preview(self.writer, when).to_json()

    def start_retention_run(self, as_of: str | None) -> tuple[BackgroundJob, bool]:
        """Start a disposition run in the background (one at a time); raises ``InvalidInput``
        for a bad or future date before anything starts."""
        when = runs.parse_as_of(as_of)
        if when > runs.today():
            raise InvalidInput("a run that disposes may not be dated after today", field="as_of")
        return self.retention_jobs.start(lambda job: self._retention_run(job, when))

    def _retention_run(self, job: BackgroundJob, as_of: date) -> dict[str, Any]:
        with self.gate.enter(timeout=3600.0):  # a run waits its turn; ingest meanwhile waits or gets 503
            result = runs.run(self.writer, as_of, progress=job.advance, steps=self.requests.run_steps())
        return {"ok": True, **_capped(result.to_json())}

    def run_due_retention(self) -> None:
        """The daily job: resume interrupted runs, then dispose of what is due today."""
        with contextlib.suppress(Busy), self.gate.enter(timeout=0):
            runs.run_due(self.writer, steps=self.requests.run_steps())

    # -- verification --------------------------------------------------------------------
    def _verify(self, job: BackgroundJob) -> dict[str, Any]:
        with Register(self.settings, writer=False, tolerant=True) as register:
            access = AccessLog(self.settings, register.master, register.signer, writer=False, tolerant=True)
            try:
                job.total = register.log.committed + access.log.committed
                ledger = verify_register(register, progress=job.advance).to_json()
                access_report = access.verify(progress=job.advance).to_json()
            finally:
                access.close()
        return {
            "ok": bool(ledger["ok"] and access_report["ok"]),
            "ledger": ledger,
            "access_log": access_report,
        }

    # -- jobs ----------------------------------------------------------------------------
    def sign_checkpoints(self) -> None:
        """Sign the ledger's checkpoint if it grew unsigned; skipped while the writer is busy
        (its commits sign their own). The access log signs every commit it makes."""
        with contextlib.suppress(Busy), self.gate.enter(timeout=0):
            self.writer.checkpoint()

    def catch_up(self) -> None:
        """The writer's catalog and the search index catch up with what other writers
        committed (the index reports its own trouble in ``/healthz``, never fails the job)."""
        with contextlib.suppress(Busy), self.gate.enter(timeout=0):
            self.writer.refresh()
            self.writer.sync_index()

    # -- health and metrics --------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """What ``/healthz`` shows; ``status`` is ``ok`` only when every part answers."""
        checks: dict[str, Any] = {}
        checks["store"] = _check(
            lambda: {"entries": self._committed(), "object_lock": self.writer.store.lock_summary()}
        )
        checks["access_log"] = {
            "ok": self.audit.last_error is None,
            "entries": self.access_log.log.committed,
            "backlog": self.audit.backlog,
            "dropped": self.audit.dropped,
            "last_error": self.audit.last_error,
        }
        checks["catalog"] = _check(self._catalog_state)
        checks["index"] = _check(self._index_state)
        checks["key_store"] = _check(lambda: {"keys": self.keys.count()})
        running = self.scheduler is not None and self.scheduler.running
        jobs = self.scheduler.state() if self.scheduler is not None else []
        checks["scheduler"] = {"ok": running or self.scheduler is None, "running": running, "jobs": jobs,
                               "disposal": self.settings.retention.run_at or "off"}  # fmt: skip
        ok = all(part["ok"] for part in checks.values())
        return {"status": "ok" if ok else "degraded", "entries": checks["store"].get("entries"), **checks}

    def _committed(self) -> int:
        self.writer.store.exists(layout.CHECKPOINT)  # raises StoreError when the store is down
        return self.writer.log.committed

    def _catalog_state(self) -> dict[str, Any]:
        with self.reader(wait=1.0) as reader:  # health and metrics do not queue behind reads
            size, committed = reader.register.catalog.size, reader.register.log.committed
        return {"size": size, "lag": max(0, committed - size)}

    def _index_state(self) -> dict[str, Any]:
        """The search index: how far it is behind the ledger, and why, if it could not catch up."""
        with self.reader(wait=1.0) as reader:
            watermark, committed = reader.register.index.watermark(), reader.register.log.committed
        problem = self.writer.index_problem
        return {
            "ok": problem is None,
            "url": self.settings.index_url.split("@")[-1],  # never credentials
            "indexed_through": watermark - 1 if watermark else None,
            "lag": max(0, committed - watermark),
            "problem": problem,
        }

    def _index_lag(self) -> int:
        try:
            return int(self._index_state()["lag"])
        except Error:
            return -1

    def _gauges(self) -> None:
        m = self.metrics
        m.gauge(
            "commsledger_ledger_entries",
            "Entries committed to the register's ledger",
            lambda: self.writer.log.committed,
        )
        m.gauge(
            "commsledger_access_log_entries",
            "Entries committed to the access log",
            lambda: self.access_log.log.committed,
        )
        m.gauge(
            "commsledger_access_log_backlog", "Accesses waiting to be committed", lambda: self.audit.backlog
        )
        m.gauge(
            "commsledger_access_log_dropped",
            "Refusals not logged because the queue was full",
            lambda: self.audit.dropped,
        )
        m.gauge(
            "commsledger_writer_waiting", "Write requests waiting for the writer", lambda: self.gate.waiting
        )
        m.gauge(
            "commsledger_index_lag_entries", "Entries the search index lacks (-1: unknown)", self._index_lag
        )
        m.gauge("commsledger_catalog_lag_entries", "Committed entries the catalog lacks", self._catalog_lag)

    def _catalog_lag(self) -> float:
        try:
            return float(self._catalog_state()["lag"])
        except Error:
            return float("nan")


def _lines(body: bytes, ndjson: bool) -> Iterator[tuple[int, bytes]]:
    """NDJSON: one item a line; JSON: the whole body is one item (it may span lines)."""
    if not body.strip():
        raise InvalidInput("the request body is empty")
    if not ndjson:
        return iter([(1, body.removeprefix(ingest.BOM))])
    return ingest.read_ndjson(io.BytesIO(body if body.endswith(b"\n") else body + b"\n"))


def _check(probe: Any) -> dict[str, Any]:
    try:
        return {"ok": True, **probe()}
    except Error as exc:
        return {"ok": False, "error": str(exc)}


IDS_SHOWN = 1000


def _capped(doc: dict[str, Any]) -> dict[str, Any]:
    """A run's result with at most ``IDS_SHOWN`` ids per list (``counts`` has every total;
    the signed report in the data dir lists them all)."""
    for name in ("disposed", "held", "review"):
        doc[name] = doc[name][:IDS_SHOWN]
    return doc
