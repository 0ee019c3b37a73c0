"""``init``, ``backup`` and ``restore``, and what the command line does on a folder with no
register or a register that lost a secret (issue 10: a mistyped ``--data`` created a new
register; a deleted ``master.key`` or ``privacy.db`` was silently replaced)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from helpers import record, write_ndjson


def _ingest(cli: Any, tmp_path: Path, *numbers: int) -> None:
    path = write_ndjson(tmp_path / f"r{numbers[0]}.ndjson", [record(n) for n in numbers])
    assert cli("ingest", str(path), "--json").json["accepted"] == len(numbers)


@pytest.mark.parametrize(
    "command", [["verify"], ["show", "crm-000001"], ["search"], ["key"], ["checkpoint"], ["keys", "list"],
                ["retention", "run", "--dry-run"], ["reindex"], ["backup", "--out", "b.tgz"]],
)  # fmt: skip
def test_a_folder_with_no_register_exits_2_naming_it_and_stays_empty(
    cli: Any, data_dir: Path, command: list[str]
) -> None:
    run = cli(*command)
    assert run.code == 2
    assert f"no register in {data_dir}" in run.stderr
    assert "Traceback" not in run.stderr
    assert not data_dir.exists()


def test_show_from_another_folder_does_not_create_one_there(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COMMSLEDGER_DATA"}
    proc = subprocess.run(
        [sys.executable, "-m", "commsledger", "show", "crm-000001"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "no register in" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_creates_a_register_once(cli: Any, data_dir: Path) -> None:
    made = cli("init", "--json")
    assert made.code == 0
    assert made.json["entries"] == 0
    assert made.json["vkey"] == cli("key", "--json").json["vkey"]
    assert cli("verify", "--json").json["ok"] is True
    again = cli("init")
    assert again.code == 2
    assert "exists" in again.stderr


def test_demo_if_empty_creates_and_then_leaves_the_register(cli: Any) -> None:
    first = cli("demo", "--records", "20", "--if-empty", "--json")
    assert (first.code, first.json["loaded"]) == (0, 20)
    assert cli("demo", "--records", "20", "--if-empty", "--json").json["loaded"] == 0


@pytest.mark.parametrize("lost", ["master.key", "privacy.db", "signing.key"])
def test_a_lost_secret_stops_every_command_and_is_restored_from_the_backup(
    cli: Any, data_dir: Path, tmp_path: Path, lost: str
) -> None:
    _ingest(cli, tmp_path, 1, 2)
    backup = cli("backup", "--out", str(tmp_path / "keys.tgz"), "--json")
    assert backup.code == 0
    assert sorted(backup.json["files"]) == ["master.key", "privacy.db", "signing.key"]
    (data_dir / lost).unlink()
    for command in (["verify"], ["show", "crm-000001"], ["ingest", str(tmp_path / "r1.ndjson")]):
        run = cli(*command)
        assert run.code == 2, command
        assert f"{lost} missing" in run.stderr
        assert "commsledger restore" in run.stderr
        assert not (data_dir / lost).exists()
    restored = cli("restore", str(tmp_path / "keys.tgz"), "--json")
    assert restored.code == 0, restored.stderr
    assert restored.json["restored"] == [lost]
    assert restored.json["records_without_key"] == 0
    shown = cli("show", "crm-000002", "--json").json
    assert (shown["redacted"], shown["body"]) == (False, record(2)["body"])


def test_restore_says_which_records_the_backup_lacks_keys_for(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    _ingest(cli, tmp_path, 1)
    assert cli("backup", "--out", str(tmp_path / "keys.tgz")).code == 0
    _ingest(cli, tmp_path, 2, 3)
    refused = cli("restore", str(tmp_path / "keys.tgz"))
    assert refused.code == 1
    assert "privacy.db" in refused.stderr
    assert "--replace" in refused.stderr
    (data_dir / "privacy.db").unlink()
    restored = cli("restore", str(tmp_path / "keys.tgz"), "--json")
    assert restored.code == 1
    assert restored.json["records_without_key"] == 2
    assert "2 records recorded after this backup" in restored.stderr


def test_restore_keeps_a_differing_file_aside_and_refuses_another_registers_backup(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    _ingest(cli, tmp_path, 1)
    assert cli("backup", "--out", str(tmp_path / "keys.tgz")).code == 0
    _ingest(cli, tmp_path, 2)
    replaced = cli("restore", str(tmp_path / "keys.tgz"), "--replace", "--json")
    assert [n.split(".replaced-")[0] for n in replaced.json["kept_aside"]] == ["privacy.db"]
    assert (data_dir / replaced.json["kept_aside"][0]).exists()
    other = tmp_path / "other"
    other_cli = ["--data", str(other)]
    assert cli("init", *other_cli).code == 0
    assert cli("backup", "--out", str(tmp_path / "other.tgz"), *other_cli).code == 0
    foreign = cli("restore", str(tmp_path / "other.tgz"))
    assert foreign.code == 1
    assert "another register" in foreign.stderr


def test_a_backup_is_private_and_refuses_to_overwrite_or_a_damaged_file(cli: Any, tmp_path: Path) -> None:
    _ingest(cli, tmp_path, 1)
    out = tmp_path / "keys.tgz"
    assert cli("backup", "--out", str(out)).code == 0
    assert out.stat().st_mode & 0o777 == 0o600
    with tarfile.open(out) as tar:
        assert {"manifest.json", "master.key", "signing.key", "privacy.db"} <= set(tar.getnames())
    again = cli("backup", "--out", str(out))
    assert (again.code, "exists" in again.stderr) == (1, True)
    damaged = tmp_path / "damaged.tgz"
    damaged.write_bytes(out.read_bytes()[:-40])
    bad = cli("restore", str(damaged))
    assert bad.code == 1
    assert "not a readable key-store backup" in bad.stderr or "damaged" in bad.stderr


def test_a_backup_taken_while_a_writer_runs_holds_the_key_of_every_entry_it_covers(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    from commsledger import synthetic
    from commsledger.config import Settings
    from commsledger.core.register import Register

    _ingest(cli, tmp_path, 1)
    big = write_ndjson(tmp_path / "big.ndjson", list(synthetic.records(3000, seed=3)))
    env = {**os.environ, "COMMSLEDGER_WORKERS": "0", "COMMSLEDGER_BATCH": "200"}
    writer = subprocess.Popen(
        [sys.executable, "-m", "commsledger", "--data", str(data_dir), "ingest", str(big)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    taken = cli("backup", "--out", str(tmp_path / "mid.tgz"), "--json")
    _out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert taken.code == 0, taken.stderr
    covered = taken.json["ledger_size"]
    (data_dir / "privacy.db").unlink()
    for extra in ("privacy.db-wal", "privacy.db-shm"):
        (data_dir / extra).unlink(missing_ok=True)
    restored = cli("restore", str(tmp_path / "mid.tgz"), "--json")
    assert restored.json["restored"] == ["privacy.db"]
    with Register(Settings(data=data_dir, workers=0), writer=False) as register:
        ids = [e.record_id for e in register.log.entries(0, covered) if e.kind == "record"]
        assert ids
        assert len(register.keys.data_keys([i for i in ids if i])) == len(ids)
        later = [e.record_id for e in register.log.entries(covered) if e.kind == "record" and e.record_id]
        lacking = len(later) - len(register.keys.data_keys(later))
    assert restored.json["records_without_key"] == lacking > 0  # the writer went on after the backup
    assert restored.code == 1


def test_restore_refuses_while_serve_has_the_register_open(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    import signal
    import time

    import httpx
    from live_server import free_port

    _ingest(cli, tmp_path, 1)
    assert cli("backup", "--out", str(tmp_path / "keys.tgz")).code == 0
    port = free_port()
    env = {**os.environ, "COMMSLEDGER_WORKERS": "0"}
    serving = subprocess.Popen(
        [sys.executable, "-m", "commsledger", "--data", str(data_dir), "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert serving.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        before = (data_dir / "privacy.db").read_bytes()
        refused = cli("restore", str(tmp_path / "keys.tgz"), "--replace")
        assert refused.code == 1
        assert f"has the register in {data_dir} open" in refused.stderr
        assert "stop every process" in refused.stderr
        assert (data_dir / "privacy.db").read_bytes() == before
        assert not list(data_dir.glob("privacy.db.replaced-*"))
    finally:
        serving.send_signal(signal.SIGTERM)
        serving.wait(timeout=60)
    stopped = cli("restore", str(tmp_path / "keys.tgz"), "--replace", "--json")  # serve wrote keys meanwhile
    assert stopped.code == 0, stopped.stderr
