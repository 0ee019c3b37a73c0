"""CSV and NDJSON input as a sending system's export gives it (issue 10): a bad row is refused
alone by its line number, a bad header names the columns there are, a byte order mark is
fine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import record
from live_server import Live

from commsledger.core.csvin import COLUMNS
from policies.roles import Role

BOM = b"\xef\xbb\xbf"
HEADER = "id,sent_at,channel,purpose,recipient.email,sender.department,body\n"


def _row(n: int, body: str = "hello") -> str:
    return f"csv-{n},2026-03-01T09:30:00Z,email,service,bob{n}@example.com,Service,{body}\n"


def test_a_row_with_more_fields_than_the_header_is_refused_alone(cli: Any, tmp_path: Path) -> None:
    """Fails before: an internal error (exit 3) and nothing of the file ingested."""
    path = tmp_path / "extra.csv"
    path.write_text(HEADER + _row(1) + _row(2).replace("\n", ",surplus\n") + _row(3))
    run = cli("ingest", str(path), "--json")
    assert run.code == 1, run.stderr
    assert run.json["accepted"] == 2
    assert run.json["rejected"] == [{"line": 3, "error": "has 8 fields, the header names 7"}]
    assert "surplus" not in run.stdout


def test_bytes_that_are_not_utf8_are_refused_on_their_own_line(cli: Any, tmp_path: Path) -> None:
    """Fails before: the whole file was refused, naming a line far from the bad byte (the
    decoder reads ahead in blocks)."""
    rows = [_row(n) for n in range(1, 3001)]
    data = (HEADER + "".join(rows)).encode()
    bad = data.index(b"csv-2500,")
    path = tmp_path / "latin1.csv"
    path.write_bytes(data[:bad] + data[bad:].replace(b"hello", b"h\xe9llo", 1))
    run = cli("ingest", str(path), "--json")
    assert run.code == 1, run.stderr
    assert run.json["accepted"] == 2999
    assert run.json["rejected"] == [{"line": 2501, "error": "is not UTF-8 text"}]


def test_a_quoted_field_over_several_lines_keeps_the_numbers_right(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    text = HEADER + _row(1, '"two\nlines"') + _row(2, "h\udce9llo")
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    run = cli("ingest", str(path), "--json")
    assert run.json["rejected"] == [{"line": 4, "error": "is not UTF-8 text"}]
    assert cli("show", "csv-1", "--json").json["body"] == "two\nlines"


def test_an_unknown_column_lists_the_valid_ones(cli: Any, tmp_path: Path) -> None:
    """Fails before: the message named the unknown column and nothing else."""
    path = tmp_path / "typo.csv"
    path.write_text(HEADER.replace("channel", "chanel") + _row(1))
    run = cli("ingest", str(path), "--json")
    assert run.code == 1
    assert run.stderr.startswith("commsledger: line 1: unknown CSV column 'chanel'; the columns are id,")
    assert all(column in run.stderr for column in COLUMNS)
    twice = tmp_path / "twice.csv"
    twice.write_text("id,body,body\n")
    assert "CSV column 'body' is given twice" in cli("ingest", str(twice)).stderr


def test_a_byte_order_mark_is_accepted_in_csv_and_ndjson(cli: Any, tmp_path: Path) -> None:
    """Fails before for NDJSON: the first line was refused as invalid JSON."""
    (tmp_path / "bom.csv").write_bytes(BOM + (HEADER + _row(1)).encode())
    (tmp_path / "bom.ndjson").write_bytes(BOM + json.dumps(record(2)).encode() + b"\n")
    for name in ("bom.csv", "bom.ndjson"):
        run = cli("ingest", str(tmp_path / name), "--json")
        assert (run.code, run.json["accepted"]) == (0, 1), run.stdout


def test_a_byte_order_mark_is_accepted_over_http(live: Live) -> None:
    with live.client(Role.INGEST) as client:
        for n, ctype in enumerate(("application/json", "application/x-ndjson"), 1):
            body = BOM + json.dumps(record(n)).encode()
            answer = client.post("/v1/communications", content=body, headers={"content-type": ctype})
            assert answer.status_code == 201, answer.text
