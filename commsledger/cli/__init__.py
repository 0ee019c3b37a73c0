"""The ``commsledger`` command line: a thin shell over the Register (CONTRACT.md).

Exit 0: success. 1: the command ran and found a problem (a rejected line, a failed check,
an unknown record). 2: bad usage or unusable settings. 3: a bug (one line; the trace with
``COMMSLEDGER_DEBUG=1``). Errors are one line on stderr; ``--json`` makes stdout one JSON
document. ``common`` holds the app and what every command shares; each command group is a
module of its own that attaches its commands to ``app`` when imported here.
"""

from __future__ import annotations

import os
import sqlite3
import sys

import click
import typer

from commsledger.cli import answers, apikeys, exports, keystore, ledger, requests, retention, search, service
from commsledger.cli.common import app, say
from contract.errors import ConfigError, Error
from ledger.sql import database_problem

DAMAGED = (
    "run commsledger verify; a derived one (catalog.db, retention.db, access-log.db) is rebuilt "
    "once moved aside, privacy.db and api-keys.db come back with commsledger restore"
)

GROUPS = (
    answers,
    apikeys,
    exports,
    keystore,
    ledger,
    requests,
    retention,
    search,
    service,
)  # imported for the commands they attach


def main() -> None:
    """Entry point: run the app, turning every error into one line and an exit code."""
    try:
        code = app(standalone_mode=False)
    except _USAGE as exc:  # typer >= 0.29 vendors click: its errors are TyperExceptions
        say(exc.format_message() if hasattr(exc, "format_message") else str(exc))
        code = int(getattr(exc, "exit_code", 2))
    except ConfigError as exc:
        say(str(exc))
        code = 2
    except Error as exc:
        say(str(exc))
        code = 1
    except sqlite3.DatabaseError as exc:  # met mid-command: a file of the data dir went bad
        say(database_problem("a database of the data dir", exc, DAMAGED))
        code = 1
    except (click.Abort, typer.Abort, KeyboardInterrupt):
        say("interrupted")
        code = 130
    except Exception as exc:  # a bug: still one line, the trace only on request
        if os.environ.get("COMMSLEDGER_DEBUG"):
            raise
        say(f"internal error ({type(exc).__name__}); set COMMSLEDGER_DEBUG=1 for details")
        code = 3
    sys.exit(code if isinstance(code, int) else 0)


_USAGE = (click.ClickException, typer.TyperException)
