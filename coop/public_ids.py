"""Reading a public id (a UUID in a URL or a form): the one parser every area uses.

Checked before any query, because PostgreSQL fails the whole query on a malformed UUID (a server error)
where SQLite simply finds nothing; here anything that is not a UUID is None, so the answer is "not found".
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

LONGEST = 45
"""The longest spelling `UUID()` accepts ("urn:uuid:" and 36 characters); longer text is never parsed."""


def parse_public_id(value: Any) -> UUID | None:
    """`value` as a UUID, or None when it is not one (wrong type, too long, not hexadecimal)."""
    if not isinstance(value, str) or len(value) > LONGEST:
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def is_public_id(value: Any) -> bool:
    return parse_public_id(value) is not None
