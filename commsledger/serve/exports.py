"""Exports in the service (``POST /v1/exports``): each a background job on its own read-only
register, with its progress; the finished bundle is downloaded by the key that asked for it.

- At most ``RUNNING`` exports run at once (this is a 2-core class of machine, and an export
  is CPU-bound); one more is refused with ``Busy`` (503, retry later), never queued blindly.
- The scope is checked before the job starts: a bad one is a 422 and nothing runs.
- When a job ends, the access log gets an entry naming every record exported (split over
  entries when long), under the key and role that asked, with the scope's personal
  parameters (search text, subject identifiers) sealed; a failed export is logged too.
- Bundles hold personal data, so they are kept no longer than ``KEEP_SECONDS`` (a day) in
  ``<data>/exports/<job>/``, deleted as newer exports start, and all deleted when the
  service starts (jobs are not kept across restarts: an export can always be run again).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commsledger.access.auth import Caller
from commsledger.access.events import Access
from commsledger.config import Settings
from commsledger.core.register import Register
from commsledger.serve.background import BackgroundJob, JobState
from contract.errors import Busy, Error, InvalidInput, NotFound
from exports.audit import PART_BYTES, AuditExport, Exported
from exports.evidence import EvidencePack, check_scope
from exports.render import workers
from exports.scope import Matches, scope_params
from ledger.log import utc_now
from search.query import Keyword

RUNNING = 2
KEEP_SECONDS = 24 * 3600
PERSONAL = ("text", "subject")  # scope parameters sealed in the access log
KINDS = {"audit": "audit_export", "evidence": "evidence_pack"}


@dataclass
class ExportJob:
    """One export: its job state, who asked, and what it wrote."""

    job: BackgroundJob
    kind: str
    owner: str  # the API key's name: only it may read and download the export
    folder: Path
    created: float
    result: Exported | None = None

    def to_json(self) -> dict[str, Any]:
        doc = self.job.to_json()
        doc["kind"] = KINDS[self.kind]
        if self.result is not None:
            shown = self.result.to_json()
            shown["parts"] = [_part(self.job.id, n, p) for n, p in enumerate(shown["parts"], start=1)]
            shown.pop("out", None)
            doc["result"] = shown
        return doc


def _part(job_id: str, number: int, part: dict[str, Any]) -> dict[str, Any]:
    """A part as the API shows it: its file name and download link, never a server path."""
    return {"part": number, "file": Path(part["out"]).name, "records": part["records"],
            "bytes": part["bytes"], "manifest_sha256": part["manifest_sha256"],
            "download": f"/v1/exports/{job_id}/download?part={number}"}  # fmt: skip


class ExportJobs:
    """The service's exports; ``record`` writes an access-log entry (waiting until durable)."""

    def __init__(self, settings: Settings, data: Path, record: Callable[[Access, bool], None]) -> None:
        self.settings = settings
        self.root = data / "exports"
        self.record = record
        self._jobs: dict[str, ExportJob] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        shutil.rmtree(self.root, ignore_errors=True)  # a restarted service has no job to serve them

    def start(self, caller: Caller, kind: str, scope: dict[str, Any], part_mb: int | None) -> ExportJob:
        """Check the scope and start the export; raises ``InvalidInput`` (bad kind or scope,
        nothing started), ``Busy`` (``RUNNING`` exports already running)."""
        if kind not in KINDS:
            raise InvalidInput(f"must be one of {', '.join(KINDS)}", field="kind")
        params = scope_params(scope)
        if kind == "evidence":
            check_scope(params)
        pseudonym = self._check(params)
        self._purge()
        with self._lock:
            if sum(j.job.state is JobState.RUNNING for j in self._jobs.values()) >= RUNNING:
                raise Busy(f"{RUNNING} exports are running; try again when one is done", retry_after=30)
            job = BackgroundJob("x-" + _token())
            entry = ExportJob(job, kind, caller.key, self.root / job.id, time.time())
            self._jobs[job.id] = entry
        work = (entry, params, (part_mb << 20) if part_mb else PART_BYTES, caller, pseudonym)
        thread = threading.Thread(target=self._run, args=work, name=f"export-{job.id}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return entry

    def close(self, wait: float = 60.0) -> None:
        """Let running exports finish (up to ``wait`` seconds each) before the service stops."""
        for thread in list(self._threads):
            thread.join(timeout=wait)

    def _check(self, params: dict[str, list[str]]) -> str | None:
        """Parse the scope as the export will (raises ``InvalidInput``); the pseudonym of the
        person it names, if any (the access-log entry carries it, so erasure finds it)."""
        with Register(self.settings, writer=False) as register:
            query = Matches(register, params, size=0).query
        subjects = sorted(query.terms.get(Keyword.SUBJECT, ()))
        return subjects[0] if subjects else None

    def get(self, job_id: str, caller: Caller) -> ExportJob:
        """Raises ``NotFound`` for an unknown job, or one another key started."""
        with self._lock:
            entry = self._jobs.get(job_id)
        if entry is None or entry.owner != caller.key:
            raise NotFound(f"no export {job_id!r} of this key")
        return entry

    def owned_by(self, key: str) -> list[ExportJob]:
        """The exports the key named ``key`` started and still kept, newest first."""
        with self._lock:
            found = [j for j in self._jobs.values() if j.owner == key]
        return sorted(found, key=lambda j: j.created, reverse=True)

    def file(self, job_id: str, caller: Caller, part: int) -> tuple[Path, ExportJob]:
        """The bundle of a finished export's part; raises ``NotFound``, ``InvalidInput``."""
        entry = self.get(job_id, caller)
        if entry.result is None:
            raise InvalidInput(f"export {job_id} is {entry.job.state}, not done", field="job")
        parts = entry.result.parts
        if not 1 <= part <= len(parts):
            raise InvalidInput(f"this export has parts 1 to {len(parts)}", field="part")
        return Path(parts[part - 1]["out"]), entry

    def _run(self, entry: ExportJob, params: dict[str, list[str]], part_bytes: int, caller: Caller,
             pseudonym: str | None) -> None:  # fmt: skip
        """Export, log the access (durably), and only then offer the bundle for download."""
        result: Exported | None = None
        try:
            result = self._export(entry, params, part_bytes)
        except Error as exc:
            entry.job.error = str(exc)
        except Exception as exc:  # a bug must not leave the job "running" for ever
            entry.job.error = f"internal error ({type(exc).__name__})"
        status = 200 if result is not None else 500 if (entry.job.error or "").startswith("internal") else 422
        logged = self._log(
            entry, params, caller, pseudonym, status, tuple(result.record_ids) if result else ()
        )
        if result is not None and logged:
            entry.result, entry.job.result, entry.job.state = result, {"ok": True}, JobState.DONE
        else:
            shutil.rmtree(entry.folder, ignore_errors=True)
            entry.job.state = JobState.FAILED
        entry.job.finished = utc_now()

    def _export(self, entry: ExportJob, params: dict[str, list[str]], part_bytes: int) -> Exported:
        entry.folder.mkdir(parents=True, exist_ok=True)
        out = entry.folder / f"{KINDS[entry.kind]}-{entry.job.id}.zip"
        with Register(self.settings, writer=False) as register:
            register.refresh()
            if entry.kind == "evidence":
                return EvidencePack(register, params, out, created_at=entry.job.started,
                                    progress=entry.job.advance).run()  # fmt: skip
            processes = workers(self.settings.workers)
            return AuditExport(register, params, out, created_at=entry.job.started, part_bytes=part_bytes,
                               progress=entry.job.advance, workers=processes).run()  # fmt: skip

    def _log(self, entry: ExportJob, params: dict[str, list[str]], caller: Caller, pseudonym: str | None,
             status: int, ids: tuple[str, ...]) -> bool:  # fmt: skip
        """Whether the access-log entry of the export is durable."""
        query: dict[str, Any] = {k: v for k, v in params.items() if k not in PERSONAL}
        query.update(job=entry.job.id, kind=KINDS[entry.kind])
        personal = {k: v for k, v in params.items() if k in PERSONAL}
        access = Access(action="exports.run", status=status, key=caller.key, role=str(caller.role),
                        records=ids, query=query, personal=personal, subject=pseudonym)  # fmt: skip
        try:
            self.record(access, True)
        except Error as exc:  # an export nobody can see in the access log is not handed out
            entry.job.error = f"the access log did not record this export ({exc}); run it again"
            return False
        return True

    def _purge(self) -> None:
        """Delete exports older than ``KEEP_SECONDS`` (their bundles hold personal data)."""
        cutoff = time.time() - KEEP_SECONDS
        with self._lock:
            old = [
                j for j in self._jobs.values() if j.created < cutoff and j.job.state is not JobState.RUNNING
            ]
            for job in old:
                del self._jobs[job.job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)


def _token() -> str:
    import secrets

    return secrets.token_hex(8)
