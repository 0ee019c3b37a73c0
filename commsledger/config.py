"""Settings of a register, read once at start-up from ``COMMSLEDGER_*`` variables and flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import isodate
import phonenumbers
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.store.s3 import S3Options
from retention.settings import RetentionSettings, batch_size


def duration(text: str) -> timedelta:
    """An ISO 8601 duration (``P10Y``, ``P3Y6M``, ``P90D``) as a timedelta from today."""
    try:
        parsed = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError):
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P10Y or P90D") from None
    if isinstance(parsed, timedelta):
        return parsed
    moment: timedelta = parsed.totimedelta(start=datetime.now(UTC))  # years and months: from today
    return moment


class S3Settings(BaseSettings):
    """The ``s3`` object store. Credentials and endpoint also come from the usual AWS
    variables (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``, ...) when these are unset.

    ``require_lock``: refuse a bucket without Object Lock (and versioning).
    ``ledger_retention``: retain-until for tiles, entry bundles and checkpoint history
    (e.g. ``P10Y``), written in ``lock_mode``; ``payload_retention``: the default for payload
    packs until a record's own retention date is known.
    """

    model_config = SettingsConfigDict(env_prefix="COMMSLEDGER_S3_", extra="ignore")

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    require_lock: bool = False
    lock_mode: str = "COMPLIANCE"
    ledger_retention: str | None = None
    payload_retention: str | None = None
    attempts: int = 5

    @field_validator("ledger_retention", "payload_retention")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            duration(value)
        return value

    @field_validator("lock_mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value.upper() not in ("COMPLIANCE", "GOVERNANCE"):
            raise ValueError("must be COMPLIANCE or GOVERNANCE")
        return value.upper()

    def options(self) -> S3Options:
        return S3Options(
            endpoint_url=self.endpoint_url,
            region=self.region,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            require_lock=self.require_lock,
            lock_mode=self.lock_mode,
            ledger_retention=duration(self.ledger_retention) if self.ledger_retention else None,
            payload_retention=duration(self.payload_retention) if self.payload_retention else None,
            attempts=self.attempts,
        )


class Settings(BaseSettings):
    """Where the register lives and how it ingests.

    ``data``: the data dir (keys, catalog, index; the object store too by default).
    ``store``: object store URL; empty means ``<data>/objects`` with the ``file`` driver.
    ``index``: search index URL (``tantivy:///path``, ``opensearch+https://host:9200/name``);
    empty means ``<data>/index`` with the ``tantivy`` driver.
    ``origin``: the log's name in its checkpoints, fixed when the register is created.
    ``privacy_notice``: the Art. 15 information subject access bundles carry (a file of the
    form of ``policies/privacy_notice.yaml``, which is the default).
    ``batch``: records per group commit. ``workers``: processes that validate and seal
    records in parallel with the sequencer (-1: one per CPU, 0: none).
    """

    model_config = SettingsConfigDict(env_prefix="COMMSLEDGER_", extra="ignore")

    data: Path = Path("commsledger-data")
    store: str = ""
    index: str = ""
    default_region: str = "GB"
    origin: str = ""
    batch: int = 4096
    workers: int = -1
    privacy_notice: Path | None = None  # Art. 15 information of access bundles (default: shipped)
    s3: S3Settings = Field(default_factory=S3Settings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

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
        return batch_size(value)

    @property
    def store_url(self) -> str:
        return self.store or (self.data.resolve() / "objects").as_uri()

    @property
    def index_url(self) -> str:
        return self.index or "tantivy://" + quote(str(self.data.resolve() / "index"))


class ServiceSettings(BaseSettings):
    """The HTTP service (``commsledger serve``), from ``COMMSLEDGER_API_*`` variables.

    ``roles_file``: the roles policy (default: the shipped ``policies/roles.yaml``).
    Writes: one writer at a time; at most ``write_queue`` requests wait for it, each at most
    ``write_wait`` seconds, then 503 with ``Retry-After``. Reads: ``readers`` read-only
    registers of their own, a request waits at most ``read_wait`` seconds for one.
    ``max_body``: bytes of one request body. Access log: at most ``access_queue`` accesses
    wait to be committed, at most ``access_batch`` per commit. Jobs: checkpoint signing and
    catch-up every ``checkpoint_every`` / ``catch_up_every`` seconds, a late run still
    starting within ``misfire_grace`` seconds.
    """

    model_config = SettingsConfigDict(env_prefix="COMMSLEDGER_API_", extra="ignore")

    roles_file: Path | None = None
    write_queue: int = Field(default=4, ge=0, le=1000)
    write_wait: float = Field(default=30.0, gt=0)
    readers: int = Field(default=8, ge=1, le=256)
    read_wait: float = Field(default=10.0, gt=0)
    max_body: int = Field(default=64 << 20, ge=1 << 20)
    access_queue: int = Field(default=4096, ge=1)
    access_batch: int = Field(default=512, ge=1)
    checkpoint_every: float = Field(default=60.0, gt=0)
    catch_up_every: float = Field(default=5.0, gt=0)
    misfire_grace: int = Field(default=30, ge=1)
