"""Property: no date, however extreme, breaks the register.

Generated timestamps and dates, at the edges of the range, of the calendar and of every
offset, go through the whole path a user takes: ingest and events (accepted, or refused with
the field named), then the index (search with since, until, overdue and as_of at the edges),
retention evaluation (a preview as of any date), ``show`` and holds. A second property
commits such dates as an older version did, without today's checks, and reads them back.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from helpers import record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from legacy import commit_event_unchecked, commit_unchecked

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from contract.moments import horizon
from retention import runs
from retention.service import list_holds
from search.service import find

_OFFSETS = [UTC, *(timezone(timedelta(minutes=m)) for m in (840, -720, 330))]  # +14:00 -12:00 +05:30
_EDGES = [
    "0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z",
    "1970-01-01T00:30:00+01:00", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:30:00-01:00",
]  # fmt: skip
_IDS = itertools.count(1)
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _edge_of_range() -> st.SearchStrategy[str]:
    last = datetime.combine(horizon(), datetime.max.time(), UTC)
    return st.sampled_from([last.isoformat(), (last + timedelta(microseconds=1)).isoformat()])


def timestamps() -> st.SearchStrategy[str]:
    anywhere = st.datetimes(timezones=st.sampled_from(_OFFSETS)).map(lambda d: d.isoformat())
    return st.one_of(st.sampled_from(_EDGES), _edge_of_range(), anywhere)


def days() -> st.SearchStrategy[str]:
    edges = st.sampled_from([date.min, date(1969, 12, 31), date(1970, 1, 1), horizon(), date.max])
    return st.one_of(edges, st.dates()).map(date.isoformat)


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    with Register(Settings(data=tmp_path_factory.mktemp("dates") / "data", workers=0)) as reg:
        yield reg


def _doc(sent: str, received: str, due: str) -> dict[str, Any]:
    n = next(_IDS)
    case = {"id": f"CASE-{n}", "type": "arrears", "received_at": received}
    return record(n, sent_at=sent, purpose="collections", case=case, follow_up={"action": "Call", "due": due})


def _reads(register: Register, record_id: str, when: str, day: str) -> None:
    """Every read a user makes of the record, at moments and dates taken from the edges."""
    shown = register.show(record_id)
    assert shown["id"] == record_id
    assert "retention" in shown
    case = shown["case"]["id"]
    assert [r["id"] for r in find(register, {"case": case})["results"]] == [record_id]
    find(register, {"case": case, "overdue": "true", "as_of": when})
    find(register, {"since": day, "until": day, "facets": "true"})
    runs.preview(register, date.fromisoformat(day))
    list_holds(register)


@EXAMPLES
@given(sent=timestamps(), received=timestamps(), due=st.one_of(days(), timestamps()), at=timestamps())
def test_ingest_and_events_accept_or_name_the_field_and_reads_never_fail(
    register: Register, sent: str, received: str, due: str, at: str
) -> None:
    doc = _doc(sent, received, due)
    report = ingest.ingest(register, iter([(1, json.dumps(doc).encode())]))
    if report.rejected:
        error = report.rejected[0]["error"]
        assert error.split(":")[0] in {"sent_at", "case.received_at", "follow_up.due"}, error
        return
    event = json.dumps({"type": "case_closed", "at": at}).encode()
    events = ingest.add_events(register, doc["id"], iter([(1, event)]))
    assert events.accepted or events.rejected[0]["error"].startswith("at:")
    _reads(register, doc["id"], at, due[:10])


def _utc(text: str) -> str:
    """A timestamp in the envelope's form (UTC, ``Z``), clamped to what Python can hold."""
    moment = datetime.fromisoformat(text)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = (datetime.max if moment.year == 9999 else datetime.min).replace(tzinfo=UTC)
    return moment.replace(tzinfo=None).isoformat() + "Z"


@EXAMPLES
@given(sent=timestamps(), received=timestamps(), due=days(), at=timestamps(), day=days())
def test_what_an_older_version_committed_always_reads(
    register: Register, sent: str, received: str, due: str, at: str, day: str
) -> None:
    doc = _doc(_utc(sent), _utc(received), due)
    commit_unchecked(register, doc)
    commit_event_unchecked(register, doc["id"], {"type": "case_closed", "at": _utc(at)})
    assert register.index_problem is None
    _reads(register, doc["id"], _utc(at), day)
