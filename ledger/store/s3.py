"""The ``s3`` driver: the ledger on S3 or an S3-compatible store (MinIO, SeaweedFS), by boto3.

Every write but the checkpoint is a conditional put (``If-None-Match: *``) carrying its
SHA-256 checksum; identical bytes already stored count as success, other bytes are an
``ObjectConflict``. The checkpoint is replaced with ``If-Match`` on the ETag of the bytes the
writer last read: a compare-and-swap. On a bucket with Object Lock, ledger objects (tiles,
entry bundles, checkpoint history) are written in a lock mode with a retain-until date set
per deployment (ten years when none is set: ``DEFAULT_LEDGER_RETENTION``), payload packs
with their own; ``open`` refuses a bucket whose versioning or lock does not match what the
deployment requires.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from contract.errors import ConfigError, InvalidInput, ObjectConflict, ObjectNotFound, StoreError
from ledger.layout import ObjectClass, object_class

# The lock of ledger objects (tiles, entry bundles, checkpoint history) on a bucket with Object
# Lock when the deployment sets none (COMMSLEDGER_S3_LEDGER_RETENTION): ten years, beyond the
# longest statutory periods of the shipped schedule counted from when a record may first be
# disposed of (MiFID records 5, up to 7, years; complaint files and contract notices 6 years
# from a closure that may itself come years later; research/archive.md). The ledger holds no
# personal data and proves every record kept longer, so too long costs storage, too short
# leaves evidence deletable; ``retain`` extends a lock, never shortens it.
DEFAULT_LEDGER_RETENTION = timedelta(days=3653)
_NOT_FOUND = {"NoSuchKey", "404", "NotFound"}
_PRECONDITION = {"PreconditionFailed", "412"}
_NO_LOCK = {"NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError"}


class _NoLock(ObjectNotFound):
    """The bucket or object has no Object Lock configuration (a reading, not a failure)."""


@contextmanager
def _mapped(what: str, doing: str, *, denied: str | None = None) -> Iterator[None]:
    """The one place boto3's exceptions become the project's (as httpx maps its transports'):
    a missing object ``ObjectNotFound``, a failed precondition ``ObjectConflict``, a missing
    bucket ``ConfigError``, anything else ``StoreError`` naming ``what`` and what we were
    ``doing``. ``denied``: the message for ``AccessDenied`` (e.g. an object still locked)."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _NO_LOCK:
            raise _NoLock(f"{what} has no Object Lock configuration") from None
        if code in _NOT_FOUND:
            raise ObjectNotFound(f"object {what} not found") from None
        if code in _PRECONDITION:
            raise ObjectConflict(f"object {what} changed since it was read") from None
        if code == "NoSuchBucket":
            raise ConfigError(f"S3 bucket of {what} does not exist") from None
        if code == "AccessDenied":
            raise StoreError(denied or f"S3 refused access to {what} (AccessDenied)") from exc
        raise StoreError(f"S3 error {doing} {what}: {code or exc}") from exc
    except BotoCoreError as exc:
        raise StoreError(f"S3 endpoint unreachable {doing} {what}: {exc}") from exc


@dataclass(frozen=True)
class S3Options:
    """How to reach the bucket and how to lock what is written (built from settings)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    require_lock: bool = False
    lock_mode: str = "COMPLIANCE"
    ledger_retention: timedelta | None = None
    payload_retention: timedelta | None = None
    attempts: int = 5
    parallel: int = 8

    @property
    def locking(self) -> bool:
        return self.require_lock or self.ledger_retention is not None or self.payload_retention is not None


class S3Store:
    """An ``ObjectStore`` in one bucket, under one key prefix."""

    def __init__(self, bucket: str, prefix: str, options: S3Options, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.options = options
        self.url = f"s3://{bucket}/{self.prefix}"
        self.client = client or _client(options)
        self.requests: Counter[str] = Counter()  # S3 calls by operation (PutObject, ...), retries too
        self.client.meta.events.register("before-call.s3", self._count)
        self.versioned, self.bucket_locked = self._check_bucket()
        self.ledger_default = self.bucket_locked and options.ledger_retention is None
        if self.ledger_default:  # a locked bucket locks the ledger, asked or not
            self.options = options = replace(options, ledger_retention=DEFAULT_LEDGER_RETENTION)
        self.locking = options.locking or self.bucket_locked
        self._pool = ThreadPoolExecutor(max_workers=options.parallel, thread_name_prefix="s3put")

    def _count(self, model: Any, **_: Any) -> None:
        self.requests[model.name] += 1

    # -- the bucket ---------------------------------------------------------------------
    def lock_summary(self) -> dict[str, Any]:
        """What is locked and until when (said at start-up and in ``/healthz``)."""
        ledger, payload = self.options.ledger_retention, self.options.payload_retention
        now = datetime.now(UTC)
        return {
            "bucket_lock": self.bucket_locked,
            "mode": self.options.lock_mode if self.locking else None,
            "ledger_days": ledger.days if self.locking and ledger else None,
            "ledger_until": (now + ledger).date().isoformat() if self.locking and ledger else None,
            "ledger_default": self.ledger_default,
            "payload_days": payload.days if self.locking and payload else None,
        }

    def _check_bucket(self) -> tuple[bool, bool]:
        """(versioning on, Object Lock on); raises ``ConfigError`` if the bucket is missing or
        not locked as required."""
        try:
            with _mapped(f"bucket {self.bucket}", "checking"):
                versioning: bool = (
                    self.client.get_bucket_versioning(Bucket=self.bucket).get("Status") == "Enabled"
                )
            locked = self._lock_enabled()
        except (ConfigError, ObjectNotFound):
            raise ConfigError(f"S3 bucket {self.bucket!r} does not exist") from None
        if self.options.locking and not locked:
            raise ConfigError(f"S3 bucket {self.bucket!r} has no Object Lock, which this deployment requires")
        if self.options.locking and not versioning:
            raise ConfigError(f"S3 bucket {self.bucket!r} has versioning off; Object Lock needs it on")
        return versioning, locked

    def _lock_enabled(self) -> bool:
        try:
            with _mapped(f"bucket {self.bucket}", "checking the lock of"):
                conf = self.client.get_object_lock_configuration(Bucket=self.bucket)
        except _NoLock:
            return False
        enabled: bool = conf.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
        return enabled

    def _key(self, key: str) -> str:
        if not key or any(part in ("", ".", "..") for part in key.split("/")):
            raise InvalidInput(f"invalid object key {key!r}")
        return self.prefix + key

    # -- reading --------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        return self._get(key)[0]

    def _get(self, key: str, **extra: Any) -> tuple[bytes, str]:
        with _mapped(key, "reading"):
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(key), **extra)
            return found["Body"].read(), str(found["ETag"])

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        if length <= 0:
            return b""
        return self._get(key, Range=f"bytes={offset}-{offset + length - 1}")[0]

    def exists(self, key: str) -> bool:
        try:
            with _mapped(key, "reading"):
                self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ObjectNotFound:
            return False
        return True

    def list(self, prefix: str) -> Iterator[str]:
        """Keys under ``prefix``, in lexicographic order."""
        keys: list[str] = []
        with _mapped(prefix, "listing"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix + prefix
            )
            for page in pages:
                keys.extend(item["Key"][len(self.prefix) :] for item in page.get("Contents", []))
        return iter(sorted(keys))

    # -- writing --------------------------------------------------------------------------
    def put(self, key: str, data: bytes, *, retain_until: datetime | None = None) -> None:
        """Write once: refused by the server if the key exists (then compared). On a locked
        bucket ``retain_until`` is the object's lock date (at least the configured default)."""
        try:
            with _mapped(key, "writing"):
                self.client.put_object(**self._put_args(key, data, retain_until), IfNoneMatch="*")
        except ObjectConflict:
            if self._get(key)[0] != data:
                raise ObjectConflict(f"object {key} already exists with different content") from None

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        """Write several objects in parallel; returns when every one is stored."""
        futures = [self._pool.submit(self.put, key, data) for key, data in items]
        errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error

    def replace(self, key: str, data: bytes, *, expected: bytes | None = None) -> None:
        """Replace the mutable object; with ``expected``, only if it still holds those bytes."""
        args = self._put_args(key, data)
        if expected == b"":
            args["IfNoneMatch"] = "*"
        elif expected is not None:
            current, etag = self._current(key)
            if current != expected:
                raise ObjectConflict(f"object {key} changed since it was read")
            args["IfMatch"] = etag
        with _mapped(key, "writing"):
            self.client.put_object(**args)

    def _current(self, key: str) -> tuple[bytes, str]:
        try:
            return self._get(key)
        except ObjectNotFound:
            return b"", ""

    def _put_args(self, key: str, data: bytes, retain_until: datetime | None = None) -> dict[str, Any]:
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        args: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self._key(key),
            "Body": data,
            "ChecksumSHA256": digest,
        }
        until = self._retain_until(object_class(key), retain_until)
        if until is not None:
            args["ObjectLockMode"] = self.options.lock_mode
            args["ObjectLockRetainUntilDate"] = until
        return args

    def _retain_until(self, kind: ObjectClass, asked: datetime | None) -> datetime | None:
        keep = self._retention(kind)
        dates = [d for d in (asked, None if keep is None else datetime.now(UTC) + keep) if d is not None]
        if not dates or not self.options.locking or kind in (ObjectClass.CHECKPOINT, ObjectClass.LEASE):
            return None
        return max(dates)

    def _retention(self, kind: ObjectClass) -> timedelta | None:
        if kind in (ObjectClass.TILE, ObjectClass.HISTORY):
            return self.options.ledger_retention
        if kind is ObjectClass.PAYLOAD:
            return self.options.payload_retention
        return None  # the checkpoint and the lease change: never locked by us

    def delete(self, key: str) -> None:
        """Remove an object (every version on a versioned bucket); ``StoreError`` if locked."""
        full = self._key(key)
        with _mapped(
            key, "deleting", denied=f"object {key} is locked (Object Lock): it cannot be deleted yet"
        ):
            if not self.versioned:
                self.client.delete_object(Bucket=self.bucket, Key=full)
                return
            listing = self.client.list_object_versions(Bucket=self.bucket, Prefix=full)
            for item in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
                if item["Key"] == full:
                    self.client.delete_object(Bucket=self.bucket, Key=full, VersionId=item["VersionId"])

    def retain(self, key: str, until: datetime) -> bool:
        """Extend the object's lock to ``until`` (a later date only: S3 refuses to shorten a
        compliance lock, and we never ask it to shorten any)."""
        if not self.options.locking:
            return False
        mode, current = self._lock_of(key)
        if current is not None and current >= until:
            return True
        retention = {"Mode": mode or self.options.lock_mode, "RetainUntilDate": until}
        with _mapped(key, "locking"):
            self.client.put_object_retention(Bucket=self.bucket, Key=self._key(key), Retention=retention)
        return True

    def _lock_of(self, key: str) -> tuple[str | None, datetime | None]:
        """(mode, retain-until) of an object's lock, (None, None) when it has none."""
        try:
            with _mapped(key, "reading the lock of"):
                found = self.client.get_object_retention(Bucket=self.bucket, Key=self._key(key))
        except _NoLock:
            return None, None
        retention = found.get("Retention", {})
        return retention.get("Mode"), retention.get("RetainUntilDate")

    def legal_hold(self, key: str, on: bool) -> bool:
        """Set or clear the object's S3 legal hold (a locked bucket only)."""
        if not self.options.locking:
            return False
        with _mapped(key, "holding"):
            self.client.put_object_legal_hold(
                Bucket=self.bucket, Key=self._key(key), LegalHold={"Status": "ON" if on else "OFF"}
            )
        return True


def _client(options: S3Options) -> Any:
    config = Config(
        retries={"max_attempts": options.attempts, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=max(10, options.parallel * 2),
        s3={"addressing_style": "path"},
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=options.endpoint_url,
        region_name=options.region,
        aws_access_key_id=options.access_key_id,
        aws_secret_access_key=options.secret_access_key,
        config=config,
    )
