"""The console's browser fixtures: one headless Chromium for the session (installed when
missing), axe-core, a fresh browser context per test, and the console on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import DESKTOP, Checker, axe_source, launch
from console_server import console_app
from live_server import Live
from playwright.sync_api import Browser, Page, sync_playwright

from commsledger.config import Settings


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe() -> str:
    return axe_source()


@pytest.fixture
def console(file_settings: Settings, tmp_path: Path) -> Iterator[Live]:
    with console_app(file_settings, tmp_path) as running:
        yield running


@pytest.fixture
def page(chromium: Browser, console: Live) -> Iterator[Page]:
    """A fresh browser (no cookies) at 1280x800, its base URL the console's."""
    context = chromium.new_context(viewport=DESKTOP, base_url=console.url, accept_downloads=True)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def check(axe: str) -> Checker:
    return Checker(axe)
