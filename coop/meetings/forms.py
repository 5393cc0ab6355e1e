"""Reading the meetings' forms. Every field may be missing or malformed; each problem becomes a
plain-English message by its field, never a 400 or a 500."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from coop.form_values import form_text, read_date, whole_number
from coop.meetings.service import KINDS, RESOLUTION_KINDS, NewItem, NewMeeting
from coop.template_filters import LONDON
from governance.show_of_hands import Hands

TEXT_LIMIT = 200
PAPER_LIMIT = 20_000
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
HANDS_MAX = 1_000_000


def text(form: Any, name: str, limit: int = TEXT_LIMIT) -> str:
    """`form_text` with this area's shorter default limit."""
    return form_text(form, name, limit)


def _values(form: Any, names: tuple[str, ...], limit: int = TEXT_LIMIT) -> dict[str, str]:
    return {name: text(form, name, limit) for name in names}


def _date_values(form: Any, prefix: str) -> dict[str, str]:
    return {f"{prefix}_{p}": text(form, f"{prefix}_{p}", 10) for p in ("day", "month", "year")}


def read_meeting(form: Any) -> tuple[NewMeeting | None, dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    values = {
        **_values(form, ("kind", "member_class", "title", "time", "chair")),
        **_values(form, ("place", "online_link"), 500),
        **_date_values(form, "starts_on"),
    }
    if values["kind"] not in KINDS:
        errors["kind"] = "Choose what kind of meeting it is"
    if not values["title"]:
        errors["title"] = "Enter a name for the meeting, like Board meeting, March"
    day = read_date(form, "starts_on", "date of the meeting", errors)
    match = _TIME.match(values["time"])
    if not match:
        errors["time"] = "Enter the time the meeting starts, like 18:30"
    if not values["place"] and not values["online_link"]:
        errors["place"] = "Enter where the meeting is, or a link to join it online"
    if values["online_link"] and not values["online_link"].startswith("https://"):
        errors["online_link"] = "Enter the online link in full, starting https://"
    if errors or day is None or match is None:
        return None, errors, values
    starts = datetime(day.year, day.month, day.day, int(match[1]), int(match[2]), tzinfo=LONDON)
    return (
        NewMeeting(
            kind=values["kind"],
            title=values["title"],
            starts_at=starts,
            place=values["place"],
            online_link=values["online_link"],
            member_class=values["member_class"],
            chair_public_id=values["chair"],
        ),
        errors,
        values,
    )


def read_item(form: Any) -> tuple[NewItem, dict[str, str], dict[str, str]]:
    values = {
        **_values(form, ("title", "resolution_kind")),
        **_values(form, ("paper", "paper_easy_read", "resolution_text"), PAPER_LIMIT),
    }
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = "Enter the title of the item"
    if values["resolution_kind"] not in RESOLUTION_KINDS:
        errors["resolution_kind"] = "Choose whether the item has a resolution"
    item = NewItem(
        values["title"],
        values["paper"],
        values["paper_easy_read"],
        values["resolution_kind"],
        values["resolution_text"],
    )
    return item, errors, values


def read_notice(form: Any) -> tuple[date | None, int | None, int | None, dict[str, str], dict[str, str]]:
    """The day to send (optional: the last day that gives full notice) and any short-notice consent."""
    values = {**_date_values(form, "send_on"), **_values(form, ("consent_members", "consent_votes"), 20)}
    errors: dict[str, str] = {}
    send_on = read_date(form, "send_on", "day to send the notice", errors, optional=True)
    counts: dict[str, int | None] = {}
    for name, what in (("consent_members", "members"), ("consent_votes", "votes")):
        raw = values[name]
        counts[name] = whole_number(raw, low=0, high=HANDS_MAX) if raw else None
        if raw and counts[name] is None:
            errors[name] = f"Enter the number of {what} agreeing as a whole number, like 12"
    return send_on, counts["consent_members"], counts["consent_votes"], errors, values


def read_hands(form: Any) -> tuple[Hands | None, str, dict[str, str], dict[str, str]]:
    values = _values(form, ("votes_for", "votes_against", "abstentions", "casting_vote"), 20)
    errors: dict[str, str] = {}
    counts = {}
    for name, what in (("votes_for", "for"), ("votes_against", "against"), ("abstentions", "abstaining")):
        counts[name] = whole_number(values[name] or "0", low=0, high=HANDS_MAX)
        if counts[name] is None:
            errors[name] = f"Enter the number of hands {what} as a whole number, like 3"
    if errors:
        return None, values["casting_vote"], errors, values
    hands = Hands(counts["votes_for"] or 0, counts["votes_against"] or 0, counts["abstentions"] or 0)
    return hands, values["casting_vote"], errors, values


def read_interest(form: Any) -> tuple[str, str, date | None, dict[str, str], dict[str, str]]:
    values = {
        **_values(form, ("member",)),
        **_values(form, ("description",), 1000),
        **_date_values(form, "on"),
    }
    errors: dict[str, str] = {}
    on = read_date(form, "on", "date the interest was declared", errors)
    if not values["description"]:
        errors["description"] = "Describe the interest, like Daughter works for Bright Care Ltd"
    if not values["member"]:
        errors["member"] = "Choose the director"
    return values["member"], values["description"], on, errors, values
