"""Who is calling and what they may do: API keys checked against the roles policy.

A request names its key (``Authorization: Bearer cl_...``); the key's role must have the
permission of the operation. An unknown or revoked key is ``Unauthenticated`` (401), a role
without the permission ``Forbidden`` (403); both are written to the access log, without the
key. A granted request gets a ``Caller``, on which the operation notes what it returned
(record ids) and the query it ran, for its access-log entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from commsledger.access.apikeys import ApiKeys
from commsledger.access.events import Access
from commsledger.access.queries import sealed_refusal
from contract.errors import Forbidden, Unauthenticated
from policies.roles import Permission, Role, RolePolicy

Audit = Callable[[Access, bool], None]  # (access, wait until durable)


@dataclass
class Caller:
    """A granted request: its key, role and action, and what it returned (for the log)."""

    key: str
    role: Role
    action: str
    policy: RolePolicy
    records: list[str] = field(default_factory=list)
    query: dict[str, Any] = field(default_factory=dict)
    personal: dict[str, Any] = field(default_factory=dict)
    subject: str | None = None
    status: int = 200  # the status a granted access is logged with (201, 202 where it differs)

    def may(self, permission: Permission) -> bool:
        return self.policy.allows(self.role, permission)

    def returned(self, record_ids: Iterable[str]) -> None:
        """Note record ids the answer holds (they go into the access-log entry)."""
        self.records.extend(record_ids)

    def asked(self, query: Mapping[str, Any], personal: Mapping[str, Any] | None = None) -> None:
        """Note the query: ``query`` in clear (no personal data!), ``personal`` sealed."""
        self.query.update({k: v for k, v in query.items() if v is not None})
        self.personal.update({k: v for k, v in (personal or {}).items() if v is not None})

    def access(self, status: int) -> Access:
        """The access-log entry of this request answered with ``status``. A refusal (4xx)
        keeps its whole query sealed (``access.queries``): unvalidated values are not
        trusted to be free of personal data."""
        refused = 400 <= status < 500
        return Access(
            action=self.action,
            status=status,
            key=self.key,
            role=str(self.role),
            records=tuple(self.records),
            query={} if refused else dict(self.query),
            personal=sealed_refusal(self.query, self.personal) if refused else dict(self.personal),
            subject=self.subject,
        )


class Authorizer:
    """Checks keys and permissions; logs every refusal through ``audit``."""

    def __init__(self, keys: ApiKeys, policy: RolePolicy, audit: Audit) -> None:
        self.keys = keys
        self.policy = policy
        self.audit = audit

    def authorize(self, token: str | None, permissions: Sequence[Permission], action: str) -> Caller:
        """The caller if ``token`` is a valid key whose role has one of ``permissions``.

        Raises ``Unauthenticated`` (no or unknown key) or ``Forbidden`` (role lacks them).
        """
        info = self.keys.authenticate(token) if token else None
        if info is None:
            self.audit(Access(action=action, status=401), False)
            raise Unauthenticated("a valid API key is needed (Authorization: Bearer <key>)")
        if not any(self.policy.allows(info.role, p) for p in permissions):
            self.audit(Access(action=action, status=403, key=info.name, role=str(info.role)), False)
            needed = " or ".join(permissions)
            raise Forbidden(f"role {info.role} may not {action} (needs {needed})")
        return Caller(info.name, info.role, action, self.policy)
