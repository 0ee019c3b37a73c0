"""``commsledger migrate``: copy a register's object store to another (file -> s3 and back)
and verify the copy with this register's keys and catalog before anyone switches to it."""

from __future__ import annotations

import time
from typing import Any

from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from contract.errors import InvalidInput
from contract.progress import Progress
from ledger.migrate import copy_log, count_objects
from ledger.store import open_store


def objects_to_copy(register: Register) -> int:
    return count_objects(register.store)


def migrate(register: Register, url: str, *, progress: Progress | None = None) -> dict[str, Any]:
    """Copy the log to the store at ``url`` while holding the writers' lease (no commit lands
    meanwhile), then verify the copy; returns the copy report with the verify report.

    Raises ``InvalidInput`` if the target is this very store or holds another log.
    """
    if url.rstrip("/") == register.settings.store_url.rstrip("/"):
        raise InvalidInput(f"{url} is the store this register already uses", field="--to")
    target = open_store(url, register.settings.s3.options())
    with register.lease.hold():
        register.refresh()
        copied = copy_log(
            register.store, target, register.signer.verifier(), progress=_renewing(register, progress)
        )
    moved = register.settings.model_copy(update={"store": url})
    with Register(moved, writer=False, tolerant=True) as copy:
        checked = verify_register(copy)
    return {**copied.to_json(), "to": url, "entries": register.log.committed, "verify": checked.to_json()}


def _renewing(register: Register, progress: Progress | None) -> Progress:
    """Pass progress on, renewing the lease well before it expires (a copy can take hours)."""
    last = [time.monotonic()]

    def advance(n: int, total: int | None = None) -> None:
        if time.monotonic() - last[0] > register.lease.ttl / 4:
            register.lease.renew()
            last[0] = time.monotonic()
        if progress is not None:
            progress(n, total)

    return advance
