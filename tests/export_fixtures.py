"""Shared by the export tests: a small register: email, SMS and letter records of a few cases, with
their later events, one record with an attachment, one with a body that needs exact bytes
(CRLF, non-ASCII, a formula), and one disposed of under the retention schedule."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from helpers import record, write_ndjson

from commsledger.core import ingest
from commsledger.core.register import Register

PDF = "JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK"


def records() -> list[dict[str, Any]]:
    """Nine records: cases CMP-1 (three messages), CMP-2 (two), a collections SMS, a letter,
    a marketing email of 2024 that is due for disposal."""
    made = [record(i) for i in range(1, 10)]
    for r, case, sent in ((made[0], 1, "2026-03-01T09:30:00Z"), (made[1], 1, "2026-03-10T11:00:00Z"),
                          (made[2], 1, "2026-04-20T15:45:00Z"), (made[3], 2, "2026-03-05T10:00:00Z"),
                          (made[4], 2, "2026-03-06T10:00:00Z")):  # fmt: skip
        r["case"] = {"id": f"CMP-{case}", "type": "complaint", "received_at": "2026-02-27T16:00:00Z"}
        r["sent_at"] = sent
    made[1]["follow_up"] = {"action": "Call back with final response", "due": "2026-03-20"}
    made[1]["attachments"] = [
        {"filename": "letter.pdf", "content_type": "application/pdf", "content_base64": PDF}
    ]
    made[2]["body"] = '=HYPERLINK("x")\r\nFinal response: we uphold your complaint, Zoë.\n'
    made[2]["subject"] = "Final response — complaint CMP-1"
    made[5].update(channel="sms", purpose="collections", case={"id": "COL-6", "type": "arrears"})
    made[5].pop("subject")
    made[6].update(channel="letter", purpose="regulatory", case=None)
    made[7].update(purpose="marketing", sent_at="2024-01-15T10:00:00Z", case=None, tags=["newsletter"])
    made[8].update(purpose="transactional", case=None)
    return made


EVENTS = {
    "crm-000001": [
        {"type": "status", "status": "delivered", "at": "2026-03-01T09:31:00Z"},
        {"type": "status", "status": "read", "at": "2026-03-01T12:00:00Z"},
        {"type": "response", "at": "2026-03-02T08:00:00Z", "channel": "email",
         "summary": "Customer disputes the fee"},
    ],
    "crm-000002": [{"type": "follow_up_done", "at": "2026-03-18T09:00:00Z", "note": "Called back"}],
    "crm-000003": [{"type": "case_closed", "at": "2026-04-20T16:00:00Z"}],
}  # fmt: skip


def load(register: Register, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "in.ndjson", records())
    with path.open("rb") as stream:
        ingest.ingest(register, ingest.read_ndjson(stream))
    for rid, events in EVENTS.items():
        lines = [(n, json.dumps(e).encode()) for n, e in enumerate(events, start=1)]
        ingest.add_events(register, rid, iter(lines))


def vkey(register: Register) -> str:
    return register.signer.verifier().vkey()


def rewrite(src: Path, dst: Path, change: dict[str, bytes | None]) -> None:
    """Copy a bundle, replacing (or with None dropping) the named members, adding new ones."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for item in old.infolist():
            if item.filename in change:
                data = change.pop(item.filename)
                if data is not None:
                    new.writestr(item.filename, data)
            else:
                new.writestr(item, old.read(item.filename))
        for name, data in change.items():
            if data is not None:
                new.writestr(name, data)
