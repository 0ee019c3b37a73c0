"""Fixtures of the export tests: the register of ``export_fixtures``, loaded, with one record
disposed of under the retention schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from export_fixtures import load
from retention_fixtures import with_retention

from commsledger.config import Settings
from commsledger.core.register import Register
from retention import runs


@pytest.fixture
def export_settings(file_settings: Settings, tmp_path: Path) -> Settings:
    return with_retention(file_settings, tmp_path)


@pytest.fixture
def loaded(export_settings: Settings, tmp_path: Path) -> Iterator[Register]:
    """The register with the records and events above; crm-000008 disposed of (marketing, P2Y)."""
    with Register(export_settings) as register:
        load(register, tmp_path)
        disposed = runs.run(register, date.today()).to_json()["disposed"]
        assert disposed == ["crm-000008"]
        yield register
