"""Answering subject requests: ``sar export`` (the access bundle) and ``erase`` (erasure by
redaction), as in CONTRACT.md; thin shells over ``commsledger.core.access_bundle`` and
``commsledger.core.erasure``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import click
import typer

from commsledger.access.shredding import query_shredder
from commsledger.cli.common import DataOpt, JsonOpt, app, emit, progress_bar, register_for, wants_json
from commsledger.cli.requests import Subjects, out, usage_errors
from commsledger.core import access_bundle, erasure
from commsledger.core.requests import RequestBook
from privacy.requests import RequestType

sar_app = typer.Typer(no_args_is_help=True, help="Subject access bundles (UK GDPR Art. 15).")
app.add_typer(sar_app, name="sar")


@sar_app.command("export")
def sar_export(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", help="the bundle to write (.zip)")],
    subject: Subjects = None,
    request: Annotated[
        str | None, typer.Option("--request", help="a request whose matches were reviewed")
    ] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="your reference, for a new request")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the subject access bundle: every record of the person, in date order, with the
    Art. 15 information and a proof per record; check it with check-bundle."""
    if bool(subject) == bool(request):
        raise click.UsageError("give --subject S (a new request) or --request R (a reviewed one)")
    with register_for(ctx, data) as register, progress_bar("export", None) as advance, usage_errors():
        if request is not None:
            done = access_bundle.export_request(register, request, out_file, progress=advance)
        else:
            done = access_bundle.export_for(
                register, list(subject or []), out_file, ref=ref, progress=advance
            )
    doc = done.to_json()
    emit(doc, wants_json(ctx, as_json), lambda: out.print(f"{doc['records']} records -> {doc['out']}"))


@app.command("erase")
def erase_cmd(
    ctx: typer.Context,
    request: Annotated[
        str, typer.Option("--request", help="an erasure request id, or your reference for a new one")
    ],
    subject: Subjects = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Erase by redaction: the person's records are erased where no legal hold or retention
    duty keeps them (those are withheld, with the date their duty ends); every proof stays."""
    with register_for(ctx, data) as register, progress_bar("erase", None) as advance, usage_errors():
        shredder = query_shredder(register.settings, register.master, register.signer)
        if not subject and RequestBook(register).find(request, RequestType.ERASURE) is None:
            raise click.UsageError(
                f"no request {request!r}: give --subject S to record a new erasure request"
            )
        done = erasure.erase_for(register, list(subject or []), request, shredder=shredder, progress=advance)
    doc = done.to_json()
    emit(doc, wants_json(ctx, as_json), lambda: _erase_human(doc))


def _erase_human(doc: dict[str, Any]) -> None:
    out.print(
        f"request {doc['request']}: erased {len(doc['erased'])} records, withheld {len(doc['withheld'])}"
    )
    for item in doc["withheld"][:20]:
        until = item["until"] or "a hold is released"
        out.print(f"  {item['id']}: {item['reason']} ({item['ground']}) until {until}", markup=False)
    if len(doc["withheld"]) > 20:
        out.print(f"  ... and {len(doc['withheld']) - 20} more (use --json for all)")
