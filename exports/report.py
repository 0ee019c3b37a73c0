"""The evidence pack's report: what a complaint handler files with the Financial Ombudsman
Service, as a printable HTML page (``report.html``) and the same as a PDF (``report.pdf``,
``exports.pdf``).

It shows the case against the DISP time limits, then every message in the order it was
sent: when, how, by whom, to whom, what it said (or under what it was redacted), its
delivery and read history, the customer's responses, the follow-ups with their due dates
and when they were done; and last how to check all of it offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from exports.disp import CaseClock
from exports.reading import RecordView


@dataclass(frozen=True)
class Item:
    """One message of the report."""

    doc_id: str
    record_id: str
    sent_at: str
    channel: str
    purpose: str
    sender: str
    recipient: str
    subject: str
    body: str
    redacted: str | None
    history: list[tuple[str, str]]  # (at, what happened)
    follow_up: str | None
    seq: int
    entry_hash: str


@dataclass(frozen=True)
class Report:
    title: str
    generated_at: str
    scope: str
    clocks: list[CaseClock]
    items: list[Item]
    checking: list[str] = field(default_factory=list)


def item(view: RecordView, doc_id: str) -> Item:
    """A record as the report shows it."""
    record = view.record()
    sender, recipient = record.get("sender") or {}, record.get("recipient") or {}
    follow = record.get("follow_up") or {}
    due = f"{follow.get('action') or 'follow-up'} due {follow['due']}" if follow.get("due") else None
    return Item(
        doc_id=doc_id, record_id=view.record_id, sent_at=record["sent_at"], channel=record["channel"],
        purpose=record["purpose"], sender=_sender(sender),
        recipient=str(recipient.get("name") or recipient.get("customer_id") or ""),
        subject=str(record.get("subject") or ""), body=str(record.get("body") or ""), redacted=view.redacted,
        history=[_event(e) for e in view.events()], follow_up=due, seq=view.own.seq,
        entry_hash=view.own.hash.hex(),
    )  # fmt: skip


def _sender(sender: dict[str, Any]) -> str:
    """ "Complaints (agent u-42, via crm)"."""
    by = [f"{label} {sender[k]}" for k, label in (("agent", "agent"), ("system", "via")) if sender.get(k)]
    return f"{sender.get('department', '')} ({', '.join(by)})" if by else str(sender.get("department", ""))


def _event(event: dict[str, Any]) -> tuple[str, str]:
    kind, at = event.get("type"), str(event.get("at", ""))
    if kind == "status":
        return at, f"status: {event['status']}"
    if kind == "response":
        return (
            at,
            f"customer responded ({event.get('channel') or 'channel not given'}): "
            f"{event.get('summary') or ''}",
        )
    if kind == "follow_up_done":
        return at, f"follow-up done: {event.get('note') or ''}"
    if kind == "case_closed":
        return at, f"case closed {event.get('outcome') or ''}".strip()
    return at, str(kind or event.get("kind"))


_STYLE = """body{font-family:Georgia,serif;max-width:60em;margin:2em auto;color:#111}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #999}table{border-collapse:collapse}
td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}
.msg{border:1px solid #999;padding:.5em 1em;margin:1em 0;page-break-inside:avoid}
.body{white-space:pre-wrap;font-family:monospace;background:#f6f6f6;padding:.5em}
.redacted{color:#800}.meta{color:#444;font-size:.9em}@media print{body{margin:0}}"""


def html(report: Report) -> str:
    """The whole report as one self-contained HTML page (no scripts, no outside resources)."""
    parts = [
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(report.title)}</title>',
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="meta">Generated {escape(report.generated_at)}. Scope: {escape(report.scope)}. '
        f"{len(report.items)} messages.</p>",
        "<h2>Time limits (FCA DISP)</h2>",
        _clocks(report.clocks),
        "<h2>Messages, in the order sent</h2>",
        *(_message(i) for i in report.items),
        "<h2>Checking this evidence</h2>",
        "".join(f"<p>{escape(line)}</p>" for line in report.checking),
        "</body></html>\n",
    ]
    return "\n".join(parts)


def _clocks(clocks: list[CaseClock]) -> str:
    if not clocks:
        return "<p>No message in this pack belongs to a case.</p>"
    head = "<tr><th>case</th><th>received</th><th>final response due</th><th>closed</th><th>verdict</th></tr>"
    rows = "".join(
        f"<tr><td>{escape(c.case_id)} ({escape(c.case_type or 'type not given')})</td>"
        f"<td>{escape(c.received_at or '-')}</td><td>{escape(c.deadline or '-')}</td>"
        f"<td>{escape(c.closed_at or 'open')}</td><td>{escape(c.verdict())}</td></tr>"
        for c in clocks
    )
    return f"<table>{head}{rows}</table>"


def _message(i: Item) -> str:
    body = (
        f'<p class="redacted">Content {escape(i.redacted)}.</p>'
        if i.redacted
        else f'<div class="body">{escape(i.body)}</div>'
    )
    history = "".join(f"<li>{escape(at)}: {escape(what)}</li>" for at, what in i.history) or "<li>none</li>"
    follow = f"<p>Follow-up: {escape(i.follow_up)}</p>" if i.follow_up else ""
    return (
        f'<div class="msg" id="{escape(i.doc_id)}"><p><b>{escape(i.sent_at)}</b> · {escape(i.channel)} · '
        f"{escape(i.purpose)} · document {escape(i.doc_id)} · record {escape(i.record_id)}</p>"
        f'<p class="meta">From {escape(i.sender)} to {escape(i.recipient)}</p>'
        f"<p><b>{escape(i.subject or '(no subject line)')}</b></p>{body}{follow}"
        f"<p>What happened next:</p><ul>{history}</ul>"
        f'<p class="meta">Ledger entry {i.seq}, hash {escape(i.entry_hash)}</p></div>'
    )
