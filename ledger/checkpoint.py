"""C2SP tlog-checkpoint: the signed statement of a log's size and root.

The body is ``origin\\nsize\\nbase64(root)\\n`` followed by optional extension lines, and is the
text of a signed note. Parsing is strict, so each checkpoint has exactly one body: the size is
canonical decimal below 2**63, the root is the canonical base64 of 32 bytes (SHA-256), and
extension lines are non-empty.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from contract.errors import InvalidInput, VerificationError
from ledger.merkle import HASH_SIZE
from ledger.note import Signer, Verifier, open_note, sign_note

MAX_SIZE = 2**63 - 1  # Go's int64, as golang/mod sumdb/tlog
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")


@dataclass(frozen=True)
class Checkpoint:
    """A log's origin, tree size and root hash, with any extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise InvalidInput("origin must be one non-empty line", field="origin")
        if not 0 <= self.size <= MAX_SIZE:
            raise InvalidInput(f"tree size {self.size} is out of range", field="size")
        if any(not line or "\n" in line for line in self.extensions):
            raise InvalidInput("extension lines must be non-empty single lines", field="extensions")

    def body(self) -> str:
        """The checkpoint body: origin, size and base64 root lines, then the extension lines."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse a checkpoint body; raises ``VerificationError`` (problem ``malformed``) naming
        the first line at fault."""
        if not body.endswith("\n"):
            raise _malformed("body does not end in a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise _malformed("body has fewer than 3 lines")
        origin, size, root64, *extensions = lines
        if not origin:
            raise _malformed("origin line is empty")
        if not _SIZE.fullmatch(size) or int(size) > MAX_SIZE:
            raise _malformed("size line is not a canonical decimal tree size")
        if "" in extensions:
            raise _malformed("empty extension line")
        return cls(origin, int(size), _parse_root(root64), tuple(extensions))


def _malformed(why: str) -> VerificationError:
    return VerificationError(f"malformed checkpoint: {why}", problem="malformed")


def _parse_root(text: str) -> bytes:
    try:
        root = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise _malformed("root line is not base64") from None
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != text:
        raise _malformed(f"root line is not the base64 of {HASH_SIZE} bytes")
    return root


def sign_checkpoint(cp: Checkpoint, signer: Signer) -> str:
    """The signed note of ``cp`` by ``signer``; raises ``InvalidInput`` unless the root is a
    32-byte hash."""
    if len(cp.root) != HASH_SIZE:
        raise InvalidInput(f"root is {len(cp.root)} bytes, want {HASH_SIZE}", field="root")
    return sign_note(cp.body(), signer)


def open_checkpoint(note_text: str, verifier: Verifier, *, origin: str | None = None) -> Checkpoint:
    """Verify ``verifier``'s signature on a signed checkpoint and parse its body; other
    signatures (witnesses) are ignored. If ``origin`` is given the checkpoint must carry it.

    Raises ``VerificationError`` with problem ``bad_signature``, ``malformed``, or
    ``wrong_origin``.
    """
    cp = Checkpoint.parse(open_note(note_text, [verifier]).text)
    if origin is not None and cp.origin != origin:
        raise VerificationError(
            f"checkpoint is for origin {cp.origin!r}, want {origin!r}", problem="wrong_origin"
        )
    return cp
