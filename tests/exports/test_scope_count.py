"""An export counts every record its scope finds, even where a search stops counting."""

from __future__ import annotations

import json

from commsledger import synthetic
from commsledger.config import Settings
from commsledger.core import ingest
from commsledger.core.register import Register
from exports.scope import Matches
from search.query import TOTAL_CAP
from search.service import find

RECORDS = TOTAL_CAP + 40


def test_past_the_search_cap_an_export_still_counts_every_match(file_settings: Settings) -> None:
    lines = ((n, json.dumps(r).encode()) for n, r in enumerate(synthetic.records(RECORDS, seed=11), start=1))
    with Register(file_settings) as register:
        assert ingest.ingest(register, lines).accepted == RECORDS
        shown = find(register, {"limit": ["5"]})
        assert (shown["total"], shown["total_relation"]) == (TOTAL_CAP, "gte")  # a search: "10,000+"
        matches = Matches(register, {"since": ["2000-01-01"]}, size=register.log.committed)
        kept = [rid for page in matches.pages() for rid in page]
        assert len(kept) == RECORDS
        assert matches.frozen({"since": ["2000-01-01"]})["matched"] == RECORDS
