"""Lost secrets are never replaced silently (issue 10): a register that exists refuses to
open without its master key, signing key or privacy database, naming the file and the
backup to restore; keys are made only when a register is created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import record

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.keystore import KEY_STORE
from commsledger.core.register import Register
from contract.errors import ConfigError


def _settings(tmp_path: Path) -> Settings:
    return Settings(data=tmp_path / "data", workers=0, batch=64)


def _made(settings: Settings) -> None:
    with Register(settings) as register:
        ingest.ingest(register, [(1, json.dumps(record(1)).encode())])


@pytest.mark.parametrize("lost", KEY_STORE)
def test_an_existing_register_refuses_to_open_without_a_file_of_its_key_store(
    tmp_path: Path, lost: str
) -> None:
    settings = _settings(tmp_path)
    _made(settings)
    (settings.data / lost).unlink()
    for writer in (True, False):
        with pytest.raises(ConfigError, match=f"{lost} missing .* restore the key store from its backup"):
            Register(settings, writer=writer)
    assert not (settings.data / lost).exists()  # nothing was made up to fill the gap


def test_a_folder_with_no_register_is_not_made_one_unless_asked(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(ConfigError, match="no register in"):
        Register(settings, create=False)
    with pytest.raises(ConfigError, match="no register in"):
        Register(settings, writer=False)  # a reader never creates
    assert not settings.data.exists()
    with Register(settings, create=True) as register:
        assert register.log.committed == 0
    assert sorted(p.name for p in settings.data.iterdir() if p.name in KEY_STORE) == sorted(KEY_STORE)


def test_a_half_made_key_store_is_not_completed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    Register(settings).close()
    (settings.data / "signing.key").unlink()
    for path in sorted((settings.data / "objects").rglob("*"), reverse=True):  # no ledger either
        path.unlink() if path.is_file() else path.rmdir()
    with pytest.raises(ConfigError, match=r"incomplete \(signing.key missing\)"):
        Register(settings)
