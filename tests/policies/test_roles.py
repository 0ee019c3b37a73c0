"""The roles policy: the shipped file loads, and a bad one is refused naming what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contract.errors import ConfigError
from policies.roles import DEFAULT_PATH, Permission, Role, load_roles, parse_roles


def _doc() -> dict[str, object]:
    doc: dict[str, object] = yaml.safe_load(DEFAULT_PATH.read_text())
    return doc


def test_the_shipped_policy_gives_each_role_what_the_issue_says() -> None:
    policy = load_roles()
    assert policy.grants[Role.INGEST] == {Permission.RECORDS_WRITE}
    assert policy.allows(Role.DISPUTE_HANDLER, Permission.SEARCH_RUN)
    assert policy.allows(Role.DISPUTE_HANDLER, Permission.RECORDS_READ)
    for permission in (Permission.EXPORTS_RUN, Permission.VERIFY_RUN, Permission.RETENTION_PREVIEW):
        assert policy.allows(Role.COMPLIANCE_OFFICER, permission)
        assert not policy.allows(Role.DISPUTE_HANDLER, permission)
    assert policy.allows(Role.DPO, Permission.SUBJECT_REQUESTS_MANAGE)
    assert policy.allows(Role.AUDITOR, Permission.PROOFS_READ)
    assert policy.allows(Role.AUDITOR, Permission.RECORDS_READ_METADATA)
    assert not policy.allows(Role.AUDITOR, Permission.RECORDS_READ)  # no message content
    assert policy.allows(Role.ADMIN, Permission.KEYS_MANAGE)
    assert policy.allows(Role.ADMIN, Permission.HOLDS_MANAGE)
    assert not policy.allows("superuser", Permission.KEYS_MANAGE)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["roles"].pop("dpo"), "'dpo' is not defined"),
        (lambda d: d["roles"].update(root={"grants": []}), "unknown role 'root'"),
        (lambda d: d["roles"]["auditor"]["grants"].append("records:delete"),
         "roles.auditor.grants[4]: unknown permission"),
        (lambda d: d["roles"]["auditor"]["grants"].append("proofs:read"), "listed twice"),
        (lambda d: d["roles"]["auditor"]["grants"].remove("records:read_metadata") or
         d["roles"]["auditor"]["grants"].append("records:read"), "records:read needs records:read_metadata"),
        (lambda d: d["roles"]["admin"].update(grant=[]), "roles.admin: needs 'grants'"),
        (lambda d: d.update(version=2), "version: 1"),
    ],
)  # fmt: skip
def test_a_bad_policy_is_refused_naming_the_place(change: object, named: str) -> None:
    doc = _doc()
    change(doc)  # type: ignore[operator]
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_roles(doc, "test.yaml")


def test_a_file_that_is_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("version: 1\nroles:\n  ingest: [unclosed\n")
    with pytest.raises(ConfigError, match="not YAML"):
        load_roles(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_roles(tmp_path / "missing.yaml")
