"""E-mail addresses: the quick path for plain addresses (issue 14: the library costs ~40 us an
address, and a million records name hundreds of thousands) accepts, refuses and normalises
exactly as the library does."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contract.errors import InvalidInput
from privacy import identifiers
from privacy.identifiers import narrow, normalise_email

DOMAINS = [
    "example.com", "example.co.uk", "mail.example.org", "a.b.c.d.example.net", "x.io", "e.xn--p1ai",
    "localhost", "mail.local", "a.test", "b.invalid", "example.arpa", "x.onion", "example",
    "example.123", "1.2.3.4", "-a.com", "a-.com", "a--b.com", "ab--cd.com", "xn--nxasmq6b.com",
    "xn--zz.com", "a..b.com", ".a.com", "a.com.", "a" * 63 + ".com", "a" * 64 + ".com",
    ".".join(["abcdefghi"] * 25) + ".com", "_a.com", "example.c", "example.co-m",
]  # fmt: skip
LOCAL = st.text(alphabet="abcXYZ019._-+!#$%&'*/=?^`{|}~\"(),:;<>@[\\] é", min_size=0, max_size=12)


def _library(key: str) -> str | None:
    """What ``normalise_email`` gave before the quick path: the library on every address."""
    try:
        return validate_email(narrow(key).strip().lower(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _ours(key: str) -> str | None:
    try:
        return normalise_email(key)
    except InvalidInput:
        return None


@settings(max_examples=1500)
@given(LOCAL, st.sampled_from(DOMAINS) | st.from_regex(r"[a-z0-9.\-]{1,20}", fullmatch=True))
@example("a" * 200, "example.com")
@example("a" * 190, "b" * 63)
@example("a" * 64, "example.com")
@example("a" * 65, "example.com")
def test_an_address_is_taken_exactly_as_the_library_takes_it(local: str, domain: str) -> None:
    key = f"{local}@{domain}".lower()
    for _ in range(2):  # again, once its domain and the address are remembered
        assert _ours(key) == _library(key)


@pytest.mark.parametrize("length", [252, 253, 254, 255, 256])
def test_the_length_of_a_whole_address_is_the_library_s(length: int) -> None:
    domain = ".".join(["b" * 60] * 3) + ".com"  # 187 characters
    key = "a" * (length - len(domain) - 1) + "@" + domain
    assert _ours(key) == _library(key)


def test_a_plain_address_does_not_call_the_library_once_its_domain_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert normalise_email("First.Person@Example.com") == "first.person@example.com"

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the library was called")

    monkeypatch.setattr(identifiers, "validate_email", refuse)
    assert normalise_email("Second.Person+tag@example.com") == "second.person+tag@example.com"
