"""Shared by the erasure and subject access tests: people with unmistakable personal values,
written to under several spellings of their identifiers, and a schedule with an erasable
business period, a legal duty and a short duty."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

SCHEDULE = """\
name: erasure-test
rules:
  - {id: marketing, class: M marketing, match: {purpose: marketing}, period: P2Y, trigger: sent,
     erasure_exemption: "none"}
  - {id: complaint, class: C complaints, match: {purpose: complaint}, period: P3Y, trigger: case_received,
     erasure_exemption: "17(3)(b)"}
  - {id: short-duty, class: S short duty, match: {tags: [short]}, period: P2D, trigger: sent,
     erasure_exemption: "17(3)(e)"}
default: {class: Z other, period: P4Y, trigger: sent}
"""


@dataclass(frozen=True)
class Person:
    """Someone with values no other record holds: ``key`` is in every word of them."""

    key: str  # a few lower-case letters, unique to the person
    number: int  # 100-999, for the phone number and customer id

    @property
    def name(self) -> str:
        return f"Zephyr{self.key.title()} Quill{self.key}feather"

    @property
    def email(self) -> str:
        return f"zephyr.{self.key}@example.org"

    @property
    def phone(self) -> str:  # E.164 of an Ofcom drama number
        return f"+447700900{self.number}"

    @property
    def national(self) -> str:
        return f"07700 900{self.number}"

    @property
    def customer(self) -> str:
        return f"C-{self.key.upper()}-{self.number}"

    @property
    def address(self) -> str:
        return f"{self.number} Marigold{self.key} Lane, Bristol"

    def marker(self, n: int) -> str:
        return f"marker{self.key}{n}"

    def values(self) -> list[str]:
        """Every personal value of this person a record below carries."""
        names = [self.name, f"Quill{self.key}feather", self.marker(0), f"attachment{self.key}secret"]
        contacts = [self.email, self.email.title(), self.phone, self.national, self.customer, self.address]
        return names + contacts

    def identifier(self) -> str:
        return f"email:{self.email.upper()}"


def sent(hours_ago: float = 1.0) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def records_of(person: Person, start: int, *, purpose: str = "marketing", tags: list[str] | None = None,
               count: int = 4) -> list[dict[str, Any]]:  # fmt: skip
    """``count`` records to ``person`` under several spellings of their identifiers, linked
    through a shared customer id: every one of them is theirs."""
    shapes = [
        {"email": person.email.title(), "customer_id": person.customer, "name": person.name},
        {"phone": person.national, "customer_id": person.customer, "address": person.address},
        {"phone": "+44 7700 900" + str(person.number)},
        {"email": person.email, "name": person.name},
    ]
    found = []
    for n in range(count):
        doc: dict[str, Any] = {
            "id": f"{person.key}-{start + n:05d}",
            "sent_at": sent(1 + n),
            "channel": "letter" if n % 4 == 1 else "email",
            "purpose": purpose,
            "recipient": shapes[n % 4],
            "sender": {"department": "Marketing", "agent": f"u-staff{n}", "system": "crm"},
            "subject": f"Offer {person.marker(n)} for Quill{person.key}feather",
            "body": f"Dear {person.name}, {person.marker(0)} {person.marker(n)} at {person.address}.",
            "tags": list(tags or []),
        }
        if purpose == "complaint":
            doc["case"] = {"id": f"CMP-{person.key}", "type": "complaint", "received_at": sent(30)}
        if n == 0:
            secret = f"attachment{person.key}secret".encode()
            doc["attachments"] = [{"filename": "letter.txt", "content_type": "text/plain",
                                   "content_base64": base64.b64encode(secret).decode()}]  # fmt: skip
        found.append(doc)
    return found
