"""Message templates: their format, the shared sentences they quote, and the registry of every
template (the texts themselves are in ``templates_products`` and ``templates_cases``)."""

from __future__ import annotations

from dataclasses import dataclass

from commsledger.synthetic.firm import HELPLINE
from commsledger.synthetic.templates_cases import CASE_TEMPLATES
from commsledger.synthetic.templates_products import PRODUCT_TEMPLATES


@dataclass(frozen=True, slots=True)
class Template:
    """One template: long text (email, letter, chat), short text (sms, push, in-app, social)
    and call note (phone); fields in braces are filled per record."""

    id: str
    department: str
    purpose: str
    subject: str
    text: str = ""
    short: str = ""
    call: str = ""
    tags: tuple[str, ...] = ()
    attach: float = 0.0


_FOS = (
    "If you're not happy with our response, you can refer your complaint to the Financial "
    "Ombudsman Service, free of charge, within six months of the date of this message. If you "
    "don't refer it in time, the Ombudsman won't have our permission to consider it and will only "
    "be able to do so in very limited circumstances. Financial Ombudsman Service, Exchange Tower, "
    "London E14 9SR; www.financial-ombudsman.org.uk."
)
_MKT_FOOTER = (
    "You're receiving this because you told us you're happy to hear about our products. You can "
    "change your preferences at any time in the app, or unsubscribe at "
    "https://www.example.com/unsubscribe."
)
_SMS_STOP = "Reply STOP to 60060 to stop marketing texts."

_MACROS = {
    "<helpline>": HELPLINE,
    "<fos>": _FOS,
    "<marketing-footer>": _MKT_FOOTER,
    "<sms-stop>": _SMS_STOP,
}


def _parse(source: str) -> list[Template]:
    """Templates from a source text: a header ``== id | department | purpose`` with
    optional ``| tags: ...`` and ``| attach: p``, an optional ``subject:`` line, then indented
    ``text:`` (email, letter, chat), ``short:`` (sms, push, in-app, social) and ``call:``
    (phone) sections. Indented lines join with spaces, a blank line starts a paragraph, a
    trailing ``\\n`` breaks the line, ``<name>`` expands a shared sentence, ``#`` comments."""
    templates = []
    for chunk in source.split("\n== ")[1:]:
        head, *lines = chunk.split("\n")
        tpl_id, department, purpose, *options = head.split(" | ")
        opts = dict(option.split(": ", 1) for option in options)
        parts: dict[str, list[str]] = {"subject": []}
        section = "subject"
        for line in lines:
            if line.startswith("subject: "):
                parts["subject"].append(line.removeprefix("subject: "))
            elif line.endswith(":") and not line.startswith(" "):
                section = line[:-1]
                parts[section] = []
            elif not line.startswith("#"):
                parts[section].append(line.strip())
        fields = {name: _paragraphs(words) for name, words in parts.items()}
        templates.append(
            Template(
                tpl_id,
                department,
                purpose,
                fields.pop("subject"),
                **fields,
                tags=tuple(opts.get("tags", "").split()),
                attach=float(opts.get("attach", 0)),
            )
        )
    return templates


def _paragraphs(lines: list[str]) -> str:
    """Join wrapped lines: blank lines separate paragraphs, ``\\n`` ends a line."""
    text = "\n".join(lines).strip()
    paragraphs = [" ".join(p.split("\n")) for p in text.split("\n\n") if p]
    text = "\n\n".join(paragraphs).replace("\\n ", "\n").replace("\\n", "\n")
    for name, value in _MACROS.items():
        text = text.replace(name, value)
    return text


TEMPLATES = {t.id: t for t in [*_parse(PRODUCT_TEMPLATES), *_parse(CASE_TEMPLATES)]}
"""Every template by id."""
MARKETING = [t for t in TEMPLATES.values() if t.purpose == "marketing"]
# templates whose record closes its case (a "case_closed" event follows)
CLOSING = frozenset(
    {
        "cmp-src-v2",
        "cmp-frl-v5",
        "col-arr-v2",
        "col-paid-v1",
        "frd-ok-v1",
        "frd-outcome-v2",
        "dsar-resp-v2",
    }
)
# letters sent by recorded delivery (a delivery receipt follows)
RECORDED_DELIVERY = frozenset({"col-dn-v3", "lgl-lba-v1", "lgl-next-v1"})
