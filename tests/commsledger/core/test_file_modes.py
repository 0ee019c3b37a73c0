"""Files of the data dir are private whatever the umask (issue 10: index shards, the catalog,
retention and access-log databases, reports were 0644 under the default umask): the data dir
is 0700, every file in it 0600 or stricter, every folder 0700."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from helpers import record, write_ndjson


def _run(data: Path, *args: str) -> None:
    env = {**os.environ, "COMMSLEDGER_WORKERS": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "commsledger", "--data", str(data), *args],
        env=env, capture_output=True, timeout=300, check=False,
        preexec_fn=lambda: os.umask(0o022),  # the default umask of many systems
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()


def test_every_file_the_register_writes_is_private_under_a_default_umask(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = record(1, sent_at="2015-05-01T10:00:00Z", purpose="marketing", case=None, tags=None)
    _run(data, "ingest", str(write_ndjson(tmp_path / "r.ndjson", [old, record(2)])))
    _run(data, "search", "complaint")
    _run(data, "show", "crm-000002")
    _run(data, "keys", "create", "--role", "auditor", "--name", "aud")
    _run(data, "retention", "run", "--yes", "--as-of", "2025-06-01")
    kinds = {p.relative_to(data).parts[0] for p in data.rglob("*")}
    assert {"index", "catalog.db", "retention.db", "access-log.db", "reports", "api-keys.db"} <= kinds
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    loose = [f"{p.relative_to(data)} {stat.S_IMODE(p.stat().st_mode):o}" for p in data.rglob("*")
             if stat.S_IMODE(p.stat().st_mode) & 0o077]  # fmt: skip
    assert loose == []


def test_an_existing_register_s_folder_is_made_private_when_opened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _run(data, "init")
    data.chmod(0o755)
    _run(data, "verify")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
