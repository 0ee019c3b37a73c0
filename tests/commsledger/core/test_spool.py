"""An ingest indexes what it spooled while committing, not what it reads back from the
ledger: a first ingest builds the index whole from it, a later one adds its records; the same
answers either way, in any input order, nothing readable left on disk, and the ledger path
whenever the spool does not cover every record the index lacks."""

from __future__ import annotations

import fcntl
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import record

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core import register as register_module
from commsledger.core.commit import IngestReport, Sequencer
from commsledger.core.prepare import prepare
from commsledger.core.register import Register
from commsledger.core.spool import PREFIX, DocSpool
from retention.service import current_policy
from search import indexing
from search.check import check_index
from search.service import find

MONTHS = [f"2025-{m:02d}-1{m % 10}T09:30:00Z" for m in range(1, 8)]
SEARCHES: list[dict[str, str]] = [
    {"text": "complaint"},
    {"text": "Alice Example17"},
    {"text": '"received your complaint"', "since": "2025-03-01"},
    {"channel": "sms"},
    {"subject": "email:alice.example5@example.com"},
    {"since": "2025-02-01", "until": "2025-05-01", "purpose": "complaint"},
]


def lines(items: list[dict[str, Any]]) -> Iterator[tuple[int, bytes]]:
    return ((n, json.dumps(i).encode()) for n, i in enumerate(items, 1))


def records(count: int) -> list[dict[str, Any]]:
    channels = ["email", "sms", "letter"]
    return [record(n, sent_at=MONTHS[n % len(MONTHS)], channel=channels[n % 3]) for n in range(1, count + 1)]


def answers(register: Register) -> list[Any]:
    out = []
    for params in SEARCHES:
        doc = find(register, {"limit": "100", "facets": "channel,purpose,status", **params})
        hits = [(h["id"], h["subject"], h.get("snippet")) for h in doc["results"]]
        out.append((doc["total"], hits, doc.get("facets")))
    return out


@pytest.fixture
def small_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A first ingest past this many entries builds its index whole (32,768 in use)."""
    monkeypatch.setattr(register_module, "INDEX_BATCH", 10)
    monkeypatch.setattr(indexing, "BATCH", 10)


@pytest.mark.parametrize("order", ["dated", "shuffled"])
def test_a_first_ingest_answers_as_an_index_built_from_the_ledger(
    register: Register, small_batch: None, order: str
) -> None:
    items = records(60)
    if order == "shuffled":
        random.Random(7).shuffle(items)
    else:
        items.sort(key=lambda r: r["sent_at"])
    report = ingest.ingest(register, lines(items))
    assert report.accepted == 60
    spooled = answers(register)
    assert spooled[0][0] == 60
    assert spooled[1][1][0][0] == "crm-000017"
    assert check_index(register)[0] == []
    assert not list(register.settings.data.glob(PREFIX + "*"))  # the spool is gone
    indexing.reindex(register)  # the same index, from the ledger
    assert answers(register) == spooled


def test_the_spool_indexes_text_without_reading_the_ledgers_payloads(
    register: Register, small_batch: None
) -> None:
    _indexed_from_the_spool_alone(register, range(1, 31))
    assert [h["id"] for h in find(register, {"text": "Alice Example17"})["results"]] == ["crm-000017"]


@pytest.mark.parametrize("order", ["dated", "shuffled"])
def test_a_later_ingest_adds_its_records_as_an_index_built_from_the_ledger(
    register: Register, small_batch: None, order: str
) -> None:
    items = records(70)
    if order == "shuffled":
        random.Random(11).shuffle(items)
    ingest.ingest(register, lines(items[:40]))
    second = ingest.ingest(register, lines(items[40:]))  # 30 records, three index commits of 10
    assert second.accepted == 30
    spooled = answers(register)
    assert spooled[0][0] == 70
    assert check_index(register)[0] == []
    assert not list(register.settings.data.glob(PREFIX + "*"))
    indexing.reindex(register)
    assert answers(register) == spooled


def _spooled_batch(register: Register, numbers: range) -> Any:
    """Records committed by a sequencer holding a spool, as an ingest would; the spool."""
    policy = current_policy(register)
    spool = register.ingest_spool()
    assert spool is not None
    sequencer = Sequencer(register, IngestReport(), spool)
    region = register.settings.default_region
    batch = [record(n, sent_at=MONTHS[n % len(MONTHS)]) for n in numbers]
    sequencer.process([prepare(n, raw, register.master, region, policy) for n, raw in lines(batch)])
    sequencer.commit()
    return spool


def _indexed_from_the_spool_alone(register: Register, numbers: range) -> None:
    """A batch spooled and committed, then its ledger payloads made unreadable (from the
    ledger the index would hold no text), then the index brought up from the spool."""
    spool = _spooled_batch(register, numbers)
    register.keys.destroy([f"crm-{n:06d}" for n in numbers])
    assert register.index_from(spool)
    spool.close()


def test_a_later_ingest_indexes_its_text_without_reading_the_ledgers_payloads(
    register: Register, small_batch: None
) -> None:
    ingest.ingest(register, lines(records(20)))
    _indexed_from_the_spool_alone(register, range(21, 51))
    assert [h["id"] for h in find(register, {"text": "Alice Example37"})["results"]] == ["crm-000037"]
    assert find(register, {"limit": "100"})["total"] == 50


def test_a_writer_whose_records_another_writer_indexed_spools_its_own(
    settings: Settings, small_batch: None
) -> None:
    """``serve --workers 2``: two writers on one register, taking requests in turn."""
    with Register(settings) as first, Register(settings) as second:
        ingest.ingest(first, lines(records(20)))
        ingest.ingest(second, lines(records(40)[20:]))
        _indexed_from_the_spool_alone(first, range(41, 51))  # first has not seen second's records yet
        assert [h["id"] for h in find(first, {"text": "Alice Example43"})["results"]] == ["crm-000043"]
        assert find(second, {"limit": "100"})["total"] == 50


def test_an_event_committed_meanwhile_sends_the_index_to_the_ledger(
    register: Register, small_batch: None
) -> None:
    ingest.ingest(register, lines(records(20)))
    spool = _spooled_batch(register, range(21, 41))
    event = {"type": "status", "status": "bounced", "at": "2025-07-20T10:00:00Z"}
    ingest.add_events(register, "crm-000005", lines([event]))  # changes an earlier record
    assert not register.index_from(spool)  # the spool does not know it
    spool.close()
    register.sync_index()
    assert [h["id"] for h in find(register, {"status": "bounced"})["results"]] == ["crm-000005"]
    assert find(register, {"limit": "100"})["total"] == 40
    assert check_index(register)[0] == []


def test_records_recorded_before_are_indexed_from_the_ledger_with_the_new_ones(
    register: Register, small_batch: None
) -> None:
    items = records(40)
    ingest.ingest(register, lines(items[:25]), index=False)  # a bulk load: the index lags
    ingest.ingest(register, lines(items[25:]))
    assert find(register, {"limit": "100"})["total"] == 40
    assert [h["id"] for h in find(register, {"text": "Alice Example3"})["results"]] == ["crm-000003"]
    assert check_index(register)[0] == []


def test_a_spool_on_disk_holds_no_plain_text_and_a_crashed_ones_is_swept(tmp_path: Path) -> None:
    spool = DocSpool(tmp_path)
    envelope = json.dumps(
        {"sent_at": "2025-01-02T00:00:00Z", "channel": "email", "purpose": "service"}
    ).encode()
    spool.add([(1, "crm-000001", "subj-1", envelope, ("Secret subject", "MARKER-BODY-TEXT"))])
    held = b"".join(p.read_bytes() for p in spool.folder.rglob("*") if p.is_file())
    assert b"MARKER-BODY-TEXT" not in held
    assert b"Secret subject" not in held
    assert [d.body for d in spool.documents([])] == ["MARKER-BODY-TEXT"]
    crashed = tmp_path / f"{PREFIX}crashed"
    crashed.mkdir()
    (crashed / "lock").write_bytes(b"")
    (crashed / "_2025-01.spool").write_bytes(b"\x00\x00\x00\x04abcd")
    other = DocSpool(tmp_path)  # a live spool (the first) keeps its lock, the crashed one goes
    assert not crashed.exists()
    assert spool.folder.exists()
    with (spool.folder / "lock").open("rb") as lock, pytest.raises(BlockingIOError):
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    other.close()
    spool.close()
    assert not list(tmp_path.glob(PREFIX + "*"))
