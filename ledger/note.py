"""C2SP signed notes with Ed25519 keys (signature type 0x01), as golang.org/x/mod/sumdb/note.

A note is UTF-8 text ending in a newline, a blank line, then one or more signature lines
``— <name> base64(key ID (4) || signature (64))``. A key is named by ``name`` and its key ID,
SHA-256(name || 0x0A || 0x01 || public key)[:4]. Verifier keys are written
``name+hex(key ID)+base64(0x01 || public key)``, signer keys ``PRIVATE+KEY+`` and the same with
the 32-byte Ed25519 seed in place of the public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contract.errors import InvalidInput, VerificationError

ALG_ED25519 = 0x01
MAX_SIGNATURES = 100  # golang/mod's limit; C2SP asks verifiers to accept at least 16
SIG_PREFIX = "— "
_HEX = frozenset("0123456789abcdefABCDEF")
_SIG_SIZE = 64
_KEY_SIZE = 32
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # any C0 control but the newline


def is_valid_name(name: str) -> bool:
    """Whether ``name`` can name a key: non-empty, with no whitespace, ``+`` or control
    character, and encodable as UTF-8."""
    if not name or "+" in name:
        return False
    if _CONTROL.search(name) or any(c.isspace() for c in name):
        return False
    try:
        name.encode()
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 key: SHA-256(name || 0x0A || 0x01 || pub)[:4]."""
    return hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4]


def _b64decode(text: str) -> bytes | None:
    """Strict standard base64 (padding required, nothing outside the alphabet), or None."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _parse_key(text: str) -> tuple[str, bytes, bytes] | None:
    """``name+hexkeyid+base64(0x01||key)`` -> (name, key ID, 32-byte key), or None."""
    name, _, rest = text.partition("+")
    hex_id, _, key64 = rest.partition("+")
    raw = _b64decode(key64)
    if len(hex_id) != 8 or not _HEX.issuperset(hex_id) or not is_valid_name(name):
        return None
    if raw is None or len(raw) != 1 + _KEY_SIZE or raw[0] != ALG_ED25519:
        return None
    return name, bytes.fromhex(hex_id), raw[1:]


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key that checks note signatures."""

    name: str
    key_id: bytes
    public_key: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_valid_name(self.name):
            raise InvalidInput("not a valid key name", field="name")
        if len(self.public_key) != _KEY_SIZE or self.key_id != key_id(self.name, self.public_key):
            raise InvalidInput("key ID does not match the name and public key", field="key_id")
        try:
            key = Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as exc:
            raise InvalidInput("not an Ed25519 public key", field="public_key") from exc
        object.__setattr__(self, "_key", key)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse ``name+hexkeyid+base64(0x01||pub)``; raises ``VerificationError``
        (problem ``bad_key``) for a malformed key or a key ID that does not match."""
        parsed = _parse_key(vkey)
        if parsed is None:
            raise VerificationError("malformed verifier key", problem="bad_key")
        name, kid, pub = parsed
        if kid != key_id(name, pub):
            raise VerificationError(f"verifier key {name}: key ID does not match", problem="bad_key")
        try:
            return cls(name, kid, pub)
        except (InvalidInput, ValueError) as exc:
            raise VerificationError(f"verifier key {name}: {exc}", problem="bad_key") from exc

    def fingerprint(self) -> str:
        """``sha256:`` and the hex SHA-256 of the public key: what a person compares with the
        fingerprint the register's owner publishes (``commsledger key``)."""
        return "sha256:" + hashlib.sha256(self.public_key).hexdigest()

    def vkey(self) -> str:
        """This key as ``name+hexkeyid+base64(0x01||pub)``."""
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([ALG_ED25519]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (64 bytes, no key ID) is this key's over ``message``."""
        if len(signature) != _SIG_SIZE:
            return False
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key that signs notes."""

    name: str
    key_id: bytes
    seed: bytes = field(repr=False)
    _key: Ed25519PrivateKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_valid_name(self.name):
            raise InvalidInput("not a valid key name", field="name")
        if len(self.seed) != _KEY_SIZE:
            raise InvalidInput("an Ed25519 seed is 32 bytes", field="seed")
        key = Ed25519PrivateKey.from_private_bytes(self.seed)
        if self.key_id != key_id(self.name, key.public_key().public_bytes_raw()):
            raise InvalidInput("key ID does not match the name and key", field="key_id")
        object.__setattr__(self, "_key", key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key called ``name``; raises ``InvalidInput`` for an invalid name."""
        if not is_valid_name(name):
            raise InvalidInput("not a valid key name", field="name")
        key = Ed25519PrivateKey.generate()
        pub = key.public_key().public_bytes_raw()
        return cls(name, key_id(name, pub), key.private_bytes_raw())

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+name+hexkeyid+base64(0x01||seed)``; raises
        ``VerificationError`` (problem ``bad_key``) if malformed or the key ID does not match."""
        prefix, _, rest = skey.partition("+KEY+")
        parsed = _parse_key(rest) if prefix == "PRIVATE" else None
        if parsed is None:
            raise VerificationError("malformed signer key", problem="bad_key")
        name, kid, seed = parsed
        pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        if kid != key_id(name, pub):
            raise VerificationError(f"signer key {name}: key ID does not match", problem="bad_key")
        return cls(name, kid, seed)

    def skey(self) -> str:
        """This key as ``PRIVATE+KEY+name+hexkeyid+base64(0x01||seed)``; keep it secret."""
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{_b64(bytes([ALG_ED25519]) + self.seed)}"

    def verifier(self) -> Verifier:
        """The matching public key."""
        return Verifier(self.name, self.key_id, self._key.public_key().public_bytes_raw())

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self._key.sign(message)


def _text_problem(text: str) -> str | None:
    """Why ``text`` cannot be the text of a note, or None if it can."""
    if not text.endswith("\n"):
        return "does not end in a newline"
    if _CONTROL.search(text):
        return "holds a control character"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    return None


def sign_note(text: str, *signers: Signer) -> str:
    """The signed note of ``text`` with one signature line per signer, in order (a signer given
    twice signs once); raises ``InvalidInput`` for a malformed text or no signers."""
    problem = _text_problem(text)
    if problem is not None:
        raise InvalidInput(f"note text {problem}", field="text")
    if not signers:
        raise InvalidInput("a note needs at least one signer", field="signers")
    message = text.encode()
    lines: dict[tuple[str, bytes], str] = {}
    for s in signers:
        sig = _b64(s.key_id + s.sign(message))
        lines.setdefault((s.name, s.key_id), f"{SIG_PREFIX}{s.name} {sig}\n")
    return text + "\n" + "".join(lines.values())


@dataclass(frozen=True)
class Note:
    """An opened note: its text and who signed it."""

    text: str
    verified: tuple[str, ...]  # names of the known keys whose signatures verified
    unverified: tuple[tuple[str, bytes], ...]  # (name, key ID) of signatures by unknown keys


def _malformed(why: str) -> VerificationError:
    return VerificationError(f"malformed note: {why}", problem="malformed")


def _split(note: str | bytes) -> tuple[str, list[str]]:
    """(text, signature lines) of a note; raises ``VerificationError`` if malformed."""
    if isinstance(note, bytes):
        try:
            note = note.decode()
        except UnicodeDecodeError:
            raise _malformed("not valid UTF-8") from None
    # The last blank line ends the text: the text itself may hold blank lines.
    split = note.rfind("\n\n")
    if split < 0:
        raise _malformed("no blank line before the signatures")
    text, sigs = note[: split + 1], note[split + 2 :]
    if not sigs or not sigs.endswith("\n"):
        raise _malformed("no signature lines, or no final newline")
    problem = _text_problem(note)
    if problem is not None:
        raise _malformed(f"the note {problem}")
    lines = sigs[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise _malformed(f"more than {MAX_SIGNATURES} signatures")
    return text, lines


def _parse_sig_line(line: str) -> tuple[str, bytes, bytes]:
    """``— name base64`` -> (name, key ID, signature); raises ``VerificationError``."""
    if not line.startswith(SIG_PREFIX):
        raise _malformed("a line after the blank line is not a signature")
    name, _, sig64 = line[len(SIG_PREFIX) :].partition(" ")
    raw = _b64decode(sig64)
    if raw is None or len(raw) < 5 or not is_valid_name(name):
        raise _malformed(f"bad signature line for {name[:64]!r}")
    return name, raw[:4], raw[4:]


def _index(verifiers: Sequence[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    known: dict[tuple[str, bytes], Verifier] = {}
    for v in verifiers:
        if known.setdefault((v.name, v.key_id), v) != v:
            raise InvalidInput(f"two different keys share the name and ID of {v.vkey()}")
    return known


def open_note(note: str | bytes, verifiers: Sequence[Verifier]) -> Note:
    """Check a signed note against the known ``verifiers`` and return its text and signers.

    Signatures by unknown keys are kept as unverified and otherwise ignored; repeated lines
    count once. Raises ``VerificationError`` with problem ``malformed`` for a malformed note,
    and ``bad_signature`` if a known key's signature fails or no known key signed it; raises
    ``InvalidInput`` if two different verifiers share a name and key ID.
    """
    text, lines = _split(note)
    known = _index(verifiers)
    message = text.encode()
    verified: dict[tuple[str, bytes], None] = {}
    unverified: dict[str, tuple[str, bytes]] = {}
    for line in lines:
        name, kid, sig = _parse_sig_line(line)
        v = known.get((name, kid))
        if v is None:
            unverified.setdefault(line, (name, kid))
        elif (name, kid) not in verified:
            if not v.verify(message, sig):
                raise VerificationError(
                    f"invalid signature for key {name}+{kid.hex()}", problem="bad_signature"
                )
            verified[name, kid] = None
    if not verified:
        raise VerificationError("note has no signature from a known key", problem="bad_signature")
    return Note(text, tuple(n for n, _ in verified), tuple(unverified.values()))
