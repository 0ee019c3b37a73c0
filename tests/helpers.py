"""Small helpers shared by test modules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The first entry of a new register records its retention policy version (retention.policy).
POLICY_ENTRIES = 1


def write_ndjson(path: Path, records: Sequence[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record(n: int = 1, **fields: Any) -> dict[str, Any]:
    """A valid contract record with personal data that tests can look for."""
    doc: dict[str, Any] = {
        "id": f"crm-{n:06d}",
        "sent_at": "2026-03-01T09:30:00Z",
        "channel": "email",
        "purpose": "complaint",
        "recipient": {
            "customer_id": f"C-{1000 + n}",
            "name": f"Alice Example{n}",
            "email": f"alice.example{n}@example.com",
            "phone": f"07700 900{n % 1000:03d}",
            "address": f"{n} High Street, London",
        },
        "sender": {"department": "Complaints", "agent": "u-42", "system": "crm"},
        "subject": f"Your complaint CMP-{n}",
        "body": f"Dear Alice Example{n}, we have received your complaint about account 4000{n:04d}.",
        "case": {"id": f"CMP-{n}", "type": "complaint", "received_at": "2026-02-27T16:00:00Z"},
        "tags": ["mifid"],
    }
    doc.update(fields)
    return doc
