"""The append-only, hash-chained audit log of every governance, money and security action."""
