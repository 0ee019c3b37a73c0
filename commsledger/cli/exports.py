"""Export commands: ``check-bundle`` (offline, with nothing but the verifier key); the subject
access bundle (``sar export``) and the audit export and evidence pack (``export``) write
the bundles it checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console

from commsledger.access.events import Access
from commsledger.cli.audit import cli_actor, commit_access
from commsledger.cli.common import DataOpt, JsonOpt, app, emit, progress_bar, register_for, say, wants_json
from commsledger.core.register import Register
from commsledger.serve.exports import PERSONAL
from contract.errors import InvalidInput
from contract.progress import Progress
from exports.audit import PART_BYTES, AuditExport, Exported
from exports.check import check_bundle
from exports.evidence import EvidencePack
from exports.render import workers
from exports.scope import scope_params
from ledger.log import utc_now
from search.query import Keyword
from search.service import build_query

out = Console(soft_wrap=True)
Many = Annotated[list[str] | None, typer.Option(show_default=False)]
One = Annotated[str | None, typer.Option(show_default=False)]


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", help="the bundle to write (.zip)")],
    kind: Annotated[
        str, typer.Option(help="audit (the audit export) or evidence (a dispute evidence pack)")
    ] = "audit",
    query: Annotated[
        str | None, typer.Option(help='search text: words, "phrases", prefix*, OR, -word')
    ] = None,
    subject: Many = None,
    channel: Many = None,
    purpose: Many = None,
    status: Many = None,
    department: Many = None,
    campaign: Many = None,
    case: Many = None,
    template: Many = None,
    tag: Many = None,
    since: One = None,
    until: One = None,
    has_response: Annotated[
        bool | None, typer.Option("--has-response/--no-response", show_default=False)
    ] = None,
    overdue: Annotated[bool | None, typer.Option("--overdue/--not-overdue", show_default=False)] = None,
    case_closed: Annotated[bool | None, typer.Option("--case-closed/--case-open", show_default=False)] = None,
    as_of: One = None,
    part_size: Annotated[int, typer.Option(help="split an audit export into parts of about this many MB")] = (
        PART_BYTES >> 20
    ),
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export every record a search finds (the same filters as search; --query is its text) as
    a bundle check-bundle verifies offline: the audit export (.eml per message, records.ndjson
    and .csv, an EDRM XML load file, proofs), or with --kind evidence a dispute evidence pack
    of a case (--case) or a person (--subject, with --since/--until): also a report (HTML and
    PDF) against the DISP time limits, and content openings proving what was said."""
    flags = {"has_response": has_response, "overdue": overdue, "case_closed": case_closed}
    given: dict[str, Any] = {
        "text": query, "subject": subject, "channel": channel, "purpose": purpose, "status": status,
        "department": department, "campaign": campaign, "case": case, "template": template, "tag": tag,
        "since": since, "until": until, "as_of": as_of,
        **{k: str(v).lower() for k, v in flags.items() if v is not None},
    }  # fmt: skip
    if kind not in ("audit", "evidence") or part_size < 1:
        raise click.UsageError("--kind is audit or evidence, and --part-size at least 1 (MB)")
    with register_for(ctx, data, writer=False) as register, progress_bar(f"export ({kind})", None) as advance:
        try:
            params = scope_params({k: v for k, v in given.items() if v is not None})
            job = _job(register, kind, params, out_file, part_size << 20, advance)
            result = job.run()
        except InvalidInput as exc:  # a bad scope is bad usage (exit 2), and nothing was written
            raise click.UsageError(str(exc)) from None
        _log_export(register, params, result)
    _done(ctx, result, as_json)


def _log_export(register: Register, params: dict[str, list[str]], result: Exported) -> None:
    """The export's access-log entry, naming every record (as the API's), durably; if it
    cannot be written the bundle is deleted: an export the access log does not show is not
    handed out. Raises what the access log raises."""
    query: dict[str, Any] = {k: v for k, v in params.items() if k not in PERSONAL}
    subjects = sorted(build_query(register, params).terms.get(Keyword.SUBJECT, ()))
    key, role = cli_actor()
    access = Access(action="exports.run", status=200, key=key, role=role,
                    records=tuple(result.record_ids), query={**query, "kind": result.kind},
                    personal={k: v for k, v in params.items() if k in PERSONAL},
                    subject=subjects[0] if subjects else None)  # fmt: skip
    try:
        commit_access(register, access)
    except BaseException:
        for part in result.parts:
            Path(part["out"]).unlink(missing_ok=True)
        raise


def _job(
    register: Register,
    kind: str,
    params: dict[str, list[str]],
    out_file: Path,
    part_bytes: int,
    advance: Progress,
) -> AuditExport | EvidencePack:
    if kind == "evidence":
        return EvidencePack(register, params, out_file, created_at=utc_now(), progress=advance)
    processes = workers(register.settings.workers)
    return AuditExport(register, params, out_file, created_at=utc_now(), part_bytes=part_bytes,
                       progress=advance, workers=processes)  # fmt: skip


def _done(ctx: typer.Context, result: Exported, as_json: bool) -> None:
    doc = result.to_json()
    if doc["scope"].get("index_lag"):
        lag = doc["scope"]["index_lag"]
        say(f"the search index lagged the ledger by {lag} entries: records recorded since are not in "
            "this export (run commsledger reindex, or ingest without --no-index)")  # fmt: skip
    emit(doc, wants_json(ctx, as_json), lambda: _exported(doc))


def _exported(doc: dict[str, Any]) -> None:
    files = ", ".join(p["out"] for p in doc["parts"])
    out.print(
        f"{doc['kind']}: {doc['records']} records ({doc['redacted']} redacted) in {files}", markup=False
    )
    out.print(
        "check it with: commsledger check-bundle FILE --key <the key commsledger key prints>", markup=False
    )


@app.command("check-bundle")
def check_bundle_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="a bundle (.zip) written by an export")],
    key: Annotated[str, typer.Option("--key", help="the register's verifier key (commsledger key)")],
    as_json: JsonOpt = False,
) -> None:
    """Verify an export bundle offline: its signed manifest, every member's SHA-256, the
    checkpoint and every record's inclusion proof. Exit 1 naming what is wrong."""
    result = check_bundle(file, key)
    emit(result, wants_json(ctx, as_json), lambda: _human(result))
    if not result["ok"]:
        raise typer.Exit(1)


def _human(result: dict[str, Any]) -> None:
    if result["ok"]:
        out.print(
            f"ok: {result.get('kind')} bundle, {result.get('members')} members and "
            f"{result.get('records')} records checked with key {result['key']}",
            markup=False,
        )
        return
    out.print(f"NOT OK: {result['problem_count']} problems (key {result['key']})", markup=False)
    for problem in result["problems"]:
        out.print(f"  {problem['member']}: {problem['problem']}", markup=False, highlight=False)
