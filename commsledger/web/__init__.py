"""The web console: the register's daily work in a browser, at ``/`` of ``commsledger serve``.

Server-rendered pages (FastAPI, Jinja2 templates, plain forms, a few lines of JavaScript to
follow long work; every asset served from this package, no CDN, no build step) over the
same ``Service`` as the HTTP API: the same register, API keys, roles (``policies/roles.yaml``)
and access log. Only ``Service`` and ``commsledger.access`` are shared with the API.

- ``app``: ``create_console(service)`` and ``install(api_app)`` (mount at ``/``).
- ``sessions``: sign-in with an API key becomes a server-side session (cookie: HttpOnly,
  SameSite=Strict, Secure over TLS, an expiry); ``searches``: the personal part of a search
  kept in memory, out of URLs.
- ``guard``: the session, the role check, the CSRF check of every form, the access-log entry
  of every page that reads records, searches or shows the access log.
- ``render`` and ``errors``: pages and error pages; ``status``: error -> HTTP status.
- ``pages``: one module per page of the menu (``pages.NAV`` is the menu).
"""

from commsledger.web.app import create_console, install
from commsledger.web.settings import ConsoleSettings

__all__ = ["ConsoleSettings", "create_console", "install"]
