"""Reads from the command line are in the access log, as reads over HTTP are (issue 10:
``show``, ``search`` and ``prove`` from the CLI left no trace): the actor is the OS user and
host, free text and subject identifiers are sealed, and nothing is shown unlogged."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path
from typing import Any

from helpers import record, write_ndjson

from commsledger.access.catalog import Filters
from commsledger.access.log import AccessLog
from commsledger.access.search import search_access
from commsledger.config import Settings
from commsledger.core.register import Register

ACTOR = f"(cli) {getpass.getuser()}@{socket.gethostname()}"


def _accesses(data_dir: Path) -> list[dict[str, Any]]:
    settings = Settings(data=data_dir, workers=0)
    with Register(settings, writer=False) as register:
        log = AccessLog(settings, register.master, register.signer, writer=False)
        try:
            log.sync_catalog()
            return list(search_access(log.catalog, log, Filters(limit=1000), reveal=True)["results"])
        finally:
            log.close()


def test_show_search_and_prove_from_the_command_line_are_logged(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    path = write_ndjson(tmp_path / "r.ndjson", [record(1), record(2)])
    assert cli("ingest", str(path)).code == 0
    assert cli("show", "crm-000001", "--json").code == 0
    found = cli("search", "complaint", "--subject", "email:alice.example2@example.com", "--json")
    assert [r["id"] for r in found.json["results"]] == ["crm-000002"]
    assert cli("prove", "crm-000002", "--json").code == 0
    assert cli("show", "crm-999999").code == 1
    by_action = {(e["action"], e["status"]): e for e in _accesses(data_dir)}
    assert set(by_action) == {("records.read", 200), ("search", 200), ("records.proof", 200),
                              ("records.read", 404)}  # fmt: skip
    assert {e["key"] for e in by_action.values()} == {ACTOR}
    assert {e["role"] for e in by_action.values()} == {"(cli)"}
    assert by_action["records.read", 200]["records"] == ["crm-000001"]
    search = by_action["search", 200]
    assert search["records"] == ["crm-000002"]
    assert search["sealed"] == ["subject", "text"]
    assert search["sealed_query"] == {"text": "complaint", "subject": ["email:alice.example2@example.com"]}
    assert "query" not in by_action["records.read", 404]  # a refusal is sealed whole
    on_disk = b"".join(
        p.read_bytes() for p in (data_dir / "objects" / "access-log").rglob("*") if p.is_file()
    )
    assert b"alice.example2" not in on_disk
    assert b"complaint" not in on_disk
