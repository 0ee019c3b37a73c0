"""Key-store commands: ``init`` (a new register), ``backup --out FILE`` and ``restore FILE``
of the key store, the one state nothing can rebuild (``core.keystore``, ``core.backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from commsledger.cli.common import (
    DataOpt,
    JsonOpt,
    app,
    emit,
    progress_bar,
    register_for,
    say,
    settings_for,
    wants_json,
)
from commsledger.core import backup as backups
from commsledger.core.keystore import KEY_STORE, alone, has_log, missing_files
from commsledger.core.register import Register
from contract.errors import ConfigError
from ledger.store import open_store

out = Console(soft_wrap=True)


@app.command()
def init(ctx: typer.Context, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Create a new register in --data: its key store and an empty, signed ledger.

    Back the key store up at once (commsledger backup --out FILE): it is the one part of a
    register that cannot be rebuilt.
    """
    settings = settings_for(ctx, data)
    target = settings.data.resolve()
    store = open_store(settings.store_url, settings.s3.options())
    if missing_files(target) != list(KEY_STORE) or has_log(store):
        raise ConfigError(f"a register exists in {target} already; init only creates a new one")
    with Register(settings, create=True) as register:
        checkpoint, _note = register.checkpoint()
        doc = {
            "data": str(register.data),
            "origin": register.signer.name,
            "vkey": register.signer.verifier().vkey(),
            "entries": checkpoint.size,
        }
    emit(doc, wants_json(ctx, as_json), lambda: _init_human(doc))


def _init_human(doc: dict[str, Any]) -> None:
    out.print(f"new register in {doc['data']}, log {doc['origin']}", markup=False, highlight=False)
    out.print(f"verifier key: {doc['vkey']}", markup=False, highlight=False)
    out.print("now back up its key store: commsledger backup --out FILE", markup=False)


@app.command("backup")
def backup_cmd(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", help="the backup file to write (must not exist)")],
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Back up the key store (master key, signing key, privacy and API-key databases) to one
    file, consistent while writers run. The file holds the master key: keep it as safely."""
    with register_for(ctx, data, writer=False) as register, progress_bar("backup", None) as advance:
        doc = backups.backup(register, out_file, progress=advance)
    emit(doc, wants_json(ctx, as_json), lambda: _backup_human(doc))


def _backup_human(doc: dict[str, Any]) -> None:
    files = ", ".join(doc["files"])
    out.print(
        f"key store of {doc['origin']} ({files}) backed up to {doc['out']}: {doc['bytes']:,} bytes, "
        f"covering {doc['ledger_size']} ledger entries. It holds the master key: store it offline.",
        markup=False,
        highlight=False,
    )


@app.command("restore")
def restore_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="a backup written by commsledger backup")],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="replace differing key-store files (kept aside as NAME.replaced-TIME)"
        ),
    ] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Restore the key store from a backup: missing files are put back, a file that differs
    only with --replace (never deleted). Stop every process of the register first. Exit 1
    when records recorded after the backup have no data key."""
    settings = settings_for(ctx, data)
    found = backups.read_backup(file)
    backups.master_matches(found)
    backups.check_belongs(found, open_store(settings.store_url, settings.s3.options()))
    with alone(settings.data.resolve()), progress_bar("restore", len(found.files)) as advance:
        done = backups.restore(found, settings.data.resolve(), replace=replace, progress=advance)
    with Register(settings, writer=False) as register:
        since = int(found.manifest["ledger_size"])
        doc = {**done, "origin": found.manifest["origin"], "backup_ledger_size": since}
        doc.update(entries=register.log.committed, records_without_key=backups.keys_missing(register, since))
    emit(doc, wants_json(ctx, as_json), lambda: _restore_human(doc))
    if doc["records_without_key"]:
        say(f"{doc['records_without_key']} records recorded after this backup have no data key in it")
        raise typer.Exit(1)


def _restore_human(doc: dict[str, Any]) -> None:
    line = f"restored {', '.join(doc['restored']) or 'nothing'}"
    if doc["unchanged"]:
        line += f"; unchanged {', '.join(doc['unchanged'])}"
    if doc["kept_aside"]:
        line += f"; kept aside {', '.join(doc['kept_aside'])}"
    out.print(f"{line}. The ledger has {doc['entries']} entries.", markup=False, highlight=False)
