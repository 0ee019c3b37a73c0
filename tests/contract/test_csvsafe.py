"""CSV cells a spreadsheet would run as formulas are written as text; the rest read back as given."""

from __future__ import annotations

import csv
import io

import pytest

from contract.csvsafe import SafeWriter, safe_cell


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_a_cell_a_spreadsheet_would_evaluate_is_prefixed_with_a_quote(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["crm-000123", "2026-03-01", "a=b", "Dear Alice", "", "x@y"])
def test_other_cells_are_unchanged(value: str) -> None:
    assert safe_cell(value) == value


def test_rows_read_back_with_the_neutralised_cells() -> None:
    out = io.StringIO()
    SafeWriter(out).writerow(["=cmd|' /C calc'!A0", None, 7, "ok, quoted"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=cmd|' /C calc'!A0", "", "7", "ok, quoted"]
