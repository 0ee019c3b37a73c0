"""The processes of the HTTP benchmark, each printing one JSON document on stdout:

- ``inprocess DATA FILE``: baseline, ``ingest.ingest`` of the file in this process (the
  register opened first, its opening not timed);
- ``ingest URL KEY FILE BATCH``: NDJSON batches posted one after the other, over one
  connection, each timed;
- ``reads URL KEY IDS N CONCURRENCY PATH``: ``N`` GETs of ``PATH`` (``{id}`` replaced by
  random record ids) from ``CONCURRENCY`` clients at once, each timed;
- ``show DATA IDS N``: baseline, ``Register.show`` of the same ids in process, one thread.

Run as ``python -m benchmarks.http_clients <cmd> ...``.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from search.service import find

NDJSON = {"content-type": "application/x-ndjson"}


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1] * 1000, 2)}


def inprocess(data: Path, file: Path) -> dict[str, Any]:
    with Register(Settings(data=data)) as register, file.open("rb") as stream:
        started = time.perf_counter()
        report = ingest.ingest(register, ingest.read_ndjson(stream))
        seconds = time.perf_counter() - started
    return {
        "records": report.accepted,
        "seconds": round(seconds, 3),
        "rate": round(report.accepted / seconds, 1),
    }


def _batches(file: Path, size: int) -> list[bytes]:
    lines = file.read_bytes().splitlines(keepends=True)
    return [b"".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def post_ingest(url: str, key: str, file: Path, batch: int) -> dict[str, Any]:
    batches = _batches(file, batch)
    latencies: list[float] = []
    accepted = busy = 0
    headers = {"authorization": f"Bearer {key}", **NDJSON}
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
        started = time.perf_counter()
        for body in batches:
            while True:
                sent = time.perf_counter()
                answer = client.post("/v1/communications", content=body)
                if answer.status_code != 503:
                    break
                busy += 1
                time.sleep(float(answer.headers.get("retry-after", "1")))
            latencies.append(time.perf_counter() - sent)
            answer.raise_for_status()
            accepted += int(answer.json()["accepted"])
        seconds = time.perf_counter() - started
    return {
        "records": accepted,
        "batches": len(batches),
        "batch": batch,
        "seconds": round(seconds, 3),
        "rate": round(accepted / seconds, 1),
        "batch_ms": percentiles(latencies),
        "busy_answers": busy,
    }


class _Connection:
    """A minimal HTTP/1.1 keep-alive client for GETs: the load generator must cost far less
    CPU than the server it measures (httpx costs ~2 ms a request here, this ~0.1 ms)."""

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {key}\r\n\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {target} HTTP/1.1\r\n".encode() + self.head)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def _reads(
    url: str, key: str, ids: list[str], count: int, concurrency: int, path: str
) -> dict[str, Any]:
    rng = random.Random(7)
    todo = [path.replace("{id}", quote(rng.choice(ids), safe="")) for _ in range(count)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    where = urlsplit(url)
    connections = [
        _Connection(where.hostname or "127.0.0.1", where.port or 80, key) for _ in range(concurrency)
    ]
    for n, target in enumerate(todo[: 4 * concurrency]):  # warm up: every reader of the pool opened
        await connections[n % concurrency].get(target)

    async def worker(connection: _Connection, items: list[str]) -> None:
        for target in items:
            sent = time.perf_counter()
            status = await connection.get(target)
            latencies.append(time.perf_counter() - sent)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c, todo[n::concurrency]) for n, c in enumerate(connections)))
    seconds = time.perf_counter() - started
    for connection in connections:
        await connection.close()
    return {
        "requests": count,
        "concurrency": concurrency,
        "path": path,
        "seconds": round(seconds, 3),
        "rate": round(count / seconds, 1),
        "latency_ms": percentiles(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def show(data: Path, ids: list[str], count: int) -> dict[str, Any]:
    rng = random.Random(7)
    todo = [rng.choice(ids) for _ in range(count)]
    with Register(Settings(data=data), writer=False) as register:
        for record_id in todo[:100]:
            register.show(record_id)
        started = time.perf_counter()
        for record_id in todo:
            register.show(record_id)
        seconds = time.perf_counter() - started
    return {"requests": count, "seconds": round(seconds, 3), "rate": round(count / seconds, 1)}


def find_inprocess(data: Path, path: str, count: int) -> dict[str, Any]:
    """The search of ``path`` (``/v1/search?...``) ``count`` times in process, one thread."""
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(urlsplit(path).query):
        params.setdefault(name, []).append(value)
    with Register(Settings(data=data), writer=False) as register:
        for _ in range(100):
            find(register, params)
        started = time.perf_counter()
        for _ in range(count):
            find(register, params)
        seconds = time.perf_counter() - started
    return {"requests": count, "seconds": round(seconds, 3), "rate": round(count / seconds, 1)}


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "inprocess":
        doc = inprocess(Path(args[0]), Path(args[1]))
    elif command == "ingest":
        doc = post_ingest(args[0], args[1], Path(args[2]), int(args[3]))
    elif command == "reads":
        ids = json.loads(Path(args[2]).read_text())
        doc = asyncio.run(_reads(args[0], args[1], ids, int(args[3]), int(args[4]), args[5]))
    elif command == "find":
        doc = find_inprocess(Path(args[0]), args[1], int(args[2]))
    elif command == "show":
        doc = show(Path(args[0]), json.loads(Path(args[1]).read_text()), int(args[2]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    sys.stdout.write(json.dumps(doc) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
