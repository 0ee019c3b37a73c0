"""Erasure by redaction on the file store: no byte of the person is left anywhere under the
data dir, every proof still checks and ``verify`` stays clean; records a legal hold or a
retention duty keeps are withheld (with the rule and the date the duty ends), still readable,
and erased by the disposition run once the hold is released or the duty ends; a second
erasure, or an erasure killed midway, gets a clear answer or resumes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import isodate
import pytest
from erasure_fixtures import SCHEDULE, Person, records_of
from index_files import words_on_disk
from retention_fixtures import lines, with_retention
from scan import left_on_disk

from commsledger.access.shredding import query_shredder
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.access_bundle import export_request
from commsledger.core.erasure import deferred_step, erase_for
from commsledger.core.erasure_entries import CACHE
from commsledger.core.register import Register
from commsledger.core.requests import Given, RequestBook
from commsledger.core.verify import verify_register
from contract.errors import Conflict
from ledger.proof import check_proof
from privacy.requests import RequestType
from retention import runs
from retention.service import hold_scope, place_hold, release_hold
from search.service import find

ZED = Person("zq", 777)
OTHER = Person("ov", 778)


@pytest.fixture
def register(data_dir: Path, tmp_path: Path) -> Iterator[Register]:
    settings = with_retention(Settings(data=data_dir, workers=0, batch=64), tmp_path, SCHEDULE)
    with Register(settings) as reg:
        yield reg


def load(register: Register, *docs: list[dict[str, Any]]) -> None:
    report = ingest.ingest(register, lines([d for batch in docs for d in batch]))
    assert report.rejected == [], report.rejected


def erase(register: Register, person: Person, ref: str = "T-1") -> dict[str, Any]:
    shredder = query_shredder(register.settings, register.master, register.signer)
    return erase_for(register, [person.identifier()], ref, shredder=shredder).to_json()


def cached_bundle(register: Register, person: Person) -> Path:
    book = RequestBook(register)
    request = book.create(RequestType.ACCESS, [Given(person.identifier(), verified=True)])
    book.match(request.id)
    out = register.data / CACHE / f"{request.id}.zip"
    assert export_request(register, request.id, out).records == 4
    return out


def wrapped_keys(register: Register, record_ids: list[str]) -> list[bytes]:
    marks = ",".join("?" * len(record_ids))
    query = f"SELECT wrapped FROM data_keys WHERE record_id IN ({marks})"
    return [bytes(r[0]) for r in register.privacy.execute(query, record_ids)]


def test_erasure_leaves_no_byte_of_the_person_under_the_data_dir(register: Register, data_dir: Path) -> None:
    mine, theirs = records_of(ZED, 1), records_of(OTHER, 1)
    load(register, mine, theirs)
    ids = [d["id"] for d in mine]
    keys = wrapped_keys(register, ids)
    words = [ZED.marker(0), f"quill{ZED.key}feather", OTHER.marker(0)]
    assert words_on_disk(data_dir / "index", words) == set(words)
    cached = cached_bundle(register, ZED)  # as the HTTP API keeps one for download

    done = erase(register, ZED)

    assert sorted(done["erased"]) == sorted(ids)
    assert (done["withheld"], done["identifiers_removed"]) == ([], True)
    assert not cached.exists()
    assert left_on_disk([data_dir], [*ZED.values(), *keys]) == {}  # while the register is open (WALs too)
    register.close()  # and every file as a restart would find it
    assert left_on_disk([data_dir], [*ZED.values(), *keys]) == {}
    assert words_on_disk(data_dir / "index", words) == {OTHER.marker(0)}


def test_after_erasure_the_ledger_verifies_proofs_check_and_show_says_why(register: Register) -> None:
    mine = records_of(ZED, 1)
    load(register, mine, records_of(OTHER, 1))
    done = erase(register, ZED)

    shown = register.show(mine[0]["id"])
    assert shown["redacted"] is True
    assert "recipient" not in shown
    assert "body" not in shown
    assert shown["channel"] == "email"  # the envelope stays
    assert (
        shown["redaction"]["note"]
        == f"redacted under request {done['request']} on {shown['redaction']['at'][:10]}"
    )
    report = verify_register(register).to_json()
    assert report["ok"], report["problems"]
    proof = register.prove(mine[0]["id"])
    assert check_proof(proof, register.signer.verifier().vkey())["ok"]
    assert register.show(records_of(OTHER, 1)[0]["id"])["body"].startswith("Dear")
    assert find(register, {"text": ZED.marker(0)})["total"] == 0
    assert find(register, {"subject": [ZED.identifier()]})["total"] == 0  # identifiers forgotten


def test_erasure_entries_hold_no_personal_data(register: Register) -> None:
    load(register, records_of(ZED, 1))
    erase(register, ZED)
    text = b"".join(e.raw for e in register.log.entries())
    for value in ZED.values():
        assert value.encode() not in text
    erased = [e for e in register.log.entries() if e.kind == "subject.erased"]
    assert [len(e.envelope["records"]) for e in erased] == [4]


def test_held_and_duty_records_are_withheld_readable_and_erased_when_their_time_comes(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    marketing = records_of(ZED, 1)  # erasable: the firm's own two years
    complaint = records_of(ZED, 10, purpose="complaint", count=1)  # a legal duty, Art. 17(3)(b)
    short = records_of(ZED, 20, tags=["short"], count=1)  # a two-day duty hides behind P2Y
    load(register, marketing, complaint, short)
    held = marketing[0]["id"]
    hold = place_hold(register, hold_scope(register, {"record": held}), "Matter 2026/7")

    done = erase(register, ZED)

    withheld = {w["id"]: w for w in done["withheld"]}
    assert set(withheld) == {held, complaint[0]["id"], short[0]["id"]}
    assert (withheld[held]["reason"], withheld[held]["ground"], withheld[held]["holds"]) == (
        "legal hold", "Art. 17(3)(e)", [hold.id])  # fmt: skip
    duty = withheld[complaint[0]["id"]]
    assert (duty["reason"], duty["ground"], duty["rule"]) == ("retention duty", "Art. 17(3)(b)", "complaint")
    received = date.fromisoformat(complaint[0]["case"]["received_at"][:10])
    assert duty["until"] == (received + isodate.parse_duration("P3Y")).isoformat()  # the day the duty ends
    assert withheld[short[0]["id"]]["rule"] == "short-duty"
    assert sorted(done["erased"]) == sorted(d["id"] for d in marketing[1:])
    assert done["identifiers_removed"] is False  # withheld records still need them
    for rid in withheld:
        assert register.show(rid)["body"].startswith("Dear")  # still readable

    release_hold(register, hold.id, "Matter closed")
    first = runs.run(register, runs.today(), steps=[deferred_step(register, None)])
    assert first.to_json()["erasures"]["requests"] == {done["request"]: [held]}
    assert register.show(held)["redacted"] is True
    assert not register.show(short[0]["id"])["redacted"]

    later = runs.today() + timedelta(days=5)
    monkeypatch.setattr(runs, "today", lambda: later)  # the clock moves on: the short duty ends
    second = runs.run(register, later, steps=[deferred_step(register, None)]).to_json()
    assert second["erasures"]["requests"] == {done["request"]: [short[0]["id"]]}
    assert second["erasures"]["still_withheld"] == 1
    report = json.loads(Path(second["report"]["json"]).read_text())
    assert report["erasures"]["erased"] == 1  # the run's signed report says so
    assert not register.show(complaint[0]["id"])["redacted"]


def test_a_second_erasure_of_the_same_person_gets_a_clear_answer(register: Register) -> None:
    load(register, records_of(ZED, 1))
    first = erase(register, ZED, "T-1")
    with pytest.raises(Conflict, match=f"erased under request {first['request']}"):
        erase(register, ZED, "T-2")
    with pytest.raises(Conflict, match="was completed"):
        erase(register, ZED, "T-1")  # the same request again


def test_an_erasure_killed_after_its_commit_point_resumes_to_the_end(
    register: Register, data_dir: Path
) -> None:
    mine = records_of(ZED, 1)
    load(register, mine, records_of(OTHER, 1))

    def crash(ids: list[str]) -> None:
        raise KeyboardInterrupt  # the process dies while the index is rebuilt

    register.redaction_hooks.insert(0, crash)
    with pytest.raises(KeyboardInterrupt):
        erase(register, ZED, "T-9")
    register.redaction_hooks.remove(crash)
    assert any(e.kind == "subject.erased" for e in register.log.entries())
    assert words_on_disk(data_dir / "index", [ZED.marker(0)]) == {ZED.marker(0)}  # half done

    done = erase(register, ZED, "T-9")  # the same command again

    assert done["resumed"] is True
    assert sorted(done["erased"]) == sorted(d["id"] for d in mine)
    assert words_on_disk(data_dir / "index", [ZED.marker(0)]) == set()
    assert left_on_disk([data_dir], ZED.values()) == {}
    with pytest.raises(Conflict, match="was completed"):
        erase(register, ZED, "T-9")
