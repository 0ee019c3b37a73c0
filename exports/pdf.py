"""The evidence pack's report as a PDF, with reportlab.

Why reportlab: it is pure Python with no system libraries (WeasyPrint needs Debian's pango
and cairo, which a plain ``pip install`` does not bring), it is maintained, and it embeds
the TrueType font it ships (Bitstream Vera), so text outside Latin-1 prints and a PDF
reader can copy it back out (``pypdf`` does, in the tests). Same content as
``exports.report.html``; A4, page numbers, the pack's title in every footer.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from exports.report import Item, Report

_FONTS = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
_MAX_BODY = 20_000  # characters of a body in the PDF (the .eml and records.ndjson hold it whole)


def _register_fonts() -> None:
    for name, file in (("Vera", "Vera.ttf"), ("Vera-Bold", "VeraBd.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, os.path.join(_FONTS, file)))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("b", parent=base["BodyText"], fontName="Vera", fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName="Vera-Bold", fontSize=15),
        "h2": ParagraphStyle("h", parent=base["Heading2"], fontName="Vera-Bold", fontSize=12),
        "body": body,
        "meta": ParagraphStyle("m", parent=body, textColor=colors.HexColor("#444444"), fontSize=8),
        "text": ParagraphStyle("x", parent=body, fontSize=8.5, backColor=colors.HexColor("#f4f4f4")),
        "red": ParagraphStyle("r", parent=body, textColor=colors.HexColor("#880000")),
    }


def pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    _register_fonts()
    styles = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=report.title, author="commsledger",
                                 leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                                 bottomMargin=18 * mm)  # fmt: skip
    story: list[Flowable] = [Paragraph(_text(report.title), styles["title"])]
    story.append(Paragraph(_text(f"Generated {report.generated_at}. Scope: {report.scope}. "
                                 f"{len(report.items)} messages."), styles["meta"]))  # fmt: skip
    story += [Paragraph("Time limits (FCA DISP)", styles["h2"]), _clocks(report, styles)]
    story.append(Paragraph("Messages, in the order sent", styles["h2"]))
    for entry in report.items:
        story += _message(entry, styles)
    story.append(Paragraph("Checking this evidence", styles["h2"]))
    story += [Paragraph(_text(line), styles["body"]) for line in report.checking]
    document.build(story, onFirstPage=_footer(report.title), onLaterPages=_footer(report.title))
    return out.getvalue()


def _text(value: str) -> str:
    """Text for a Paragraph (its mini-markup escaped; line breaks kept)."""
    return escape(value).replace("\r\n", "\n").replace("\n", "<br/>")


def _clocks(report: Report, styles: dict[str, ParagraphStyle]) -> Flowable:
    if not report.clocks:
        return Paragraph("No message in this pack belongs to a case.", styles["body"])
    rows = [
        [Paragraph(_text(h), styles["meta"]) for h in ("case", "received", "due by", "closed", "verdict")]
    ]
    for c in report.clocks:
        cells = (f"{c.case_id} ({c.case_type or 'type not given'})", c.received_at or "-", c.deadline or "-",
                 c.closed_at or "open", c.verdict())  # fmt: skip
        rows.append([Paragraph(_text(v), styles["body"]) for v in cells])
    table = Table(rows, colWidths=[32 * mm, 28 * mm, 20 * mm, 28 * mm, 66 * mm], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return table


def _message(item: Item, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    head = (
        f"{item.sent_at} · {item.channel} · {item.purpose} · document {item.doc_id} · record {item.record_id}"
    )
    flow: list[Flowable] = [
        Spacer(1, 3 * mm),
        Paragraph(f"<b>{_text(head)}</b>", styles["body"]),
        Paragraph(_text(f"From {item.sender} to {item.recipient}"), styles["meta"]),
        Paragraph(f"<b>{_text(item.subject or '(no subject line)')}</b>", styles["body"]),
    ]
    if item.redacted:
        flow.append(Paragraph(_text(f"Content {item.redacted}."), styles["red"]))
    else:
        body = (
            item.body
            if len(item.body) <= _MAX_BODY
            else item.body[:_MAX_BODY] + " [... the .eml holds the rest]"
        )
        flow.append(Paragraph(_text(body), styles["text"]))
    if item.follow_up:
        flow.append(Paragraph(_text(f"Follow-up: {item.follow_up}"), styles["body"]))
    happened = "; ".join(f"{at}: {what}" for at, what in item.history) or "none"
    flow.append(Paragraph(_text(f"What happened next: {happened}"), styles["body"]))
    flow.append(Paragraph(_text(f"Ledger entry {item.seq}, hash {item.entry_hash}"), styles["meta"]))
    return flow


def _footer(title: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Vera", 7)
        canvas.drawString(18 * mm, 10 * mm, title[:120])
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    return draw
