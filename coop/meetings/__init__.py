"""Meetings: board, general, AGM and class meetings from notice to signed minutes."""
