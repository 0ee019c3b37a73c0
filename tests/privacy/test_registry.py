"""The subject registry: pseudonyms, links between identifiers, no plain identifiers stored."""

from __future__ import annotations

from pathlib import Path

from privacy.db import open_privacy_db
from privacy.keys import MasterKey
from privacy.registry import SubjectRegistry


def _registry(tmp_path: Path) -> SubjectRegistry:
    return SubjectRegistry(
        open_privacy_db(tmp_path / "privacy.db", create=True),
        MasterKey.load_or_create(tmp_path / "master.key"),
    )


def test_same_identifier_same_pseudonym_and_unknown_is_empty(tmp_path: Path) -> None:
    reg = _registry(tmp_path)
    alice = reg.resolve(["email:alice@example.com", "customer:C-1"])
    reg.flush()
    assert reg.resolve(["customer:C-1"]) == alice
    assert reg.lookup("email:alice@example.com") == [alice]
    assert reg.lookup("email:nobody@example.com") == []


def test_a_record_naming_two_known_people_links_them(tmp_path: Path) -> None:
    reg = _registry(tmp_path)
    by_email = reg.resolve(["email:alice@example.com"])
    by_phone = reg.resolve(["phone:+447700900123"])
    assert by_email != by_phone
    reg.resolve(["email:alice@example.com", "phone:+447700900123"])
    reg.flush()
    assert (
        reg.lookup("phone:+447700900123")
        == reg.lookup("email:alice@example.com")
        == sorted([by_email, by_phone])
    )


def test_no_identifier_is_stored_in_plain_form(tmp_path: Path) -> None:
    reg = _registry(tmp_path)
    reg.resolve(["email:alice.secret@example.com", "phone:+447700900999"])
    reg.flush()
    reg._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("privacy.db*"))
    assert b"alice.secret" not in stored
    assert b"7700900999" not in stored


def test_two_writers_registering_one_person_end_up_linked(tmp_path: Path) -> None:
    """Two processes share the registry; both meet the same new e-mail before either flushed."""
    master = MasterKey.load_or_create(tmp_path / "master.key")
    first = SubjectRegistry(open_privacy_db(tmp_path / "privacy.db", create=True), master)
    second = SubjectRegistry(open_privacy_db(tmp_path / "privacy.db", create=True), master)
    a = first.resolve(["email:shared@example.com", "phone:+447700900111"])
    b = second.resolve(["email:shared@example.com", "customer:C-9"])
    assert a != b  # neither saw the other's: two pseudonyms
    first.flush()
    second.flush()  # the e-mail is already taken: second's person joins first's
    for registry in (first, second):
        for name in ("email:shared@example.com", "phone:+447700900111", "customer:C-9"):
            assert registry.lookup(name) == sorted([a, b])
