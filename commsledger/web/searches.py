"""The personal part of a console search, kept in memory and out of URLs.

A search names a person (``subject``) or free text that may be personal. Put in a URL, they
would reach browser history, bookmarks and any proxy's request log, which the access log
seals them to avoid. So the search form is posted, its personal parameters are kept here
under a random id, and the browser is sent to ``/search?q=<id>&channel=...``: the URL holds
the id and the non-personal filters only, and back, reload, paging and facet links work as
usual.

Kept in this process's memory only, for the session that made them (never on disk, so
erasure has nothing to reach here), at most ``capacity`` of them (the oldest forgotten first)
and never longer than a session lives. A search this process does not know (another
``serve`` process, a restart, an old link) asks the user to search again.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping

PERSONAL = ("text", "subject")
Personal = dict[str, list[str]]


class SavedSearches:
    def __init__(self, capacity: int, lifetime: float) -> None:
        self.capacity, self.lifetime = capacity, lifetime
        self._saved: OrderedDict[str, tuple[bytes, float, Personal]] = OrderedDict()
        self._lock = threading.Lock()

    def save(self, session: bytes, personal: Mapping[str, list[str]]) -> str:
        """Keep ``personal`` for the session ``session`` (its digest); returns its id."""
        search_id = secrets.token_urlsafe(12)
        kept = {k: list(v) for k, v in personal.items() if k in PERSONAL and v}
        with self._lock:
            self._saved[search_id] = (session, time.monotonic() + self.lifetime, kept)
            while len(self._saved) > self.capacity:
                self._saved.popitem(last=False)
        return search_id

    def get(self, session: bytes, search_id: str) -> Personal | None:
        """The personal parameters saved under ``search_id`` by this session, if still known."""
        with self._lock:
            found = self._saved.get(search_id)
            if found is None or found[0] != session or found[1] < time.monotonic():
                return None
            self._saved.move_to_end(search_id)
            return {k: list(v) for k, v in found[2].items()}

    def forget(self, session: bytes) -> None:
        """Drop every search of a session (at sign out)."""
        with self._lock:
            for search_id in [k for k, v in self._saved.items() if v[0] == session]:
                del self._saved[search_id]
