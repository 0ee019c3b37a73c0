"""Request and response models of ``/v1/subject-requests`` (``SubjectRequestIn`` /
``SubjectRequestOut``, the step bodies, matches and jobs)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from privacy.requests import ExtensionGround, PauseGround, RefusalGround, RequestType, VerifyMethod

_STRICT = ConfigDict(extra="forbid")
Reason = Annotated[str, Field(min_length=1, max_length=1000)]


class IdentifierIn(BaseModel):
    model_config = _STRICT
    identifier: str = Field(min_length=3, max_length=1000, description="email:..., phone:... or customer:...")
    verified: bool = Field(default=False, description="the requester's identity was verified for it")


class SubjectRequestIn(BaseModel):
    model_config = _STRICT
    type: RequestType
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=20)
    received: date | None = Field(default=None, description="the day it was received (default: today)")
    ref: str | None = Field(default=None, max_length=64, description="your reference (a ticket number)")


class VerifyIn(BaseModel):
    model_config = _STRICT
    method: VerifyMethod
    identifiers: list[Annotated[int, Field(ge=0, lt=20)]] | None = Field(
        default=None, description="positions of the identifiers verified (default: all)"
    )


class PauseIn(BaseModel):
    model_config = _STRICT
    ground: PauseGround
    reason: Reason | None = None


class ExtendIn(BaseModel):
    model_config = _STRICT
    months: int = Field(ge=1, le=2)
    ground: ExtensionGround
    reason: Reason


class RefuseIn(BaseModel):
    model_config = _STRICT
    ground: RefusalGround
    reason: Reason


class WithdrawIn(BaseModel):
    model_config = _STRICT
    reason: Reason | None = None


class JobOut(BaseModel):
    id: str
    state: str
    started: str
    finished: str | None
    progress: dict[str, int]
    result: dict[str, Any] | None
    error: str | None


class SubjectRequestOut(BaseModel):
    id: str
    type: RequestType
    status: str
    ref: str | None
    received: str
    due: str
    days_left: int
    overdue: bool
    due_soon: bool
    clock: dict[str, Any]
    identifiers: dict[str, int]
    matched: dict[str, Any] | None
    outcome: dict[str, Any] | None
    refusal_ground: str | None
    closed_at: str | None
    steps: list[dict[str, Any]] = []
    identifier_list: list[dict[str, Any]] | None = None
    job: JobOut | None = None


class SubjectRequestsOut(BaseModel):
    requests: list[SubjectRequestOut]
    overdue: int
    due_soon: int


class MatchesOut(BaseModel):
    request: str
    status: str
    records: int
    counts: dict[str, Any]
    erasure: dict[str, Any] | None = None
