"""Rendering one record: body, subject, recipient, sender, status, tags and attachments."""

from __future__ import annotations

import zlib
from bisect import bisect_right
from collections.abc import Callable, Sequence

from commsledger.synthetic.attachments import attachment
from commsledger.synthetic.channels import LOCAL_TIME_SYSTEMS, RECIPIENT_ODDS, SYSTEMS, channel_shape
from commsledger.synthetic.clock import rfc3339_parts
from commsledger.synthetic.common import Record, mix
from commsledger.synthetic.firm import HELPLINE, SHORT_FOOTER, signature
from commsledger.synthetic.people import Person, email_spelling, phone_spelling
from commsledger.synthetic.templates import Template

# optional paragraphs before the sign-off of long messages, by purpose ("" for any purpose)
_EXTRAS = {
    "": [
        "Keeping your money safe: we will never ask you to move money to another account to "
        "protect it, and we will never ask for your PIN, full password or one-time passcodes.",
        "If you'd like this in another format, such as large print, Braille or audio, or you'd "
        "like us to contact you in a different way, please let us know.",
        "You can manage your accounts at any time in the Example Bank app and online banking. "
        "For help, call " + HELPLINE + " (8am–8pm, Monday to Saturday), or +44 808 157 0193 "
        "from abroad.",
        "We may record or monitor calls to help us improve our service and prevent fraud.",
    ],
    "complaint": [
        "If your circumstances have changed, or something is making it harder for you to deal "
        "with us right now, please tell us so that we can support you – for example by giving "
        "you more time, or by talking to someone you trust on your behalf.",
        "We look at every complaint to learn what went wrong, so that we can put things right "
        "for other customers too.",
    ],
    "collections": [
        "Free, confidential debt advice is available from MoneyHelper, StepChange and National "
        "Debtline. They won't judge you, and they can help you work out a budget and talk to "
        "us on your behalf.",
        "If you're worried about your mental health or wellbeing, or if anything is making it "
        "harder to manage your money, let us know – we can pause collection activity while we "
        "work out the right support for you.",
    ],
    "marketing": [],
}


class Renderer:
    """Renders records from templates, drawing from the engine's random stream and numbering each
    sending system's ids."""

    def __init__(self, r: Callable[[], float], salt: int) -> None:
        self._r = r
        self._salt = salt
        self._ids: dict[str, int] = {}

    def _pick(self, seq: Sequence[str]) -> str:
        return seq[int(self._r() * len(seq))]

    def _next_id(self, system: str) -> str:
        count = self._ids.get(system)
        if count is None:
            count = 10_000 + mix(self._salt ^ zlib.crc32(system.encode())) % 3_000_000
        self._ids[system] = count + 1
        return f"{system}-{count:08d}"

    def _extras(self, purpose: str) -> str:
        """None, one or two optional paragraphs for a long message of ``purpose``."""
        x = self._r()
        if x < 0.45 or purpose == "marketing":
            return ""
        pool = _EXTRAS.get(purpose) or _EXTRAS[""]
        if x < 0.85:
            return self._pick(pool) + "\n\n"
        return self._pick(pool) + "\n\n" + self._pick(_EXTRAS[""]) + "\n\n"

    def render(
        self,
        t: int,
        tpl: Template,
        channel: str,
        p: Person,
        ctx: dict[str, str],
        *,
        agent: int | None = None,
        system: str | None = None,
        case: dict[str, str] | None = None,
        follow_up: dict[str, str] | None = None,
        campaign: str | None = None,
        tags: tuple[str, ...] = (),
        status: str | None = None,
        dept: str | None = None,
    ) -> Record:
        """Render one record of ``tpl`` to ``p`` at ``t``."""
        r = self._r
        shape = channel_shape(tpl, channel)
        long, formats, subject, (cum, statuses) = shape
        dept = dept or tpl.department
        if system is None:
            system = "crm" if agent is not None and channel == "email" else SYSTEMS[channel]
        stamp, day, hm = rfc3339_parts(t, system in LOCAL_TIME_SYSTEMS)
        phone = p.phone if r() < 0.5 else phone_spelling(p.groups, 1 + int(r() * 5))
        signer, label, line = signature(dept, agent)
        c = {
            **p.ctx,
            "phone_shown": phone,
            "long_date": day.long,
            "hm": hm,
            "signer": signer,
            "agent_label": label,
            "dept": line,
            "extras": self._extras(tpl.purpose) if long else "",
            **ctx,
        }
        welsh = p.welsh and long
        body = formats[welsh].format_map(c)
        if len(body) < 200:
            body += SHORT_FOOTER
        sender = (
            {"department": dept, "system": system}
            if agent is None
            else {"department": dept, "agent": f"u-{agent}", "system": system}
        )
        rec: Record = {
            "id": self._next_id(system),
            "sent_at": stamp,
            "channel": channel,
            "purpose": tpl.purpose,
            "recipient": self._recipient(p, channel, phone),
            "sender": sender,
        }
        if subject:
            rec["subject"] = subject.format_map(c)
        rec["body"] = body
        if tpl.attach and long and channel != "chat" and r() < tpl.attach:
            rec["attachments"] = [attachment(tpl, rec.get("subject", tpl.id), body, c)]
        rec["template_id"] = tpl.id
        if campaign:
            rec["campaign_id"] = campaign
        if case:
            rec["case"] = dict(case)
        if follow_up:
            rec["follow_up"] = dict(follow_up)
        rec["status"] = status or statuses[bisect_right(cum, r())]
        all_tags = tpl.tags + tags if tags else tpl.tags
        if p.vulnerable and tpl.purpose != "marketing":
            all_tags += ("vulnerable", "large-print") if p.large_print else ("vulnerable",)
        if welsh:
            all_tags += ("welsh",)
        if all_tags:
            rec["tags"] = list(dict.fromkeys(all_tags)) if tags else list(all_tags)
        return rec

    def _recipient(self, p: Person, channel: str, phone: str) -> dict[str, str]:
        """The identifiers a channel uses, usually with customer id and name."""
        r = self._r
        cid_odds, email_odds, phone_odds = RECIPIENT_ODDS[channel]
        rcp: dict[str, str] = {"customer_id": p.cid} if r() < cid_odds else {}
        if r() < 0.97:
            rcp["name"] = p.name
        if email_odds and r() < email_odds:
            rcp["email"] = p.email if r() < 0.55 else email_spelling(p.email_parts, 1 + int(r() * 4))
        if phone_odds and r() < phone_odds:
            rcp["phone"] = phone
        if channel == "letter":
            rcp["address"] = p.address
        elif channel == "social" and p.handle:
            rcp["handle"] = p.handle
        return rcp
