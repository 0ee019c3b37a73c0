"""Settings of a register, read once at start-up from ``COMMSLEDGER_*`` variables and flags."""

from __future__ import annotations

from pathlib import Path

import phonenumbers
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the register lives and how it ingests.

    ``data``: the data dir (keys, catalog, index; the object store too by default).
    ``store``: object store URL; empty means ``<data>/objects`` with the ``file`` driver.
    ``origin``: the log's name in its checkpoints, fixed when the register is created.
    ``batch``: records per group commit. ``workers``: processes that validate and seal
    records in parallel with the sequencer (-1: one per CPU, 0: none).
    """

    model_config = SettingsConfigDict(env_prefix="COMMSLEDGER_", extra="ignore")

    data: Path = Path("commsledger-data")
    store: str = ""
    default_region: str = "GB"
    origin: str = ""
    batch: int = 4096
    workers: int = -1

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str) -> str:
        region = value.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{value!r} is not a region code phone numbers can be read in")
        return region

    @field_validator("batch")
    @classmethod
    def _batch(cls, value: int) -> int:
        if not 1 <= value <= 100_000:
            raise ValueError("must be between 1 and 100000")
        return value

    @property
    def store_url(self) -> str:
        return self.store or (self.data.resolve() / "objects").as_uri()
