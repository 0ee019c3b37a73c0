"""API keys: shown once, kept only as a hash, checked in constant time, revoked at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from commsledger.access.apikeys import ApiKeys
from contract.errors import Conflict, InvalidInput, NotFound
from policies.roles import Role


@pytest.fixture
def keys(tmp_path: Path) -> ApiKeys:
    return ApiKeys(tmp_path / "api-keys.db")


def test_a_key_authenticates_as_its_name_and_role_and_only_its_hash_is_kept(
    keys: ApiKeys, tmp_path: Path
) -> None:
    token = keys.create("crm-prod", Role.INGEST)
    info = keys.authenticate(token)
    assert info is not None
    assert (info.name, info.role) == ("crm-prod", Role.INGEST)
    secret = token.split("_", 2)[2]  # cl_<id>_<secret>: the secret itself may hold "_"
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert secret.encode() not in stored
    assert (tmp_path / "api-keys.db").stat().st_mode & 0o077 == 0


def test_wrong_malformed_and_revoked_keys_do_not_authenticate(keys: ApiKeys) -> None:
    token = keys.create("ops", "admin")
    assert keys.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert keys.authenticate("not a key") is None
    assert keys.authenticate("") is None
    keys.revoke("ops")
    assert keys.authenticate(token) is None
    listed = keys.list()
    assert [(k.name, k.revoked is not None) for k in listed] == [("ops", True)]
    assert keys.count() == 0


def test_names_and_roles_are_checked(keys: ApiKeys) -> None:
    keys.create("ops", Role.ADMIN)
    with pytest.raises(Conflict):
        keys.create("ops", Role.AUDITOR)
    with pytest.raises(InvalidInput, match="role"):
        keys.create("x", "superuser")
    with pytest.raises(InvalidInput, match="name"):
        keys.create("has space", Role.AUDITOR)
    with pytest.raises(NotFound):
        keys.revoke("nobody")
