"""The synthetic register: what a newcomer, a test author or a benchmark relies on."""

from __future__ import annotations

import base64
import csv
import json
import os
import re
import resource
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from commsledger.synthetic import Subject, events, records, subjects, write_csv, write_ndjson

CHANNELS = {
    "email",
    "sms",
    "phone",
    "letter",
    "push",
    "web_push",
    "in_app",
    "social",
    "chat",
    "fax",
    "other",
}
PURPOSES = {
    "marketing",
    "service",
    "transactional",
    "complaint",
    "collections",
    "regulatory",
    "legal",
    "other",
}
STATUSES = {"queued", "sent", "delivered", "read", "responded", "bounced", "failed"}
FIELDS = {
    "id",
    "sent_at",
    "channel",
    "purpose",
    "recipient",
    "sender",
    "subject",
    "body",
    "attachments",
    "template_id",
    "campaign_id",
    "case",
    "follow_up",
    "status",
    "tags",
}
IDENTIFIERS = ("customer_id", "email", "phone", "handle", "address")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
RESERVED_DOMAIN = re.compile(r"(^|\.)example\.(com|org|net)$")
# Ofcom drama ranges, as E.164 digits after +44 (prefix, total national digits)
DRAMA = [
    ("7700900", 10),
    ("2079460", 10),
    ("1914980", 10),
    ("2896496", 10),
    ("2920180", 10),
    ("1632960", 10),
] + [
    (f"{area}4960", 10)
    for area in ("113", "114", "115", "116", "117", "118", "121", "131", "141", "151", "161")
]
SEED = 7
N = 6000
END = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    return list(records(N, seed=SEED))


@pytest.fixture(scope="module")
def people() -> dict[str, Subject]:
    return {s.customer_id: s for s in subjects(max(10, N // 20), seed=SEED)}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def e164(text: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(text, "GB"), phonenumbers.PhoneNumberFormat.E164)


def test_same_seed_gives_identical_output_and_another_seed_does_not() -> None:
    first = list(records(400, seed=3))
    assert first == list(records(400, seed=3))
    assert [events(r, seed=3) for r in first] == [events(r, seed=3) for r in first]
    other = list(records(400, seed=4))
    assert [r["body"] for r in other] != [r["body"] for r in first]
    assert subjects(50, seed=3) == subjects(50, seed=3) != subjects(50, seed=4)


def test_every_record_has_the_contract_fields_and_allowed_values(
    sample: list[dict[str, Any]],
) -> None:
    assert len(sample) == N
    for rec in sample:
        assert set(rec) <= FIELDS
        assert rec["channel"] in CHANNELS
        assert rec["purpose"] in PURPOSES
        assert rec["status"] in STATUSES
        assert any(rec["recipient"].get(key) for key in IDENTIFIERS), rec["id"]
        assert rec["sender"]["department"]
        assert isinstance(rec["body"], str)
        assert RFC3339.match(rec["sent_at"])
        assert at(rec["sent_at"]).tzinfo is not None
        assert all(isinstance(t, str) and t for t in rec.get("tags", ["none"]))
        assert len(json.dumps(rec).encode()) < 32 * 2**20


def test_absent_fields_are_left_out_rather_than_empty(sample: list[dict[str, Any]]) -> None:
    def values(node: Any) -> list[Any]:
        if isinstance(node, dict):
            return [v for value in node.values() for v in values(value)]
        if isinstance(node, list):
            return [v for value in node for v in values(value)]
        return [node]

    for rec in sample:
        assert all(v is not None and v != "" for v in values(rec)), rec["id"]


def test_ids_are_unique_and_name_the_sending_system(sample: list[dict[str, Any]]) -> None:
    assert len({r["id"] for r in sample}) == N
    for rec in sample:
        assert re.fullmatch(re.escape(rec["sender"]["system"]) + r"-\d{8}", rec["id"])


def test_sent_at_ascends_within_the_window(sample: list[dict[str, Any]]) -> None:
    times = [at(r["sent_at"]) for r in sample]
    assert times == sorted(times)
    assert END - timedelta(days=1096) <= times[0]
    assert times[-1] < END
    assert times[-1] - times[0] > timedelta(days=900)  # spread over the whole period
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    window = list(records(300, seed=1, start=start, end=end))
    assert len(window) == 300
    assert all(start <= at(r["sent_at"]) < end for r in window)
    assert list(records(0)) == []


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="start"):
        records(5, start=END, end=END)
    with pytest.raises(ValueError, match="subjects"):
        records(5, subjects=0)
    with pytest.raises(ValueError, match="n must"):
        records(-1)


def test_complaints_follow_the_disp_timetable(sample: list[dict[str, Any]]) -> None:
    cases: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in sample:
        if rec.get("case", {}).get("type") == "complaint":
            cases[rec["case"]["id"]].append(rec)
    assert len(cases) > 30
    finals = 0
    for case_id, recs in cases.items():
        assert re.fullmatch(r"CMP-\d{6}", case_id)
        received = at(recs[0]["case"]["received_at"])
        assert {r["case"]["received_at"] for r in recs} == {recs[0]["case"]["received_at"]}
        assert received < at(recs[0]["sent_at"])
        templates = [r["template_id"] for r in recs]
        assert templates[0] in ("cmp-ack-v3", "cmp-src-v2") or received < END - timedelta(days=70)
        for rec in recs:
            if rec["template_id"] in ("cmp-frl-v5", "cmp-8wk-v1"):
                assert at(rec["sent_at"]) - received <= timedelta(weeks=8), case_id
                finals += 1
            assert rec["purpose"] == "complaint"
            assert rec["sender"]["department"] == "Complaints"
        if "cmp-ack-v3" in templates and "cmp-frl-v5" in templates:
            assert templates.index("cmp-ack-v3") < templates.index("cmp-frl-v5")
    assert finals > 20


def test_every_case_opens_before_its_first_communication(sample: list[dict[str, Any]]) -> None:
    kinds: Counter[str] = Counter()
    for rec in sample:
        if "case" in rec:
            kinds[rec["case"]["type"]] += 1
            assert at(rec["case"]["received_at"]) < at(rec["sent_at"])
    assert {"complaint", "collections", "fraud"} <= set(kinds)


def test_subjects_appear_in_several_spellings_that_normalise_to_one(
    sample: list[dict[str, Any]], people: dict[str, Subject]
) -> None:
    emails: dict[str, set[str]] = defaultdict(set)
    phones: dict[str, set[str]] = defaultdict(set)
    for rec in sample:
        rcp = rec["recipient"]
        if "customer_id" in rcp:
            if "email" in rcp:
                emails[rcp["customer_id"]].add(rcp["email"])
            if "phone" in rcp:
                phones[rcp["customer_id"]].add(rcp["phone"])
    busiest = max(emails, key=lambda cid: len(emails[cid]))
    assert len(emails[busiest]) >= 2
    assert max(len(p) for p in phones.values()) >= 2
    for cid, spellings in emails.items():
        assert {s.lower() for s in spellings} == {people[cid].email}
    for cid, spellings in phones.items():
        assert {e164(s) for s in spellings} == {people[cid].phone}


def test_recipients_match_their_subject_and_the_body_names_them(
    sample: list[dict[str, Any]], people: dict[str, Subject]
) -> None:
    for rec in sample:
        rcp = rec["recipient"]
        if "customer_id" in rcp:
            person = people[rcp["customer_id"]]
            assert person.name in rec["body"]
            assert rcp.get("name", person.name) == person.name
            assert rcp.get("address", person.address) == person.address
            assert rcp.get("handle", person.handle) == person.handle
        if "name" in rcp:
            assert rcp["name"] in rec["body"]


def test_only_reserved_addresses_and_numbers_are_used(people: dict[str, Subject]) -> None:
    for person in [*people.values(), *subjects(2000, seed=1)]:
        assert person.identifiers()[0] == f"customer:{person.customer_id}"
        assert RESERVED_DOMAIN.search(person.email.split("@")[1])
        assert person.email == person.email.lower()
        digits = person.phone.removeprefix("+44")
        assert any(digits.startswith(p) and len(digits) == n for p, n in DRAMA), person.phone
        assert person.identifiers()[1:] == [f"email:{person.email}", f"phone:{person.phone}"]


def test_phone_numbers_are_unique_until_the_drama_ranges_run_out() -> None:
    assert len({s.phone for s in subjects(17_000)}) == 17_000
    shares = Counter(s.phone for s in subjects(20_000))
    assert max(shares.values()) == 2


def test_bodies_are_realistic(sample: list[dict[str, Any]]) -> None:
    lengths = [len(r["body"]) for r in sample]
    assert min(lengths) >= 200
    assert sum(n <= 2000 for n in lengths) >= 0.95 * N
    assert max(lengths) > 2000
    assert any(not r["recipient"].get("name", "a").isascii() for r in sample)
    assert len({r["template_id"] for r in sample}) > 30
    assert len({r["sender"]["department"] for r in sample}) >= 10
    assert {r["purpose"] for r in sample} >= PURPOSES - {"other"}
    assert all(
        "mifid" in r.get("tags", ())
        for r in sample
        if r["sender"]["department"] == "Wealth Management (MiFID)"
    )
    otp = [r for r in sample if r["template_id"] == "otp-sms-v2" and r["channel"] == "sms"]
    assert otp
    assert all(r["purpose"] == "transactional" for r in otp)


def test_templates_are_fully_rendered(sample: list[dict[str, Any]]) -> None:
    for rec in sample:
        assert not re.search(r"[{}]", rec["body"] + rec.get("subject", "")), rec["id"]


def test_tiny_populations_still_get_every_kind_of_communication() -> None:
    recs = list(records(300, seed=1, subjects=2))
    assert {r["recipient"].get("customer_id") for r in recs} <= {"C-1001", "C-1002", None}
    assert len({r["sender"]["department"] for r in recs}) >= 8


def test_marketing_campaigns_reach_many_people_on_one_day(sample: list[dict[str, Any]]) -> None:
    campaigns: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in sample:
        if "campaign_id" in rec:
            assert rec["purpose"] == "marketing"
            campaigns[rec["campaign_id"]].append(rec)
    biggest = max(campaigns.values(), key=len)
    assert len(biggest) >= 10
    assert len({at(r["sent_at"]).date() for r in biggest}) == 1
    people = [r["recipient"].get("customer_id") for r in biggest if "customer_id" in r["recipient"]]
    assert len(set(people)) == len(people)


def test_a_few_records_carry_small_attachments(sample: list[dict[str, Any]]) -> None:
    attached = [a for r in sample for a in r.get("attachments", [])]
    assert 0.005 * N < len(attached) < 0.05 * N
    for attachment in attached:
        data = base64.b64decode(attachment["content_base64"], validate=True)
        assert 100 < len(data) < 20_000
        if attachment["content_type"] == "application/pdf":
            assert data.startswith(b"%PDF-")
            assert data.rstrip().endswith(b"%%EOF")


def test_events_come_after_the_record_and_many_records_have_none(
    sample: list[dict[str, Any]],
) -> None:
    none = 0
    kinds: Counter[str] = Counter()
    for rec in sample[:3000]:
        later = events(rec, seed=SEED)
        none += not later
        sent = at(rec["sent_at"])
        for event in later:
            kinds[event["type"]] += 1
            assert RFC3339.match(event["at"])
            assert at(event["at"]) > sent
            assert event["type"] in ("status", "response", "follow_up_done", "case_closed")
            assert event["type"] != "status" or event["status"] in STATUSES
        assert [e["at"] for e in later] == sorted(e["at"] for e in later)
        if rec.get("template_id") in ("cmp-frl-v5", "cmp-src-v2"):
            assert any(e["type"] == "case_closed" for e in later)
    assert none > 300
    assert set(kinds) == {"status", "response", "follow_up_done", "case_closed"}


def test_csv_round_trips_to_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    assert write_csv(path, 400, seed=5) == 400
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rebuilt = []
    for row in rows:
        rec: dict[str, Any] = {}
        for column, value in row.items():
            if not value:
                continue
            head, _, tail = column.partition(".")
            if tail:
                rec.setdefault(head, {})[tail] = value
            else:
                rec[head] = value.split("|") if head == "tags" else value
        rebuilt.append(rec)
    expected = [{k: v for k, v in r.items() if k != "attachments"} for r in records(400, seed=5)]
    assert rebuilt == expected


def test_ndjson_holds_one_utf8_record_per_line(tmp_path: Path) -> None:
    path = tmp_path / "records.ndjson"
    assert write_ndjson(path, 300, seed=5, subjects=40) == 300
    lines = path.read_bytes().splitlines()
    assert [json.loads(line) for line in lines] == list(records(300, seed=5, subjects=40))
    names = {s.name for s in subjects(40, seed=5)}
    assert any(not n.isascii() and n.encode() in path.read_bytes() for n in names)


def test_generation_is_lazy() -> None:
    stream = records(10**9, seed=2)  # would never start if it planned everything up front
    assert next(stream)["id"] != next(stream)["id"]


def test_memory_stays_flat_while_streaming() -> None:
    def rss_mb() -> float:
        statm = Path("/proc/self/statm")
        if statm.exists():
            return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak, in KiB

    stream = records(1_000_000, seed=2)  # the benchmark's size: 50,000 subjects
    for _ in range(25_000):
        next(stream)
    before = rss_mb()
    for _ in range(50_000):
        next(stream)
    assert rss_mb() - before < 12  # typically about 2 MB


def test_the_default_population_is_a_twentieth_of_n() -> None:
    recs = list(records(400, seed=9))
    cids = {r["recipient"]["customer_id"] for r in recs if "customer_id" in r["recipient"]}
    assert cids <= {s.customer_id for s in subjects(20, seed=9)}
    assert len(cids) > 10
