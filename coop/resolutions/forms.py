"""Reading the written-resolution forms: a draft, and a paper agreement. Every field may be missing or
malformed; each problem becomes a plain-English message by its field, never a 400 or a 500."""

from __future__ import annotations

from datetime import date
from typing import Any

from coop.form_values import INTEGER_MAX, read_date, whole_number
from coop.resolutions.reading import KINDS
from coop.resolutions.service import Draft

TITLE_LIMIT = 200
TEXT_LIMIT = 10_000


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def read_draft(form: Any) -> tuple[Draft, dict[str, str], dict[str, str]]:
    """The draft, the problems with it (by field) and the values typed (to show again)."""
    values = {k: _text(form, k) for k in ("title", "text", "easy_read", "kind", "removes")}
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = "Enter a short title for the resolution"
    elif len(values["title"]) > TITLE_LIMIT:
        errors["title"] = f"The title must be {TITLE_LIMIT} characters or fewer"
    if not values["text"]:
        errors["text"] = "Enter the resolution as members will agree to it"
    elif len(values["text"]) > TEXT_LIMIT:
        errors["text"] = f"The resolution must be {TEXT_LIMIT:,} characters or fewer"
    if len(values["easy_read"]) > TEXT_LIMIT:
        errors["easy_read"] = f"The easy-read version must be {TEXT_LIMIT:,} characters or fewer"
    if values["kind"] not in KINDS:
        errors["kind"] = "Choose whether it is an ordinary or a special resolution"
    if values["removes"] not in ("no", "director", "auditor"):
        errors["removes"] = "Say whether the resolution removes a director or an auditor"
    draft = Draft(
        title=values["title"][:TITLE_LIMIT],
        text=values["text"][:TEXT_LIMIT],
        easy_read=values["easy_read"][:TEXT_LIMIT],
        kind=values["kind"],
        removes_director=values["removes"] == "director",
        removes_auditor=values["removes"] == "auditor",
    )
    return draft, errors, values


def read_paper(form: Any, today: date) -> tuple[int | None, date | None, dict[str, str], dict[str, str]]:
    """A signed paper copy: the member's number in the register of members and the day it came back."""
    errors: dict[str, str] = {}
    raw = _text(form, "entry_number")[:40]
    number = whole_number(raw, low=1, high=INTEGER_MAX)
    if not raw:
        errors["entry_number"] = "Enter the member's number in the register of members"
    elif number is None:
        errors["entry_number"] = "The register number must be a whole number, like 42"
    received = read_date(form, "received", "date the signed copy was received", errors)
    if received is not None and received > today:
        errors["received_day"] = "The date received must be today or in the past"
    values = {"entry_number": raw}
    for part in ("day", "month", "year"):
        values[f"received_{part}"] = _text(form, f"received_{part}")[:10]
    return number, received, errors, values
