"""What an index folder holds on disk, read without our driver: every tantivy index found in
any folder under it, and every file."""

from __future__ import annotations

import json
from pathlib import Path

import tantivy

ALLOWED = {"meta.json", ".managed.json", ".tantivy-meta.lock", ".tantivy-writer.lock"}


def indexes_under(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.rglob("meta.json"))


def words_on_disk(root: Path, words: list[str]) -> set[str]:
    """The words (lower-case tokens) some tantivy index under ``root`` still has a term for,
    in any segment, deleted documents included, or whose bytes some file holds."""
    left = set()
    for folder in indexes_under(root):
        searcher = tantivy.Index.open(str(folder)).searcher()
        for word in words:
            for field in ("subject_line", "body"):
                if searcher.doc_freq(field, word) or searcher.terms_with_prefix(field, word):
                    left.add(word)
    for file in root.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            left.update(w for w in words if w.encode() in data)
    return left


def stray_files(root: Path) -> list[Path]:
    """Files of no live segment: not named by any index's meta.json, nor its bookkeeping."""
    strays = []
    for folder in indexes_under(root):
        segments = {
            s["segment_id"].replace("-", "")
            for s in json.loads((folder / "meta.json").read_text())["segments"]
        }
        strays += [
            f for f in folder.iterdir() if f.name not in ALLOWED and f.name.split(".")[0] not in segments
        ]
    return strays
