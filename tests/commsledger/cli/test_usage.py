"""Bad usage exits 2 with one line naming the option, as CONTRACT.md says (issue 10), and
``--help`` shows flags as flags."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

USAGE = [
    (("hold", "place", "--case", "CMP-1", "--record", "crm-1", "--reason", "Matter 1"), "--case, --subject"),
    (("keys", "create", "--role", "nope", "--name", "k1"), "'--role'"),
    (("keys", "create", "--role", "dpo", "--name", "not a name"), "--name: "),
    (("retention", "preview", "--as-of", "next tuesday"), "--as-of: 'next tuesday' is not a date"),
    (("retention", "run", "--as-of", "2026-02-30"), "--as-of: "),
    (("retention", "review", "crm-1", "--keep-until", "soon", "--reason", "r"), "--keep-until: "),
    (("retention", "review", "crm-1", "--reason", "r"), "--dispose or --keep-until"),
]


@pytest.mark.parametrize(("args", "named"), USAGE, ids=[f"{n}-{a[1]}" for n, (a, _) in enumerate(USAGE)])
def test_bad_usage_exits_2_naming_the_option(cli: Any, args: tuple[str, ...], named: str) -> None:
    """Fails before: these exited 1 (a problem found), the two scopes and unknown role too."""
    assert cli("init").code == 0  # on a register: no "no register here" before the option is read
    run = cli(*args)
    assert run.code == 2, (run.code, run.stderr)
    assert named in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.stdout == ""


def test_a_data_option_naming_a_file_is_bad_usage(cli: Any, tmp_path: Path) -> None:
    """Fails before: an internal error (FileExistsError), exit 3."""
    afile = tmp_path / "records.ndjson"
    afile.write_text("{}\n")
    for args in (("verify",), ("show", "x"), ("keys", "list")):
        run = cli("--data", str(afile), *args)
        assert run.code == 2, run.stderr
        assert run.stderr == f"commsledger: --data: {afile} is a file, not a data directory\n"


@pytest.mark.parametrize("command", [(), ("ingest",), ("search",), ("retention", "run"), ("hold", "list")])
def test_help_shows_json_and_other_flags_as_flags(cli: Any, command: tuple[str, ...]) -> None:
    """Fails before: every flag read ``--json <bool>``, as if it took a value."""
    shown = cli(*command, "--help").stdout
    assert re.search(r"^\s+--json\s+print one JSON document on stdout$", shown, re.MULTILINE), shown
    assert "<bool>" not in shown
