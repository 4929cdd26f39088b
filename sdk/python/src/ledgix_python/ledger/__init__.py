"""Ledger verification with the server's CBOR, hash and Merkle rules (wire protocol §6)."""
