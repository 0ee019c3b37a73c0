"""What every command shares: the typer ``app``, the ``--data`` and ``--json`` options,
settings and registers from them, JSON or human output, progress bars, one-line errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Annotated, Any

import click
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as Bar

from commsledger.config import S3Settings, Settings
from commsledger.core.register import Register
from contract.errors import ConfigError, InvalidInput
from contract.progress import Progress
from retention.settings import RetentionSettings

app = typer.Typer(
    rich_markup_mode=None,
    add_completion=False,
    no_args_is_help=True,
    help="commsledger: the register of every outbound communication, kept as evidence.",
)
err = Console(stderr=True, soft_wrap=True)

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="data dir (default: env COMMSLEDGER_DATA, else ./commsledger-data)",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON document on stdout", metavar="")]


@dataclass
class Opts:
    data: Path | None = None
    json: bool = False


@app.callback()
def _common(ctx: typer.Context, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    ctx.obj = Opts(data, as_json)


def settings_for(ctx: typer.Context, data: Path | None) -> Settings:
    """Settings from the environment, with ``--data`` (command or global) on top."""
    chosen = data or (ctx.obj.data if ctx.obj else None)
    try:
        settings = Settings(data=chosen) if chosen else Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "_".join(str(p) for p in first["loc"])
        prefix = _ENV_PREFIXES.get(exc.title, "COMMSLEDGER_")  # a nested group's own prefix
        raise ConfigError(f"setting {prefix}{field.upper()}: {first['msg']}") from None
    if settings.data.exists() and not settings.data.is_dir():
        raise click.UsageError(f"--data: {settings.data} is a file, not a data directory")
    return settings


@contextmanager
def option_value(option: str) -> Iterator[None]:
    """An ``InvalidInput`` raised while reading an option's value is bad usage (exit 2), and
    its one line names the option as typed (``--as-of: ...``)."""
    try:
        yield
    except InvalidInput as exc:
        detail = str(exc).removeprefix(f"{exc.field}: ") if exc.field else str(exc)
        raise click.UsageError(f"{option}: {detail}") from None


_ENV_PREFIXES = {
    cls.__name__: str(cls.model_config.get("env_prefix", "")) for cls in (RetentionSettings, S3Settings)
}


def wants_json(ctx: typer.Context, flag: bool) -> bool:
    return flag or bool(ctx.obj and ctx.obj.json)


def emit(doc: Any, as_json: bool, human: Callable[[], None] | None = None) -> None:
    if as_json or human is None:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=None if as_json else 2) + "\n")
    else:
        human()


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Progress]:
    """A progress bar on stderr when it is a terminal; yields ``advance(n)`` (``total`` sets
    the total once it is known)."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Bar(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(label, total=total)

        def advance(n: int, total: int | None = None) -> None:
            if total is None:
                bar.update(task, advance=n)
            else:
                bar.update(task, advance=n, total=total)

        yield advance


@contextmanager
def open_input(path: str) -> Iterator[tuple[IO[bytes], int | None]]:
    """The named file (or stdin for ``-``) in binary, with its size when known."""
    if path == "-":
        yield sys.stdin.buffer, None
        return
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 - closed by the with below, after the error mapping
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        yield handle, os.fstat(handle.fileno()).st_size


def register_for(
    ctx: typer.Context,
    data: Path | None,
    *,
    writer: bool = True,
    tolerant: bool = False,
    catch_up: bool = True,
    create: bool = False,
) -> Register:
    """The register of ``--data``; ``create`` only for the commands that may make one
    (``ingest``, ``demo``, ``init``): any other on a folder with no register exits 2."""
    settings = settings_for(ctx, data)
    return Register(settings, writer=writer, tolerant=tolerant, catch_up=catch_up, create=create)


def say(message: str) -> None:
    """One line on stderr, never wrapped or styled: scripts and log collectors read it."""
    sys.stderr.write("commsledger: " + " ".join(message.split()) + "\n")
