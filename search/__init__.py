"""Search: the ``SearchIndex`` protocol (``index``) and its drivers (``tantivy``, the default,
and ``opensearch``), the query model (``query``, ``expr``, ``params``), text analysis and
snippets; the projection of the ledger into the index (``projection``, ``indexing``), the
index check behind ``verify --index`` (``check``) and the query service (``service``), which
take a register as ``ports.Register``."""
