"""What ``exports.check`` reports (``Report``), and the checks a bundle's kind adds to the
common ones (``KIND_CHECKS``: kind -> checks run last, each given the open ZIP, its manifest,
the checkpoint and the report to add problems to)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ledger.checkpoint import Checkpoint
from ledger.note import Verifier

SHOWN = 100  # problems listed in full (all are counted)


@dataclass
class Report:
    """What a check found; ``ok`` when nothing."""

    key: str
    problems: list[dict[str, str]] = field(default_factory=list)
    count: int = 0
    facts: dict[str, Any] = field(default_factory=dict)
    verifier: Verifier | None = None  # the key checked with (a kind's checks may need it)

    def add(self, member: str, problem: str) -> None:
        self.count += 1
        if len(self.problems) < SHOWN:
            self.problems.append({"member": member, "problem": problem})

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.count == 0, "key": self.key, **self.facts, "problems": self.problems,
                "problem_count": self.count}  # fmt: skip


Check = Callable[[zipfile.ZipFile, dict[str, Any], Checkpoint, Report], None]
KIND_CHECKS: dict[str, tuple[Check, ...]] = {}  # bundle kind -> its own checks, run last
