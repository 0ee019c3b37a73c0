"""The access journal: what a dead process journaled is committed at the next start, once;
a torn last record is ignored; a live process's journal is left alone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from commsledger.access.catalog import Filters
from commsledger.access.events import Access
from commsledger.access.journal import FOLDER, Journal, read
from commsledger.access.log import AccessLog, prepare
from commsledger.access.search import search_access
from commsledger.access.writer import AccessWriter, recover
from commsledger.config import Settings
from commsledger.core.register import Register


@pytest.fixture
def reg(data_dir: Path) -> Iterator[Register]:
    with Register(Settings(data=data_dir, workers=0)) as register:
        yield register


def _log(reg: Register) -> AccessLog:
    return AccessLog(reg.settings, reg.master, reg.signer)


def _dead_journal(reg: Register, log: AccessLog, accesses: list[Access], torn: bytes = b"") -> Path:
    """A journal as a process leaves it when killed: written, never committed, unlocked."""
    journal = Journal(reg.data)
    sealed = [prepare(a, log.master) for a in accesses]
    log.store_keys(sealed)
    journal.append(sealed)
    journal._file.write(torn)
    journal._file.close()  # the process is gone: its lock with it
    return journal.path


def _ids(log: AccessLog) -> list[str]:
    return [e["id"] for e in search_access(log.catalog, log, Filters(limit=1000), reveal=True)["results"]]


def test_a_dead_process_journal_is_committed_once_at_the_next_start(reg: Register) -> None:
    log = _log(reg)
    accesses = [Access("records.read", 200, "k", "auditor", (f"crm-{n}",)) for n in range(5)]
    secret = Access("search", 200, "k", "dpo", personal={"subject": "email:alice@example.com"})
    path = _dead_journal(reg, log, [*accesses, secret], torn=b"\x00\x00\x01\x00{half")
    log.commit([prepare(accesses[0], log.master)])  # one already reached the ledger
    assert recover(log) == 5
    assert not path.exists()
    assert sorted(_ids(log)) == sorted(a.id for a in [*accesses, secret])
    revealed = search_access(log.catalog, log, Filters(action="search"), reveal=True)["results"]
    assert revealed[0]["sealed_query"] == {"subject": "email:alice@example.com"}
    assert recover(log) == 0
    assert log.verify().ok
    log.close()


def test_a_live_process_journal_is_left_alone(reg: Register) -> None:
    log = _log(reg)
    live = Journal(reg.data)
    live.append([prepare(Access("records.read", 200, "k", "auditor"), log.master)])
    assert recover(log) == 0
    assert live.path.exists()
    live.committed(1)
    live.close()
    assert not live.path.exists()
    log.close()


def test_the_writer_recovers_at_start_and_leaves_no_journal_when_closed(reg: Register) -> None:
    log = _log(reg)
    _dead_journal(reg, log, [Access("records.read", 200, "k", "auditor", ("crm-1",))])
    writer = AccessWriter(log, queue_size=16, batch=8)
    assert writer.recovered == 1
    writer.record(Access("records.proof", 200, "k", "auditor", ("crm-1",)))
    writer.close()
    assert list((reg.data / FOLDER).iterdir()) == []
    assert len(_ids(log)) == 2
    log.close()


def test_an_access_is_journaled_before_record_returns_and_commits_are_gathered(reg: Register) -> None:
    """Durable on return (a crash now would still commit it), in the ledger shortly after;
    accesses arriving one after another within a window share one ledger commit."""
    log = _log(reg)
    writer = AccessWriter(log, queue_size=64, batch=512)
    accesses = [Access("records.read", 200, "k", "auditor", (f"crm-{n}",)) for n in range(25)]
    for access in accesses:  # about 0.3 s of requests, one at a time
        writer.record(access)
        assert access.id in {s.access.id for s in read(writer.journal.path)} | set(_ids(log))
        time.sleep(0.012)
    deadline = time.monotonic() + 5
    while len(_ids(log)) < len(accesses) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(_ids(log)) == sorted(a.id for a in accesses)
    assert writer.commits <= 3  # a commit per window of WINDOW s, not one per arrival
    writer.close()
    log.close()
