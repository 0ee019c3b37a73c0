"""Search, as the CLI and ``GET /v1/search`` serve it: one function, ``search``.

A query names subjects by identifier (contract form); they are resolved here to pseudonyms
with the subject registry, normalised exactly as at ingest, and only pseudonyms reach the
index. Results show the envelope from the index and, from the decrypted payload, the
subject line and a highlighted snippet: the index stores no personal text.

For ``GET /v1/search`` the query string maps straight onto the parameters::

    from search.params import from_pairs
    doc = searching.search(register, from_pairs(request.query_params.multi_items()))

``InvalidInput`` (bad parameter, field named) is a 422; ``IndexFailure`` a 503-like failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract.errors import InvalidInput
from contract.records import Channel, Purpose, Status
from privacy.identifiers import parse_identifier
from search.params import query_from_params
from search.ports import Register
from search.projection import Damaged, Payload, payloads
from search.query import Hit, Query
from search.snippets import snippet

CHOICES: dict[str, frozenset[str]] = {
    "channel": frozenset(Channel),
    "purpose": frozenset(Purpose),
    "status": frozenset(Status),
}


def find(register: Register, query: Query | Mapping[str, Any], *, content: bool = True) -> dict[str, Any]:
    """The contract's search document for ``query`` (a ``Query``, or request parameters as
    ``search.params`` names them: ``{"text": "...", "subject": ["email:..."], ...}``).

    ``{"total", "total_relation", "results", "cursor", "indexed_through", "lag"}``, and
    ``"facets"`` when asked for (``total_relation`` is ``"gte"`` when more than the cap match
    and ``total`` is the cap); raises ``InvalidInput`` naming the parameter at fault.
    """
    if not isinstance(query, Query):
        query = build_query(register, query)
    page = register.index.search(query)
    hits = [(h.summary.record_id, h.summary.seq) for h in page.hits]
    texts = payloads(register, hits) if content else {}
    results = [_result(hit, query, texts.get(hit.summary.seq)) for hit in page.hits]
    doc: dict[str, Any] = {
        "total": page.total,
        "total_relation": "eq" if page.total_exact else "gte",
        "results": results if content else [_envelope_only(r) for r in results],
        "cursor": page.cursor,
        "indexed_through": page.watermark - 1 if page.watermark else None,
        "lag": max(0, register.log.committed - page.watermark),
    }
    if not content:
        doc["content"] = "metadata"
    if query.facets:
        doc["facets"] = {str(f): dict(counts) for f, counts in page.facets.items()}
    return doc


def build_query(register: Register, params: Mapping[str, Any]) -> Query:
    """A ``Query`` from request parameters, subjects resolved to their pseudonyms."""

    def resolve(identifier: str) -> list[str]:
        try:
            parsed = parse_identifier(identifier, register.settings.default_region)
        except InvalidInput as exc:
            raise InvalidInput(str(exc), field="subject") from None
        return register.subjects.lookup(parsed)

    return query_from_params(params, resolve, choices=CHOICES)


def _result(hit: Hit, query: Query, payload: Payload) -> dict[str, Any]:
    s = hit.summary
    shown: dict[str, Any] = {
        "id": s.record_id,
        "sent_at": s.sent_at,
        "channel": s.channel,
        "purpose": s.purpose,
        "status": s.status,
        "department": s.department,
        "case_id": s.case,
        "campaign_id": s.campaign,
        "template_id": s.template,
        "tags": list(s.tags),
        "has_response": s.has_response,
        "follow_up_due": s.follow_up_due,
        "follow_up_overdue": s.overdue(query.as_of_us),
        "case_closed": s.case_closed,
        "seq": s.seq,
    }
    if hit.score is not None:
        shown["score"] = round(hit.score, 4)
    shown.update(_content(payload, query))
    return shown


def _content(payload: Payload, query: Query) -> dict[str, Any]:
    """The subject line and snippet from the payload. ``redacted`` only when the data key is
    gone (erased, disposed of); a record sent without a subject line (SMS, push, chat) just
    has none; a payload that cannot be read is ``damaged``, naming the entry, never redacted."""
    if not isinstance(payload, dict):
        damaged = payload.reason if isinstance(payload, Damaged) else None
        return {"subject": None, "snippet": None, "redacted": payload is None, "damaged": damaged}
    subject, body = str(payload.get("subject") or ""), str(payload.get("body") or "")
    cut = snippet(subject, body, query.text)
    return {
        "subject": subject or None,
        "snippet": cut.to_json() if cut else None,
        "redacted": False,
        "damaged": None,
    }


def _envelope_only(result: dict[str, Any]) -> dict[str, Any]:
    """A result without what only the payload tells (for roles that see metadata only)."""
    return {k: v for k, v in result.items() if k not in ("subject", "snippet", "redacted")}
