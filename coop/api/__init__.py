"""The versioned JSON API under /api/v1/: personal tokens, problem details, reads and writes."""
