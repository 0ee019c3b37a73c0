"""Channels: the sending system and identifiers of each, delivery-status odds, the channel mix of
service replies and campaigns, and how a template is laid out on a channel."""

from __future__ import annotations

from commsledger.synthetic.firm import EMAIL_FOOTER, LETTER_FOOTER, WELSH_NOTICE
from commsledger.synthetic.templates import Template

SYSTEMS = {
    "email": "esp",
    "sms": "sms-gateway",
    "letter": "print-house",
    "phone": "telephony",
    "push": "app",
    "in_app": "app",
    "web_push": "app",
    "chat": "chat",
    "social": "social-hub",
}
# channel -> odds of carrying the customer id, an e-mail address and a phone number; app
# channels always carry the customer id, which is their only identifier.
RECIPIENT_ODDS = {
    "email": (0.96, 1.0, 0.12),
    "sms": (0.96, 0.0, 1.0),
    "phone": (0.96, 0.0, 1.0),
    "letter": (0.96, 0.0, 0.0),
    "social": (0.96, 0.0, 0.0),
    "chat": (1.0, 0.5, 0.0),
    "push": (1.0, 0.0, 0.0),
    "in_app": (1.0, 0.0, 0.0),
    "web_push": (1.0, 0.0, 0.0),
}
LOCAL_TIME_SYSTEMS = frozenset({"print-house", "dialler", "telephony", "ivr"})
_LONG = frozenset({"email", "letter", "chat"})
_SHORT = frozenset({"sms", "push", "in_app", "web_push", "social"})
_STATUS: dict[str, tuple[list[float], list[str]]] = {
    "email": (
        [0.6, 0.92, 0.94, 0.97, 0.985, 1.0],
        ["sent", "delivered", "read", "bounced", "failed", "queued"],
    ),
    "sms": ([0.55, 0.96, 0.985, 1.0], ["sent", "delivered", "failed", "queued"]),
    "letter": ([0.97, 1.0], ["sent", "queued"]),
    "phone": ([0.9, 1.0], ["delivered", "failed"]),
    "push": ([0.5, 0.88, 0.96, 1.0], ["sent", "delivered", "read", "failed"]),
    "chat": ([0.6, 1.0], ["delivered", "read"]),
}

SERVICE_CHANNELS = (
    ("email", 0.45),
    ("chat", 0.25),
    ("in_app", 0.1),
    ("letter", 0.08),
    ("social", 0.12),
)
CAMPAIGN_CHANNELS = (("email", 0.6), ("sms", 0.2), ("push", 0.12), ("letter", 0.08))

Shape = tuple[bool, tuple[str, str], str, tuple[list[float], list[str]]]
_SHAPES: dict[tuple[str, str], Shape] = {}


def channel_shape(tpl: Template, channel: str) -> Shape:
    """What a template looks like on a channel, worked out once per pair: whether it is long-form,
    the body formats (English, Welsh), the subject format ("" for none) and status odds."""
    shape = _SHAPES.get((tpl.id, channel))
    if shape is None:
        shape = _SHAPES[(tpl.id, channel)] = (
            channel in _LONG,
            (_compose(tpl, channel, False), _compose(tpl, channel, True)),
            tpl.subject if channel != "sms" else "",
            _STATUS.get(channel) or _STATUS["push"],
        )
    return shape


def _compose(tpl: Template, channel: str, welsh: bool) -> str:
    """Wrap a template's text in the greeting, sign-off and footer of a channel."""
    if channel in _SHORT:
        return tpl.short
    if channel == "phone":
        return (
            "Call note: outbound call to {name} on {phone_shown}, {long_date} at {hm}, by "
            "{agent_label}.\n" + tpl.call
        )
    if channel == "chat":
        line = "\n[{hm}] {agent_label}: "
        return (
            "Chat with {name}, {long_date}"
            + line
            + "Hello {name}, thanks for waiting."
            + line
            + tpl.text.replace("\n\n", line)
            + line
            + "Is there anything else I can help you with today?"
        )
    hello = ("Annwyl {name},\n\n" + WELSH_NOTICE + "\n\n") if welsh else "Dear {name},\n\n"
    if channel == "letter":
        bye = "Yn gywir" if welsh else "Yours sincerely"
        return (
            "{name}\n{address}\n\n{long_date}\n\nOur reference: {ref}\n\n"
            + hello
            + tpl.text
            + "\n\n{extras}"
            + bye
            + ",\n\n{signer}\n{dept}\n\n"
            + LETTER_FOOTER
        )
    bye = "Cofion gorau" if welsh else "Kind regards"
    return hello + tpl.text + "\n\n{extras}" + bye + ",\n{signer}\n{dept}\n\n" + EMAIL_FOOTER
