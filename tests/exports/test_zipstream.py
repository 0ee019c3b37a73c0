"""``exports.zipstream`` as other ZIP readers see it: members compressed elsewhere and members
streamed read back exactly with their CRCs, UTF-8 names stay names, and past 65,535 members
the ZIP64 end records let ``zipfile`` count them all."""

from __future__ import annotations

import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contract.errors import InvalidInput
from exports.zipstream import ZipStream, deflate

WHEN = datetime(2026, 12, 5, 10, 30, 44, tzinfo=UTC)


def _add(archive: ZipStream, name: str, data: bytes) -> None:
    deflated, crc = deflate(data, 1)
    archive.add_deflated(name, deflated, len(data), crc)


def _write(path: Path, members: dict[str, bytes], streamed: dict[str, list[bytes]]) -> None:
    with path.open("w+b") as file:
        archive = ZipStream(file, WHEN, level=1)
        for name, data in members.items():
            _add(archive, name, data)
        for name, chunks in streamed.items():
            with archive.open(name) as member:
                for chunk in chunks:
                    member.write(chunk)
        archive.close()


def test_members_read_back_exactly_with_their_names_and_time(tmp_path: Path) -> None:
    random = os.urandom(300_000)  # does not compress: stored blocks inside DEFLATE
    members = {"messages/a.eml": b"Subject: x\r\n\r\nbody\r\n" * 50, "empty": b"", "réponse/é.txt": random}
    streamed = {"records.ndjson": [b'{"a": 1}\n'] * 20_000, "nothing": []}
    _write(tmp_path / "a.zip", members, streamed)
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert z.testzip() is None  # every CRC checks
        assert z.namelist() == [*members, *streamed]
        for name, data in members.items():
            assert z.read(name) == data
        assert z.read("records.ndjson") == b'{"a": 1}\n' * 20_000
        assert z.read("nothing") == b""
        assert z.getinfo("messages/a.eml").date_time == (2026, 12, 5, 10, 30, 44)


def test_more_than_65535_members_are_all_listed(tmp_path: Path) -> None:
    _write(tmp_path / "many.zip", {f"m/{n}": str(n).encode() for n in range(70_000)}, {"last": [b"end"]})
    with zipfile.ZipFile(tmp_path / "many.zip") as z:
        assert len(z.infolist()) == 70_001
        assert (z.read("m/69999"), z.read("last")) == (b"69999", b"end")


def test_a_name_is_used_once(tmp_path: Path) -> None:
    with (tmp_path / "a.zip").open("w+b") as file:
        archive = ZipStream(file, WHEN)
        _add(archive, "a", b"x")
        with pytest.raises(InvalidInput):
            _add(archive, "a", b"y")
        archive.discard()
