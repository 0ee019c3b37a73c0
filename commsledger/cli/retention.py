"""Retention commands: ``retention run|preview|policy|review|check-report`` and ``hold
place|release|list``; thin shells over ``retention.runs`` and
``retention.service``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console

from commsledger.access.shredding import query_shredder
from commsledger.cli.common import (
    DataOpt,
    JsonOpt,
    app,
    emit,
    option_value,
    progress_bar,
    register_for,
    say,
    wants_json,
)
from commsledger.core.erasure import deferred_step
from commsledger.core.register import Register
from contract.errors import InvalidInput
from ledger.note import Verifier
from policies.retention import load_schedule
from retention import report, runs
from retention.holds import Hold
from retention.review import Decision
from retention.service import (
    current_policy,
    hold_coverage,
    hold_scope,
    list_holds,
    place_hold,
    release_hold,
    review_records,
)

out = Console(soft_wrap=True)
retention_app = typer.Typer(no_args_is_help=True, help="Retention schedule and disposition runs.")
hold_app = typer.Typer(no_args_is_help=True, help="Legal holds: they suspend disposal.")
app.add_typer(retention_app, name="retention")
app.add_typer(hold_app, name="hold")

AsOf = Annotated[str | None, typer.Option("--as-of", help="the date to dispose as of (default: today, UTC)")]
CsvOut = Annotated[Path | None, typer.Option("--csv", help="also write the per-class CSV report here")]


def caught_up(register: Register) -> None:
    """Bring the retention state up to date, with a progress bar when that takes a while."""
    behind = register.log.committed - register.retention(catch_up=False).size
    with progress_bar("retention catch-up", max(behind, 0)) as advance:
        register.retention(progress=advance)


# -- retention -----------------------------------------------------------------------------
@retention_app.command("run")
def run_cmd(
    ctx: typer.Context,
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list what is due")] = False,
    resume: Annotated[str | None, typer.Option("--resume", help="finish an interrupted run")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="dispose without asking: it cannot be undone")] = False,
    csv_file: CsvOut = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Dispose of what is due as of a date: data keys destroyed, payloads deleted, a signed report.

    It cannot be undone: without --yes it asks for a typed confirmation on a terminal and
    refuses otherwise (exit 2); --dry-run only lists what is due.
    """
    with option_value("--as-of"):
        when = runs.parse_as_of(as_of)
    with register_for(ctx, data) as register:
        caught_up(register)
        if dry_run:
            result = runs.preview(register, when)
        else:
            if not yes:
                _confirm(register, when, resume)
            steps = [
                deferred_step(register, query_shredder(register.settings, register.master, register.signer))
            ]
            with progress_bar("dispose", None) as advance:
                at = when if resume is None else None
                result = runs.run(register, at, resume=resume, progress=advance, steps=steps)
    _finish(ctx, result, csv_file, as_json)


def _confirm(register: Register, when: date, resume: str | None) -> None:
    """Ask for ``dispose`` typed on the terminal; raises ``UsageError`` with no terminal and
    ``Exit(1)`` (nothing done) for any other answer."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise click.UsageError(
            "retention run destroys personal data for good: add --yes to proceed "
            "(or --dry-run to list what is due)"
        )
    if resume is None:
        due = runs.preview(register, when).to_json()["counts"]["disposed"]
        what = f"the personal data of {due} records due as of {when.isoformat()}"
    else:
        what = f"what run {resume} has left to dispose of"
    answer = typer.prompt(f"This destroys {what}, for good. Type dispose to go on", err=True, default="")
    if answer.strip() != "dispose":
        say("nothing was disposed of")
        raise typer.Exit(1)


@retention_app.command("preview")
def preview_cmd(
    ctx: typer.Context,
    as_of: AsOf = None,
    csv_file: CsvOut = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List what a run as of a date would dispose of, hold and leave for review (a dry run)."""
    with option_value("--as-of"):
        when = runs.parse_as_of(as_of)
    with register_for(ctx, data) as register:
        caught_up(register)
        result = runs.preview(register, when)
    _finish(ctx, result, csv_file, as_json)


def _finish(ctx: typer.Context, result: runs.Result, csv_file: Path | None, as_json: bool) -> None:
    doc = result.to_json()
    if csv_file is not None:
        report.write_csv(csv_file, result.outcomes)
        doc["csv"] = str(csv_file)
    emit(doc, wants_json(ctx, as_json), lambda: _run_human(doc))


def _run_human(doc: dict[str, Any]) -> None:
    what = "would dispose of" if doc["dry_run"] else f"run {doc['run']}: disposed of"
    counts = doc["counts"]
    out.print(
        f"as of {doc['as_of']}, {what} {counts['disposed']}; held {counts['held']}; "
        f"for review {counts['review']}",
        markup=False,
    )
    for cls, per in doc["classes"].items():
        out.print(f"  {cls}: {per['disposed']} / held {per['held']} / review {per['review']}", markup=False)
    if doc.get("erasures", {}).get("erased"):
        out.print(f"erased {doc['erasures']['erased']} records withheld by erasure requests until now")
    if doc.get("report"):
        out.print(f"signed report: {doc['report']['json']}", markup=False)


@retention_app.command("policy")
def policy_cmd(
    ctx: typer.Context,
    check: Annotated[Path | None, typer.Option("--check", help="only validate this schedule file")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The retention policy in force (recording the configured schedule if it changed)."""
    if check is not None:
        schedule = load_schedule(check)
        doc: dict[str, Any] = {"ok": True, "file": str(check), "rules": len(schedule.rules)}
        emit(doc, wants_json(ctx, as_json), lambda: out.print(f"{check}: valid, {len(schedule.rules)} rules"))
        return
    with register_for(ctx, data) as register:
        policy = current_policy(register)
        counts = register.retention().counts()
    doc = {"version": policy.version, "sha256": policy.sha256, "schedule": policy.document, **counts}
    emit(doc, wants_json(ctx, as_json), lambda: _policy_human(doc))


def _policy_human(doc: dict[str, Any]) -> None:
    out.print(f"policy version {doc['version']} ({doc['schedule']['name']}), sha256 {doc['sha256'][:16]}")
    for rule in doc["schedule"]["rules"]:
        action = rule.get("action", "dispose")
        line = f"  {rule['id']}: {rule['class']}, {rule['period']} from {rule['trigger']}, then {action}"
        out.print(line, markup=False)
    out.print(
        f"{doc['records']} records: {doc['disposed']} disposed of, {doc['awaiting']} awaiting a trigger"
    )


@retention_app.command("review")
def review_cmd(
    ctx: typer.Context,
    record_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="records due for review")],
    dispose: Annotated[bool, typer.Option("--dispose", help="dispose of them at the next run")] = False,
    keep_until: Annotated[str | None, typer.Option("--keep-until", help="keep them until DATE")] = None,
    reason: Annotated[str, typer.Option("--reason", help="why (recorded in the ledger)")] = "",
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a decision on records due for review: dispose of them, or keep them until a date."""
    if dispose == (keep_until is not None):
        raise click.UsageError("give exactly one of --dispose or --keep-until DATE")
    with option_value("--keep-until"):
        until = None if keep_until is None else runs.parse_as_of(keep_until)
    decision = Decision.DISPOSE if dispose else Decision.KEEP
    with register_for(ctx, data) as register:
        caught_up(register)
        done = review_records(register, record_ids, decision, reason, until)
    emit(done, wants_json(ctx, as_json), lambda: out.print(f"{decision}: {len(done['records'])} record(s)"))


@retention_app.command("check-report")
def check_report_cmd(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="a run's report folder")],
    key: Annotated[str, typer.Option("--key", help="the register's verifier key (commsledger key)")],
    as_json: JsonOpt = False,
) -> None:
    """Check a run's signed report offline, with nothing but the verifier key."""
    try:
        doc = report.check(folder, Verifier.from_vkey(key))
    except OSError as exc:
        raise InvalidInput(f"{folder}: not a readable report folder ({exc.strerror})") from None
    emit(
        doc,
        wants_json(ctx, as_json),
        lambda: out.print(f"ok: report of run {doc['run']} as of {doc['as_of']}"),
    )


# -- holds ----------------------------------------------------------------------------------
@hold_app.command("place")
def hold_place(
    ctx: typer.Context,
    reason: Annotated[
        str, typer.Option("--reason", help="the matter (recorded in the ledger: no personal data)")
    ],
    case: Annotated[str | None, typer.Option("--case", help="every record of this case")] = None,
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="every record of this person (email:..., phone:..., customer:...)"),
    ] = None,
    record: Annotated[str | None, typer.Option("--record", help="this record")] = None,
    query: Annotated[
        str | None,
        typer.Option(
            "--query", help="a saved search: 'purpose=marketing channel=sms|email since=2025-01-01'"
        ),
    ] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Place a legal hold: what it covers is not disposed of until it is released."""
    given = {"case": case, "subject": subject, "record": record, "query": query}
    if len([v for v in given.values() if v]) != 1:
        raise click.UsageError("give exactly one of --case, --subject, --record or --query")
    with register_for(ctx, data) as register:
        with option_value(next(f"--{k}" for k, v in given.items() if v)):
            scope = hold_scope(register, given)
        hold = place_hold(register, scope, reason)
        coverage = hold_coverage(register, hold)
    doc = {"hold": hold.id, **hold.to_json(), **coverage}
    placed = (
        f"hold {hold.id} placed on {hold.scope.describe()}: it covers {coverage['records']} record(s) now"
    )
    emit(doc, wants_json(ctx, as_json), lambda: out.print(placed, markup=False))
    if "warning" in coverage:
        say(f"warning: {coverage['warning']}")


@hold_app.command("release")
def hold_release(
    ctx: typer.Context,
    hold_id: Annotated[str, typer.Argument(metavar="HOLD")],
    reason: Annotated[str | None, typer.Option("--reason", help="why it is released")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Release a legal hold: what it covered is disposed of when due."""
    with register_for(ctx, data) as register:
        hold = release_hold(register, hold_id, reason)
    doc = {"released": hold.id, **hold.to_json()}
    emit(doc, wants_json(ctx, as_json), lambda: out.print(f"hold {hold.id} released"))


@hold_app.command("list")
def hold_list(
    ctx: typer.Context,
    all_holds: Annotated[bool, typer.Option("--all", help="released holds too")] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The legal holds in force (with --all, the released ones too)."""
    with register_for(ctx, data) as register:
        caught_up(register)
        found = list_holds(register, include_released=all_holds)
    doc = {"holds": [h.to_json() for h in found]}
    emit(doc, wants_json(ctx, as_json), lambda: _holds_human(found))


def _holds_human(found: list[Hold]) -> None:
    if not found:
        out.print("no holds")
    for hold in found:
        state = "active" if hold.active else f"released {hold.released_at}"
        out.print(
            f"{hold.id}  {hold.scope.describe()}  ({state}, placed {hold.placed_at}): {hold.reason}",
            markup=False,
        )
