"""The console's pages, one module each, in the order of the menu.

Each module of the menu has a ``router`` and a ``NAV`` entry (``render.NavItem``: title,
path, the permissions any one of which shows it). Pages reached from another page have a
router only: ``review`` (under Retention), ``subject_request`` and ``erasure`` (a request's
page and its erasure decisions, under Subject requests; after it, so that
``/subject-requests/new`` is not taken for a request id).
"""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter

from commsledger.web.pages import (
    access_log,
    erasure,
    exports,
    holds,
    integrity,
    records,
    retention,
    review,
    search,
    signin,
    subject_request,
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
ROUTERS: tuple[APIRouter, ...] = (
    signin.router,
    *(m.router for m in MENU),
    review.router,
    subject_request.router,
    erasure.router,
)
