"""The audit export's messages, written without the ``email`` package's generator, as a mail
tool reads them back: long and non-ASCII headers, names and attachment file names decode to
what was recorded, a multipart message keeps its parts, and the same export is the same bytes
each time it is written."""

from __future__ import annotations

import base64
import email
import email.policy
import zipfile
from email.message import EmailMessage
from pathlib import Path

from export_fixtures import PDF
from helpers import record, write_ndjson

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from exports.audit import AuditExport

NOTES = base64.b64encode(b"a\r\nb").decode()
SUBJECT = "Réponse définitive — " + "très long sujet " * 80  # over 900 characters, not ASCII


def _register(settings: Settings, tmp_path: Path) -> Register:
    sent = record(1, subject=SUBJECT, body="Bonjour Zoë,\r\nligne 2\n\tfin")
    sent["sender"]["department"] = 'Réclamations, "Service" client'
    sent["recipient"]["name"] = "Zoë O'Brien-Ångström"
    sent["attachments"] = [
        {"filename": "lettre de réponse (1).pdf", "content_type": "application/pdf", "content_base64": PDF},
        {"filename": "notes.txt", "content_type": "text/plain", "content_base64": NOTES},
    ]  # fmt: skip
    register = Register(settings)
    with write_ndjson(tmp_path / "in.ndjson", [sent]).open("rb") as stream:
        ingest.ingest(register, ingest.read_ndjson(stream))
    return register


def _message(path: Path) -> tuple[bytes, EmailMessage]:
    with zipfile.ZipFile(path) as z:
        raw = z.read(next(n for n in z.namelist() if n.endswith(".eml")))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return raw, parsed


def test_long_non_ascii_headers_names_and_attachments_read_back(
    file_settings: Settings, tmp_path: Path
) -> None:
    with _register(file_settings, tmp_path) as register:
        for name in ("a.zip", "b.zip"):
            AuditExport(
                register, {"since": ["2020-01-01"]}, tmp_path / name, created_at="2026-12-05T10:00:00Z"
            ).run()
    raw, message = _message(tmp_path / "a.zip")
    assert raw == _message(tmp_path / "b.zip")[0], "the same export is the same bytes"
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")), "RFC 5322 line length"
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert message["Subject"] == SUBJECT.strip()
    assert message["From"].addresses[0].display_name == 'Réclamations, "Service" client'
    assert message["To"].addresses[0].display_name == "Zoë O'Brien-Ångström"
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content() == "Bonjour Zoë,\r\nligne 2\n\tfin"
    attached = list(message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attached] == [
        ("lettre de réponse (1).pdf", "application/pdf"), ("notes.txt", "text/plain")
    ]  # fmt: skip
    assert attached[0].get_content() == base64.b64decode(PDF)
    assert attached[1].get_payload(decode=True) == b"a\r\nb"
