"""Attachments: a small PDF copy of a communication, or a statement's transactions as CSV."""

from __future__ import annotations

import base64

from commsledger.synthetic.templates import Template


def _pdf(title: str, text: str) -> bytes:
    """A small, valid one-page PDF showing ``title`` and the start of ``text``."""
    lines = [title, "", *text.splitlines()[:45]]
    ops = ["BT /F1 9 Tf 50 800 Td 11 TL"]
    for line in lines:
        clean = line[:100].replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({clean.replace('–', '-').replace('’', chr(39))}) '")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def attachment(tpl: Template, title: str, body: str, ctx: dict[str, str]) -> dict[str, str]:
    """A PDF copy of the communication (or, for statements, the transactions as CSV)."""
    if tpl.id == "stmt-ready-v4" and ctx.get("annex"):
        rows = ["date,description,amount"]
        for line in ctx["annex"].splitlines()[3:]:
            rows.append(f"{line[:10]},{line[12:36].strip()},{line[36:].strip().replace(',', '')}")
        data = ("\n".join(rows) + "\n").encode()
        return {
            "filename": "transactions.csv",
            "content_type": "text/csv",
            "content_base64": base64.b64encode(data).decode("ascii"),
        }
    name = ctx["ref"].replace("/", "-")
    return {
        "filename": f"{tpl.id.rsplit('-', 1)[0]}-{name}.pdf",
        "content_type": "application/pdf",
        "content_base64": base64.b64encode(_pdf(title, body)).decode("ascii"),
    }
