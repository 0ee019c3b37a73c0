"""A real browser for the console's tests: Debian's Chromium driven by Playwright, and
axe-core from the npm registry injected into each page.

Set-up installs what is missing, once, and costs nothing when all is there (``make test``
on a fresh machine does it): ``apt-get install -y chromium`` (as root, as CI runs), and
``npm pack axe-core@AXE_VERSION`` into ``tests/.cache/`` (git-ignored). Playwright's own
browser download does not work here and is not used: ``executable_path`` names Debian's.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from live_server import Live
from playwright.sync_api import ViewportSize, expect

from policies.roles import Role

CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.14.1"
CACHE = Path(__file__).resolve().parent / ".cache"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "console"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERIOUS = ("serious", "critical")
DESKTOP = ViewportSize(width=1280, height=800)
NARROW = ViewportSize(width=390, height=844)


@contextlib.contextmanager
def _installing(what: str) -> Iterator[None]:
    """One installer at a time across the test processes (``make test`` runs two): apt-get
    holds dpkg's lock and would refuse a second install; npm would fetch twice."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f".{what}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_chromium() -> Path:
    """Debian's Chromium, installed with apt-get when missing; raises ``RuntimeError`` saying
    what to do when it cannot be."""
    if CHROMIUM.exists():
        return CHROMIUM
    with _installing("chromium"):
        if not CHROMIUM.exists():  # another test process may have installed it meanwhile
            _apt_install()
    if not CHROMIUM.exists():
        raise RuntimeError(f"apt-get installed chromium but {CHROMIUM} is missing")
    return CHROMIUM


def _apt_install() -> None:
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise RuntimeError("the console tests need Chromium: run `apt-get install -y chromium` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    installed = subprocess.run([apt, "install", "-y", "chromium"], env=env, capture_output=True, check=False)
    if installed.returncode != 0:  # a fresh machine has no package lists yet
        subprocess.run([apt, "update"], env=env, capture_output=True, check=True)
        subprocess.run([apt, "install", "-y", "chromium"], env=env, capture_output=True, check=True)


def axe_source() -> str:
    """axe-core's ``axe.min.js``, fetched once with ``npm pack`` into the cache."""
    cached = CACHE / f"axe-core-{AXE_VERSION}.min.js"
    if not cached.exists():
        with _installing("axe-core"):
            if not cached.exists():
                _fetch_axe(cached)
    return cached.read_text(encoding="utf-8")


def _fetch_axe(cached: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("the console tests need npm (Node.js) to fetch axe-core")
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        command = [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", scratch, "--silent"]
        subprocess.run(command, cwd=scratch, capture_output=True, check=True, timeout=300)
        (packed,) = Path(scratch).glob("axe-core-*.tgz")
        with tarfile.open(packed) as archive:
            member = archive.extractfile("package/axe.min.js")
            assert member is not None, "axe-core's package has no axe.min.js"
            partial = cached.with_suffix(".partial")
            partial.write_bytes(member.read())
            partial.rename(cached)


def launch(playwright: Any) -> Any:
    """A headless Chromium (Debian's) for the session."""
    return playwright.chromium.launch(executable_path=str(ensure_chromium()), args=FLAGS, headless=True)


def axe_violations(page: Any, source: str) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations of the page as it stands (WCAG 2.x A and
    AA rules, and best practices). Injected by evaluation, which the page's CSP allows."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in found
        if v.get("impact") in SERIOUS
    ]


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot of the page as an artefact, ``tests/artifacts/console/NAME.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Checker:
    """Checks a page as a user would meet it: no serious or critical axe-core violation,
    readable at 1280x800 and on a narrow window (no sideways scrolling), a screenshot of each."""

    def __init__(self, axe: str) -> None:
        self.axe = axe

    def __call__(self, page: Any, name: str) -> None:
        assert axe_violations(page, self.axe) == [], name
        screenshot(page, f"{name}-1280x800")
        page.set_viewport_size(NARROW)
        try:
            wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"{name}: {wide}px wider than a narrow window"
            assert axe_violations(page, self.axe) == [], f"{name} (narrow)"
            screenshot(page, f"{name}-narrow")
        finally:
            page.set_viewport_size(DESKTOP)


def sign_in(page: Any, live: Live, role: Role, path: str = "/") -> None:
    """Sign in from the sign-in page with the keyboard: type the key, press Enter."""
    page.goto(path)
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    page.get_by_label("API key").fill(live.keys[role])
    page.get_by_label("API key").press("Enter")
    expect(page.get_by_text("Signed in as")).to_be_visible()
