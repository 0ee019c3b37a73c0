"""A missing payload is excused only by an entry of the ledger (``retention.disposed``,
``subject.erased``), never by the derived catalog (issue 10: a row inserted into the
catalog's shredded table made ``verify`` say ok over a deleted payload)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import record

from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from commsledger.core.verify import verify_register
from ledger import layout


@pytest.fixture
def lone(tmp_path: Path) -> Iterator[tuple[Register, int]]:
    """A register where crm-000001's payload is alone in its pack, and that pack deleted;
    yields the register and the seq of the record's entry."""
    settings = Settings(data=tmp_path / "data", workers=0, batch=64)
    with Register(settings) as register:
        for n in (1, 2):
            ingest.ingest(register, [(1, json.dumps(record(n)).encode())])
        seq = register.catalog.history("crm-000001")[0]
        where = register.catalog.location(seq)
        assert where is not None
        register.store.delete(layout.payload_pack_path(where.pack))
        yield register, seq


def _problems(register: Register) -> list[tuple[int | None, str]]:
    return [(p.seq, str(p.kind)) for p in verify_register(register).problems]


def test_a_row_in_the_catalog_does_not_excuse_a_deleted_payload(lone: tuple[Register, int]) -> None:
    register, seq = lone
    with register.catalog.transaction():
        register.catalog.mark_shredded([("crm-000001", seq)])
    assert _problems(register) == [(seq, "payload_missing")]


@pytest.mark.parametrize("kind", ["retention.disposed", "subject.erased"])
def test_an_entry_of_the_ledger_excuses_it(lone: tuple[Register, int], kind: str) -> None:
    register, seq = lone
    assert _problems(register) == [(seq, "payload_missing")]
    register.append_entries([(kind, {"request": "r-1", "records": ["crm-000001"]})])
    assert _problems(register) == []


def test_an_entry_naming_another_record_excuses_nothing(lone: tuple[Register, int]) -> None:
    register, seq = lone
    register.append_entries([("retention.disposed", {"run": "r-1", "records": ["crm-000002"]})])
    assert _problems(register) == [(seq, "payload_missing")]
