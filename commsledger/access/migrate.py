"""``migrate`` carries the access log along: it lives beside the register's log in the same
store (``access-log/``), so a register moved to another store without it would lose who
looked at what, and its catalog (``access-log.db``) would find the moved log rolled back."""

from __future__ import annotations

from typing import Any

from commsledger.access.log import PREFIX, access_signer, access_store_url
from commsledger.core.register import Register
from contract.progress import Progress
from ledger.lease import Lease
from ledger.migrate import copy_log, count_objects
from ledger.store import open_store


def access_objects(register: Register) -> int:
    """How many objects of the access log a copy visits (for a progress bar)."""
    return count_objects(open_store(access_store_url(register.settings), register.settings.s3.options()))


def migrate_access_log(register: Register, url: str, progress: Progress | None = None) -> dict[str, Any]:
    """Copy the access log to ``access-log/`` of the store at ``url`` under its own writers'
    lease (no access lands meanwhile); returns ``{"copied", "skipped", "bytes"}``. Raises
    ``InvalidInput`` if the target holds another or a longer access log."""
    options = register.settings.s3.options()
    source = open_store(access_store_url(register.settings), options)
    target = open_store(url.rstrip("/") + "/" + PREFIX, options)
    with Lease(source).hold():
        report = copy_log(source, target, access_signer(register.signer).verifier(), progress=progress)
    return report.to_json()
