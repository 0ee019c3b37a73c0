"""Reads from the command line go into the access log, as reads over HTTP do.

``show``, ``search``, ``prove`` (and the API-key commands) append an access before they
print anything: "every look is logged" must hold for the person at the server's keyboard
too. The actor is the OS user and host running the command (``key`` = ``(cli) user@host``,
never a possible API key name; ``role`` = ``(cli)``): whoever can run the command line can
read the data dir, so no role narrows what they see, and the access log says who it was.
The query is logged by the HTTP rules (``access.queries``): non-personal parameters in
clear, free text and subject identifiers sealed under the access's own data key, a
refusal's whole query sealed. If the access cannot be made durable, nothing is shown.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from commsledger.access.events import Access
from commsledger.access.log import AccessLog, prepare
from commsledger.access.queries import sealed_refusal
from commsledger.core.register import Register
from contract.errors import Error, InvalidInput, NotFound

CLI_ROLE = "(cli)"


def cli_actor() -> tuple[str, str]:
    """``((cli) user@host, (cli))``: who runs this command, as the access log names them."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a bare container)
        user = f"uid{os.getuid()}"
    return f"{CLI_ROLE} {user}@{socket.gethostname()}", CLI_ROLE


def commit_access(register: Register, access: Access) -> None:
    """Append ``access`` to the register's access log, durably (raises ``StoreError``,
    ``Busy`` if it cannot be: the caller then shows nothing)."""
    log = AccessLog(register.settings, register.master, register.signer)
    try:
        log.commit([prepare(access, register.master)])
    finally:
        log.close()


@dataclass
class Look:
    """One read from the command line: what it asked and what it returned."""

    action: str
    query: dict[str, Any]
    personal: dict[str, Any]
    records: list[str] = field(default_factory=list)
    subject: str | None = None

    def access(self, status: int) -> Access:
        key, role = cli_actor()
        refused = 400 <= status < 500
        return Access(
            action=self.action,
            status=status,
            key=key,
            role=role,
            records=tuple(self.records),
            query={} if refused else self.query,
            personal=sealed_refusal(self.query, self.personal) if refused else self.personal,
            subject=self.subject,
        )


@contextmanager
def logged(
    register: Register, action: str, query: Mapping[str, Any], personal: Mapping[str, Any] | None = None
) -> Iterator[Look]:
    """Log the read done in the block (the caller notes ``records`` and ``subject`` on the
    ``Look``): on success before the caller prints, on an ``Error`` with its status."""
    look = Look(
        action,
        {k: v for k, v in query.items() if v is not None},
        {k: v for k, v in (personal or {}).items() if v is not None},
    )
    try:
        yield look
    except Error as exc:
        commit_access(register, look.access(_status(exc)))
        raise
    commit_access(register, look.access(200))


def _status(exc: Error) -> int:
    """The status an HTTP read would have answered with (the access log compares them)."""
    if isinstance(exc, NotFound):
        return 404
    return 422 if isinstance(exc, InvalidInput) else 500
