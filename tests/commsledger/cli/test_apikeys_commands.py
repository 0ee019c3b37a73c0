"""The keys commands and the access log from the command line: each admin action is logged,
``verify --access-log`` checks the log and ``prove --access-log`` proves one entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def test_keys_create_list_revoke_and_every_action_is_in_the_access_log(cli: Any, tmp_path: Path) -> None:
    assert cli("init").code == 0  # keys belong to a register: none is made for them
    created = cli("keys", "create", "--role", "auditor", "--name", "aud-1", "--json")
    assert created.code == 0, created.stderr
    assert created.json["key"].startswith("cl_")
    assert created.json["role"] == "auditor"
    listed = cli("keys", "list", "--json")
    assert [k["name"] for k in listed.json["keys"]] == ["aud-1"]
    assert created.json["key"] not in listed.stdout
    assert cli("keys", "revoke", "aud-1", "--json").json == {"revoked": "aud-1"}
    assert cli("keys", "create", "--role", "root", "--name", "x").code == 2  # bad usage
    assert "'root' is not one of 'ingest'" in cli("keys", "create", "--role", "root", "--name", "x").stderr
    verified = cli("verify", "--access-log", "--json")
    assert verified.code == 0, verified.stderr
    assert verified.json["ok"]
    assert verified.json["entries"] == 3


def test_an_access_log_entry_is_proved_and_checked_offline(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    assert cli("init").code == 0
    cli("keys", "create", "--role", "admin", "--name", "ops")
    from commsledger.access.catalog import AccessCatalog

    catalog = AccessCatalog(data_dir / "access-log.db")
    access_id = catalog.conn.execute("SELECT id FROM entries").fetchone()[0]
    catalog.close()
    out = tmp_path / "proof.json"
    proved = cli("prove", access_id, "--access-log", "--out", str(out))
    assert proved.code == 0, proved.stderr
    assert json.loads(out.read_text())["record_id"] == access_id
    access_key = cli("key", "--access-log", "--json").json["vkey"]
    assert access_key != cli("key", "--json").json["vkey"]
    checked = cli("check-proof", str(out), "--key", access_key, "--json")
    assert checked.code == 0
    assert checked.json["ok"]
    assert cli("prove", "a-nope", "--access-log").code == 1
