"""API key commands: ``keys create --role R --name N`` (the key is shown once), ``keys list``,
``keys revoke NAME``. Each is an admin action and goes into the access log (its actor the OS
user and host, ``cli.audit``)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from commsledger.access.apikeys import ApiKeys, KeyInfo
from commsledger.access.events import Access
from commsledger.cli.audit import cli_actor, commit_access
from commsledger.cli.common import DataOpt, JsonOpt, app, emit, option_value, register_for, wants_json
from policies.roles import Role

out = Console(soft_wrap=True)
keys_app = typer.Typer(no_args_is_help=True, help="API keys of the HTTP service (only their hash is kept).")
app.add_typer(keys_app, name="keys")


def _log(ctx: typer.Context, data: DataOpt, action: str, status: int, query: dict[str, str]) -> None:
    """Append the admin action to the access log, durably, before answering."""
    with register_for(ctx, data, writer=False) as register:
        key, _role = cli_actor()
        access = Access(action=action, status=status, key=key, role=str(Role.ADMIN), query=query)
        commit_access(register, access)


def _keys(ctx: typer.Context, data: DataOpt) -> ApiKeys:
    """The API keys of the register of ``--data`` (exits 2 when there is none)."""
    with register_for(ctx, data, writer=False) as register:
        return ApiKeys(register.data / "api-keys.db")


@keys_app.command("create")
def create(
    ctx: typer.Context,
    role: Annotated[Role, typer.Option(help="what the key may do (policies/roles.yaml)")],
    name: Annotated[str, typer.Option(help="a name for the key (who or what uses it)")],
    expires: Annotated[
        str | None, typer.Option(help="refused from then on: P90D, P1Y, or a date (through that day, UTC)")
    ] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API key; it is printed this once and never stored."""
    keys = _keys(ctx, data)
    try:
        with option_value("--name"):
            secret = keys.create(name, role, expires)
        until = next(k.expires for k in keys.list() if k.name == name)
    finally:
        keys.close()
    _log(ctx, data, "keys.create", 201, {"name": name, "role": role})
    doc = {"key": secret, "name": name, "role": role, "expires": until}
    emit(
        doc,
        wants_json(ctx, as_json),
        lambda: out.print(f"{secret}\n(key {name}, role {role}: shown only now)"),
    )


@keys_app.command("list")
def list_keys(ctx: typer.Context, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Every key's name, role, creation and revocation time."""
    keys = _keys(ctx, data)
    try:
        found = keys.list()
    finally:
        keys.close()
    _log(ctx, data, "keys.list", 200, {})
    emit({"keys": [k.to_json() for k in found]}, wants_json(ctx, as_json), lambda: _table(found))


def _table(found: list[KeyInfo]) -> None:
    table = Table("name", "role", "created", "expires", "last used", "revoked")
    for key in found:
        table.add_row(
            key.name, str(key.role), key.created, key.expires or "", key.last_used or "", key.revoked or ""
        )
    out.print(table)


@keys_app.command("revoke")
def revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a key at once (it stays listed as revoked)."""
    keys = _keys(ctx, data)
    try:
        keys.revoke(name)
    finally:
        keys.close()
    _log(ctx, data, "keys.revoke", 200, {"name": name})
    emit({"revoked": name}, wants_json(ctx, as_json), lambda: out.print(f"revoked {name}"))
