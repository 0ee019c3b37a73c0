"""The access log: a second ledger of who read, searched, exported, proved or administered
what, with the same entries, checkpoints and proofs as the register's own ledger.

- ``events``: an ``Access`` (key name, role, time, action, outcome, record ids returned, the
  query) and how it becomes ledger entries: personal parts of a query sealed under a data key
  of their own, long lists of record ids split over several entries.
- ``catalog``: the SQLite index of the log (``<data>/access-log.db``), derived and rebuildable,
  searchable by key, role, action, record id and time.
- ``log``: ``AccessLog``, the log itself in the object store under ``access-log/`` beside the
  register's objects, signed by a key derived from the register's signing key under its own
  name, so its checkpoints can never pass for the register's.
"""
