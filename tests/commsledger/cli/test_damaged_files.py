"""A damaged or unreadable database, or a disk that cannot be written, gets one clear line
naming the file and what to do, never "internal error" (issue 10); ``verify`` reads only."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

from helpers import record, write_ndjson

GARBAGE = b"this is not an SQLite database, whatever its name says" * 4


def _damage(path: Path) -> None:
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        extra.unlink(missing_ok=True)
    with path.open("r+b") as handle:
        handle.write(GARBAGE)


def _one_line(stderr: str) -> str:
    assert "internal error" not in stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    return stderr


def _made(cli: Any, tmp_path: Path) -> None:
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [record(1), record(2)]))).code == 0


def test_a_damaged_catalog_is_named_and_rebuilt_once_moved_aside(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    _made(cli, tmp_path)
    _damage(data_dir / "catalog.db")
    run = cli("verify")
    assert run.code == 2
    assert f"{data_dir / 'catalog.db'} is damaged" in _one_line(run.stderr)
    assert "move it aside" in run.stderr
    (data_dir / "catalog.db").rename(tmp_path / "catalog.db.bad")
    again = cli("verify", "--json")
    assert (again.code, again.json["ok"]) == (0, True)


def test_a_damaged_privacy_db_is_named_with_the_backup_to_restore(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    _made(cli, tmp_path)
    _damage(data_dir / "privacy.db")
    run = cli("show", "crm-000001")
    assert run.code == 2
    assert f"{data_dir / 'privacy.db'} is damaged" in _one_line(run.stderr)
    assert "commsledger restore" in run.stderr


def test_an_unreadable_catalog_is_not_called_damaged(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    _made(cli, tmp_path)
    (data_dir / "catalog.db").unlink()
    (data_dir / "catalog.db").mkdir()  # cannot be opened as a file at all
    run = cli("search", "complaint")
    assert run.code == 2
    assert "catalog.db cannot be read or written" in _one_line(run.stderr)


def _full_disk() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # any write that grows a file fails


def test_verify_on_a_disk_that_takes_no_more_bytes_says_so(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    _made(cli, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "commsledger", "--data", str(data_dir), "verify"],
        env={**os.environ, "COMMSLEDGER_WORKERS": "0"}, capture_output=True, text=True,
        timeout=120, check=False, preexec_fn=_full_disk,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr  # SQLite cannot make its shared-memory file
    assert "cannot be read or written" in _one_line(proc.stderr)
    assert "check free space" in proc.stderr


def test_verify_writes_nothing_to_the_object_store(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    _made(cli, tmp_path)
    objects = data_dir / "objects"

    def state() -> dict[str, int]:
        return {str(p): p.stat().st_mtime_ns for p in objects.rglob("*") if ".tmp" not in p.parts}

    before = state()
    assert cli("verify").code == 0
    assert state() == before
