"""Online votes: secret, verifiable, accessible ballots (issue 5)."""
