"""Long work as background jobs: verification (``POST /v1/verify``) and disposition runs
(``POST /v1/retention/runs``), each followed by its id.

One runs at a time (starting another while one runs hands back the running one); its
progress (entries checked of the total) can be read while it runs; the last few finished
jobs are kept in memory (they are not evidence: a verification can always be run again).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from contract.errors import Error, NotFound
from ledger.log import utc_now

KEEP = 20
PROBLEMS_SHOWN = 1000


class JobState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class BackgroundJob:
    id: str
    started: str = field(default_factory=utc_now)
    state: JobState = JobState.RUNNING
    done: int = 0
    total: int = 0
    finished: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    def advance(self, n: int, total: int | None = None) -> None:
        """Count checked entries; the total grows with them (the access log grows while its
        own verification runs, by the very requests that watch it)."""
        self.done += n
        self.total = max(self.total if total is None else total, self.done)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": str(self.state),
            "started": self.started,
            "finished": self.finished,
            "progress": {"done": self.done, "total": self.total},
            "result": self.result,
            "error": self.error,
        }


Runner = Callable[[BackgroundJob], dict[str, Any]]


class BackgroundJobs:
    """Runs ``run(job)`` in a thread; ``on_done(ok)`` is told each outcome."""

    def __init__(self, run: Runner | None, on_done: Callable[[bool], None], *, prefix: str = "v-") -> None:
        self._run = run
        self._on_done = on_done
        self._prefix = prefix
        self._jobs: OrderedDict[str, BackgroundJob] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, run: Runner | None = None) -> tuple[BackgroundJob, bool]:
        """(the job, whether it was started now rather than already running); ``run`` is the
        work of this job when the jobs were made without one."""
        work = run or self._run
        assert work is not None, "no work given for the job"
        with self._lock:
            running = next((j for j in self._jobs.values() if j.state is JobState.RUNNING), None)
            if running is not None:
                return running, False
            job = BackgroundJob(self._prefix + secrets.token_hex(8))
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._work, args=(job, work), name=f"job-{job.id}", daemon=True).start()
        return job, True

    def latest(self) -> BackgroundJob | None:
        """The job started last (None before the first)."""
        with self._lock:
            return next(reversed(self._jobs.values()), None)

    def get(self, job_id: str) -> BackgroundJob:
        """Raises ``NotFound`` for an unknown (or long forgotten) job."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        return job

    def _work(self, job: BackgroundJob, work: Runner) -> None:
        try:
            job.result = _trimmed(work(job))
            job.state = JobState.DONE
            self._on_done(bool(job.result["ok"]))
        except Error as exc:
            job.error, job.state = str(exc), JobState.FAILED
            self._on_done(False)
        except Exception as exc:  # a bug must not leave the job "running" for ever
            job.error, job.state = f"internal error ({type(exc).__name__})", JobState.FAILED
            self._on_done(False)
        finally:
            job.finished = utc_now()


def _trimmed(result: dict[str, Any]) -> dict[str, Any]:
    """At most ``PROBLEMS_SHOWN`` problems per report (a badly damaged log can have millions)."""
    for part in result.values():
        if isinstance(part, dict) and isinstance(part.get("problems"), list):
            part["problems_total"] = len(part["problems"])
            part["problems"] = part["problems"][:PROBLEMS_SHOWN]
    return result
