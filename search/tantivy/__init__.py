"""The tantivy driver: the embedded default, an index folder sharded by month of ``sent_at``."""
