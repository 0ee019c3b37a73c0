"""Ledger commands: ingest, event, show, verify, key, checkpoint, prove, check-proof, rebuild."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.table import Table

from commsledger.access.log import AccessLog, access_signer
from commsledger.cli.audit import logged
from commsledger.cli.common import (
    DataOpt,
    JsonOpt,
    app,
    emit,
    open_input,
    progress_bar,
    register_for,
    say,
    wants_json,
)
from commsledger.core import ingest
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from contract.errors import InvalidInput
from exports.openings import check_document_opening, open_record
from ledger.fsck import Report
from ledger.proof import check_proof

out = Console(soft_wrap=True)


@app.command("ingest")
def ingest_file(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="NDJSON or .csv file of records, or - for stdin")],
    csv_format: Annotated[bool, typer.Option("--csv", help="read CSV (default for .csv files)")] = False,
    no_index: Annotated[
        bool,
        typer.Option(
            "--no-index",
            help="bulk load: leave the search index behind (reindex or the next writer catches it up)",
        ),
    ] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Append records to the ledger. Re-sent records are duplicates; changed ones are refused."""
    with (
        open_input(file) as (stream, size),  # first: an unreadable file makes no register
        register_for(ctx, data, catch_up=not no_index, create=True) as register,
    ):
        lines = ingest.read_csv(stream) if csv_format or file.endswith(".csv") else ingest.read_ndjson(stream)
        with progress_bar("ingest", size) as advance:
            report = ingest.ingest(register, lines, progress=advance, count="bytes", index=not no_index)
        _warn_index(register)
    doc = report.to_json()
    emit(doc, wants_json(ctx, as_json), lambda: _ingest_summary(doc))
    if report.rejected_count:
        raise typer.Exit(1)


def _warn_index(register: Any) -> None:
    if register.index_problem:
        say(f"warning: the search index is not up to date ({register.index_problem})")


def _ingest_summary(doc: dict[str, Any]) -> None:
    out.print(f"accepted {doc['accepted']}, duplicates {doc['duplicates']}, rejected {doc['rejected_count']}")
    for item in doc["rejected"][:20]:
        out.print(f"  line {item['line']}: {item['error']}", markup=False, highlight=False)
    if doc["rejected_count"] > 20:
        out.print(f"  ... and {doc['rejected_count'] - 20} more (use --json for all)")


@app.command()
def event(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="the record the events are about")],
    file: Annotated[str, typer.Argument(help="NDJSON file of events, or - for stdin")],
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Append later events (status, response, follow-up done, case closed) about a record."""
    with register_for(ctx, data) as register, open_input(file) as (stream, _size):
        report = ingest.add_events(register, record_id, ingest.read_ndjson(stream))
        _warn_index(register)
    doc = report.to_json()
    emit(doc, wants_json(ctx, as_json), lambda: _ingest_summary(doc))
    if report.rejected_count:
        raise typer.Exit(1)


@app.command()
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A record as sent, with its history."""
    with (
        register_for(ctx, data, writer=False) as register,
        logged(register, "records.read", {"id": record_id}) as look,
    ):
        doc = register.show(record_id)
        look.records.append(record_id)
    emit(doc, wants_json(ctx, as_json), lambda: _show_human(doc))


def _show_human(doc: dict[str, Any]) -> None:
    head = Table(show_header=False, box=None)
    for key in ("id", "sent_at", "channel", "purpose", "status", "current_status"):
        head.add_row(key, str(doc.get(key, "")))
    head.add_row("department", doc.get("sender", {}).get("department", ""))
    head.add_row("recorded", f"seq {doc['ledger']['seq']} at {doc['ledger']['recorded_at']}")
    out.print(head)
    _retention_human(doc.get("retention"))
    if doc.get("damaged"):
        out.print(f"content damaged: {doc['damaged']}", markup=False, highlight=False)
    elif doc["redacted"]:
        note = (doc.get("redaction") or {}).get("note", "erased or disposed of")
        out.print(f"[bold]content redacted[/bold] ({note})")
    else:
        out.print(
            json.dumps(
                {k: doc[k] for k in ("recipient", "subject", "body") if k in doc},
                ensure_ascii=False,
                indent=2,
            ),
            markup=False,
        )
    for item in doc["history"]:
        out.print(
            f"  {item.get('at', '')}  {item.get('type', item.get('kind'))}  {item.get('status', '')}",
            markup=False,
        )


AccessLogOpt = Annotated[
    bool, typer.Option("--access-log", help="the access log (who looked at what) instead of the register")
]


def _retention_human(view: dict[str, Any] | None) -> None:
    if not view:
        return
    gone = view.get("disposed")
    if gone:
        rule = f"rule {gone['rule']} (policy {gone['policy']})"
        line = f"disposed of at {gone['at']} by run {gone['run']} under {rule}"
    else:
        until = (
            f"awaiting {view['awaiting']}" if view.get("awaiting") else f"kept until {view['retain_until']}"
        )
        line = f"{view['class']} ({view['rule']}, policy {view['policy']}): {until}, then {view['action']}"
        if view.get("holds"):
            line += f"; held by {', '.join(view['holds'])}"
    out.print(f"retention: {line}", markup=False, highlight=False)


@app.command()
def verify(
    ctx: typer.Context,
    workers: Annotated[int | None, typer.Option(help="worker processes (default: one per CPU)")] = None,
    access_log: AccessLogOpt = False,
    index: Annotated[
        bool, typer.Option("--index", help="also check the search index against the ledger")
    ] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every entry, link, tile, checkpoint and payload; exit 1 on any problem."""
    freshness: dict[str, Any] | None = None
    # Read-only: no lease, no roll-forward, nothing of the register written (only the derived
    # catalog is brought up to the checkpoint), so it runs beside writers and on a full disk.
    with register_for(ctx, data, writer=False, tolerant=True) as register:
        if access_log:
            report = _verify_access_log(register)
        else:
            if register.damage is None:
                register.refresh()
            with progress_bar("verify", register.log.committed or None) as advance:
                report = verify_register(register, progress=advance, workers=workers)
            freshness = _check_index(register, report) if index else None
    doc = report.to_json()
    if freshness is not None:
        doc["index"] = freshness
    emit(doc, wants_json(ctx, as_json), lambda: _verify_human(doc))
    if not report.ok:
        raise typer.Exit(1)


def _verify_access_log(register: Register) -> Report:
    log = AccessLog(register.settings, register.master, register.signer, writer=False, tolerant=True)
    try:
        with progress_bar("verify access log", log.log.committed or None) as advance:
            return log.verify(progress=advance)
    finally:
        log.close()


def _check_index(register: Any, report: Any) -> dict[str, Any]:
    from search.check import check_index

    problems, freshness = check_index(register)
    report.problems.extend(problems)
    return freshness


def _verify_human(doc: dict[str, Any]) -> None:
    verdict = "ok" if doc["ok"] else f"{len(doc['problems'])} problem(s)"
    out.print(f"{doc['entries']} entries, {doc['checkpoints']} checkpoints: {verdict}")
    for p in doc["problems"][:50]:
        out.print(f"  seq {p['seq']}: {p['kind']}: {p['detail']}", markup=False, highlight=False)


@app.command()
def key(
    ctx: typer.Context, access_log: AccessLogOpt = False, data: DataOpt = None, as_json: JsonOpt = False
) -> None:
    """Print the checkpoint verifier key (C2SP signed-note form name+keyid+base64), or with
    --access-log the access log's; publish it so that proofs can be checked independently."""
    with register_for(ctx, data, writer=False) as register:
        signer = access_signer(register.signer) if access_log else register.signer
        verifier = signer.verifier()
    doc = {"vkey": verifier.vkey(), "fingerprint": verifier.fingerprint()}
    emit(doc, wants_json(ctx, as_json), lambda: out.print(doc["vkey"], markup=False, highlight=False))


@app.command()
def checkpoint(ctx: typer.Context, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Sign and store a checkpoint of the ledger now."""
    with register_for(ctx, data) as register:
        cp, note = register.checkpoint()
    doc = {"size": cp.size, "root": cp.root.hex(), "note": note}
    emit(
        doc,
        wants_json(ctx, as_json),
        lambda: out.print(note, end="", markup=False, highlight=False),
    )


@app.command()
def prove(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    out_file: Annotated[Path | None, typer.Option("--out", help="write the proof here")] = None,
    access_log: AccessLogOpt = False,
    content: Annotated[
        bool,
        typer.Option(
            "--content",
            help="also open the record: its ciphertexts and data key, so the "
            "proof shows what was said (give it to one verifier only)",
        ),
    ] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a self-contained proof that the record (and its events) are in the ledger, or
    with --access-log that an access (its id from GET /v1/access-log) is in the access log."""
    action = "access_log.proof" if access_log else "records.proof"
    with (
        register_for(ctx, data, writer=False) as register,
        logged(register, action, {"id": record_id}) as look,
    ):
        doc = _prove_access(register, record_id) if access_log else register.prove(record_id)
        look.records.append(record_id)
        if content and not access_log:
            doc.update(open_record(register, record_id, doc["tree_size"]))
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if out_file is not None:
        out_file.write_text(text, encoding="utf-8")
        if not wants_json(ctx, as_json):
            out.print(
                f"proof of {record_id} ({len(doc['entries'])} entries, "
                f"tree size {doc['tree_size']}) written to {out_file}"
            )
            return
    emit(doc, True)


def _prove_access(register: Register, access_id: str) -> dict[str, Any]:
    log = AccessLog(register.settings, register.master, register.signer, writer=False)
    try:
        return log.prove(access_id)
    finally:
        log.close()


@app.command("check-proof")
def check_proof_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="a proof written by prove")],
    key: Annotated[
        str | None,
        typer.Option(
            "--key", help="the log's verifier key, from its owner (commsledger key), never the proof"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a proof offline, with nothing but the log's verifier key.

    The key must come from outside the proof (the register's owner publishes it: ``commsledger
    key``; ``key --access-log`` for the access log): a proof forged by another register of the
    same name carries its own key and checks against it, so without --key nothing is claimed
    (exit 2). The fingerprint of the key checked with is always printed, to compare.
    """
    if not key:
        raise click.UsageError(
            "check-proof needs the log's verifier key from its owner, not from the proof: "
            '--key "$(commsledger key)" (or the key published for the register)'
        )
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{file}: not a readable proof document ({exc})") from None
    result = check_proof(doc, key)
    if result["ok"] and isinstance(doc, dict) and "opening" in doc:  # prove --content
        result["content"] = check_document_opening(doc)
        result["ok"] = result["content"]["ok"]
    emit(result, wants_json(ctx, as_json), lambda: _proof_human(result))
    if not result["ok"]:
        raise typer.Exit(1)


def _proof_human(result: dict[str, Any]) -> None:
    if result["ok"]:
        where = f"{result['origin']} at size {result['tree_size']}"
        out.print(f"ok: {result['entries']} entries of {result['record_id']} are in {where}", markup=False)
    for problem in result["problems"]:
        out.print(f"  {problem}", markup=False, highlight=False)
    if result.get("key_fingerprint"):
        out.print(f"checked with the key of fingerprint {result['key_fingerprint']}", markup=False)
    opened = result.get("content")
    if opened is not None:
        said = "the content shown is exactly what was recorded" if opened["ok"] else "content NOT proven"
        out.print(f"{said}{'' if opened['key_committed'] else ' (' + opened['weaker'] + ')'}", markup=False)
        for problem in opened["problems"]:
            out.print(f"  {problem}", markup=False, highlight=False)


@app.command()
def rebuild(ctx: typer.Context, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Recreate the catalog from the object store alone, then the search index from the ledger."""
    with register_for(ctx, data) as register:
        with progress_bar("rebuild", register.log.committed) as advance:
            count = register.rebuild(progress=advance)
        with progress_bar("reindex", register.log.committed) as advance:
            indexed = register.reindex(progress=advance)
        _warn_index(register)
    emit(
        {"entries": count, "indexed": indexed},
        wants_json(ctx, as_json),
        lambda: out.print(f"catalog rebuilt: {count} entries; search index rebuilt: {indexed} records"),
    )


@app.command()
def migrate(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="the target store URL: file:///path or s3://bucket/prefix")],
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy the register's object store to another store and verify the copy there.

    Writers wait while it runs. Run it again after an interruption: it carries on. Then set
    COMMSLEDGER_STORE to the new URL.
    """
    from commsledger.access.migrate import access_objects, migrate_access_log
    from commsledger.core.migrate import migrate as run_migrate
    from commsledger.core.migrate import objects_to_copy

    with (
        register_for(ctx, data) as register,
        progress_bar("migrate", objects_to_copy(register) + access_objects(register)) as advance,
    ):
        doc = run_migrate(register, to, progress=advance)
        doc["access_log"] = migrate_access_log(register, to, progress=advance)
    emit(doc, wants_json(ctx, as_json), lambda: _migrate_human(doc))
    if not doc["verify"]["ok"]:
        raise typer.Exit(1)


def _migrate_human(doc: dict[str, Any]) -> None:
    verdict = (
        "verified" if doc["verify"]["ok"] else f"{len(doc['verify']['problems'])} problem(s) in the copy"
    )
    out.print(
        f"{doc['entries']} entries: {doc['copied']} objects copied ({doc['bytes']:,} bytes), "
        f"{doc['skipped']} already there; {verdict}. Set COMMSLEDGER_STORE={doc['to']} to use it.",
        markup=False,
    )
    for p in doc["verify"]["problems"][:20]:
        out.print(f"  seq {p['seq']}: {p['kind']}: {p['detail']}", markup=False, highlight=False)
