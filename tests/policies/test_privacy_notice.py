"""The privacy notice subject access bundles carry: the shipped one gives every item of UK
GDPR Art. 15(1)(a)-(h) and 15(2) and describes every purpose of the record format; a file
that leaves a purpose out or marks an unknown field third-party is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contract.errors import InvalidInput
from contract.records import Purpose
from policies.privacy_notice import SHIPPED, load_notice


def test_the_shipped_notice_gives_every_item_of_article_15() -> None:
    notice = load_notice()
    assert set(notice.purposes) == set(Purpose)
    assert all(p.basis.strip() for p in notice.purposes.values())
    assert (len(notice.categories), len(notice.recipients), len(notice.rights)) >= (1, 1, 1)  # (b), (c), (e)
    assert "Information Commissioner" in notice.complaint.how  # (f): the right to complain to the ICO
    assert "ico.org.uk" in notice.complaint.how
    for text in (notice.retention.summary, notice.source, notice.automated_decisions, notice.transfers):
        assert len(text) > 40  # (d), (g), (h), 15(2)
    assert notice.third_party.record_fields == ("sender.agent",)


def _write(tmp_path: Path, change: dict[str, object]) -> Path:
    doc = yaml.safe_load(SHIPPED.read_text())
    doc.update(change)
    path = tmp_path / "notice.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_a_purpose_left_out_is_refused_by_name(tmp_path: Path) -> None:
    doc = yaml.safe_load(SHIPPED.read_text())
    del doc["purposes"]["collections"]
    with pytest.raises(InvalidInput, match="'collections'") as caught:
        load_notice(_write(tmp_path, {"purposes": doc["purposes"]}))
    assert caught.value.field == "purposes"


def test_an_unknown_third_party_field_is_refused(tmp_path: Path) -> None:
    third = {"reason": "staff", "record_fields": ["recipient.email"]}
    with pytest.raises(InvalidInput, match=r"recipient\.email") as caught:
        load_notice(_write(tmp_path, {"third_party": third}))
    assert caught.value.field == "third_party.record_fields"


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("controller: [unclosed")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_notice(path)
