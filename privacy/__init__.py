"""Personal data, kept apart from the ledger: identifiers normalised as the contract says
(``identifiers``), the master key and per-record data keys that seal payloads (``keys``), the
key store and the subject registry that maps identifiers to random pseudonyms through keyed
hashes (``registry``), in one SQLite database (``db``)."""
