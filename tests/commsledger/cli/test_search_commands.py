"""``commsledger search``, ``reindex``, ``rebuild`` and ``verify --index`` as real processes,
as CONTRACT.md states them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from helpers import POLICY_ENTRIES, record, write_ndjson

from search.document import IndexDoc
from search.tantivy.driver import TantivyIndex


def _ingest(cli: Any, tmp_path: Path, n: int = 6) -> None:
    records = [
        record(i, channel="sms" if i % 2 else "email", sent_at=f"2026-0{1 + i % 3}-0{i}T10:00:00Z")
        for i in range(1, n + 1)
    ]
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", records)), "--json").json["accepted"] == n


def test_search_as_the_contract_states_it(cli: Any, tmp_path: Path) -> None:
    _ingest(cli, tmp_path)
    doc = cli("search", "complaint", "--subject", "email:Alice.Example3@EXAMPLE.com", "--channel", "sms",
              "--since", "2026-01-01", "--until", "2026-12-31", "--limit", "5", "--json").json  # fmt: skip
    assert doc["total"] == 1
    assert {"id", "sent_at", "channel", "purpose", "department", "subject", "snippet"} <= set(
        doc["results"][0]
    )
    assert doc["results"][0]["id"] == "crm-000003"
    everything = cli("search", "--json").json
    assert everything["total"] == 6
    assert [r["sent_at"] for r in everything["results"]] == sorted(
        (r["sent_at"] for r in everything["results"]), reverse=True
    )
    assert (
        cli(
            "search", "--department", "Complaints", "--case", "CMP-2", "--purpose", "complaint", "--json"
        ).json["total"]
        == 1
    )


def test_paging_facets_and_other_filters(cli: Any, tmp_path: Path) -> None:
    _ingest(cli, tmp_path)
    first = cli("search", "--limit", "4", "--sort", "oldest", "--facets", "--json").json
    assert (first["total"], len(first["results"])) == (6, 4)
    assert first["facets"]["channel"] == {"email": 3, "sms": 3}
    assert first["facets"]["month"] == {"2026-01": 2, "2026-02": 2, "2026-03": 2}
    rest = cli("search", "--limit", "4", "--sort", "oldest", "--cursor", first["cursor"], "--json").json
    assert len(rest["results"]) == 2
    assert rest["cursor"] is None
    assert cli("search", "--tag", "mifid", "--no-response", "--case-open", "--json").json["total"] == 6
    assert cli("search", '"received your complaint"', "--sort", "relevance", "--json").json["total"] == 6


def test_bad_options_are_usage_errors_in_one_line(cli: Any, tmp_path: Path) -> None:
    _ingest(cli, tmp_path, 1)
    bad = [
        (["--since", "last week"], "since"),
        (["--channel", "pigeon"], "channel"),
        (['"unclosed'], "quote"),
        (["--subject", "alice"], "subject"),
        (["--cursor", "x"], "cursor"),
    ]
    for args, says in bad:
        run = cli("search", *args)
        assert run.code == 2, args
        assert says in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
        assert "Traceback" not in run.stderr


def test_human_output_shows_subject_snippet_and_the_next_page(cli: Any, tmp_path: Path) -> None:
    _ingest(cli, tmp_path)
    run = cli("search", "complaint", "--limit", "2")
    assert run.code == 0
    assert "Your complaint CMP-" in run.stdout
    assert "we have received your complaint" in run.stdout
    assert "6 found, 2 shown; next page: --cursor " in run.stdout


def test_reindex_rebuild_and_verify_index(cli: Any, tmp_path: Path, data_dir: Path) -> None:
    _ingest(cli, tmp_path)
    assert cli("reindex", "--json").json == {"indexed": 6, "entries": 6 + POLICY_ENTRIES}
    assert cli("rebuild", "--json").json == {"entries": 6 + POLICY_ENTRIES, "indexed": 6}
    ok = cli("verify", "--index", "--json")
    assert (ok.code, ok.json["ok"], ok.json["index"]) == (
        0,
        True,
        {"indexed_through": 5 + POLICY_ENTRIES, "lag": 0},
    )
    index = TantivyIndex(data_dir / "index")
    ghost = replace(next(iter(index.summaries())), record_id="ghost")
    index.apply([IndexDoc(ghost, None)], watermark=6 + POLICY_ENTRIES)  # a document no record stands behind
    bad = cli("verify", "--index", "--json")
    assert bad.code == 1
    assert [p["kind"] for p in bad.json["problems"]] == ["index_extra"]
    assert cli("verify", "--json").json["ok"] is True  # the ledger itself is fine
    assert cli("search", "--json").json["total"] == 7
    assert cli("reindex", "--json").json["indexed"] == 6
    assert cli("verify", "--index", "--json").json["ok"] is True


def test_an_index_of_another_version_is_reported_and_reindex_repairs_it(
    cli: Any, tmp_path: Path, data_dir: Path
) -> None:
    _ingest(cli, tmp_path, 2)
    state = data_dir / "index" / "state.json"
    state.write_text(state.read_text().replace('"schema": 1', '"schema": 99'))
    broken = cli("search", "--json")
    assert broken.code == 2
    assert "run commsledger reindex" in broken.stderr
    assert cli("checkpoint", "--json").code == 0  # a writer still opens
    more = cli("ingest", str(write_ndjson(tmp_path / "more.ndjson", [record(9)])), "--json")
    assert (more.code, more.json["accepted"]) == (0, 1)  # what was committed is not failed
    assert "warning: the search index is not up to date" in more.stderr
    assert cli("reindex", "--json").json["indexed"] == 3
    assert cli("search", "--json").json["total"] == 3


def test_a_bulk_load_without_the_index_says_it_lags_until_reindexed(cli: Any, tmp_path: Path) -> None:
    records = write_ndjson(tmp_path / "r.ndjson", [record(i) for i in range(1, 5)])
    assert cli("ingest", str(records), "--no-index", "--json").json["accepted"] == 4
    lagging = cli("search", "--json").json
    assert (lagging["total"], lagging["lag"]) == (0, 4 + POLICY_ENTRIES)
    assert cli("reindex", "--json").json["indexed"] == 4
    caught_up = cli("search", "--json").json
    assert (caught_up["total"], caught_up["lag"]) == (4, 0)
