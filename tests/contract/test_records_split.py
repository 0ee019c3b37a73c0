"""A record splits into the same envelope and payload as the general recursive walk gave
before issue 14 made it one pass: same keys, same order, same values, fresh objects."""

from __future__ import annotations

import json
from typing import Any

from commsledger import synthetic
from contract.records import _PERSONAL, Record, Status, _clean, parse_record, split

NULLS: dict[str, Any] = {
    "subject": None,
    "attachments": [],
    "tags": [],
    "campaign_id": None,
    "case": {"id": "C-1", "type": None, "received_at": None},
    "follow_up": {"action": None, "due": None},
    "sender": {"department": "Complaints", "agent": None, "system": "crm"},
}


def _walked(record: Record) -> tuple[dict[str, Any], dict[str, Any]]:
    """``split`` as it was: the recursive ``_clean``, then the personal fields popped."""
    data = _clean(record)
    del data["id"]
    data.setdefault("status", Status.SENT)
    payload = {k: data.pop(k) for k in _PERSONAL if k in data}
    follow_up = data.get("follow_up")
    if follow_up and "action" in follow_up:
        follow_up = dict(follow_up)
        payload["follow_up_action"] = follow_up.pop("action")
        if follow_up:
            data["follow_up"] = follow_up
        else:
            del data["follow_up"]
    return data, payload


def _records() -> list[Record]:
    docs = list(synthetic.records(800, seed=3))
    docs += [{**doc, **NULLS} for doc in docs[:100]]
    docs += [{**doc, "follow_up": {"action": "Call back", "due": "2026-03-08"}} for doc in docs[:20]]
    docs += [
        {**doc, "recipient": {"email": "a@example.com", "phone": None, "name": None}} for doc in docs[:20]
    ]
    return [parse_record(json.dumps(doc)) for doc in docs]


def test_one_pass_gives_what_the_walk_gave_key_for_key_in_order() -> None:
    for record in _records():
        envelope, payload = split(record)
        assert list(envelope.items()) == list(_walked(record)[0].items())
        assert list(payload.items()) == list(_walked(record)[1].items())
        for part in (envelope, payload):
            for key, value in part.items():
                assert not isinstance(value, dict) or value is not record.get(key), key  # a copy
