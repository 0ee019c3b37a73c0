"""Fixtures of the API tests: a live server on the file store with a key per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import Live, live_app

from commsledger.config import Settings


@pytest.fixture
def file_settings(data_dir: Path) -> Settings:
    return Settings(data=data_dir, workers=0, batch=64)


@pytest.fixture
def live(file_settings: Settings) -> Iterator[Live]:
    with live_app(file_settings) as running:
        yield running
