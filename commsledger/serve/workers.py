"""``commsledger serve --workers N``: N processes answering on one listening socket.

One process runs Python with one GIL; a search or a read spends most of its time in Python
(routing, the access-log entry, the page of results), so one process uses about one of the
machine's cores. With ``--workers N`` the first process (the primary) binds the socket,
starts N - 1 more ``commsledger serve`` processes that inherit it (``--fd``), and serves
too; the kernel hands each new connection to whichever process accepts it first.

Every process is a whole service over the same data dir, as two ``serve`` processes
always could be: each has its own writer ``Register``, whose commits the store's writers'
lease orders (one process writes at a time; the others catch up), its own reader pool
and access journal (a dead process's journal is committed by the next start), and its
index readers reopen the shards when ``state.json`` changes. Only the primary runs the
scheduled jobs. What a process keeps in memory stays with it: a console search's personal
parameters (another process asks to search again) and the progress of a background job
started through it; put a balancer with sticky sessions in front for the console.

Workers stop when the primary does (it sends them SIGTERM), and stop themselves if it dies.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ORPHAN_CHECK_S = 1.0
PRIMARY = "COMMSLEDGER_SERVE_PRIMARY"  # the primary's pid, in its workers' environment


def listening(host: str, port: int) -> socket.socket:
    """The socket every worker accepts on (``port`` 0: any free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@contextmanager
def workers(sock: socket.socket, data: Path, count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` more ``serve`` processes on ``sock``, stopped (SIGTERM, then SIGKILL after
    30 s) when the block ends."""
    fd = sock.fileno()
    command = [sys.executable, "-m", "commsledger", "--data", str(data), "serve", "--fd", str(fd)]
    env = {**os.environ, PRIMARY: str(os.getpid())}
    started = [subprocess.Popen(command, pass_fds=(fd,), env=env) for _ in range(count)]  # noqa: S603 (ours)
    try:
        yield started
    finally:
        for proc in started:
            proc.send_signal(signal.SIGTERM)
        for proc in started:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def inherited(fd: int) -> socket.socket:
    """The primary's listening socket, in a worker; the worker stops if the primary dies."""
    parent = int(os.environ.get(PRIMARY) or os.getppid())  # it may have died while this one started
    threading.Thread(target=_watch, args=(parent,), name="orphan-watch", daemon=True).start()
    return socket.socket(fileno=fd)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_S)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's handler: a graceful stop
