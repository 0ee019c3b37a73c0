"""Search commands: ``search`` (CONTRACT.md) and ``reindex``."""

from __future__ import annotations

from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.text import Text

from commsledger.access.queries import split_query
from commsledger.cli.audit import logged
from commsledger.cli.common import (
    DataOpt,
    JsonOpt,
    app,
    emit,
    progress_bar,
    register_for,
    say,
    wants_json,
)
from commsledger.core.register import Register
from contract.errors import InvalidInput
from search.params import KNOWN
from search.query import Keyword
from search.service import build_query, find

out = Console(soft_wrap=True, highlight=False)
Many = Annotated[list[str] | None, typer.Option(show_default=False)]
One = Annotated[str | None, typer.Option(show_default=False)]


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[
        str | None, typer.Argument(help='words, "phrases", prefix*, OR, -word / NOT word')
    ] = None,
    subject: Annotated[
        list[str] | None,
        typer.Option(help="email:..., phone:... or customer:... (repeatable)", show_default=False),
    ] = None,
    channel: Many = None,
    purpose: Many = None,
    status: Annotated[
        list[str] | None, typer.Option(help="current status (repeatable)", show_default=False)
    ] = None,
    department: Many = None,
    campaign: Many = None,
    case: Annotated[list[str] | None, typer.Option(help="case id (repeatable)", show_default=False)] = None,
    template: Many = None,
    tag: Many = None,
    since: Annotated[
        str | None, typer.Option(help="sent at or after (date or RFC 3339)", show_default=False)
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="sent at or before; a date includes that day", show_default=False)
    ] = None,
    has_response: Annotated[
        bool | None, typer.Option("--has-response/--no-response", show_default=False)
    ] = None,
    overdue: Annotated[bool | None, typer.Option("--overdue/--not-overdue", show_default=False)] = None,
    case_closed: Annotated[bool | None, typer.Option("--case-closed/--case-open", show_default=False)] = None,
    as_of: Annotated[
        str | None, typer.Option(help="'now' for --overdue (default: now)", show_default=False)
    ] = None,
    sort: Annotated[
        str | None, typer.Option(help="newest (default), oldest or relevance", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(help="results per page (1..1000)")] = 20,
    cursor: Annotated[
        str | None, typer.Option(help="the cursor a previous page printed", show_default=False)
    ] = None,
    facets: Annotated[
        bool, typer.Option("--facets", help="counts by channel, purpose, status, department, month")
    ] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find records: free text over subject line and body, and filters (combined with AND)."""
    flags = {
        "has_response": has_response,
        "overdue": overdue,
        "case_closed": case_closed,
        "facets": facets or None,
    }
    params: dict[str, Any] = {
        "text": text, "subject": subject, "channel": channel, "purpose": purpose, "status": status,
        "department": department, "campaign": campaign, "case": case, "template": template, "tag": tag,
        "since": since, "until": until, "as_of": as_of, "sort": sort, "limit": str(limit), "cursor": cursor,
        **{k: str(v).lower() for k, v in flags.items() if v is not None},
    }  # fmt: skip
    given = {k: v for k, v in params.items() if v is not None}
    with register_for(ctx, data, writer=False) as register:
        try:
            doc = _logged_find(register, given)
        except InvalidInput as exc:  # a bad option value is bad usage (exit 2)
            raise click.UsageError(str(exc)) from None
    emit(doc, wants_json(ctx, as_json), lambda: _human(doc))


def _logged_find(register: Register, given: dict[str, Any]) -> dict[str, Any]:
    """The search, logged in the access log as over HTTP (free text and subjects sealed)."""
    with logged(register, "search", *split_query(given, KNOWN - _PERSONAL, _PERSONAL)) as look:
        query = build_query(register, given)
        doc = find(register, query)
        subjects = sorted(query.terms.get(Keyword.SUBJECT, ()))
        look.subject = subjects[0] if subjects else None
        look.records.extend(r["id"] for r in doc["results"])
    return doc


_PERSONAL = frozenset({"text", "subject"})


def _human(doc: dict[str, Any]) -> None:
    for r in doc["results"]:
        head = f"{r['sent_at']}  {r['channel']:<8} {r['purpose']:<13} {r['status']:<10} {r['id']}"
        out.print(head, markup=False)
        if r.get("damaged"):
            out.print(Text(f"  (damaged: {r['damaged']}; commsledger verify names it)", style="bold red"))
        elif r["redacted"]:
            out.print(Text("  (redacted: erased or disposed of)", style="bold"))
        elif r["subject"]:  # an SMS, a push or a chat message has no subject line
            out.print(Text("  " + r["subject"], style="bold"))
        if r["snippet"]:
            out.print(_marked(r["snippet"]))
    shown = len(doc["results"])
    out.print(
        f"{doc['total']}{'+' if doc.get('total_relation') == 'gte' else ''} found, {shown} shown"
        + (f"; next page: --cursor {doc['cursor']}" if doc["cursor"] else "")
    )
    if doc["lag"]:
        out.print(f"the index lags the ledger by {doc['lag']} entries (the next writer catches up)")
    for facet, counts in doc.get("facets", {}).items():
        out.print(f"{facet}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), markup=False)


def _marked(cut: dict[str, Any]) -> Text:
    """The snippet on one line (line breaks as spaces, so offsets hold), matches bold."""
    text = Text("    " + cut["text"].replace("\n", " ").replace("\r", " ").replace("\t", " "))
    for start, end in cut["highlights"]:
        text.stylize("bold yellow", 4 + start, 4 + end)
    return text


@app.command()
def reindex(ctx: typer.Context, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild the search index from the ledger: a fresh index, swapped in when complete."""
    with register_for(ctx, data, catch_up=False) as register:
        with progress_bar("reindex", register.log.committed or None) as advance:
            count = register.reindex(progress=advance)
        doc = {"indexed": count, "entries": register.log.committed}
        if register.index_problem:
            say(f"warning: {register.index_problem}")
    emit(doc, wants_json(ctx, as_json), lambda: out.print(f"search index rebuilt: {count} records"))
