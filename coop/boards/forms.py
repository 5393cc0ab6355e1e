"""Reading the board's forms: appointing a director and ending a directorship. Every field may be missing
or malformed; each problem becomes a plain-English message by its field, never a 400 or a 500."""

from __future__ import annotations

from datetime import date
from typing import Any

from coop.boards.service import ENDINGS, ROUTES, Appointment, Particulars
from coop.form_values import form_text, read_date

TEXT_LIMIT = 500


def text(form: Any, name: str, limit: int = TEXT_LIMIT) -> str:
    return form_text(form, name, limit)


def read_appointment(form: Any, today: date) -> tuple[Appointment, dict[str, str], dict[str, str]]:
    """The appointment, the problems with it (by field) and the values typed (to show again)."""
    errors: dict[str, str] = {}
    values = {
        k: text(form, k)
        for k in (
            "member",
            "route",
            "appointed_by_class",
            "service_address",
            "country_of_residence",
            "nationality",
            "occupation",
            "residential_address",
            "user_led_consent",
        )
    }
    for p in ("appointed_on", "date_of_birth"):
        for part in ("day", "month", "year"):
            values[f"{p}_{part}"] = text(form, f"{p}_{part}", 10)
    if not values["member"]:
        errors["member"] = "Choose the member to appoint"
    if values["route"] not in ROUTES:
        errors["route"] = "Choose how the director is appointed"
    appointed_on = read_date(form, "appointed_on", "date of appointment", errors)
    if appointed_on is not None and appointed_on > today:
        errors["appointed_on_day"] = "The date of appointment must be today or in the past"
    born = read_date(form, "date_of_birth", "date of birth", errors, optional=True)
    if born is not None and (born > today or _age(born, today) < 16):
        errors["date_of_birth_day"] = "A director must be aged 16 or over (Companies Act 2006, section 157)"
    for key, what in (("service_address", "a service address"), ("country_of_residence", "their country")):
        if not values[key]:
            errors[key] = f"Enter {what}"
    appointment = Appointment(
        member_public_id=values["member"],
        route=values["route"],
        appointed_on=appointed_on or today,
        particulars=Particulars(
            service_address=values["service_address"],
            country_of_residence=values["country_of_residence"],
            nationality=values["nationality"],
            occupation=values["occupation"],
            residential_address=values["residential_address"],
            date_of_birth=born,
        ),
        appointed_by_class=values["appointed_by_class"],
        user_led_consent=values["user_led_consent"] == "yes",
    )
    return appointment, errors, values


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def read_ending(form: Any, today: date) -> tuple[str, date | None, str, dict[str, str], dict[str, str]]:
    """Why and when a directorship ends, a note, the problems (by field) and the values typed."""
    errors: dict[str, str] = {}
    reason = text(form, "reason", 20)
    if reason not in ENDINGS or reason == "ceased_member":
        errors["reason"] = "Choose why the directorship ends"
    on = read_date(form, "on", "date it ends", errors)
    if on is not None and on > today:
        errors["on_day"] = "The date must be today or in the past"
    values = {"reason": reason, "note": text(form, "note")}
    for part in ("day", "month", "year"):
        values[f"on_{part}"] = text(form, f"on_{part}", 10)
    return reason, on, values["note"], errors, values
