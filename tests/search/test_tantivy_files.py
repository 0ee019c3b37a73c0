"""The tantivy driver on disk: redaction leaves no trace, changes are whole or absent, one
writer at a time, and an index of another version is refused with what to do."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import tantivy
from index_files import indexes_under, stray_files, words_on_disk

from contract.errors import Busy, ConfigError
from search.document import IndexDoc
from search.expr import parse_text
from search.query import Query
from search.tantivy.driver import TantivyIndex
from search.tantivy.schema import build_schema

SECRET = ["zanzibarquuxly", "plumtreewobble"]


def test_a_plain_delete_leaves_the_words_in_the_segments(tmp_path: Path) -> None:
    """Why redaction rebuilds shards: tantivy (0.27, no force-merge in the binding) keeps a
    deleted document's terms until its segment is merged away."""
    index = tantivy.Index(build_schema(), path=str(tmp_path))
    with index.writer(15_000_000, 1) as writer:
        writer.add_document(
            tantivy.Document(id="a", seq=1, sent=1, body="Dear Zanzibarquuxly Plumtreewobble")
        )
        writer.add_document(tantivy.Document(id="b", seq=2, sent=2, body="Dear customer"))
    with index.writer(15_000_000, 1) as writer:
        writer.delete_documents_by_term("id", "a")
    writer = index.writer(15_000_000, 1)
    writer.garbage_collect_files()
    writer.wait_merging_threads()
    index.reload()
    assert index.searcher().num_docs == 1
    assert words_on_disk(tmp_path, SECRET) == set(SECRET)


def test_redaction_leaves_no_trace_in_any_file(tmp_path: Path, corpus: list[IndexDoc]) -> None:
    root = tmp_path / "index"
    index = TantivyIndex(root)
    marked = replace(corpus[7], body=corpus[7].body + " Zanzibarquuxly", subject_line="Plumtreewobble")
    docs = [marked if d is corpus[7] else d for d in corpus[:200]]
    index.apply(docs, watermark=200)
    assert words_on_disk(root, SECRET) == set(SECRET)  # the detector sees them while indexed
    before = {p.name for p in indexes_under(root)}
    without = {d.record_id: d for d in docs} | {marked.record_id: replace(marked, subject_line="", body="")}
    assert index.redact([marked.record_id], lambda ids: [without[i] for i in ids]) > 0
    assert words_on_disk(root, SECRET) == set()
    assert stray_files(root) == []
    assert len(before - {p.name for p in indexes_under(root)}) == 1  # the month's old shard is gone
    assert index.search(Query(text=parse_text("plumtreewobble"))).total == 0
    assert index.search(Query()).total == 200


def test_a_writer_waits_for_another_then_gives_up_and_changes_nothing(
    tmp_path: Path, corpus: list[IndexDoc]
) -> None:
    index = TantivyIndex(tmp_path, lock_wait=0.3)
    index.apply(corpus[:20], watermark=20)
    hold = "import fcntl,sys,time; f=open(sys.argv[1],'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held')"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold + "; sys.stdout.flush(); time.sleep(30)", str(tmp_path / ".lock")],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"held\n"
        with pytest.raises(Busy):
            index.apply(corpus[20:40], watermark=40)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert (index.watermark(), index.search(Query()).total) == (20, 20)
    index.apply(corpus[20:40], watermark=40)
    assert index.search(Query()).total == 40


def test_an_interrupted_rebuild_leaves_nothing_and_a_killed_ones_folders_are_removed_next(
    tmp_path: Path, corpus: list[IndexDoc]
) -> None:
    index = TantivyIndex(tmp_path)
    index.apply(corpus[:50], watermark=50)

    def failing() -> object:
        yield from corpus[:30]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index.rebuild(failing(), watermark=99)  # type: ignore[arg-type]
    assert (index.watermark(), index.search(Query()).total) == (50, 50)
    live = set(json.loads((tmp_path / "state.json").read_text())["shards"].values())
    assert {p.name for p in (tmp_path / "shards").iterdir()} == live
    killed = tmp_path / "shards" / "2024-02.0badf00d"  # what a process killed mid-rebuild leaves
    killed.mkdir()
    with tantivy.Index(build_schema(), path=str(killed)).writer(15_000_000, 1) as writer:
        writer.add_document(tantivy.Document(id="x", seq=1, sent=1, body="Zanzibarquuxly"))
    index.apply(corpus[50:60], watermark=60)
    assert {p.name for p in (tmp_path / "shards").iterdir()} == set(
        json.loads((tmp_path / "state.json").read_text())["shards"].values()
    )
    assert words_on_disk(tmp_path, SECRET) == set()


def test_an_index_of_another_version_asks_for_reindex(tmp_path: Path, corpus: list[IndexDoc]) -> None:
    TantivyIndex(tmp_path).apply(corpus[:5], watermark=5)
    state = json.loads((tmp_path / "state.json").read_text())
    (tmp_path / "state.json").write_text(json.dumps({**state, "schema": 99}))
    with pytest.raises(ConfigError, match="reindex"):
        TantivyIndex(tmp_path).search(Query())
