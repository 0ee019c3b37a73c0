"""The OpenAPI document: FastAPI's, with the record and event schemas (``RecordIn``,
``EventIn``) published as components, and every error answer declared as
``application/problem+json`` with the ``Problem`` schema (what the handler really sends)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from commsledger.api.problems import MEDIA_TYPE
from commsledger.api.schemas import EVENT_IN, RECORD_IN, Problem

REF = "#/components/schemas/{model}"
NDJSON = "application/x-ndjson"


def body(schema: str, many: str) -> dict[str, Any]:
    """``openapi_extra`` of an operation taking one item as JSON or many as NDJSON."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=schema)}},
                NDJSON: {"schema": {"type": "string", "description": many}},
            },
        }
    }


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of an operation's problem answers."""
    return {status: {"model": Problem, "description": _WHY.get(status, "error")} for status in statuses}


_WHY = {
    400: "the body is not valid JSON",
    401: "no valid API key",
    403: "the key's role may not do this",
    404: "not found",
    409: "already recorded with different content: the stored version's hash is given",
    413: "the request body is too large",
    415: "the body is neither JSON nor NDJSON",
    422: "invalid request: every bad field is named",
    503: "saturated or unavailable: retry after Retry-After seconds",
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            for name, adapter in (("RecordIn", RECORD_IN), ("EventIn", EVENT_IN)):
                schema = adapter.json_schema(ref_template=REF)
                schemas.update(schema.pop("$defs", {}))
                schemas[name] = schema
            for operation in _operations(doc):
                _problem_media(operation)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in doc.get("paths", {}).values() for op in item.values() if isinstance(op, dict)]


def _problem_media(operation: dict[str, Any]) -> None:
    for status, response in operation.get("responses", {}).items():
        content = response.get("content")
        if status[:1] in "45" and content and "application/json" in content:
            content[MEDIA_TYPE] = content.pop("application/json")


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """``openapi_extra`` parameters: ``model``'s fields as optional query parameters, as
    FastAPI documents parameters declared one by one (for a route that checks them itself)."""
    properties: dict[str, dict[str, Any]] = model.model_json_schema()["properties"]
    return [_parameter(name, schema) for name, schema in properties.items()]


def _parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    found = {"name": name, "in": "query", "required": False, "schema": schema}
    if "description" in schema:
        found["description"] = schema["description"]
    return found
