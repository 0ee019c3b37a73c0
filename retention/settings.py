"""Retention's settings (``COMMSLEDGER_RETENTION_*``), read once at start-up by the app and
passed in with the register."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def batch_size(value: int) -> int:
    """A batch of records (per commit): 1 to 100,000."""
    if not 1 <= value <= 100_000:
        raise ValueError("must be between 1 and 100000")
    return value


class RetentionSettings(BaseSettings):
    """Retention (``COMMSLEDGER_RETENTION_*``).

    ``schedule``: the retention schedule file (default: the shipped ``policies/retention.yaml``).
    ``batch``: records disposed of per commit in a disposition run. ``reports``: where runs
    write their signed reports (default ``<data>/reports/retention``). ``run_at``: the time of
    day (UTC, ``HH:MM``) ``serve`` runs disposition every day; unset (the default), it never
    does. Disposal destroys personal data for good, so it runs on a schedule only when the
    deployment asks for one (a safety fix of issue 10: it used to run at 02:30 unasked).
    """

    model_config = SettingsConfigDict(env_prefix="COMMSLEDGER_RETENTION_", extra="ignore")

    schedule: Path | None = None
    batch: int = 2000
    reports: Path | None = None
    run_at: str | None = None

    @field_validator("batch")
    @classmethod
    def _batch(cls, value: int) -> int:
        return batch_size(value)

    @field_validator("run_at")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("must be a time of day HH:MM (UTC)")
        return f"{int(hours):02d}:{int(minutes):02d}"
