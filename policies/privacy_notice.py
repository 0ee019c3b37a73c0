"""The privacy information a subject access bundle carries (``policies/privacy_notice.yaml``,
or a file of the same form): UK GDPR Art. 15(1)(a)-(h) and 15(2), and which fields of a
record are other people's data (Art. 15(4)) to withhold from the bundle.

Loading validates the whole file and refuses it (``InvalidInput`` naming the file and field)
when a purpose of the record format is not described, a field is unknown, or a third-party
field is not a field of the record or event format. This module imports nothing of the
project but ``contract``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from contract.errors import InvalidInput
from contract.records import Purpose

SHIPPED = Path(__file__).with_name("privacy_notice.yaml")
Text = Annotated[str, Field(min_length=1, max_length=4000)]
_STRICT = ConfigDict(extra="forbid", frozen=True)

# Fields a policy may mark third-party: the non-identifying parts of the record format (the
# recipient's own details are the requester's, never another person's).
RECORD_FIELDS = frozenset(
    {"sender.agent", "sender.system", "sender.department", "subject", "body", "follow_up.action",
     "template_id", "campaign_id"}
)  # fmt: skip
EVENT_FIELDS = frozenset({"detail", "summary", "note", "outcome"})


class Controller(BaseModel):
    model_config = _STRICT
    name: Text
    address: Text
    contact: Text
    dpo: Text


class PurposeInfo(BaseModel):
    model_config = _STRICT
    description: Text
    basis: Text


class Retention(BaseModel):
    model_config = _STRICT
    summary: Text


class Complaint(BaseModel):
    model_config = _STRICT
    authority: Text
    how: Text


class ThirdParty(BaseModel):
    model_config = _STRICT
    reason: Text
    record_fields: tuple[str, ...] = ()
    event_fields: tuple[str, ...] = ()

    @field_validator("record_fields")
    @classmethod
    def _record(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _known(value, RECORD_FIELDS)

    @field_validator("event_fields")
    @classmethod
    def _event(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _known(value, EVENT_FIELDS)


def _known(value: tuple[str, ...], known: frozenset[str]) -> tuple[str, ...]:
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not one of the fields that may be withheld: {', '.join(sorted(known))}"
        )
    return value


class PrivacyNotice(BaseModel):
    """The whole file, validated."""

    model_config = _STRICT
    controller: Controller
    purposes: dict[str, PurposeInfo]
    categories: tuple[Text, ...] = Field(min_length=1)
    recipients: tuple[Text, ...] = Field(min_length=1)
    retention: Retention
    rights: tuple[Text, ...] = Field(min_length=1)
    complaint: Complaint
    source: Text
    automated_decisions: Text
    transfers: Text
    third_party: ThirdParty

    @field_validator("purposes")
    @classmethod
    def _every_purpose(cls, value: dict[str, PurposeInfo]) -> dict[str, PurposeInfo]:
        missing = sorted(set(Purpose) - value.keys())
        extra = sorted(value.keys() - set(Purpose))
        if missing:
            raise ValueError(f"purpose {missing[0]!r} of the record format is not described")
        if extra:
            raise ValueError(f"{extra[0]!r} is not a purpose of the record format")
        return value

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def load_notice(path: Path | None = None) -> PrivacyNotice:
    """Read and validate a privacy notice file (the shipped one when ``path`` is None).

    Raises ``InvalidInput`` naming the file and the field at fault, or why it cannot be read.
    """
    source = path or SHIPPED
    try:
        doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read the privacy notice {source}: {exc.strerror}") from None
    except (UnicodeDecodeError, yaml.YAMLError):
        raise InvalidInput(f"privacy notice {source} is not valid YAML text") from None
    if not isinstance(doc, dict):
        raise InvalidInput(f"{source}: a privacy notice is a mapping (controller, purposes, ...)")
    try:
        return PrivacyNotice.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "notice"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{source}: {message}", field=field) from None
