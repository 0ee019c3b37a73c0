"""A disposition run takes the disposed records' text out of the search index, with no byte of
it left in the index folder; the records stay findable by their envelope, as redacted."""

from __future__ import annotations

from pathlib import Path

from helpers import record
from index_files import words_on_disk
from retention_fixtures import lines, with_retention

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from retention import runs
from search.service import find


def test_disposed_records_leave_the_index_and_no_trace_on_disk(data_dir: Path, tmp_path: Path) -> None:
    settings = with_retention(Settings(data=data_dir, workers=0), tmp_path)
    secret = ["quixotically", "marmaladeviolin"]
    old = record(
        1,
        purpose="marketing",
        case=None,
        sent_at="2019-01-10T09:00:00Z",
        subject="Quixotically priced offer",
        body="Dear customer, the marmaladeviolin sale ends soon.",
    )
    recent = record(2, purpose="marketing", case=None, sent_at="2026-06-01T09:00:00Z")
    with Register(settings) as register:
        ingest.ingest(register, lines([old, recent]))
        assert words_on_disk(data_dir / "index", secret) == set(secret)
        assert [r["id"] for r in find(register, {"text": "quixotically"})["results"]] == ["crm-000001"]
        result = runs.run(register, runs.today())
        assert result.to_json()["disposed"] == ["crm-000001"]
        assert words_on_disk(data_dir / "index", secret) == set()
        assert find(register, {"text": "quixotically OR marmaladeviolin"})["total"] == 0
        (hit,) = find(register, {"text": "", "channel": "email", "since": "2019-01-01",
                                             "until": "2019-12-31"})["results"]  # fmt: skip
        assert (hit["id"], hit["redacted"], hit["subject"]) == ("crm-000001", True, None)
