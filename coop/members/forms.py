"""Reading membership forms: counts that fit their column (shares, votes). Text is read with
`coop.form_values.form_text`."""

from __future__ import annotations

from typing import Any

from coop.form_values import INTEGER_MAX, form_text, whole_number


def form_count(form: Any, name: str) -> int | None:
    """A count typed into the form (shares, votes): a whole number that fits its column, or None."""
    return whole_number(form_text(form, name), low=0, high=INTEGER_MAX)
