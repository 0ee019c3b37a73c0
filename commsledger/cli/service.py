"""Service commands: ``serve`` (HTTP API) and ``demo`` (load a synthetic register)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

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
from commsledger.config import ServiceSettings
from commsledger.core import ingest
from contract.errors import ConfigError

if TYPE_CHECKING:  # the console (FastAPI, Jinja2) is imported by serve alone: other commands start fast
    import uvicorn

    from commsledger.web import ConsoleSettings

out = Console(soft_wrap=True)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            envvar="COMMSLEDGER_API_WORKERS",
            help="processes answering on the port (API reads scale with them; see DESIGN.md)",
        ),
    ] = 1,
    fd: Annotated[int | None, typer.Option(hidden=True, help="a worker: the primary's socket")] = None,
    data: DataOpt = None,
) -> None:
    """Run the HTTP API (OpenAPI at /docs), the web console (at /) and the scheduled jobs.

    Tuned by COMMSLEDGER_API_* variables (see ServiceSettings). Create a key first:
    commsledger keys create --role admin --name ops.
    """
    import uvicorn

    from commsledger.api import create_app
    from commsledger.web import install

    api = service_settings()
    console = console_settings()
    primary = fd is None
    with register_for(ctx, data) as register:  # exits 2 on a folder with no register
        if primary:
            say(lock_line(register.store.lock_summary()))
        application = create_app(register, api, jobs=primary)  # scheduled jobs: the primary's
        if console.enabled:
            install(application, console)  # the web console at /, after the API's routes
        if primary and application.state.service.keys.count() == 0:
            say("no API key yet: every route but /healthz and /metrics will answer 401; create one with "
                "commsledger keys create --role ROLE --name NAME")  # fmt: skip
        # No uvicorn access log: a request line can carry a query naming a person.
        config = uvicorn.Config(application, host=host, port=port, log_level="info", access_log=False)
        _run(uvicorn.Server(config), fd, workers, register.data)


def _run(server: uvicorn.Server, fd: int | None, workers: int, data: Path) -> None:
    """Serve until stopped: alone, as a worker on the primary's socket (``fd``), or as the
    primary of ``workers`` processes."""
    from commsledger.serve import workers as processes

    if fd is not None:
        server.run(sockets=[processes.inherited(fd)])
    elif workers == 1:
        server.run()
    else:
        sock = processes.listening(server.config.host, server.config.port)
        with processes.workers(sock, data, workers - 1):
            server.run(sockets=[sock])


def lock_line(lock: dict[str, Any]) -> str:
    """What the object store locks and until when, in one line for the start-up log."""
    if not lock.get("bucket_lock"):
        return "object lock: none (a folder, or a bucket without Object Lock): its owner can delete objects"
    if not lock.get("ledger_days"):
        return "object lock: the bucket has Object Lock, but nothing is locked by default"
    why = "the 10-year default; set COMMSLEDGER_S3_LEDGER_RETENTION" if lock["ledger_default"] else "as set"
    line = f"object lock: ledger objects locked in {lock['mode']} mode until {lock['ledger_until']} ({why})"
    if lock.get("payload_days"):
        line += f"; payload packs for {lock['payload_days']} days at least"
    return line


def console_settings() -> ConsoleSettings:
    """The console's settings from COMMSLEDGER_CONSOLE_*; raises ``ConfigError``."""
    from commsledger.web import ConsoleSettings

    try:
        return ConsoleSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting COMMSLEDGER_CONSOLE_{field.upper()}: {first['msg']}") from None


def service_settings() -> ServiceSettings:
    """The service's settings from COMMSLEDGER_API_*; raises ``ConfigError``."""
    try:
        return ServiceSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting COMMSLEDGER_API_{field.upper()}: {first['msg']}") from None


@app.command()
def demo(
    ctx: typer.Context,
    records: Annotated[int, typer.Option(help="how many synthetic records to load")] = 5000,
    seed: Annotated[int, typer.Option(help="generator seed")] = 7,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="only when the register is empty")] = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a realistic synthetic register (records and their later events)."""
    from commsledger import synthetic

    with register_for(ctx, data, create=True) as register:
        if if_empty and register.log.committed > 0:
            emit(
                {"loaded": 0, "entries": register.log.committed},
                wants_json(ctx, as_json),
                lambda: None,
            )
            return
        generated = list(synthetic.records(records, seed=seed))
        with progress_bar("demo", records) as advance:
            report = ingest.ingest(register, _lines(generated), progress=advance)
        with_events = [(r["id"], _lines(evs)) for r in generated if (evs := synthetic.events(r, seed=seed))]
        events = ingest.add_events_bulk(register, with_events).accepted
    doc = {"loaded": report.accepted, "events": events, "rejected": report.rejected_count}
    emit(
        doc,
        wants_json(ctx, as_json),
        lambda: out.print(f"demo register: {report.accepted} records, {events} events"),
    )


def _lines(items: list[dict[str, object]]) -> Iterator[tuple[int, bytes]]:
    for number, item in enumerate(items, start=1):
        yield number, json.dumps(item).encode()
