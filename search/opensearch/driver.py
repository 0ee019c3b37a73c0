"""The OpenSearch driver of ``SearchIndex`` (opensearch-py).

One alias (the URL's path, default ``commsledger``) names the live index ``<alias>-<n>``,
created from the index template ``<alias>-template`` (explicit mappings, the schema version
in ``_meta``). Each index's watermark is the version of a document named after it in
``<alias>.watermarks``, written with ``external_gte``: the server keeps the highest, so two
writers at once cannot move it back (``_meta`` has no compare-and-set: on a real node, one
writer's older value landed over the other's half the time), and it swaps with the index.
Writes go through ``_bulk`` to the alias with ``refresh=wait_for`` and an ``external_gte``
version guard; a rebuild fills a fresh index with refreshes off, refreshes it, then moves the
alias in one atomic update and deletes the old index. Redaction rewrites the documents
without their text and force-merges with ``only_expunge_deletes`` (the template sets
``expunge_deletes_allowed`` to 0, so any deleted document is expunged; soft-delete retention
leases can delay it, see DESIGN.md).

Vendor errors become ``IndexFailure`` naming the status and error type only: OpenSearch's
reasons can quote document values, which may be personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import opensearchpy

from contract.errors import ConfigError, IndexFailure, InvalidInput
from contract.progress import Progress
from search.document import IndexDoc, Summary
from search.opensearch import dsl, expunge
from search.query import Hit, Page, Query, Sort, capped, decode_cursor, encode_cursor

BULK_DOCS = 1000


class OpenSearchIndex:
    """See ``search.index.SearchIndex``."""

    def __init__(self, client: Any, alias: str) -> None:
        self.client = client
        self.alias = alias

    @classmethod
    def from_url(cls, url: str) -> OpenSearchIndex:
        """``opensearch+https://[user:password@]host:port[/alias][?verify=false]``."""
        parts = urlsplit(url)
        scheme = parts.scheme.removeprefix("opensearch+")
        if not parts.hostname:
            raise ConfigError(f"index URL {url!r} names no host")
        auth = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
        verify = parse_qs(parts.query).get("verify", ["true"])[0].lower() != "false"
        client = opensearchpy.OpenSearch(
            hosts=[{"host": parts.hostname, "port": parts.port or 9200, "scheme": scheme}],
            http_auth=auth,
            use_ssl=scheme == "https",
            verify_certs=verify,
            timeout=60,
        )
        return cls(client, parts.path.strip("/") or "commsledger")

    # -- state ------------------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[..., Any], *, tolerate: str = "", **kwargs: Any) -> Any:
        """``fn(**kwargs)``; an error of the type ``tolerate`` answers None."""
        try:
            return fn(**kwargs)
        except opensearchpy.ConnectionError as exc:  # a TransportError too: first
            raise IndexFailure(f"OpenSearch is unreachable to {what} ({type(exc).__name__})") from None
        except opensearchpy.TransportError as exc:
            if tolerate and exc.error == tolerate:
                return None
            raise IndexFailure(
                f"OpenSearch refused to {what} (HTTP {exc.status_code}, {exc.error})"
            ) from None
        except opensearchpy.exceptions.OpenSearchException as exc:
            raise IndexFailure(f"OpenSearch is unreachable to {what} ({type(exc).__name__})") from None

    def _live(self) -> tuple[str, int] | None:
        """(index name, watermark) behind the alias, or None before the first write; raises
        ``ConfigError`` for an index another schema version built."""
        found = self._call("read the mapping", self.client.indices.get_mapping, index=self.alias,
                           tolerate="index_not_found_exception")  # fmt: skip
        if not found:
            return None
        name, body = next(iter(found.items()))
        if body["mappings"].get("_meta", {}).get("schema") != dsl.SCHEMA_VERSION:
            raise ConfigError("the search index was built by another version; run commsledger reindex")
        return name, self._watermark_of(name)

    def _watermark_of(self, index: str) -> int:
        found = self._call("read the watermark", self.client.get, index=dsl.watermarks_index(self.alias),
                           id=index, _source=False, ignore=404)  # fmt: skip
        return int(found["_version"]) if found.get("found") else 0  # none yet, or no such index

    def watermark(self) -> int:
        live = self._live()
        return 0 if live is None else live[1]

    def _put_template(self) -> None:
        self._call("put the index template", self.client.indices.put_index_template,
                   name=f"{self.alias}-template", body=dsl.index_template(self.alias))  # fmt: skip
        self._call("create the watermarks index", self.client.indices.create,
                   index=dsl.watermarks_index(self.alias), body=dsl.watermarks_body(),
                   tolerate="resource_already_exists_exception")  # fmt: skip

    def _first(self) -> str:
        """The alias on ``<alias>-000001``, made now unless another writer, starting at the same
        moment, made it first (both then write to it); returns the index name."""
        self._put_template()
        name = f"{self.alias}-{1:06d}"
        self._call("create an index", self.client.indices.create, index=name,
                   tolerate="resource_already_exists_exception")  # fmt: skip
        self._call("add the alias", self.client.indices.update_aliases,
                   body=dsl.swap_aliases(self.alias, name, []))  # fmt: skip
        return name

    def _create(self) -> str:
        """A new, empty index for a rebuild, refreshes off (never ``-000001``, which the first
        writer makes); returns its name."""
        self._put_template()
        existing = self._call("list indexes", self.client.indices.get, index=f"{self.alias}-*")
        numbers = [int(n.rsplit("-", 1)[1]) for n in existing if n.rsplit("-", 1)[1].isdigit()]
        name = f"{self.alias}-{max(numbers, default=1) + 1:06d}"
        body = {"settings": {"index": {"refresh_interval": "-1"}}}
        self._call("create an index", self.client.indices.create, index=name, body=body)
        return name

    def _raise_watermark(self, index: str, watermark: int) -> None:
        """Move the watermark of ``index`` up to ``watermark``; a higher one stays (409)."""
        self._call("store the watermark", self.client.index, index=dsl.watermarks_index(self.alias),
                   id=index, body={}, version=watermark, version_type="external_gte",
                   tolerate="version_conflict_engine_exception")  # fmt: skip

    # -- writing ----------------------------------------------------------------------------
    def apply(self, docs: Sequence[IndexDoc], *, watermark: int) -> None:
        live = self._live()
        name = live[0] if live is not None else self._first()
        # through the alias: should a rebuild swap it meanwhile, the documents go to the new
        # index (its watermark does not cover them, so they are caught up again), never to a
        # deleted index's name, which would create it anew outside the alias
        self._bulk(self.alias, list(docs), refresh="wait_for")
        self._raise_watermark(name, watermark)

    def _bulk(
        self, index: str, docs: list[IndexDoc], *, refresh: str | bool, delete: Sequence[str] = ()
    ) -> int:
        """Write ``docs`` and delete the records ``delete``; a document the index holds in a
        newer version is left as it is. Returns the highest sequence number written (-1: none)."""
        lines = dsl.bulk_lines(index, docs)
        actions = [lines[i : i + 2] for i in range(0, len(lines), 2)] + [
            [d] for d in dsl.delete_lines(index, list(delete))
        ]
        highest = -1
        for start in range(0, len(actions), BULK_DOCS):
            body = [line for action in actions[start : start + BULK_DOCS] for line in action]
            done = self._call("index documents", self.client.bulk, body=body, refresh=refresh)
            items = [next(iter(i.values())) for i in done.get("items", [])]
            refused = [i for i in items if i.get("status", 200) >= 300 and i.get("status") != 409
                       and i.get("result") != "not_found"]  # fmt: skip
            if refused:  # not refused: 409, a newer version stands; not_found, a record to delete
                kind = refused[0].get("error", {}).get("type", "error")
                raise IndexFailure(f"OpenSearch refused {len(refused)} documents ({kind})")
            highest = max([highest, *(int(i.get("_seq_no", -1)) for i in items)])
        return highest

    def rebuild(self, docs: Iterable[IndexDoc], *, watermark: int, progress: Progress | None = None) -> int:
        name = self._create()
        try:
            count = self._fill(name, iter(docs), progress)
            self._call("enable refresh", self.client.indices.put_settings, index=name,
                       body={"index": {"refresh_interval": None}})  # fmt: skip
            self._call("refresh", self.client.indices.refresh, index=name)
            self._raise_watermark(name, watermark)
        except BaseException:
            self._call("drop the unfinished index", self.client.indices.delete, index=name)
            raise
        old = self._behind_alias()  # now, not when the rebuild began: a first writer may have come
        self._call(
            "swap the alias", self.client.indices.update_aliases, body=dsl.swap_aliases(self.alias, name, old)
        )
        for index in old:
            self._call("delete the old index", self.client.indices.delete, index=index)
            self._call("delete its watermark", self.client.delete, index=dsl.watermarks_index(self.alias),
                       id=index, ignore=404)  # fmt: skip
        return count

    def _behind_alias(self) -> list[str]:
        if not self._call("look up the alias", self.client.indices.exists_alias, name=self.alias):
            return []
        return sorted(self._call("look up the alias", self.client.indices.get_alias, name=self.alias))

    def _fill(self, index: str, docs: Iterator[IndexDoc], progress: Progress | None) -> int:
        count = 0
        while chunk := list(islice(docs, BULK_DOCS)):
            self._bulk(index, chunk, refresh=False)
            count += len(chunk)
            if progress is not None:
                progress(len(chunk))
        return count

    def redact(self, record_ids: Sequence[str], source: Callable[[Sequence[str]], Iterable[IndexDoc]]) -> int:
        """Rewrite the records as ``source`` gives them now (without text), over whatever
        version is indexed, delete those it no longer gives, then expunge the old versions:
        see ``search.opensearch.expunge``."""
        live = self._live()
        if live is None or not record_ids:
            return 0
        wanted = list(dict.fromkeys(record_ids))
        indexed = expunge.versions(self._call, self.client, live[0], wanted)
        docs = [replace(d, version=max(d.version, indexed.get(d.record_id, 0))) for d in source(wanted)]
        kept = {d.record_id for d in docs}
        gone = [i for i in indexed if i not in kept]
        written = self._bulk(live[0], docs, refresh=True, delete=gone)
        expunge.expunge(self._call, self.client, live[0], written)
        return len(docs) + len(gone)

    # -- reading ----------------------------------------------------------------------------
    def search(self, query: Query) -> Page:
        live = self._live()
        if live is None:
            return Page(0, (), None, {}, 0)
        after = decode_cursor(query)
        found = self._call("search", self.client.search, index=self.alias, body=dsl.search_body(query, after))
        hits = found["hits"]["hits"]
        shown = tuple(_hit(h, query) for h in hits[: query.limit])
        cursor = encode_cursor(query, hits[query.limit - 1]["sort"]) if len(hits) > query.limit else None
        facets = dsl.facet_buckets(found.get("aggregations", {}))
        counted = found["hits"]["total"]
        total, exact = capped(int(counted["value"]), counted.get("relation", "eq") == "eq", query.cap)
        return Page(total, shown, cursor, facets, live[1], exact)

    def summaries(self) -> Iterator[Summary]:
        if self._live() is None:
            return  # searching the alias before the first write is a 404, not an empty list
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "size": BULK_DOCS,
                "query": {"match_all": {}},
                "sort": [{"seq": {"order": "asc"}}],
            }
            if after is not None:
                body["search_after"] = after
            hits = self._call("list documents", self.client.search, index=self.alias, body=body)["hits"][
                "hits"
            ]
            yield from (_summary(h["_source"]) for h in hits)
            if len(hits) < BULK_DOCS:
                return
            after = hits[-1]["sort"]

    def close(self) -> None:
        self.client.close()

    def destroy(self) -> None:
        """Delete every index and the template of this alias, if there are any (tests)."""
        every = f"{self.alias}-*,{dsl.watermarks_index(self.alias)}"
        self._call("delete indexes", self.client.indices.delete, index=every, ignore_unavailable=True)
        self._call("delete the template", self.client.indices.delete_index_template,
                   name=f"{self.alias}-template", ignore=404)  # fmt: skip


def _hit(raw: dict[str, Any], query: Query) -> Hit:
    if query.sort is Sort.RELEVANCE:
        return Hit(_summary(raw["_source"]), float(raw["sort"][0]))
    return Hit(_summary(raw["_source"]))


def _summary(src: dict[str, Any]) -> Summary:
    try:
        return Summary(
            record_id=src["record_id"], seq=src["seq"], sent_at=src["sent_at"], channel=src["channel"],
            purpose=src["purpose"], status=src["status"], department=src.get("department"),
            campaign=src.get("campaign"), case=src.get("case"), template=src.get("template"),
            tags=tuple(src.get("tags", ())), has_response=bool(src.get("has_response")),
            follow_up_due=src.get("follow_up_due"), follow_up_done=bool(src.get("follow_up_done")),
            case_closed=bool(src.get("case_closed")),
        )  # fmt: skip
    except KeyError as exc:
        raise InvalidInput(f"a search hit lacks the field {exc}") from None
