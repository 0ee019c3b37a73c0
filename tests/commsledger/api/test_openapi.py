"""schemathesis over the OpenAPI document of a live server, bounded (a handful of examples
per operation): no answer is a 5xx, and every answer matches the document (status, content
type, headers, schema). The key used has every permission, so every operation is reached."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from helpers import record
from hypothesis import HealthCheck, settings
from live_server import Live, live_app
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commsledger.api import create_app
from commsledger.config import ServiceSettings, Settings
from policies.roles import DEFAULT_PATH, Permission, Role

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("openapi")
    policy = yaml.safe_load(DEFAULT_PATH.read_text())
    policy["roles"]["admin"]["grants"] = [str(p) for p in Permission]  # one key that may do all
    (root / "roles.yaml").write_text(yaml.safe_dump(policy))
    api = ServiceSettings(roles_file=root / "roles.yaml")
    with live_app(Settings(data=root / "data", workers=0, batch=64), api) as live:
        with live.client(Role.ADMIN) as client:
            client.post("/v1/communications", json=record(1))
        yield live


def _document() -> dict[str, Any]:
    """The OpenAPI document, read at collection from an app on a throw-away data dir
    (schemathesis' lazy fixture loading does not work with pytest 9)."""
    with tempfile.TemporaryDirectory() as root:
        app = create_app(Settings(data=Path(root), workers=0))
        try:
            return dict(app.openapi())
        finally:
            app.state.service.close()


schema = schemathesis.openapi.from_dict(_document())
if "SCHEMATHESIS_SEED" not in os.environ:  # the same cases on every run, unless asked to explore
    schema.config.seed = 20261201
else:
    schema.config.seed = int(os.environ["SCHEMATHESIS_SEED"])


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_spec_and_none_is_a_5xx(case: Any, running: Live) -> None:
    key = running.keys[Role.ADMIN]
    case.call_and_validate(base_url=running.url, headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


def test_the_document_declares_problem_answers_and_both_body_formats(running: Live, tmp_path: Path) -> None:
    doc = running.app.openapi()
    ingest = doc["paths"]["/v1/communications"]["post"]
    assert set(ingest["requestBody"]["content"]) == {"application/json", "application/x-ndjson"}
    assert "application/problem+json" in ingest["responses"]["409"]["content"]
    assert "RecordIn" in doc["components"]["schemas"]
    assert "EventIn" in doc["components"]["schemas"]
