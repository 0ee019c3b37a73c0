"""The information a subject access bundle gives besides the copy (UK GDPR Art. 15(1)(a)-(h)
and 15(2)), drawn from the policies, never written per request: the privacy notice
(``policies/privacy_notice.yaml``) for purposes, categories, recipients, rights, the right to
complain to the ICO, the source, automated decisions and transfers; the retention schedule in
force for the retention period of each class of record the requester's records fall in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from policies.privacy_notice import PrivacyNotice
from policies.retention import Outcome, Schedule

TRIGGERS = {
    "sent": "from when it was sent",
    "case_received": "from when the case it belongs to was received",
    "case_closed": "from when the case it belongs to was closed",
    "last_event": "from the last thing that happened to it",
}


def information(
    notice: PrivacyNotice, schedule: Schedule, classes: Iterable[str], purposes: Iterable[str]
) -> dict[str, Any]:
    """Art. 15 information for a requester whose records fall in ``classes`` and ``purposes``
    (every purpose is listed; those of the requester's records are marked ``yours``)."""
    doc = notice.to_json()
    used = set(purposes)
    doc["purposes"] = [
        {"purpose": name, "yours": name in used, **info}
        for name, info in notice.to_json()["purposes"].items()
    ]
    doc["retention"] = {"summary": notice.retention.summary, "classes": retention_classes(schedule, classes)}
    doc["articles"] = {
        "15(1)(a) purposes": "purposes", "15(1)(b) categories": "categories",
        "15(1)(c) recipients": "recipients", "15(1)(d) retention": "retention",
        "15(1)(e) rights": "rights", "15(1)(f) complaint": "complaint", "15(1)(g) source": "source",
        "15(1)(h) automated decisions": "automated_decisions", "15(2) transfers": "transfers",
    }  # fmt: skip
    return doc


def retention_classes(schedule: Schedule, classes: Iterable[str]) -> list[dict[str, Any]]:
    """Per class of the requester's records: each rule's period, from when, and why."""
    wanted = set(classes)
    found: dict[str, list[dict[str, str]]] = {}
    outcomes: list[tuple[str, Outcome]] = [(rule.id, rule) for rule in schedule.rules]
    if schedule.default is not None:
        outcomes.append(("default", schedule.default))
    for rule_id, outcome in outcomes:
        if outcome.retention_class in wanted:
            found.setdefault(outcome.retention_class, []).append(
                {
                    "rule": rule_id,
                    "period": outcome.period,
                    "counted": TRIGGERS.get(str(outcome.trigger), str(outcome.trigger)),
                    "description": outcome.description,
                    "basis": outcome.basis,
                }
            )
    return [{"class": cls, "rules": rules} for cls, rules in sorted(found.items())]
