"""The EDRM XML 1.2 load file (``loadfile.edrm.xml``): every exported document with its file
and hash, so review platforms (Relativity, Nuix, Reveal, ...) can load the export.

``<Root MajorVersion="1" MinorVersion="2" DataInterchangeType="Export">``, one ``<Batch>``,
one ``<Document DocID DocType="Message" MimeType="message/rfc822">`` per record: its
``#From``, ``#To``, ``#Subject``, ``#DateSent`` and the register's own fields as ``<Tag>``s
(``Commsledger#Channel``, ...), and its native file as ``<ExternalFile FilePath FileName
FileSize Hash>``. ``Hash`` is the file's SHA-256 in hex (64 digits; EDRM leaves the
algorithm open, MD5 by habit: the root's ``Description`` says which).

Written as it goes: the caller streams one ``document`` string per record between
``opening()`` and ``CLOSING``.
"""

from __future__ import annotations

from exports.reading import RecordView

CLOSING = "    </Documents>\n  </Batch>\n</Root>\n"


def opening(description: str) -> str:
    """The XML prolog, root and batch, up to the first document."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Root MajorVersion="1" MinorVersion="2" DataInterchangeType="Export" '
        f"Description={_attr(description + '; ExternalFile Hash is SHA-256 (hex)')}>\n"
        '  <Batch Name="commsledger">\n    <Documents>\n'
    )


def document(view: RecordView, doc_id: str, path: str, size: int, sha256: str) -> str:
    """One record's ``<Document>`` with its tags and its native ``.eml`` file."""
    folder, _, name = path.rpartition("/")
    tags = "".join(f"{_TAG[n]}{_attr(v)}/>\n" for n, v in _tags(view))
    return (
        f'      <Document DocID={_attr(doc_id)} DocType="Message" MimeType="message/rfc822">\n'
        f'        <Files>\n          <File FileType="Native">\n'
        f"            <ExternalFile FilePath={_attr(folder)} FileName={_attr(name)} "
        f'FileSize="{size}" Hash="{sha256}"/>\n'
        f"          </File>\n        </Files>\n        <Tags>\n{tags}        </Tags>\n      </Document>\n"
    )


_TYPES = {"#DateSent": "DateTime", "Commsledger#LedgerSeq": "Integer"}  # the others are Text
_NAMES = ("#From", "#To", "#Subject", "#DateSent", "Commsledger#RecordId", "Commsledger#Channel",
          "Commsledger#Purpose", "Commsledger#CaseId", "Commsledger#CurrentStatus", "Commsledger#Redacted",
          "Commsledger#LedgerSeq", "Commsledger#EntryHash")  # fmt: skip


def _tags(view: RecordView) -> list[tuple[str, str]]:
    """(tag name, value) of the record's tags, in ``_NAMES`` order, empty ones left out."""
    record = view.record()
    recipient, case = record.get("recipient") or {}, record.get("case") or {}
    values = (
        (record.get("sender") or {}).get("department"),
        recipient.get("email") or recipient.get("phone") or recipient.get("customer_id"),
        record.get("subject"), record["sent_at"], view.record_id, record["channel"], record["purpose"],
        case.get("id"), view.current_status(), view.redacted, view.own.seq, view.ledger()["hash"],
    )  # fmt: skip
    return [(n, str(v)) for n, v in zip(_NAMES, values, strict=True) if v not in (None, "")]


_ESCAPES = str.maketrans(
    {
        **{chr(c): " " for c in range(32)},  # XML 1.0 cannot hold control characters
        "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;",
    }
)  # fmt: skip


def _attr(value: str) -> str:
    """An XML attribute value, double-quoted and escaped (one C-level pass: the load file
    has a dozen attributes per record)."""
    return '"' + value.translate(_ESCAPES) + '"'


_TAG = {
    n: f"          <Tag TagName={_attr(n)} TagDataType={_attr(_TYPES.get(n, 'Text'))} TagValue="
    for n in _NAMES
}  # the constant start of each tag, escaped once
