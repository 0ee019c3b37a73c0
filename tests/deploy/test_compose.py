"""docker-compose.yml and the Dockerfile stay in step with the code (no Docker engine runs here,
so what can drift is checked: every setting the compose file passes exists, every long-running
service is health-checked and keeps its data in a volume, the image holds every package)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from commsledger.config import S3Settings, ServiceSettings, Settings
from retention.settings import RetentionSettings

ROOT = Path(__file__).resolve().parents[2]
POM = "http://maven.apache.org/POM/4.0.0"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return doc


def _known_variables() -> set[str]:
    nested: dict[str, type[BaseSettings]] = {"s3": S3Settings, "retention": RetentionSettings}
    names = {f"COMMSLEDGER_{f.upper()}" for f in Settings.model_fields if f not in nested}
    for prefix, model in nested.items():
        names |= {f"COMMSLEDGER_{prefix.upper()}_{f.upper()}" for f in model.model_fields}
    return names | {f"COMMSLEDGER_API_{f.upper()}" for f in ServiceSettings.model_fields}


def test_every_commsledger_variable_is_a_real_setting(compose: dict[str, Any]) -> None:
    env = compose["services"]["commsledger"]["environment"]
    assert set(env) - _known_variables() == set()


def test_the_service_searches_opensearch(compose: dict[str, Any]) -> None:
    from search.index import open_index

    env = compose["services"]["commsledger"]["environment"]
    assert env["COMMSLEDGER_INDEX"].startswith("opensearch+http://opensearch:9200")
    open_index(env["COMMSLEDGER_INDEX"])  # a URL the index registry accepts (no connection made)


def test_the_service_runs_on_a_locked_bucket(compose: dict[str, Any]) -> None:
    env = compose["services"]["commsledger"]["environment"]
    assert env["COMMSLEDGER_STORE"].startswith("s3://")
    assert env["COMMSLEDGER_S3_REQUIRE_LOCK"] == "true"
    assert env["COMMSLEDGER_S3_LOCK_MODE"] == "COMPLIANCE"
    bucket = env["COMMSLEDGER_STORE"].removeprefix("s3://").split("/")[0]
    assert f"--with-lock local/{bucket}" in compose["services"]["minio-bucket"]["command"][0]
    S3Settings(
        ledger_retention=re.sub(r"\$\{\w+:-(.*)\}", r"\1", env["COMMSLEDGER_S3_LEDGER_RETENTION"]),
        payload_retention=re.sub(r"\$\{\w+:-(.*)\}", r"\1", env["COMMSLEDGER_S3_PAYLOAD_RETENTION"]),
    )  # the defaults are durations the settings accept


def test_long_running_services_are_health_checked_with_volumes(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name == "minio-bucket":  # one-shot
            continue
        assert "healthcheck" in service, name
        assert all(v.split(":")[0] in compose["volumes"] for v in service.get("volumes", [])), name
        assert all(p.startswith("127.0.0.1:") for p in service.get("ports", [])), name


def test_the_image_holds_every_package(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, flags=re.MULTILINE))
    packages = {
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").exists() and p.name not in {"tests", "benchmarks"}
    }
    assert copied == packages


def test_compose_runs_the_opensearch_version_the_tests_run(compose: dict[str, Any]) -> None:
    """The search tests start OpenSearch from tests/opensearch_node/pom.xml: compose must name
    the same release, or the driver is tested against another server than the one shipped."""
    pom = ET.parse(ROOT / "tests" / "opensearch_node" / "pom.xml").getroot()
    tested = pom.findtext("m:properties/m:opensearch.version", namespaces={"m": POM})
    assert tested
    assert compose["services"]["opensearch"]["image"] == f"opensearchproject/opensearch:{tested}"
