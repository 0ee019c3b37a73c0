"""Every common spelling of one identifier normalises to the same value; errors hide values."""

from __future__ import annotations

import pytest

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
