"""Export commands: ``check-bundle`` (offline, with nothing but the verifier key); the subject
access bundle (``sar export``) and the audit export and evidence pack (``export``) write
the bundles it checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from commsledger.cli.common import JsonOpt, app, emit, wants_json
from exports.check import check_bundle

out = Console(soft_wrap=True)


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
