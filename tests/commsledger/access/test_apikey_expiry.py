"""API keys with an expiry and a last-used time (issue 10)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from commsledger.access.apikeys import ApiKeys
from contract.errors import InvalidInput


def test_an_expired_key_is_refused_and_use_is_noted(tmp_path: Path) -> None:
    keys = ApiKeys(tmp_path / "api-keys.db")
    lasting = keys.create("lasting", "auditor", "P90D")
    brief = keys.create("brief", "auditor", "P1D")
    assert keys.authenticate(brief) is not None
    keys._conn.execute("UPDATE api_keys SET expires = '2000-01-01T00:00:00Z' WHERE name = 'brief'")
    assert keys.authenticate(brief) is None
    info = keys.authenticate(lasting)
    assert info is not None
    listed = {k.name: k for k in keys.list()}
    assert listed["lasting"].last_used is not None
    assert listed["lasting"].expires is not None
    assert listed["lasting"].expires > listed["lasting"].created
    keys.close()


@pytest.mark.parametrize("bad", ["yesterday", "2001-01-01", "P-1D"])
def test_a_bad_or_past_expiry_is_refused(tmp_path: Path, bad: str) -> None:
    keys = ApiKeys(tmp_path / "api-keys.db")
    with pytest.raises(InvalidInput, match="expires"):
        keys.create("k", "auditor", bad)
    assert keys.list() == []
    keys.close()


def test_a_date_expires_at_the_end_of_that_day(tmp_path: Path) -> None:
    keys = ApiKeys(tmp_path / "api-keys.db")
    keys.create("k", "auditor", "2999-03-01")
    assert keys.list()[0].expires == "2999-03-02T00:00:00Z"
    keys.close()


def test_an_older_key_store_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "api-keys.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE api_keys (name TEXT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, role TEXT NOT NULL, "
        "digest BLOB NOT NULL, created TEXT NOT NULL, revoked TEXT) WITHOUT ROWID"
    )
    old.commit()
    old.close()
    keys = ApiKeys(path)
    assert keys.authenticate(keys.create("k", "auditor")) is not None
    keys.close()
