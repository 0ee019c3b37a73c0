"""The service's Prometheus metrics (``GET /metrics``), in a registry of its own per app.

Counters and histograms are updated as requests run; gauges of state (ledger size, lags,
queues) read it when scraped. No label ever holds personal data or a record id: routes are
labelled by their template (``/v1/communications/{record_id}``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RATE_WINDOW = 60.0  # seconds the ingest rate gauge averages over


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.ingested = Counter(
            "commsledger_ingest_records", "Records sent to ingest, by outcome", ["outcome"], registry=r
        )
        self.requests = Histogram(
            "commsledger_http_request_duration_seconds",
            "HTTP request latency by method, route template and status",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.busy = Counter(
            "commsledger_busy_responses",
            "503 answers given for back-pressure, by route",
            ["route"],
            registry=r,
        )
        self.refused = Counter(
            "commsledger_auth_refusals",
            "Requests refused for their key (401) or role (403)",
            ["status"],
            registry=r,
        )
        self.job_runs = Counter(
            "commsledger_job_runs", "Scheduled job runs, by job and outcome", ["job", "outcome"], registry=r
        )
        self.verify_ok = Gauge(
            "commsledger_last_verify_ok",
            "1 if the last verification found no problem, 0 if it found some, -1 if none ran yet",
            registry=r,
        )
        self.verify_ok.set(-1)
        self.verify_at = Gauge(
            "commsledger_last_verify_timestamp_seconds", "When the last verification ended", registry=r
        )
        self._rate = _Rate()
        rate = Gauge(
            "commsledger_ingest_records_per_second",
            f"Records accepted per second over the last {RATE_WINDOW:.0f} s",
            registry=r,
        )
        rate.set_function(self._rate.per_second)

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        """A gauge whose value is read when scraped."""
        Gauge(name, help_text, registry=self.registry).set_function(read)

    def ingest(self, accepted: int, duplicates: int, conflicts: int, rejected: int) -> None:
        for outcome, count in (
            ("accepted", accepted),
            ("duplicate", duplicates),
            ("conflict", conflicts),
            ("rejected", rejected - conflicts),
        ):
            if count:
                self.ingested.labels(outcome).inc(count)
        self._rate.add(accepted)

    def verified(self, ok: bool) -> None:
        self.verify_ok.set(1 if ok else 0)
        self.verify_at.set(time.time())

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Rate:
    """Events per second over a sliding window."""

    def __init__(self) -> None:
        self._events: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()

    def add(self, count: int) -> None:
        if count:
            with self._lock:
                self._events.append((time.monotonic(), count))

    def per_second(self) -> float:
        cutoff = time.monotonic() - RATE_WINDOW
        with self._lock:
            while self._events and self._events[0][0] < cutoff:
                self._events.popleft()
            return sum(n for _, n in self._events) / RATE_WINDOW
