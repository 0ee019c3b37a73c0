"""The core of the app: the ``Register`` (ledger, key store, catalog, retention state and
search index of one data dir, tied together) and the way records get in.

- ``register``: ``Register``, the service every surface calls.
- ``commit``: the group-commit ``Sequencer`` (payload pack, keys, entries, checkpoint, catalog).
- ``prepare``: one line -> a validated, sealed record ready to commit (runs in workers).
- ``ingest``: files and streams (NDJSON, CSV) -> prepare in parallel -> commit; later events.
- ``verify``: ``verify`` over a register, in parallel chunks. ``migrate``: copy to another store.
"""
