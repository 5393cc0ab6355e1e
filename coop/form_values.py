"""Reading text, whole numbers and dates typed into forms, the one way every form does it.

`str.isdigit()` accepts "²" and "٣", which `int()` then refuses or reads as a number nobody typed; `date()`
raises OverflowError, not ValueError, for a 40-digit year. Here only ASCII digits count, a number is
checked against its range before it goes anywhere near a database column, and an impossible date is a
plain-English error next to its day field (GOV.UK date input pattern: the error goes on `<prefix>_day`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

NUMBER_MAX_DIGITS = 18
"""Fits a signed 64-bit column; anything longer is refused before `int()` does any work."""
INTEGER_MAX = 2**31 - 1
"""The largest value of an `Integer` column (32 bits on PostgreSQL): counts such as shares or seats."""


TEXT_LIMIT = 2000
"""The longest text a form field is read as unless the caller says otherwise (a name, a reason, a note)."""


def form_text(form: Any, name: str, limit: int = TEXT_LIMIT, *, strip: bool = True) -> str:
    """The text typed into `name`, spaces around it removed and cut to `limit` characters; "" when the
    field is missing or is a file. `strip=False` keeps it exactly as typed (a password)."""
    value = form.get(name, "")
    if not isinstance(value, str):
        return ""
    return (value.strip() if strip else value)[:limit]


def whole_number(raw: str, *, low: int, high: int) -> int | None:
    """`raw` as a whole number from `low` to `high`, or None if it is not one (spaces around are fine)."""
    text = raw.strip()
    if not text or len(text) > NUMBER_MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def read_date(
    form: Any, prefix: str, label: str, errors: dict[str, str], *, optional: bool = False
) -> date | None:
    """The date typed into `<prefix>_day`, `<prefix>_month` and `<prefix>_year`, or None with an error
    about `label` in `errors`. With `optional`, three empty fields are None and no error."""
    parts = [_field(form, f"{prefix}_{part}") for part in ("day", "month", "year")]
    if optional and not any(parts):
        return None
    if not all(parts):
        errors[f"{prefix}_day"] = f"Enter the {label} as a day, month and year, like 1 4 2026"
        return None
    day, month = (whole_number(part, low=1, high=31) for part in parts[:2])
    # Four figures for the year (GOV.UK date input): no year 1, and no 40-digit year.
    year = whole_number(parts[2], low=1000, high=9999) if len(parts[2]) == 4 else None
    try:
        if day is None or month is None or year is None:
            raise ValueError(parts)
        return date(year, month, day)
    except ValueError:
        errors[f"{prefix}_day"] = f"The {label} must be a real date, like 1 4 2026"
        return None


def _field(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip()[:100] if isinstance(value, str) else ""


def optional_period(
    form: Any, prefix: str, what: str, errors: dict[str, str]
) -> tuple[date | None, date | None]:
    """An optional period (`<prefix>_start_day` ... `<prefix>_end_year`): both dates or neither, the end on
    or after the start. Errors sit by the field they are about."""
    names = [f"{prefix}_{edge}_{part}" for edge in ("start", "end") for part in ("day", "month", "year")]
    if not any(_field(form, name) for name in names):
        return None, None
    start = read_date(form, f"{prefix}_start", f"first day of the {what}", errors)
    end = read_date(form, f"{prefix}_end", f"last day of the {what}", errors)
    if start and end and end < start:
        errors[f"{prefix}_end_day"] = f"The last day of the {what} must be the same as or after the first day"
    return start, end
