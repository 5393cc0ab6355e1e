"""Reading each /start question page's form into the answers it changes, with a plain-English error by
each field that is wrong. Pure: the database checks (a web address already taken) are in the service."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from coop.form_values import read_date, whole_number
from coop.organisations.service import SLUG_PATTERN
from governance.constitution import Constitution, LegalForm
from governance.founding import DIRECTOR_MIN_AGE, age_on, name_violations
from governance.notice import MONTH_NAMES

Answers = dict[str, Any]
Errors = dict[str, str]

# Limits that keep every answer a sensible size for the documents and the database columns.
SHORT_TEXT = 200
ADDRESS_TEXT = 500
LONG_TEXT = 5000
MAX_FOUNDERS = 50
"""Founders are the first few members; anyone else joins once the organisation exists."""


def read_text(form: Mapping[str, Any], name: str, limit: int, errors: Errors, what: str) -> str:
    """A text answer, trimmed; too long or holding control characters is an error by the field."""
    value = form.get(name, "")
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        errors[name] = f"{what[:1].upper()}{what[1:]} must be {limit} characters or fewer"
    elif any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\r\n\t" for c in text):
        errors[name] = f"{what[:1].upper()}{what[1:]} must not contain control characters"
    return text.replace("\r\n", "\n")


def read_model(form: Mapping[str, Any], models: Mapping[str, Constitution]) -> tuple[Answers, Errors]:
    key = form.get("model", "")
    if key not in models:
        return {}, {"model": "Choose the model constitution to start from"}
    return {"model": key, "legal_form": models[key].legal_form.value}, {}


def read_name(form: Mapping[str, Any], legal_form: LegalForm) -> tuple[Answers, Errors]:
    errors: Errors = {}
    name = " ".join(read_text(form, "name", 160, errors, "the name").split())
    if not errors:
        problems = name_violations(name, legal_form)
        if problems:
            errors["name"] = problems[0].message
    return {"name": name}, errors


def read_slug(form: Mapping[str, Any]) -> tuple[Answers, Errors]:
    errors: Errors = {}
    slug = read_text(form, "slug", 60, errors, "the web address").lower()
    if not errors and not SLUG_PATTERN.match(slug):
        errors["slug"] = (
            "Enter a web address of lower-case letters, numbers and hyphens, starting and ending with a "
            "letter or number"
        )
    return {"slug": slug}, errors


def read_required_text(
    form: Mapping[str, Any], name: str, limit: int, missing: str, what: str
) -> tuple[Answers, Errors]:
    errors: Errors = {}
    text = read_text(form, name, limit, errors, what)
    if not errors and not text:
        errors[name] = missing
    return {name: text}, errors


def read_classes(form: Any, model: Constitution) -> tuple[Answers, Errors]:
    keys = {mc.key for mc in model.member_classes}
    chosen = [c for c in form.getall("member_classes", []) if isinstance(c, str)] if form else []
    if not chosen or any(c not in keys for c in chosen):
        return {}, {"member_classes": "Choose at least one member class from the list"}
    needed = [rule.key for rule in model.board.classes if rule.min > 0 and rule.key not in chosen]
    if needed:
        names = ", ".join(model.class_plural(k) for k in needed)
        return {}, {
            "member_classes": f"Your constitution needs {names} on the board, so choose that class too"
        }
    # Keep the model's order, so every document lists the classes the same way.
    return {"member_classes": [mc.key for mc in model.member_classes if mc.key in chosen]}, {}


def read_year_end(form: Mapping[str, Any]) -> tuple[Answers, Errors]:
    day = whole_number(str(form.get("year_end_day", ""))[:20], low=1, high=31)
    month = whole_number(str(form.get("year_end_month", ""))[:20], low=1, high=12)
    if day is None or month is None:
        return {}, {"year_end_day": "Enter the year end as a day and a month, like 31 3"}
    try:
        date(2024, month, day)  # a leap year, so 29 February is allowed
    except ValueError:
        return {}, {"year_end_day": "The year end must be a real day of the year, like 31 3"}
    return {"year_end": f"{day} {MONTH_NAMES[month - 1]}"}, {}


def read_asset_lock(form: Mapping[str, Any], legal_form: LegalForm) -> tuple[Answers, Errors]:
    errors: Errors = {}
    body = read_text(form, "asset_locked_body", ADDRESS_TEXT, errors, "the asset-locked body")
    if not errors and legal_form.is_cic and not body:
        errors["asset_locked_body"] = (
            "Enter the asset-locked body (a charity or another CIC) that will receive the assets if the "
            "CIC closes"
        )
    return {"asset_locked_body": body}, errors


def read_founder(
    form: Mapping[str, Any], classes: list[str], others: list[Answers]
) -> tuple[Answers, Errors]:
    """A founder's details page. `others` are the other founders, so a repeated email is caught here."""
    errors: Errors = {}
    name = " ".join(read_text(form, "name", SHORT_TEXT, errors, "the name").split())
    email = read_text(form, "email", SHORT_TEXT, errors, "the email address").lower()
    address = read_text(form, "address", ADDRESS_TEXT, errors, "the home address")
    if not name and "name" not in errors:
        errors["name"] = "Enter the founder's full name"
    if email and "email" not in errors and ("@" not in email or " " in email or email.startswith("@")):
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    elif email and any(o.get("email") == email for o in others):
        errors["email"] = "Another founder has this email address; each founder needs their own"
    if not address and "address" not in errors:
        errors["address"] = "Enter the founder's home address: the register of members needs it"
    member_class = form.get("member_class", "")
    if member_class not in classes:
        errors["member_class"] = "Choose which member class the founder joins"
    director = form.get("director", "")
    if director not in ("yes", "no"):
        errors["director"] = "Say whether the founder will be one of the first directors"
    founder = {
        "name": name,
        "email": email,
        "address": address,
        "member_class": member_class,
        "director": director == "yes",
        "counts_as_user_led": form.get("counts_as_user_led") == "yes",
    }
    return founder, errors


def read_director(form: Mapping[str, Any], today: date) -> tuple[Answers, Errors]:
    """A founding director's particulars for the register of directors and form IN01."""
    errors: Errors = {}
    values = {
        "service_address": read_text(form, "service_address", ADDRESS_TEXT, errors, "the service address"),
        "country_of_residence": read_text(form, "country_of_residence", SHORT_TEXT, errors, "the country"),
        "nationality": read_text(form, "nationality", SHORT_TEXT, errors, "the nationality"),
        "occupation": read_text(form, "occupation", SHORT_TEXT, errors, "the occupation"),
    }
    for field, message in (
        ("country_of_residence", "Enter the country where they usually live"),
        ("nationality", "Enter their nationality"),
        ("occupation", 'Enter their occupation, or "None"'),
    ):
        if not values[field] and field not in errors:
            errors[field] = message
    born = read_date(form, "date_of_birth", "date of birth", errors)
    if born is not None and (born > today or age_on(born, today) < DIRECTOR_MIN_AGE):
        errors["date_of_birth_day"] = (
            f"A director must be {DIRECTOR_MIN_AGE} or over (Companies Act 2006, section 157)"
        )
    values["date_of_birth"] = born.isoformat() if born else ""
    return values, errors


def read_secretary(form: Mapping[str, Any], founders: list[Answers]) -> tuple[int, Errors]:
    number = whole_number(str(form.get("secretary", ""))[:20], low=1, high=max(len(founders), 1))
    if number is None or not founders:
        return 0, {"secretary": "Choose which founder will be the secretary"}
    if not founders[number - 1].get("email"):
        return 0, {
            "secretary": f"Add an email address for {founders[number - 1].get('name')} first: the "
            "secretary needs one to sign in"
        }
    return number, {}
