"""Subject request commands: ``request create|list|show|verify|pause|resume|extend|refuse|
withdraw|matches`` (CONTRACT.md); thin shells over ``commsledger.core.requests``. Answering a
request (``sar export``, ``erase``) is in ``commsledger.cli.answers``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer
from rich.console import Console

from commsledger.cli.common import DataOpt, JsonOpt, app, emit, register_for, wants_json
from commsledger.core.erasure_plan import plan
from commsledger.core.register import Register
from commsledger.core.requests import Given, RequestBook, today
from contract.errors import InvalidInput
from privacy.requests import (
    ExtensionGround,
    PauseGround,
    RefusalGround,
    RequestType,
    SubjectRequest,
    VerifyMethod,
)
from retention.subjects import records_of

out = Console(soft_wrap=True, highlight=False)
request_app = typer.Typer(
    no_args_is_help=True, help="Data subject requests (access, erasure) and their clock."
)
app.add_typer(request_app, name="request")

T = TypeVar("T")
RequestArg = Annotated[str, typer.Argument(metavar="REQUEST", help="a request id (sr-...)")]
Subjects = Annotated[
    list[str] | None,
    typer.Option("--subject", help="email:..., phone:... or customer:... (repeatable)", show_default=False),
]
Reason = Annotated[str | None, typer.Option("--reason", help="why (sealed: only the DPO can read it)")]


@contextmanager
def usage_errors() -> Iterator[None]:
    """A bad identifier or option value is bad usage: exit 2, one line naming it."""
    try:
        yield
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from None


def _with_book(ctx: typer.Context, data: Path | None, work: Callable[[RequestBook], T]) -> T:
    with register_for(ctx, data) as register:
        return work(RequestBook(register))


def _show(
    ctx: typer.Context, request: SubjectRequest, as_json: bool, extra: dict[str, Any] | None = None
) -> None:
    doc = {**request.to_json(today()), **(extra or {})}
    emit(doc, wants_json(ctx, as_json), lambda: _human(doc))


def _human(doc: dict[str, Any]) -> None:
    flags = " OVERDUE" if doc["overdue"] else (" due soon" if doc["due_soon"] else "")
    paused = f", clock stopped since {doc['clock']['paused_since']}" if doc["clock"]["paused_since"] else ""
    out.print(
        f"{doc['id']}  {doc['type']}  {doc['status']}  received {doc['received']}, due {doc['due']} "
        f"({doc['days_left']} days){paused}{flags}",
        markup=False,
    )
    if doc.get("matched"):
        out.print(
            f"  matched {doc['matched']['records']} records: {_counts(doc['matched']['counts'])}",
            markup=False,
        )
    for item in doc.get("identifier_list") or []:
        out.print(
            f"  {item['identifier']} ({'verified' if item['verified'] else 'NOT verified'})", markup=False
        )


def _counts(counts: dict[str, Any]) -> str:
    parts = []
    for name in ("channel", "purpose", "year"):
        values = counts.get(name) or {}
        if values:
            parts.append(f"{name} " + ", ".join(f"{k} {v}" for k, v in values.items()))
    return "; ".join(parts) or "none"


# -- request ------------------------------------------------------------------------------------
@request_app.command("create")
def create_cmd(
    ctx: typer.Context,
    kind: Annotated[RequestType, typer.Option("--type", help="access (Art. 15) or erasure (Art. 17)")],
    subject: Subjects = None,
    verified_subject: Annotated[
        list[str] | None,
        typer.Option(
            "--verified-subject", help="an identifier whose owner's identity is verified (repeatable)"
        ),
    ] = None,
    received: Annotated[str | None, typer.Option("--received", help="YYYY-MM-DD (default: today)")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="your reference (a ticket number)")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a request received: the clock runs one calendar month from the date received."""
    given = [Given(s) for s in subject or []] + [Given(s, verified=True) for s in verified_subject or []]
    with usage_errors():
        day = _date(received, "--received")
        request = _with_book(ctx, data, lambda book: book.create(kind, given, received=day, ref=ref))
    _show(ctx, request, as_json)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field=option) from None


@request_app.command("list")
def list_cmd(
    ctx: typer.Context,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="only those past or near their due date")
    ] = False,
    status: Annotated[str | None, typer.Option("--status", help="only those in this status")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The requests, newest first, each with its due date and days left."""
    found = _with_book(ctx, data, lambda book: book.listing(overdue=overdue, status=status))
    day = today()
    docs = [r.to_json(day) for r in found]
    for doc in docs:
        doc.pop("steps")
    summary = {"overdue": sum(d["overdue"] for d in docs), "due_soon": sum(d["due_soon"] for d in docs)}
    doc = {"requests": docs, **summary}
    emit(doc, wants_json(ctx, as_json), lambda: _list_human(docs, summary))


def _list_human(docs: list[dict[str, Any]], summary: dict[str, int]) -> None:
    if not docs:
        out.print("no requests")
    for doc in docs:
        _human(doc)
    out.print(f"{summary['overdue']} overdue, {summary['due_soon']} due within 7 days", markup=False)


@request_app.command("show")
def show_cmd(
    ctx: typer.Context, request_id: RequestArg, data: DataOpt = None, as_json: JsonOpt = False
) -> None:
    """A request: its clock, status, matches, outcome, steps and the identifiers it names."""
    with register_for(ctx, data) as register:
        book = RequestBook(register)
        request = book.get(request_id)
        extra = {"identifier_list": book.identifiers(request)}
    _show(ctx, request, as_json, extra)


@request_app.command("verify")
def verify_cmd(
    ctx: typer.Context,
    request_id: RequestArg,
    method: Annotated[
        VerifyMethod, typer.Option("--method", help="how the requester's identity was verified")
    ],
    identifier: Annotated[
        list[int] | None, typer.Option("--identifier", help="position of one identifier (default: all)")
    ] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark the requester's identifiers verified (once all are, the request is in progress)."""
    with usage_errors():
        request = _with_book(ctx, data, lambda book: book.verify(request_id, identifier, method))
    _show(ctx, request, as_json)


@request_app.command("pause")
def pause_cmd(
    ctx: typer.Context,
    request_id: RequestArg,
    ground: Annotated[PauseGround, typer.Option("--ground", help="what is being clarified")],
    reason: Reason = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stop the clock while identity, scope or authority is clarified."""
    request = _with_book(ctx, data, lambda book: book.pause(request_id, ground, reason))
    _show(ctx, request, as_json)


@request_app.command("resume")
def resume_cmd(
    ctx: typer.Context, request_id: RequestArg, data: DataOpt = None, as_json: JsonOpt = False
) -> None:
    """Restart the clock; the due date moves on by the days it was stopped."""
    request = _with_book(ctx, data, lambda book: book.resume(request_id))
    _show(ctx, request, as_json)


@request_app.command("extend")
def extend_cmd(
    ctx: typer.Context,
    request_id: RequestArg,
    months: Annotated[int, typer.Option("--months", help="1 or 2 further months (2 at most in all)")],
    ground: Annotated[ExtensionGround, typer.Option("--ground")],
    reason: Annotated[
        str, typer.Option("--reason", help="why (sealed); tell the requester within the month")
    ],
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Extend the time limit (Art. 12(3)), before the due date, with a ground and a reason."""
    with usage_errors():
        request = _with_book(ctx, data, lambda book: book.extend(request_id, months, ground, reason))
    _show(ctx, request, as_json)


@request_app.command("refuse")
def refuse_cmd(
    ctx: typer.Context,
    request_id: RequestArg,
    ground: Annotated[RefusalGround, typer.Option("--ground")],
    reason: Annotated[str, typer.Option("--reason", help="why (sealed); tell the requester, and of the ICO")],
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Refuse a request (Art. 12(5)) with a ground and a reason."""
    with usage_errors():
        request = _with_book(ctx, data, lambda book: book.refuse(request_id, ground, reason))
    _show(ctx, request, as_json)


@request_app.command("withdraw")
def withdraw_cmd(
    ctx: typer.Context,
    request_id: RequestArg,
    reason: Reason = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The requester withdrew the request."""
    request = _with_book(ctx, data, lambda book: book.withdraw(request_id, reason))
    _show(ctx, request, as_json)


@request_app.command("matches")
def matches_cmd(
    ctx: typer.Context, request_id: RequestArg, data: DataOpt = None, as_json: JsonOpt = False
) -> None:
    """What the request's verified identifiers find (counts by channel, purpose, year; for an
    erasure, what would be erased and withheld), recorded: the request then awaits approval."""
    with register_for(ctx, data) as register:
        request, found = RequestBook(register).match(request_id)
        extra: dict[str, Any] = {}
        if request.type is RequestType.ERASURE:
            extra["erasure"] = _preview(register, found.subjects)
    _show(ctx, request, as_json, extra)
    if not wants_json(ctx, as_json) and extra:
        out.print(f"  would erase {extra['erasure']['erasable']}, withhold {extra['erasure']['withheld']}")


def _preview(register: Register, subjects: list[str]) -> dict[str, Any]:
    ids = [rid for rid, _ in records_of(register.retention(), subjects)]
    decided = plan(register, ids, today())
    reasons: dict[str, int] = {}
    for item in decided.withheld:
        why = f"{item.reason} ({item.ground})"
        reasons[why] = reasons.get(why, 0) + 1
    return {
        "erasable": len(decided.erasable),
        "withheld": len(decided.withheld),
        "already_erased": len(decided.gone),
        "withheld_by_reason": reasons,
    }
