"""Exports (to come with ``/v1/exports``, being built now).

What this page will hold, for roles with ``exports:run``: start an audit export or an
evidence pack (the filters of the search page), follow its progress as a background job,
download it when done; each start and download an access-log entry.

Until then the menu does not show it (``NAV = None``) and it serves no route.
"""

from __future__ import annotations

from fastapi import APIRouter

from commsledger.web.render import NavItem

router = APIRouter()
NAV: NavItem | None = None  # NavItem("Exports", "/exports", (Permission.EXPORTS_RUN,))
