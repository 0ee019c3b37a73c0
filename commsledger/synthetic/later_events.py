"""Later events of a record: delivery receipts, reads, bounces, responses, follow-ups done and
case closures."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from commsledger.synthetic.clock import epoch_seconds, parse_rfc3339, rfc3339
from commsledger.synthetic.templates import CLOSING, RECORDED_DELIVERY

_RESPONSES = {
    "complaint": [
        "Customer replied disputing the outcome",
        "Customer accepted the offer",
        "Customer sent further evidence about the complaint",
    ],
    "collections": [
        "Customer agreed a repayment plan",
        "Customer asked for breathing space",
        "Customer said the payment had already been made",
    ],
    "marketing": ["Customer opted out of marketing (STOP)", "Customer asked for more details"],
    "transactional": [
        "Customer replied N: payment not recognised",
        "Customer replied Y: payment confirmed",
    ],
    "": ["Customer replied with a question", "Customer thanked us"],
}
_RESPONSE_ODDS = {
    "complaint": 0.2,
    "collections": 0.25,
    "marketing": 0.01,
    "service": 0.05,
    "legal": 0.15,
}


def events(record: dict[str, Any], *, seed: int = 0) -> list[dict[str, Any]]:
    """The later events of one record (CONTRACT "Later events"), each after its ``sent_at``:
    delivery receipts, reads, bounces, responses, follow-ups done and case closures. Many
    records have none. Deterministic for the record's id and the seed."""
    rng = random.Random(f"{seed}:{record['id']}")
    r = rng.random
    t0 = parse_rfc3339(record["sent_at"])
    channel, status, purpose = record["channel"], record.get("status", "sent"), record["purpose"]
    template = record.get("template_id", "")
    out: list[tuple[int, dict[str, Any]]] = []
    t = t0

    def add(delay: float, event: dict[str, Any]) -> None:
        nonlocal t
        t += max(1, int(delay))
        out.append((t, event))

    if status == "queued":
        add(30 + r() * 600, {"type": "status", "status": "sent"})
        status = "sent"
    if status == "sent":
        x = r()
        if channel in ("email", "sms", "push", "in_app", "web_push", "chat", "social"):
            if x < 0.03:
                add(
                    5 + r() * 600,
                    {"type": "status", "status": "bounced" if channel == "email" else "failed"},
                )
                status = "bounced"
            elif x < 0.7:
                add(1 + r() * 120, {"type": "status", "status": "delivered"})
                status = "delivered"
        elif channel == "letter" and template in RECORDED_DELIVERY:
            add(86_400 + r() * 86_400, {"type": "status", "status": "delivered"})
        elif channel == "letter" and x < 0.02:
            add(3 * 86_400 + r() * 9 * 86_400, {"type": "status", "status": "bounced"})
            status = "bounced"
    if status == "delivered" and channel not in ("sms", "letter", "phone") and r() < 0.35:
        add(60 + r() * 3 * 86_400, {"type": "status", "status": "read"})
    odds = 0.7 if template == "frd-alert-v4" else _RESPONSE_ODDS.get(purpose, 0.02)
    if status not in ("bounced", "failed") and channel != "phone" and r() < odds:
        pool = _RESPONSES.get(purpose) or _RESPONSES[""]
        summary = pool[int(r() * len(pool))]
        add(
            600 + r() * 4 * 86_400,
            {
                "type": "response",
                "channel": "phone" if channel == "letter" else channel,
                "summary": summary,
            },
        )
        out.append((t, {"type": "status", "status": "responded"}))
    follow_up = record.get("follow_up")
    if follow_up and r() < 0.85:
        due = epoch_seconds(datetime.fromisoformat(follow_up["due"])) + 17 * 3600
        done = t0 + 3600 + int(r() * max(3600, due - t0 - 3600))
        out.append(
            (
                done,
                {
                    "type": "follow_up_done",
                    "note": f"Done: {follow_up['action'][:1].lower()}{follow_up['action'][1:]}",
                },
            )
        )
    if template in CLOSING:
        out.append((t0 + 3600 + int(r() * 47 * 3600), {"type": "case_closed"}))
    out.sort(key=lambda item: item[0])
    result = []
    for moment, event in out:
        kind = event.pop("type")
        head = {"type": kind, "status": event.pop("status")} if kind == "status" else {"type": kind}
        result.append({**head, "at": rfc3339(moment), **event})
    return result
