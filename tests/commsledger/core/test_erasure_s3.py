"""Erasure on the ``s3`` store, against SeaweedFS: on a plain bucket the payload pack whose
every record was erased is deleted; on a bucket with Object Lock (compliance mode) it cannot
be, and stays as ciphertext no key opens any more. Either way no object of the bucket and no
file of the data dir holds a byte of the person, and ``verify`` stays clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from erasure_fixtures import SCHEDULE, Person, records_of
from retention_fixtures import lines, with_retention
from s3server import LOCKED_BUCKET, PLAIN_BUCKET, SeaweedS3, s3_settings, unique_prefix
from scan import left_on_disk, spellings

from commsledger.access.shredding import query_shredder
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.erasure import erase_for
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from contract.errors import StoreError
from ledger import layout

ZED = Person("zs", 781)
OTHER = Person("os", 782)


@pytest.fixture(params=[PLAIN_BUCKET, LOCKED_BUCKET])
def bucket(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def register(s3_server: SeaweedS3, data_dir: Path, tmp_path: Path, bucket: str) -> Iterator[Register]:
    locked = bucket == LOCKED_BUCKET
    settings = Settings(
        data=data_dir, workers=0, store=f"s3://{bucket}/{unique_prefix()}",
        s3=s3_settings(s3_server, require_lock=locked, ledger_retention="P1D" if locked else None),
    )  # fmt: skip
    with Register(with_retention(settings, tmp_path, SCHEDULE)) as reg:
        yield reg


def objects(register: Register, s3_client: Any, bucket: str) -> dict[str, bytes]:
    """Every object of the register's prefix (the access log's included), by key."""
    prefix = register.store.prefix  # type: ignore[attr-defined]
    found = {}
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = s3_client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found


def pack_of(register: Register, record_id: str) -> str:
    seq = register.catalog.history(record_id)[0]
    return layout.payload_pack_path(register.catalog.packs_by_seq()[seq])


@pytest.mark.slow
def test_erasure_on_s3_leaves_no_readable_byte(
    register: Register, s3_client: Any, bucket: str, data_dir: Path
) -> None:
    mine = records_of(ZED, 1)
    assert ingest.ingest(register, lines(mine)).accepted == 4  # a pack of their own
    assert ingest.ingest(register, lines(records_of(OTHER, 1))).accepted == 4
    pack = pack_of(register, mine[0]["id"])

    done = erase_for(register, [ZED.identifier()], "T-s3", shredder=query_shredder(
        register.settings, register.master, register.signer)).to_json()  # fmt: skip

    assert sorted(done["erased"]) == sorted(d["id"] for d in mine)
    if bucket == LOCKED_BUCKET:
        sealed = register.store.get(pack)  # compliance mode: the pack could not be deleted...
        assert len(sealed) > 0
        with pytest.raises(StoreError):
            register.store.delete(pack)
        assert register.keys.data_keys([d["id"] for d in mine]) == {}  # ...and no key opens it
    else:
        assert not register.store.exists(pack)
    assert register.show(mine[0]["id"])["redacted"] is True
    everything = objects(register, s3_client, bucket)
    assert len(everything) > 10
    for value in ZED.values():
        assert not any(form in data for data in everything.values() for form in spellings(value)), value
    assert left_on_disk([data_dir], ZED.values()) == {}
    report = verify_register(register).to_json()
    assert report["ok"], report["problems"]
