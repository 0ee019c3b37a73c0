"""The human-readable ``index.html`` of a subject access bundle: who asked and when, what was
found, the Art. 15 information, then every communication in date order with its status
history, responses and attachments. Plain HTML, no script, every value escaped
(``html.escape``): it opens in any browser, offline, years from now.
"""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#1b1b1b}h1,h2{border-bottom:1px solid #ccc}article{border:1px solid #ddd;"
    "border-radius:6px;padding:.5rem 1rem;margin:1rem 0}dt{font-weight:600}pre{white-space:pre-wrap;"
    "background:#f6f6f6;padding:.5rem}.withheld{color:#8a4b00}.erased{color:#8a0000}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
)
FIELDS = (
    ("sent_at", "Sent"), ("channel", "Channel"), ("purpose", "Purpose"), ("current_status", "Status now"),
    ("template_id", "Template"), ("campaign_id", "Campaign"),
)  # fmt: skip


def e(value: Any) -> str:
    return escape("" if value is None else str(value))


def opening(title: str) -> str:
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>\n<h1>{e(title)}</h1>\n"
    )


def request_section(request: dict[str, Any], identifiers: list[str], created_at: str) -> str:
    rows = [
        ("Request", request.get("id")), ("Received", request.get("received")),
        ("Due", request.get("due")), ("Your reference", request.get("ref")), ("Prepared", created_at),
    ]  # fmt: skip
    items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows if v)
    names = "".join(f"<li>{e(i)}</li>" for i in identifiers) or "<li>(as given with the request)</li>"
    return (
        f'<section id="request"><h2>Your request</h2><dl>{items}</dl>'
        f"<p>We searched for everything we sent to you under these identifiers, in any spelling, "
        f"and under every other identifier we hold for you:</p><ul>{names}</ul></section>\n"
    )


def summary_section(counts: dict[str, Any]) -> str:
    parts = [f"<p>We found <strong>{e(counts.get('records', 0))}</strong> communications.</p>"]
    for name in ("channel", "purpose", "year"):
        values = counts.get(name) or {}
        if values:
            cells = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in values.items())
            parts.append(f"<table><tr><th>{e(name)}</th><th>count</th></tr>{cells}</table>")
    return f'<section id="summary"><h2>What we found</h2>{"".join(parts)}</section>\n'


def information_section(info: dict[str, Any]) -> str:
    """Art. 15(1)(a)-(h) and 15(2), from the privacy notice and the retention schedule."""
    purposes = "".join(
        f"<li><strong>{e(p['purpose'])}</strong>{' (yours)' if p['yours'] else ''}: "
        f"{e(p['description'])} <em>Basis: {e(p['basis'])}</em></li>"
        for p in info["purposes"]
    )
    retention = "".join(
        f"<li><strong>{e(c['class'])}</strong><ul>"
        + "".join(f"<li>{e(r['period'])} {e(r['counted'])}: {e(r['basis'])}</li>" for r in c["rules"])
        + "</ul></li>"
        for c in info["retention"]["classes"]
    )
    return (
        '<section id="information"><h2>How we use your personal data</h2>'
        f"<h3>Who we are</h3><p>{e(info['controller']['name'])}, {e(info['controller']['address'])}. "
        f"Data Protection Officer: {e(info['controller']['dpo'])}</p>"
        f"<h3>Purposes (Art. 15(1)(a))</h3><ul>{purposes}</ul>"
        f"<h3>Categories of personal data (Art. 15(1)(b))</h3>{_list(info['categories'])}"
        f"<h3>Recipients (Art. 15(1)(c))</h3>{_list(info['recipients'])}"
        f"<h3>How long we keep it (Art. 15(1)(d))</h3><p>{e(info['retention']['summary'])}</p>"
        f"<ul>{retention}</ul>"
        f"<h3>Your rights (Art. 15(1)(e))</h3>{_list(info['rights'])}"
        f"<h3>Complaints (Art. 15(1)(f))</h3><p>{e(info['complaint']['how'])}</p>"
        f"<h3>Where your data came from (Art. 15(1)(g))</h3><p>{e(info['source'])}</p>"
        f"<h3>Automated decisions (Art. 15(1)(h))</h3><p>{e(info['automated_decisions'])}</p>"
        f"<h3>Transfers (Art. 15(2))</h3><p>{e(info['transfers'])}</p>"
        f"<h3>Other people's data (Art. 15(4))</h3><p>{e(info['third_party']['reason'])}</p></section>\n"
    )


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>"


def communication_html(doc: dict[str, Any]) -> str:
    """One communication as an ``<article>``."""
    title = f"{doc.get('sent_at', '')} · {doc.get('channel', '')} · {doc.get('subject') or doc['id']}"
    rows = [(label, doc.get(key)) for key, label in FIELDS]
    rows += [
        ("From", (doc.get("sender") or {}).get("department")),
        ("Case", (doc.get("case") or {}).get("id")),
    ]
    rows += [
        ("To", _recipient(doc.get("recipient"))),
        ("Retention", _retention(doc)),
        ("Reference", doc["id"]),
    ]
    items = "".join(f"<dt>{e(k)}</dt><dd>{_cell(v)}</dd>" for k, v in rows if v)
    return (
        f'<article id="{e(doc["id"])}"><h3>{e(title)}</h3><dl>{items}</dl>{_content(doc)}'
        f"{_attachments(doc)}{_history(doc)}</article>\n"
    )


def _retention(doc: dict[str, Any]) -> str:
    stamp = doc.get("retention") or {}
    if not stamp.get("class"):
        return ""
    if stamp.get("awaiting"):
        return f"{stamp['class']}, kept until at least {stamp.get('retain_until')} (its case is open)"
    return f"{stamp['class']}, kept until {stamp.get('retain_until')}"


def _recipient(recipient: Any) -> str:
    if not isinstance(recipient, dict):
        return ""
    return ", ".join(f"{k}: {v}" for k, v in recipient.items() if v)


def _cell(value: Any) -> str:
    text = e(value)
    return f'<span class="withheld">{text}</span>' if text.startswith("[withheld") else text


def _content(doc: dict[str, Any]) -> str:
    if doc.get("content") == "erased":
        return f'<p class="erased">{e(doc.get("content_note"))}</p>'
    return f"<pre>{e(doc.get('body'))}</pre>"


def _attachments(doc: dict[str, Any]) -> str:
    links = "".join(
        f'<li><a href="{e(a["member"])}">{e(a["filename"])}</a> '
        f"({e(a['content_type'])}, {e(a['size'])} bytes)</li>"
        for a in doc.get("attachments") or []
    )
    return f"<h4>Attachments</h4><ul>{links}</ul>" if links else ""


def _history(doc: dict[str, Any]) -> str:
    items = []
    for event in doc.get("history") or []:
        words = [event.get("type"), event.get("status"), event.get("summary"), event.get("note"),
                 event.get("detail"), event.get("outcome")]  # fmt: skip
        items.append(f"<li>{e(event.get('at'))}: {_cell(' · '.join(str(w) for w in words if w))}</li>")
    return f"<h4>What happened next</h4><ol>{''.join(items)}</ol>" if items else ""


def closing(vkey: str) -> str:
    return (
        "<footer><h2>Checking this copy</h2><p>Every communication here is proved to be in our "
        "register as recorded, by the files proofs.ndjson, checkpoint.txt and manifest.json, signed "
        f"with our register's key <code>{e(vkey)}</code>. Anyone may check them with "
        "<code>commsledger check-bundle FILE.zip --key KEY</code>.</p></footer></body></html>\n"
    )
