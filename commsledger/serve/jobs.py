"""Scheduled jobs of ``serve``: plain functions, and the APScheduler wrapper that runs them.

A job is a function of no arguments with a name and an interval. The wrapper
(``Scheduler``, APScheduler 3's ``BackgroundScheduler``) runs each one at a time
(``max_instances=1``), folds runs missed while the process was busy or asleep into one
(``coalesce``), and still starts a late run within ``misfire_grace`` seconds instead of
silently skipping it. Each run's outcome is kept for ``/healthz`` and counted in metrics.

To add a job: write it as a plain method of the service (``Scheduled``), and append
``Job(name, service.method, every=seconds)`` to the list ``service_jobs`` returns; a daily job at
a time of day (retention's disposition, at ``COMMSLEDGER_RETENTION_RUN_AT`` when set) gives
``at=(hour, minute)`` (UTC) instead of running every so many seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from commsledger.config import ServiceSettings
from contract.errors import Error
from retention.settings import RetentionSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], None]
    every: float  # seconds
    at: tuple[int, int] | None = None  # (hour, minute) UTC: once a day then, not every ``every``


class Scheduled(Protocol):
    """The jobs of ``serve`` (``commsledger.serve.service.Service`` has them), each a plain method."""

    def sign_checkpoints(self) -> None:
        """Sign a checkpoint of the ledger and of the access log if either grew without one."""
        ...

    def catch_up(self) -> None:
        """Bring the derived indexes (catalog, search index) up to what every writer committed."""
        ...

    def run_due_retention(self) -> None:
        """Resume any interrupted disposition run, then dispose of what is due today."""
        ...


def service_jobs(service: Scheduled, api: ServiceSettings, retention: RetentionSettings) -> list[Job]:
    """The jobs of ``serve``: checkpoints and catch-up every few seconds, and disposition
    daily at ``retention.run_at`` only when it is set (disposal is opt-in)."""
    jobs = [
        Job("sign_checkpoints", service.sign_checkpoints, api.checkpoint_every),
        Job("catch_up", service.catch_up, api.catch_up_every),
    ]
    if retention.run_at is not None:
        jobs.append(Job("retention", service.run_due_retention, 86400.0, at=_hour_minute(retention.run_at)))
    return jobs


def _hour_minute(text: str) -> tuple[int, int]:
    hour, minute = text.split(":")
    return int(hour), int(minute)


@dataclass
class _Outcome:
    at: str | None = None
    ok: bool | None = None
    error: str | None = None


class Scheduler:
    """Runs jobs in the background; ``on_run(name, ok)`` hears every outcome."""

    def __init__(self, jobs: list[Job], *, misfire_grace: int, on_run: Callable[[str, bool], None]) -> None:
        self.jobs = jobs
        self._on_run = on_run
        self._outcomes = {job.name: _Outcome() for job in jobs}
        self._lock = threading.Lock()
        self._scheduler = BackgroundScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": misfire_grace},
            timezone=UTC,
        )
        for job in jobs:
            if job.at is not None:
                self._scheduler.add_job(
                    self._wrap(job), "cron", hour=job.at[0], minute=job.at[1], id=job.name
                )
                continue
            self._scheduler.add_job(
                self._wrap(job), "interval", seconds=job.every, id=job.name, next_run_time=datetime.now(UTC)
            )

    def _wrap(self, job: Job) -> Callable[[], None]:
        def run() -> None:
            ok, error = True, None
            try:
                job.run()
            except Error as exc:
                ok, error = False, str(exc)
            except Exception as exc:  # logged and counted; the scheduler keeps running
                ok, error = False, f"internal error ({type(exc).__name__})"
                log.exception("job %s failed", job.name)
            with self._lock:
                self._outcomes[job.name] = _Outcome(datetime.now(UTC).isoformat(), ok, error)
            self._on_run(job.name, ok)

        return run

    def start(self) -> None:
        self._scheduler.start()

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def state(self) -> list[dict[str, Any]]:
        """Each job's interval, next run and last outcome (for ``/healthz``)."""
        found = []
        for job in self.jobs:
            scheduled = self._scheduler.get_job(job.name)
            upcoming = getattr(scheduled, "next_run_time", None) if scheduled is not None else None
            with self._lock:
                last = self._outcomes[job.name]
            found.append(
                {
                    "name": job.name,
                    "every_seconds": job.every,
                    "next_run": upcoming.isoformat() if upcoming else None,
                    "last_run": last.at,
                    "last_ok": last.ok,
                    "last_error": last.error,
                }
            )
        return found

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
