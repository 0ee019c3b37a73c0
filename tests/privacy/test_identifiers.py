"""Every common spelling of one identifier normalises to the same value; errors hide values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import record, write_ndjson

from contract.errors import InvalidInput
from privacy.identifiers import IdKind, normalise, parse_identifier


@pytest.mark.parametrize(
    "spelling",
    [
        "+447700900123",
        "07700 900123",
        "+44 (0)7700 900123",
        "07700-900-123",
        "0044 7700 900123",
        " 07700900123 ",
    ],
)
def test_phone_spellings_meet_in_e164(spelling: str) -> None:
    assert str(normalise(IdKind.PHONE, spelling, "GB")) == "phone:+447700900123"


def test_national_phone_is_read_in_the_default_region() -> None:
    assert normalise(IdKind.PHONE, "(202) 555-0173", "US").value == "+12025550173"


@pytest.mark.parametrize(
    "spelling",
    ["Alice.Example@Example.com", "alice.example@example.com", " ALICE.EXAMPLE@EXAMPLE.COM"],
)
def test_email_matches_case_insensitively(spelling: str) -> None:
    assert str(normalise(IdKind.EMAIL, spelling)) == "email:alice.example@example.com"


def test_contract_forms_parse() -> None:
    assert str(parse_identifier("customer:C-1001")) == "customer:C-1001"
    assert str(parse_identifier("EMAIL:Bob@Example.org")) == "email:bob@example.org"
    assert str(parse_identifier("handle:@Alice")) == "handle:@alice"


@pytest.mark.parametrize(("text", "secret"), [("email:not-an-address", "not-an-address"), ("phone:12", "12")])
def test_bad_identifier_error_does_not_repeat_the_value(text: str, secret: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_identifier(text)
    assert secret not in str(caught.value)


def test_unknown_kind_names_the_accepted_ones() -> None:
    with pytest.raises(InvalidInput, match=r"customer:.*email:.*phone:"):
        parse_identifier("passport:123")


@pytest.mark.parametrize(
    "spelling",
    [
        "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # an East Asian input method's fullwidth form
        "Ａｌｉｃｅ@example.com",
        "ALICE＠EXAMPLE．COM",
        "\u3000alice@example.com\u3000",  # ideographic spaces around it
    ],
)
def test_fullwidth_emails_meet_the_plain_form(spelling: str) -> None:
    """Fails before: the first three were invalid or another person (ａlice), like phone
    digits already were not."""
    assert str(normalise(IdKind.EMAIL, spelling)) == "email:alice@example.com"


def test_fullwidth_handles_and_addresses_fold_and_other_compatibility_forms_do_not() -> None:
    assert str(normalise(IdKind.HANDLE, "＠Ａｌｉｃｅ")) == "handle:@alice"
    assert str(normalise(IdKind.ADDRESS, "１ Ｈｉｇｈ Ｓｔ，Ｌｏｎｄｏｎ")) == "address:1 high st london"
    assert str(normalise(IdKind.PHONE, "０７７００ ９００１２３")) == "phone:+447700900123"
    # a ligature may tell two real mailboxes apart: left as typed (joining people is worse)
    assert normalise(IdKind.EMAIL, "ﬁ@example.com").value != "fi@example.com"
    assert str(normalise(IdKind.CUSTOMER, "Ｃ-1001")) == "customer:Ｃ-1001"  # a system's exact key


def test_a_fullwidth_email_finds_and_joins_the_same_person(cli: Any, tmp_path: Path) -> None:
    """Fails before: the fullwidth spelling was refused at ingest and found nothing in search."""
    plain = record(1, recipient={"email": "alice@example.com"})
    wide = record(2, recipient={"email": "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ"})
    assert cli("ingest", str(write_ndjson(tmp_path / "r.ndjson", [plain, wide])), "--json").code == 0
    subjects = {cli("show", f"crm-00000{n}", "--json").json["ledger"]["subject"] for n in (1, 2)}
    assert len(subjects) == 1
    found = cli("search", "--subject", "email:ＡＬＩＣＥ＠example.com", "--json").json
    assert sorted(r["id"] for r in found["results"]) == ["crm-000001", "crm-000002"]
