"""The ledger: canonical entries, hash chain, RFC 9162 Merkle tree in C2SP tlog-tiles, signed
checkpoints, proofs and verification. Pure code except ``ledger.store`` drivers."""
