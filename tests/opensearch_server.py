"""A real OpenSearch node for the tests: the Maven module ``tests/opensearch_node`` (OpenSearch
2.19.6 in one JVM, with the netty4 HTTP transport and the analysis-common, mapper-extras,
reindex and painless modules), built on first use and started once per pytest session.

Loopback only, ports chosen by the OS, its own temp dir, a bounded heap, no security plugin.
It is stopped by its PID at the end of the session; should pytest die without stopping it, the
node sees its standard input close and exits by itself. ``OPENSEARCH_URL`` names a server to
use instead. Without Java or Maven, the tests that need a node are skipped and say why.

The fixture ``opensearch_url`` (the node's base URL, ``http://127.0.0.1:PORT``) is a plugin
of ``tests/conftest.py``, so any test module can ask for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

MODULE = Path(__file__).resolve().parent / "opensearch_node"
SOURCES = (MODULE / "pom.xml", *sorted((MODULE / "src").rglob("*.java")))
CLASSPATH = MODULE / "target" / "classpath.txt"
MAIN = "commsledger.testnode.TestNode"
HEAP = os.environ.get("COMMSLEDGER_TEST_OPENSEARCH_HEAP", "512m")


def missing_tools() -> list[str]:
    """The programs a node needs that are not on PATH."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def build() -> list[str]:
    """The node's classpath, compiling the module first if its sources changed (offline once
    Maven has downloaded the dependencies). Raises ``RuntimeError`` with Maven's output."""
    (MODULE / "target").mkdir(exist_ok=True)
    with (MODULE / "target" / ".build.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two sessions in one worktree build it once
        if not _built():
            done = _maven("-o")
            if done.returncode != 0:
                done = _maven()  # the first build downloads the dependencies
            if done.returncode != 0:
                raise RuntimeError(f"building {MODULE} failed:\n{done.stdout[-4000:]}")
    return [str(MODULE / "target" / "classes"), *CLASSPATH.read_text().strip().split(os.pathsep)]


def _built() -> bool:
    """Whether the classes and classpath are newer than the sources, and every jar is there."""
    if not CLASSPATH.exists():
        return False
    made = CLASSPATH.stat().st_mtime
    jars = CLASSPATH.read_text().strip().split(os.pathsep)
    return all(s.stat().st_mtime < made for s in SOURCES) and all(Path(j).exists() for j in jars)


def _maven(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["mvn", "-q", "-B", *options, "compile"],
        cwd=MODULE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,
    )


@dataclass
class OpenSearchNode:
    """One node in a JVM; ``url`` is its HTTP base URL once started."""

    root: Path
    heap: str = HEAP
    process: subprocess.Popen[bytes] | None = None
    url: str = ""
    started_in: float = 0.0  # seconds from launch to a yellow or green cluster

    @property
    def log(self) -> Path:
        return self.root / "node.log"

    def start(self, timeout: float = 120) -> OpenSearchNode:
        classpath = build()
        began = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["java", f"-Xms{self.heap}", f"-Xmx{self.heap}", "-Dlog4j2.level=WARN",
                 "-cp", os.pathsep.join(classpath), MAIN, str(self.root)],
                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=self.root,
                start_new_session=True,
            )  # fmt: skip
        try:
            self.url = self._wait_for_address(began + timeout)
            wait_healthy(self.url, began + timeout)
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - began
        return self

    def _wait_for_address(self, deadline: float) -> str:
        address = self.root / "http.address"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the OpenSearch node exited ({self.process.returncode}):\n{self._tail()}")
            if address.exists():
                return address.read_text().strip()
            time.sleep(0.1)
        raise RuntimeError(f"the OpenSearch node did not start in time:\n{self._tail()}")

    def _tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        """Stop the node by its PID (and its process group); safe to call twice."""
        proc, self.process = self.process, None
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def wait_healthy(url: str, deadline: float) -> None:
    """Wait until the cluster at ``url`` is yellow or green; raises ``RuntimeError``."""
    health = f"{url}/_cluster/health?wait_for_status=yellow&timeout=2s"
    while True:
        try:
            with urllib.request.urlopen(health, timeout=5) as answer:  # loopback or OPENSEARCH_URL
                if json.load(answer).get("status") in ("yellow", "green"):
                    return
        except (OSError, ValueError):
            pass  # not answering yet, or 408 while it is red
        if time.monotonic() > deadline:
            raise RuntimeError(f"OpenSearch at {url} is not yellow or green")
        time.sleep(0.2)


_SUMMARY: list[str] = []  # what the session did about OpenSearch, said once at its end


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _SUMMARY:
        terminalreporter.write_line(line, yellow=line.startswith("OpenSearch tests skipped"))


@dataclass(frozen=True)
class Running:
    """The session's OpenSearch: its base URL, and its data folder when the tests started it."""

    url: str
    data: Path | None


@pytest.fixture(scope="session")
def opensearch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A running OpenSearch: ``OPENSEARCH_URL``, or one node started for the session. Skips,
    saying why, when neither can be had."""
    given = os.environ.get("OPENSEARCH_URL")
    if given:
        wait_healthy(given.rstrip("/"), time.monotonic() + 30)
        _SUMMARY.append(f"OpenSearch tests ran against OPENSEARCH_URL ({given})")
        yield Running(given.rstrip("/"), None)
        return
    if missing := missing_tools():
        why = (
            f"OpenSearch tests skipped: they need {' and '.join(missing)} on PATH to start a node "
            "(Java 17+, Maven 3; or set OPENSEARCH_URL to a server)"
        )
        _SUMMARY.append(why)
        pytest.skip(why)
    node = OpenSearchNode(tmp_path_factory.mktemp("opensearch"))
    try:
        node.start()
        _SUMMARY.append(
            f"OpenSearch node (2.19.6, heap {node.heap}) up in {node.started_in:.1f} s at {node.url}"
        )
        yield Running(node.url, node.root / "data")
    finally:
        node.stop()


@pytest.fixture(scope="session")
def opensearch_url(opensearch: Running) -> str:
    """The base URL (``http://127.0.0.1:PORT``) of the session's OpenSearch."""
    return opensearch.url
