"""Pages from Jinja2 templates (package data, autoescaped), with the menu a role may see.

Every page is answered ``Cache-Control: no-store`` (it may show personal data: a shared
computer's cache must not keep it); the security headers are added for every console answer
by ``web.app``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from commsledger.web.guard import Visitor, console_of, visitor_of
from policies.roles import Permission

NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class NavItem:
    """A page of the menu, shown to roles with any one of ``permissions``."""

    title: str
    path: str
    permissions: tuple[Permission, ...]


def _marked(text: str | None, highlights: Sequence[Sequence[int]] | None) -> Markup:
    """``text`` escaped, with the ``[start, end)`` character ranges in ``<mark>``."""
    if not text:
        return Markup("")
    out, at = [], 0
    for start, end in sorted((int(a), int(b)) for a, b in highlights or []):
        if start < at:
            continue
        out += [str(escape(text[at:start])), f"<mark>{escape(text[start:end])}</mark>"]
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))  # noqa: S704 - every piece is escaped above


def _when(value: str | None) -> str:
    """An RFC 3339 time as people read it in a table (UTC, to the second)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return value
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("commsledger.web", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,  # a name missing from a page's context is a bug, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        marked=_marked, when=_when, number=lambda n: f"{int(n):,}", path=lambda s: quote(str(s), safe="")
    )
    env.globals.update(urlencode=lambda pairs: urlencode(list(pairs), doseq=True))
    return env


ENV = _environment()


def menu(visitor: Visitor | None) -> list[NavItem]:
    """The pages ``visitor``'s role may use, in the console's order."""
    if visitor is None:
        return []
    return [item for item in visitor.console.nav if visitor.may(*item.permissions)]


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with ``context`` and what every page shows (the menu, the
    signed-in key, the CSRF token of its forms)."""
    visitor = visitor_of(request)
    full = {
        "request": request,
        "visitor": visitor,
        "nav": menu(visitor),
        "here": request.url.path,
        "csrf": visitor.session.csrf if visitor else "",
        "may": (lambda *p: visitor.may(*p)) if visitor else (lambda *p: False),
        "P": Permission,
        **context,
    }
    html = ENV.get_template(template).render(full)
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def redirect(path: str, params: Mapping[str, Any] | None = None) -> RedirectResponse:
    """303 See Other to ``path`` (after a posted form: reload does not post it again)."""
    query = urlencode([(k, v) for k, v in (params or {}).items() if v not in (None, "")], doseq=True)
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303, headers=NO_STORE)


def home(request: Request) -> str:
    """The first page the signed-in role may use ('/sign-in' if none)."""
    found = menu(visitor_of(request))
    return found[0].path if found else "/sign-in"


__all__ = ["NO_STORE", "NavItem", "console_of", "home", "menu", "page", "redirect"]
