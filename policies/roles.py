"""The roles policy (``policies/roles.yaml``): which permissions each role of an API key has.

The names of roles and permissions are fixed here; the file decides who gets what. Loading
validates the whole file and refuses it, naming the place, when a role is missing, unknown or
listed twice, a permission is unknown, or a permission is granted without the one it needs
(``records:read`` without ``records:read_metadata``). This module imports nothing of the
project but ``contract.errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from contract.errors import ConfigError

DEFAULT_PATH = Path(__file__).resolve().parent / "roles.yaml"


class Role(StrEnum):
    INGEST = "ingest"
    DISPUTE_HANDLER = "dispute_handler"
    COMPLIANCE_OFFICER = "compliance_officer"
    DPO = "dpo"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    RECORDS_WRITE = "records:write"
    RECORDS_READ_METADATA = "records:read_metadata"
    RECORDS_READ = "records:read"
    PROOFS_READ = "proofs:read"
    SEARCH_RUN = "search:run"
    SEARCH_METADATA = "search:metadata"
    EXPORTS_RUN = "exports:run"
    VERIFY_RUN = "verify:run"
    RETENTION_PREVIEW = "retention:preview"
    RETENTION_RUN = "retention:run"
    HOLDS_MANAGE = "holds:manage"
    SUBJECT_REQUESTS_MANAGE = "subject_requests:manage"
    ACCESS_LOG_READ = "access_log:read"
    ACCESS_LOG_READ_QUERIES = "access_log:read_queries"
    KEYS_MANAGE = "keys:manage"


# A permission that is only meaningful with another one.
NEEDS = {
    Permission.RECORDS_READ: Permission.RECORDS_READ_METADATA,
    Permission.ACCESS_LOG_READ_QUERIES: Permission.ACCESS_LOG_READ,
}


@dataclass(frozen=True)
class RolePolicy:
    """The grants of every role, as loaded from one file."""

    grants: Mapping[Role, frozenset[Permission]]
    descriptions: Mapping[Role, str]
    source: str

    def allows(self, role: Role | str, permission: Permission) -> bool:
        """Whether ``role`` has ``permission`` (an unknown role has none)."""
        try:
            return permission in self.grants[Role(role)]
        except ValueError:
            return False


def load_roles(path: Path | None = None) -> RolePolicy:
    """Read and validate a roles file (the shipped one by default); raises ``ConfigError``."""
    path = path or DEFAULT_PATH
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"roles policy {path}: cannot read it ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"roles policy {path}: not YAML ({_where(exc)})") from None
    return parse_roles(doc, str(path))


def parse_roles(doc: Any, source: str) -> RolePolicy:
    """Validate a parsed roles document; raises ``ConfigError`` naming what is wrong."""
    if not isinstance(doc, dict) or doc.get("version") != 1 or set(doc) - {"version", "roles"}:
        raise ConfigError(f"roles policy {source}: needs exactly 'version: 1' and 'roles'")
    roles = doc.get("roles")
    if not isinstance(roles, dict):
        raise ConfigError(f"roles policy {source}: 'roles' must map role names to their grants")
    unknown = sorted(str(r) for r in roles if r not in Role.__members__.values())
    if unknown:
        raise ConfigError(f"roles policy {source}: unknown role {unknown[0]!r}")
    missing = [r.value for r in Role if r.value not in roles]
    if missing:
        raise ConfigError(f"roles policy {source}: role {missing[0]!r} is not defined")
    grants = {Role(name): _grants(name, spec, source) for name, spec in roles.items()}
    descriptions = {Role(name): str(spec.get("description", "")) for name, spec in roles.items()}
    return RolePolicy(grants, descriptions, source)


def _grants(role: str, spec: Any, source: str) -> frozenset[Permission]:
    where = f"roles policy {source}: roles.{role}"
    if not isinstance(spec, dict) or set(spec) - {"description", "grants"}:
        raise ConfigError(f"{where}: needs 'grants' (and an optional 'description') only")
    listed = spec.get("grants")
    if not isinstance(listed, list):
        raise ConfigError(f"{where}.grants: must be a list of permissions")
    known = set(Permission.__members__.values())
    for number, name in enumerate(listed):
        if name not in known:
            raise ConfigError(f"{where}.grants[{number}]: unknown permission {name!r}")
    granted = frozenset(Permission(name) for name in listed)
    if len(granted) != len(listed):
        raise ConfigError(f"{where}.grants: a permission is listed twice")
    for permission, needed in NEEDS.items():
        if permission in granted and needed not in granted:
            raise ConfigError(f"{where}.grants: {permission} needs {needed} too")
    return granted


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"line {mark.line + 1}" if mark is not None else "unreadable"
