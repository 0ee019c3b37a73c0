"""Exports of the register: subject access bundles, the regulator audit export and dispute
evidence packs, each a ZIP with a signed manifest of every member's SHA-256 and the proofs
that check it offline."""
