"""Content openings: proof of what was said, for one verifier.

A ledger entry commits to its payload's ciphertext (``payload_sha256``) and, since the key
commitment, to the record's data key (``key_commitment`` in the envelope; see
``privacy.keys.key_commitment``). An opening hands one verifier the ciphertexts of a record's
entries and its data key, so that anyone can check offline, with the proven entries alone:

1. SHA-256 of each ciphertext is the ``payload_sha256`` of its proven entry;
2. the data key is the one the record's entry commits to (AES-GCM alone is not
   key-committing: without this a crafted ciphertext could open to two texts under two keys);
3. each ciphertext decrypts under that key, bound to the record id;
4. what it decrypts to is exactly the content shown (the record and its events' free text).

A record recorded before keys were committed has no ``key_commitment``: its opening is
checked without step 2 and says plainly that it is weaker. Handing out the data key opens
this record only (every record has its own key), and only to whoever holds the bundle.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from typing import Any

import orjson

from contract.errors import Error, InvalidInput, NotFound
from contract.records import join
from exports.ports import Register
from exports.reading import Reader, RecordView
from ledger.entry import Entry, decode_entry
from privacy.keys import key_commitment, unseal

WEAKER = (
    "recorded before the register committed to data keys: its ciphertext is proven, but the "
    "key is not, so this opening is weaker (AES-GCM is not key-committing)"
)
_EVENT_TEXT = ("detail", "summary", "note", "outcome")


def opening_line(view: RecordView) -> dict[str, Any]:
    """The opening of one record (it must have been read with ``keep_sealed``)."""
    if view.data_key is None:
        raise ValueError(f"record {view.record_id} has no data key to open it with")
    return {
        "record_id": view.record_id,
        "data_key": base64.b64encode(view.data_key).decode("ascii"),
        "key_committed": view.own.envelope.get("key_commitment") is not None,
        "entries": [
            {"seq": seq, "ciphertext": base64.b64encode(sealed).decode("ascii")}
            for seq, sealed in sorted(view.sealed.items())
        ],
    }


def check_opening(
    line: Any, proven: dict[int, Entry], shown: dict[str, Any] | None
) -> tuple[list[str], bool]:
    """(problems, key committed) of one opening against the record's proven entries (seq ->
    entry) and what the bundle shows of it (its ``records.ndjson`` line, with ``record`` and
    ``history``); no problems when it checks."""
    try:
        record_id = str(line["record_id"])
        key = base64.b64decode(line["data_key"], validate=True)
        sealed = {int(e["seq"]): base64.b64decode(e["ciphertext"], validate=True) for e in line["entries"]}
    except (KeyError, TypeError, ValueError) as exc:
        return [f"not an opening ({exc})"], False
    own = next((e for e in proven.values() if e.kind == "record"), None)
    if own is None or own.record_id != record_id:
        return ["no proven entry of this record to check it against"], False
    problems, committed = _key(own, key)
    opened: dict[int, dict[str, Any]] = {}
    for seq, ciphertext in sealed.items():
        problems.extend(_entry(record_id, seq, ciphertext, key, proven.get(seq), opened))
    if not problems:
        problems.extend(_shown(record_id, own, opened, proven, shown))
    return problems, committed


def _key(own: Entry, key: bytes) -> tuple[list[str], bool]:
    committed = own.envelope.get("key_commitment")
    if committed is None:
        return [], False
    if key_commitment(key, str(own.record_id)) != committed:
        return ["the data key is not the one the record's ledger entry commits to"], True
    return [], True


def _entry(
    record_id: str, seq: int, ciphertext: bytes, key: bytes, entry: Entry | None, into: dict[int, Any]
) -> list[str]:
    if entry is None or entry.payload_sha256 is None:
        return [f"entry {seq}: no proven entry with a payload"]
    if hashlib.sha256(ciphertext).hexdigest() != entry.payload_sha256:
        return [f"entry {seq}: the ciphertext is not the one its ledger entry commits to"]
    try:
        value = orjson.loads(unseal(key, record_id, ciphertext))
    except (Error, orjson.JSONDecodeError):
        return [f"entry {seq}: the ciphertext does not decrypt under this data key"]
    into[seq] = value if isinstance(value, dict) else {}
    return []


def _shown(
    record_id: str,
    own: Entry,
    opened: dict[int, dict[str, Any]],
    proven: dict[int, Entry],
    shown: dict[str, Any] | None,
) -> list[str]:
    """The content the bundle shows against what the ciphertexts decrypt to."""
    if shown is None:
        return ["the bundle does not show this record"]
    problems = []
    if own.seq not in opened:
        problems.append(f"entry {own.seq}: the record's own payload is not opened")
    elif shown.get("record") != join(record_id, own.envelope, opened[own.seq]):
        problems.append("the record shown is not exactly what its ciphertext decrypts to")
    events = {e.get("seq"): e for e in shown.get("history") or [] if isinstance(e, dict)}
    for seq, text in opened.items():
        if seq != own.seq and seq in proven:
            event = events.get(seq) or {}
            if {k: event.get(k) for k in _EVENT_TEXT} != {k: text.get(k) for k in _EVENT_TEXT}:
                problems.append(f"entry {seq}: the event's text shown is not what its ciphertext decrypts to")
    return problems


def open_record(register: Register, record_id: str, size: int) -> dict[str, Any]:
    """``prove --content``: the opening of one record and the content it proves, against the
    tree of ``size`` entries. Raises ``NotFound`` for no such record, ``InvalidInput`` for a
    record with no content to open (redacted or unreadable: the reason is named)."""
    views = Reader(register, size, keep_sealed=True).read([record_id])
    if not views:
        raise NotFound(f"no record with id {record_id!r} in the checkpoint")
    view = views[0]
    if not view.has_content or view.data_key is None:
        raise InvalidInput(f"record {record_id} has no content to open: {view.redacted or view.unavailable}")
    return {"opening": opening_line(view), "shown": {"record": view.record(), "history": view.events()}}


def check_document_opening(doc: dict[str, Any]) -> dict[str, Any]:
    """The content check of a proof document written by ``prove --content`` (its entries
    already checked against the checkpoint): ``{"ok", "key_committed", "problems"[, "weaker"]}``."""
    proven: dict[int, Entry] = {}
    for item in doc.get("entries") or []:
        with contextlib.suppress(Error, KeyError, TypeError):
            entry = decode_entry(str(item["entry"]).encode("utf-8"))
            proven[entry.seq] = entry
    problems, committed = check_opening(doc.get("opening"), proven, doc.get("shown"))
    result: dict[str, Any] = {"ok": not problems, "key_committed": committed, "problems": problems}
    if not committed:
        result["weaker"] = WEAKER
    return result
