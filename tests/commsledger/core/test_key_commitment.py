"""New records' ledger entries commit to their data key as well as their ciphertext, so that
an opened record proves the words recorded; the commitment changes nothing a user relies on:
re-sending a record is still a duplicate, and ``show`` keeps it out of the record."""

from __future__ import annotations

from pathlib import Path

from helpers import record, write_ndjson

from commsledger.core import ingest
from commsledger.core.register import Register
from privacy.keys import key_commitment


def test_a_new_entry_commits_to_its_data_key_and_resending_is_a_duplicate(
    register: Register, tmp_path: Path
) -> None:
    path = write_ndjson(tmp_path / "in.ndjson", [record(1), record(2)])
    with path.open("rb") as stream:
        assert ingest.ingest(register, ingest.read_ndjson(stream)).accepted == 2
    own = register.record_entries("crm-000001")[0]
    key = register.keys.data_key("crm-000001")
    assert key is not None
    assert own.envelope["key_commitment"] == key_commitment(key, "crm-000001")
    assert own.envelope["key_commitment"] != key_commitment(key, "crm-000002")  # bound to the record
    with path.open("rb") as stream:
        again = ingest.ingest(register, ingest.read_ndjson(stream))
    assert (again.accepted, again.duplicates, again.conflicts) == (0, 2, 0)
    shown = register.show("crm-000001")
    assert "key_commitment" not in shown
    assert shown["ledger"]["key_commitment"] == own.envelope["key_commitment"]
