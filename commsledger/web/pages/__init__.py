"""The console's pages, one module each, in the order of the menu.

Each module has a ``router`` and a ``NAV`` entry (``render.NavItem``: title, path, the
permissions any one of which shows it), or ``NAV = None`` for a page not built yet: the
menu leaves it out and its router is empty. ``subject_requests`` and ``exports`` wait for
``/v1/subject-requests`` and ``/v1/exports`` (being built now); each says what it will hold.
"""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter

from commsledger.web.pages import (
    access_log,
    exports,
    holds,
    integrity,
    records,
    retention,
    review,
    search,
    signin,
    subject_requests,
)
from commsledger.web.render import NavItem

MENU: tuple[ModuleType, ...] = (
    search,
    records,
    subject_requests,
    holds,
    retention,
    integrity,
    access_log,
    exports,
)
NAV: tuple[NavItem, ...] = tuple(m.NAV for m in MENU if m.NAV is not None)
# review: the Retention page's review queue (in the menu under Retention)
ROUTERS: tuple[APIRouter, ...] = (signin.router, *(m.router for m in MENU), review.router)
