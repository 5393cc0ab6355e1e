"""Reading membership forms: text cut to a length (anything but text is empty) and counts that fit their
column (shares, votes)."""

from __future__ import annotations

from typing import Any

from coop.form_values import INTEGER_MAX, whole_number


def form_text(form: Any, name: str, limit: int = 5000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def form_count(form: Any, name: str) -> int | None:
    """A count typed into the form (shares, votes): a whole number that fits its column, or None."""
    return whole_number(form_text(form, name), low=0, high=INTEGER_MAX)
