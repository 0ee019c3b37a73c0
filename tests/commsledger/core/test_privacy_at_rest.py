"""No personal field in plain text, and no unsalted hash of an identifier, anywhere in
``objects/``: the bytes of the whole object store are searched for every personal value
ingested."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from helpers import write_ndjson

from commsledger import synthetic
from privacy.identifiers import IdKind, identifier_text

_ID_FIELDS = {
    "customer_id": IdKind.CUSTOMER,
    "email": IdKind.EMAIL,
    "phone": IdKind.PHONE,
    "handle": IdKind.HANDLE,
}


def _personal_values(records: list[dict[str, Any]], events: list[dict[str, Any]]) -> set[bytes]:
    values: set[bytes] = set()
    for rec in records:
        for field, value in rec["recipient"].items():
            values.add(value.encode())
            if field in _ID_FIELDS:
                normal = identifier_text(_ID_FIELDS[field], value)
                bare = normal.split(":", 1)[1]
                for text in (normal, bare):
                    digest = hashlib.sha256(text.encode()).digest()
                    values.update((digest, digest.hex().encode()))
        for text in (rec.get("subject") or "", rec["body"]):
            if len(text) >= 16:
                values.update((text[:24].encode(), text[len(text) // 2 : len(text) // 2 + 24].encode()))
        for att in rec.get("attachments", []):
            values.add(base64.b64decode(att["content_base64"])[:32])
    for event in events:
        for key in ("summary", "note", "outcome", "detail"):
            if event.get(key) and len(event[key]) >= 8:
                values.add(event[key].encode())
    return {v for v in values if len(v) >= 6}


def test_object_store_holds_no_personal_data(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    records = list(synthetic.records(400, seed=3))
    path = write_ndjson(tmp_path / "r.ndjson", records)
    assert cli("ingest", str(path), "--json").json["accepted"] == 400
    events: list[dict[str, Any]] = []
    for rec in records[:15]:
        evs = synthetic.events(rec, seed=3)
        if evs:
            events.extend(evs)
            out = cli("event", rec["id"], str(write_ndjson(tmp_path / "e.ndjson", evs)), "--json")
            assert out.code == 0, out.stderr
    assert any(e.get("summary") or e.get("note") for e in events)
    assert any(r.get("attachments") for r in records)
    stored = b"".join(p.read_bytes() for p in sorted((data_dir / "objects").rglob("*")) if p.is_file())
    assert len(stored) > 100_000
    values = _personal_values(records, events)
    assert len(values) > 1000
    found = sorted(v[:40] for v in values if v in stored)
    assert not found, f"personal data in objects/: {found[:5]}"
    # ...while what is not personal is there to be audited, in the clear:
    entry = json.loads(cli("show", records[0]["id"], "--json").stdout)
    assert entry["ledger"]["subject"].encode() in stored
    assert records[0]["channel"].encode() in stored
