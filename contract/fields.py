"""The checks of single fields of a record (``contract.records`` composes them): timestamps,
due dates, record ids, base64 and body text. Each returns the value (normalised where the
contract says so) or raises ``ValueError`` with a message that never repeats the value.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from datetime import UTC, date, datetime

from contract.moments import out_of_range, outside

BODY_LIMIT = 1 << 20  # 1 MiB of UTF-8
RECORD_LIMIT = 32 << 20  # 32 MiB, attachments included

_RFC3339 = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_PLAIN_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def utc_timestamp(value: str) -> str:
    """Normalise an RFC 3339 timestamp with offset to UTC ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``.

    Raises ``ValueError`` for another form, a date that does not exist, or a moment outside
    the range the register accepts (``contract.moments``).
    """
    normal = rfc3339_utc(value)
    if (why := out_of_range(normal[:10])) is not None:
        raise ValueError(why)
    return normal


def rfc3339_utc(value: str) -> str:
    """``utc_timestamp`` without the range: for bounds of a query, not facts of a record.
    Raises ``ValueError`` for another form or a date that does not exist."""
    if len(value) == 20 and _PLAIN_UTC.fullmatch(value):  # the common form, already UTC
        _calendar(value[:10], value[11:19])
        return value
    match = _RFC3339.match(value)
    if match is None:
        raise ValueError("must be an RFC 3339 timestamp with a time zone offset")
    day, clock, fraction, offset = match.groups()
    if offset == "Z" and fraction is None and value[10] == "T":
        _calendar(day, clock)
        return value
    micro = (fraction or ".")[1:7].ljust(6, "0") if fraction else "000000"
    zone = "+00:00" if offset in ("Z", "z") else offset
    try:
        parsed = datetime.fromisoformat(f"{day}T{clock}.{micro}{zone}").astimezone(UTC)
    except ValueError:
        raise ValueError("is not a real date and time") from None
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise ValueError(outside()) from None
    return format_utc(parsed)


def _calendar(day: str, clock: str) -> None:
    """Raises ``ValueError`` unless ``day`` (``YYYY-MM-DD``) and ``clock`` (``HH:MM:SS``, digits)
    name a real moment, as ``datetime.fromisoformat`` reads them."""
    if day not in _REAL_DAYS:  # few days, many moments: the days are remembered
        try:
            date.fromisoformat(day)
        except ValueError:
            raise ValueError("is not a real date and time") from None
        if len(_REAL_DAYS) >= _DAYS_KEPT:
            _REAL_DAYS.clear()
        _REAL_DAYS.add(day)
    if clock[:2] > "23" or clock[3:5] > "59" or clock[6:] > "59":
        raise ValueError("is not a real date and time")


_REAL_DAYS: set[str] = set()
_DAYS_KEPT = 1 << 14


def format_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def due_date(value: str) -> str:
    """A follow-up's due date (``YYYY-MM-DD``) or time (RFC 3339), inside the range."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError("is not a real date") from None
        if (why := out_of_range(day)) is not None:
            raise ValueError(why)
        return day
    return utc_timestamp(value)


def base64_text(value: str) -> str:
    try:
        binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("is not valid base64") from None
    return value


def body_text(value: str) -> str:
    if len(value) > BODY_LIMIT // 4 and len(value.encode()) > BODY_LIMIT:
        raise ValueError("exceeds the limit of 1 MiB of UTF-8 text")
    return value


ID_LIMIT = 200
_PLAIN_ID = re.compile(r"[!-.0-~](?:[ -.0-~]*[!-.0-~])?")  # printable ASCII but "/", no edge space
_NOT_IN_IDS = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})  # controls, bidi, unassigned...


def record_id(value: str) -> str:
    """A record id as the contract allows it: 1 to 200 printable characters, no ``/``, no
    control, format (bidi overrides, zero-width) or unassigned characters, no space at either
    end, and not ``.`` or ``..``. Why: an id is a path segment of the HTTP API and is printed
    in reports and terminals, where such characters hide or reorder what a reader sees.
    Raises ``ValueError`` (never repeating the value)."""
    if 0 < len(value) <= ID_LIMIT and value not in (".", "..") and _plain_or_printable(value):
        return value
    raise ValueError(
        f"must be 1 to {ID_LIMIT} printable characters, without '/', control or bidi characters, "
        "spaces at either end, and not '.' or '..'"
    )


def _plain_or_printable(value: str) -> bool:
    if _PLAIN_ID.fullmatch(value):
        return True
    return (
        "/" not in value
        and value.strip() == value
        and not any(unicodedata.category(c) in _NOT_IN_IDS for c in value)
    )
