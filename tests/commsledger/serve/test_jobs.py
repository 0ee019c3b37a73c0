"""The scheduler: jobs run on their interval, one run at a time, a failing job is reported and
keeps being scheduled."""

from __future__ import annotations

import threading
import time

from commsledger.serve.jobs import Job, Scheduler
from contract.errors import StoreError


def _wait(condition: object, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_jobs_run_one_at_a_time_and_failures_are_reported() -> None:
    running, most, runs, failures = [0], [0], [0], [0]
    lock = threading.Lock()

    def slow() -> None:  # takes longer than its interval
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
            runs[0] += 1

    def broken() -> None:
        failures[0] += 1
        raise StoreError("store down")

    outcomes: list[tuple[str, bool]] = []
    scheduler = Scheduler(
        [Job("slow", slow, 0.1), Job("broken", broken, 0.1)],
        misfire_grace=5,
        on_run=lambda name, ok: outcomes.append((name, ok)),
    )
    scheduler.start()
    try:
        assert _wait(lambda: runs[0] >= 3 and failures[0] >= 2)
        state = {job["name"]: job for job in scheduler.state()}
    finally:
        scheduler.shutdown()
    assert most[0] == 1
    assert state["broken"]["last_ok"] is False
    assert state["broken"]["last_error"] == "store down"
    assert state["slow"]["last_ok"] is True
    assert state["slow"]["next_run"] is not None
    assert ("broken", False) in outcomes
    assert ("slow", True) in outcomes
    assert not scheduler.running
