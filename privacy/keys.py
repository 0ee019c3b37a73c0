"""Per-record data keys (AES-256-GCM) wrapped by a master key kept in the data dir.

A record's payload, and the free text of its later events, are sealed under the record's own
data key with the record id as associated data, so a sealed blob cannot be passed off as
another record's. Destroying the wrapped data key (erasure, disposal) shreds every copy of
the ciphertext, wherever it lies. The master key file is the one secret that cannot be
rebuilt: losing it loses every payload.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from contract.errors import ConfigError, VerificationError

NONCE_SIZE = 12
KEY_SIZE = 32
_HEADER = "commsledger-master-key-v1"


def new_data_key() -> bytes:
    return os.urandom(KEY_SIZE)


def new_data_key_and_nonces() -> tuple[bytes, bytes, bytes]:
    """A data key and two nonces (to seal with it, and to wrap it) from one read of the
    system's random source: ingest makes one set per record."""
    fresh = os.urandom(KEY_SIZE + 2 * NONCE_SIZE)
    return fresh[:KEY_SIZE], fresh[KEY_SIZE : KEY_SIZE + NONCE_SIZE], fresh[KEY_SIZE + NONCE_SIZE :]


def key_commitment(data_key: bytes, record_id: str) -> str:
    """The hex SHA-256 commitment to a record's data key that its ledger entry carries.

    AES-GCM is not key-committing: a crafted ciphertext can decrypt under two keys to two
    texts. With the entry committing to the ciphertext (``payload_sha256``) and to the key
    (this), the ciphertext decrypts to one text only, so opening a record (its ciphertext and
    data key handed to one verifier) proves the words recorded. The record id is bound in
    (length-prefixed) so a key cannot be passed off as another record's. A hash of a random
    256-bit key reveals nothing of it, and once the key is destroyed nothing opens the record.
    """
    rid = record_id.encode("utf-8")
    tag = b"commsledger key commitment v1\x00" + len(rid).to_bytes(2, "big") + rid
    return hashlib.sha256(tag + data_key).hexdigest()


def seal(data_key: bytes, record_id: str, plaintext: bytes, nonce: bytes | None = None) -> bytes:
    """Encrypt ``plaintext`` for ``record_id``: nonce || ciphertext || tag. ``nonce``: a fresh
    random one (never reused with this key), else one is drawn."""
    nonce = nonce or os.urandom(NONCE_SIZE)
    return nonce + AESGCM(data_key).encrypt(nonce, plaintext, record_id.encode())


def unseal(data_key: bytes, record_id: str, sealed: bytes) -> bytes:
    """Decrypt a blob made by ``seal``; raises ``VerificationError`` if it was altered."""
    try:
        return AESGCM(data_key).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], record_id.encode())
    except (InvalidTag, ValueError):
        raise VerificationError(f"payload of record {record_id} does not decrypt") from None


class MasterKey:
    """The key-encryption key; wraps data keys and derives the registry's index key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_SIZE:
            raise ConfigError("master key must be 32 bytes")
        self._key = key
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(b"commsledger master key id\n" + key).hexdigest()[:8]

    @classmethod
    def load_or_create(cls, path: Path) -> MasterKey:
        """Read the key file, or create it (mode 0600) first if there is none."""
        if not path.exists():
            cls.create(path)
        return cls.load(path)

    @classmethod
    def create(cls, path: Path) -> None:
        """Write a new random key file (mode 0600); one made meanwhile by another process stands."""
        _create_key_file(path)

    @classmethod
    def load(cls, path: Path) -> MasterKey:
        """Read the key file. Raises ``ConfigError`` if it is missing (never made up: every
        data key is wrapped by it), readable by others or malformed."""
        if not path.exists():
            raise ConfigError(f"{path} is missing: restore it from the key store's backup")
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(f"{path} is readable by other users (mode {mode:o}); chmod 600 it")
        lines = path.read_text(encoding="ascii").split()
        if len(lines) != 2 or lines[0] != _HEADER:
            raise ConfigError(f"{path} is not a commsledger master key file")
        return cls(base64.b64decode(lines[1], validate=True))

    def wrap(self, data_key: bytes, record_id: str, nonce: bytes | None = None) -> bytes:
        """``data_key`` encrypted for ``record_id``; ``nonce`` as for ``seal``."""
        nonce = nonce or os.urandom(NONCE_SIZE)
        return nonce + self._aead.encrypt(nonce, data_key, _wrap_aad(record_id))

    def unwrap(self, wrapped: bytes, record_id: str) -> bytes:
        """Recover a data key; raises ``VerificationError`` if the wrapped key was altered."""
        try:
            return self._aead.decrypt(wrapped[:NONCE_SIZE], wrapped[NONCE_SIZE:], _wrap_aad(record_id))
        except (InvalidTag, ValueError):
            raise VerificationError(f"data key of record {record_id} does not unwrap") from None

    def subkey(self, purpose: str) -> bytes:
        """A key for one purpose, derived with HKDF-SHA256 (e.g. the subject index key)."""
        hkdf = HKDF(hashes.SHA256(), KEY_SIZE, salt=None, info=f"commsledger {purpose}".encode())
        return hkdf.derive(self._key)

    def export(self) -> bytes:
        """The raw key, for handing to worker processes of the same install."""
        return self._key


def _wrap_aad(record_id: str) -> bytes:
    return b"data-key\x00" + record_id.encode()


def _create_key_file(path: Path) -> None:
    text = f"{_HEADER}\n{base64.b64encode(os.urandom(KEY_SIZE)).decode()}\n"
    write_secret_once(path, text.encode())


def write_secret_once(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0600) with ``data``, whole or not at all; if another process
    created it first, theirs stands (two writers starting on a new data dir at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
