"""Entries as an older version of commsledger committed them: records and events that skip
today's validation (dates outside the range, ids today refuses), so tests can check that a
register already holding them still reads."""

from __future__ import annotations

from typing import Any, cast

from commsledger.core.commit import IngestReport, Sequencer
from commsledger.core.prepare import Prepared, prepare_record
from commsledger.core.register import Register
from contract.records import Record
from retention.service import current_policy


def commit_unchecked(register: Register, *docs: dict[str, Any]) -> None:
    """Commit records without validating them (sealed, stamped and indexed as ingest does)."""
    policy = current_policy(register)
    sequencer = Sequencer(register, IngestReport())
    prepared = [
        prepare_record(n, cast(Record, doc), register.master, register.settings.default_region, policy)
        for n, doc in enumerate(docs, 1)
    ]
    assert all(isinstance(p, Prepared) for p in prepared), prepared
    sequencer.process(list(prepared))
    sequencer.commit()
    register.sync_index()


def commit_event_unchecked(register: Register, record_id: str, event: dict[str, Any]) -> None:
    """Commit an event (no free text) about a record without validating it."""
    sequencer = Sequencer(register, IngestReport())
    sequencer.append_event(record_id, event, None, None)
    sequencer.commit()
    register.sync_index()
