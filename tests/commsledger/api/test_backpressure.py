"""Back-pressure and isolation over real HTTP: a saturated writer answers 503 with
Retry-After instead of queueing without bound, and reads never wait behind a write."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from helpers import POLICY_ENTRIES, record
from live_server import Live, live_app

from commsledger.config import ServiceSettings, Settings
from commsledger.core.register import Register
from policies.roles import Role


@contextmanager
def writer_busy(live: Live) -> Iterator[None]:
    """Hold the one writer as a long ingest would, from another thread."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with live.service.gate.enter():
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join()


def test_a_saturated_writer_answers_503_with_retry_after(file_settings: Settings) -> None:
    api = ServiceSettings(write_queue=1, write_wait=0.5)
    with live_app(file_settings, api) as live, live.client(Role.INGEST) as client:
        with writer_busy(live):
            answers: list[httpx.Response] = []
            waiting = threading.Thread(
                target=lambda: answers.append(client.post("/v1/communications", json=record(1)))
            )
            waiting.start()
            time.sleep(0.1)  # the first one waits for the writer; the queue (1) is now full
            refused_at_once = client.post("/v1/communications", json=record(2))
            waiting.join()
        assert refused_at_once.status_code == 503
        assert int(refused_at_once.headers["retry-after"]) >= 1
        assert refused_at_once.headers["content-type"] == "application/problem+json"
        assert answers[0].status_code == 503  # waited its 0.5 s, then refused
        assert "retry-after" in answers[0].headers
        assert client.post("/v1/communications", json=record(1)).status_code == 201
    with Register(file_settings, writer=False) as register:
        assert register.log.committed == POLICY_ENTRIES + 1  # nothing refused was half-written


def test_reads_do_not_wait_behind_the_writer(live: Live) -> None:
    with live.client(Role.INGEST) as writer:
        assert writer.post("/v1/communications", json=record(1)).status_code == 201
    with writer_busy(live), live.client(Role.DISPUTE_HANDLER) as reader:
        started = time.monotonic()
        assert reader.get("/v1/communications/crm-000001").status_code == 200
        assert reader.get("/v1/communications/crm-000001/proof").status_code == 200
        assert reader.get("/v1/checkpoints/latest").status_code == 200
        assert time.monotonic() - started < 5  # the writer is held for 30 s


def test_an_acknowledged_record_is_durable_and_readable_at_once(live: Live) -> None:
    with live.client(Role.INGEST) as writer, live.client(Role.DISPUTE_HANDLER) as reader:
        for n in range(1, 6):
            assert writer.post("/v1/communications", json=record(n)).status_code == 201
            assert reader.get(f"/v1/communications/crm-{n:06d}").status_code == 200
    with Register(live.service.settings, writer=False) as register:
        assert register.log.committed == POLICY_ENTRIES + 5


def test_busy_readers_answer_503_rather_than_queue(file_settings: Settings) -> None:
    api = ServiceSettings(readers=1, read_wait=0.2)
    with live_app(file_settings, api) as live, live.client(Role.AUDITOR) as client:
        with live.service.readers.lend():
            answer = client.get("/v1/checkpoints/latest")
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "1"
        assert client.get("/v1/checkpoints/latest").status_code == 200
