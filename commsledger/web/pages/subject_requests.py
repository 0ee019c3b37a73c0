"""Subject requests (to come with ``/v1/subject-requests``, being built now).

What this page will hold, for a DPO (``subject_requests:manage``): the queue of access and
erasure requests with due dates and days left, overdue ones first; a request's matches by
channel, purpose and year; the bundle download; the erasure decision list (erasable, and
withheld with reason and date); extend, pause and resume with reasons. Each read through the
``Service`` and logged by ``guard.allowed`` as the other pages are.

Until then the menu does not show it (``NAV = None``) and it serves no route.
"""

from __future__ import annotations

from fastapi import APIRouter

from commsledger.web.render import NavItem

router = APIRouter()
NAV: NavItem | None = (
    None  # NavItem("Subject requests", "/subject-requests", (Permission.SUBJECT_REQUESTS_MANAGE,))
)
