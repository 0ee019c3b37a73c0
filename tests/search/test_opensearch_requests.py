"""The OpenSearch driver's HTTP requests: the documented endpoints, methods and parameters,
with the bodies ``test_opensearch_dsl`` checks. A recorder on loopback answers with the
response shapes the documentation shows; it judges requests and keeps no search semantics
(the contract test runs against a real server when ``OPENSEARCH_URL`` is set)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from opensearch_shapes import documented_search

from contract.errors import IndexFailure
from search.document import IndexDoc
from search.index import open_index
from search.opensearch import dsl
from search.query import Query


class Recorder(BaseHTTPRequestHandler):
    log: list[tuple[str, str, dict[str, str], Any]]
    state: dict[str, Any]

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _answer(self, status: int, doc: Any) -> None:
        data = json.dumps(doc).encode() if doc is not None else b""
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
        body: Any = None
        if raw:
            body = (
                [json.loads(line) for line in raw.splitlines()]
                if url.path.endswith("_bulk")
                else json.loads(raw)
            )
        self.log.append((self.command, url.path, dict(parse_qsl(url.query)), body))
        status, doc = respond(self.state, self.command, url.path, body)
        self._answer(status, doc)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


def respond(state: dict[str, Any], method: str, path: str, body: Any) -> tuple[int, Any]:
    """The documented response shape of each request the driver makes."""
    ack = {"acknowledged": True}
    if method == "HEAD" and path == "/_alias/cl":
        return (200, None) if state["alias"] else (404, None)
    if path == "/_aliases":
        state["alias"] = next(a["add"]["index"] for a in body["actions"] if "add" in a)
        return 200, ack
    if path.endswith("/_mapping") and method == "PUT":
        state["meta"][path.split("/")[1]] = body["_meta"]
        return 200, ack
    if path == "/cl/_mapping":
        return 200, {state["alias"]: {"mappings": {"_meta": state["meta"][state["alias"]]}}}
    if path == "/cl-*":
        return 200, {name: {} for name in state["meta"]}
    if path.startswith("/cl-0") and method == "PUT" and path.count("/") == 1:
        state["meta"][path[1:]] = dsl.meta(0)
        return 200, {**ack, "index": path[1:]}
    if path == "/_bulk":
        items = [{"index": {"_id": line["index"]["_id"], "status": 201}} for line in body if "index" in line]
        return 200, {"took": 1, "errors": False, "items": items}
    if path == "/cl/_search":
        return 200, {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
    if path.endswith(("/_forcemerge", "/_refresh")):
        return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
    if method == "DELETE":
        state["meta"].pop(path[1:], None)
    return 200, ack


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[Any]]]:
    log: list[Any] = []
    handler = type("Handler", (Recorder,), {"log": log, "state": {"alias": None, "meta": {}}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"opensearch+http://127.0.0.1:{server.server_address[1]}/cl", log
    server.shutdown()
    server.server_close()
    thread.join()


def _calls(log: list[Any]) -> list[tuple[str, str, dict[str, str]]]:
    calls = [(m, p, q) for m, p, q, _ in log]
    log.clear()
    return calls


def test_first_write_puts_the_template_makes_the_index_and_alias_then_bulks_and_moves_the_watermark(
    recorder: tuple[str, list[Any]], corpus: list[IndexDoc]
) -> None:
    url, log = recorder
    index = open_index(url)
    index.apply(corpus[:3], watermark=3)
    bodies = {(m, p): b for m, p, _, b in log}
    assert _calls(log) == [
        ("HEAD", "/_alias/cl", {}),
        ("PUT", "/_index_template/cl-template", {}),
        ("GET", "/cl-*", {}),
        ("PUT", "/cl-000001", {}),
        ("POST", "/_aliases", {}),
        ("POST", "/_bulk", {"refresh": "wait_for"}),
        ("PUT", "/cl-000001/_mapping", {}),
    ]
    assert bodies["PUT", "/_index_template/cl-template"] == dsl.index_template("cl")
    assert bodies["POST", "/_aliases"] == {
        "actions": [{"add": {"index": "cl-000001", "alias": "cl", "is_write_index": True}}]
    }
    assert bodies["POST", "/_bulk"] == dsl.bulk_lines("cl-000001", corpus[:3])
    assert bodies["PUT", "/cl-000001/_mapping"] == {"_meta": {"schema": 1, "watermark": 3}}
    assert index.watermark() == 3
    index.search(Query(limit=5))
    search = log[-1]
    assert search[:3] == ("POST", "/cl/_search", {})
    documented_search(search[3])


def test_rebuild_fills_a_fresh_index_unrefreshed_then_swaps_the_alias_and_redact_expunges(
    recorder: tuple[str, list[Any]], corpus: list[IndexDoc]
) -> None:
    url, log = recorder
    index = open_index(url)
    index.apply(corpus[:2], watermark=2)
    log.clear()
    assert index.rebuild(iter(corpus[:5]), watermark=9) == 5
    create = next(b for m, p, _, b in log if (m, p) == ("PUT", "/cl-000002"))
    assert create == {"settings": {"index": {"refresh_interval": "-1"}}}
    assert [c for c in _calls(log) if c[1] != "/cl/_mapping" and c[0] != "HEAD"] == [
        ("PUT", "/_index_template/cl-template", {}),
        ("GET", "/cl-*", {}),
        ("PUT", "/cl-000002", {}),
        ("POST", "/_bulk", {"refresh": "false"}),
        ("PUT", "/cl-000002/_settings", {}),
        ("POST", "/cl-000002/_refresh", {}),
        ("PUT", "/cl-000002/_mapping", {}),
        ("POST", "/_aliases", {}),
        ("DELETE", "/cl-000001", {}),
    ]
    assert index.redact([corpus[0].record_id], lambda ids: [corpus[0]]) == 1
    assert [c for c in _calls(log) if c[0] != "HEAD" and c[1] != "/cl/_mapping"] == [
        ("POST", "/_bulk", {"refresh": "true"}),
        ("POST", "/cl-000002/_forcemerge", {"only_expunge_deletes": "true"}),
    ]


def test_an_unreachable_server_is_an_index_failure_without_a_trace() -> None:
    index = open_index("opensearch+http://127.0.0.1:9/cl")
    with pytest.raises(IndexFailure, match="unreachable"):
        index.watermark()
