"""The master key file and sealed payloads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contract.errors import ConfigError, VerificationError
from privacy.keys import MasterKey, new_data_key, seal, unseal


def test_master_key_is_created_private_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    first = MasterKey.load_or_create(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert MasterKey.load_or_create(path).key_id == first.key_id


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    MasterKey.load_or_create(path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        MasterKey.load_or_create(path)


def test_sealed_payload_opens_only_for_its_record_and_unaltered(tmp_path: Path) -> None:
    key = new_data_key()
    sealed = seal(key, "crm-1", b"Dear Alice")
    assert unseal(key, "crm-1", sealed) == b"Dear Alice"
    with pytest.raises(VerificationError):
        unseal(key, "crm-2", sealed)
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(VerificationError):
        unseal(key, "crm-1", flipped)


def test_wrapped_data_key_is_bound_to_its_record(tmp_path: Path) -> None:
    master = MasterKey.load_or_create(tmp_path / "master.key")
    key = new_data_key()
    wrapped = master.wrap(key, "crm-1")
    assert master.unwrap(wrapped, "crm-1") == key
    with pytest.raises(VerificationError):
        master.unwrap(wrapped, "crm-9")
