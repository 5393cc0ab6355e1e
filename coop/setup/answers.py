"""Reading the founders' answers file (TOML) into `governance.founding.FoundingAnswers`, with a
plain-English problem for every answer that is missing or of the wrong kind."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from typing import Any

from governance.founding import Founder, FoundingAnswers
from governance.violations import Violation

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
TEXT_ANSWERS = ("name", "slug", "legal_form", "objects", "community", "registered_office")
_KNOWN = {*TEXT_ANSWERS, "year_end", "member_classes", "founders", "asset_locked_body", "adopted_on"}
FOUNDER_TEXT = (
    "name",
    "member_class",
    "email",
    "address",
    "service_address",
    "country_of_residence",
    "nationality",
    "occupation",
)
FOUNDER_FLAGS = ("director", "counts_as_user_led", "secretary")
_FOUNDER_KNOWN = {*FOUNDER_TEXT, *FOUNDER_FLAGS, "date_of_birth"}


@dataclass(frozen=True, slots=True)
class ReadAnswers:
    """The answers, if they could be read, and every problem found reading them."""

    answers: FoundingAnswers | None
    problems: tuple[Violation, ...]


def _problem(field: str, message: str) -> Violation:
    return Violation(f"answers.{field}", message)


def parse_year_end(text: str) -> tuple[int, int] | None:
    """ "31 March" or "31-03" as (month, day); None if it is neither."""
    parts = text.replace("-", " ").replace("/", " ").split()
    if len(parts) != 2 or not parts[0].isascii() or not parts[0].isdigit():
        return None
    day = int(parts[0])
    month_word = parts[1].lower()
    if month_word.isascii() and month_word.isdigit():
        month = int(month_word)
    elif month_word[:3] in _MONTHS:
        month = _MONTHS.index(month_word[:3]) + 1
    else:
        return None
    return month, day


def read_answers(text: str) -> ReadAnswers:
    """Read an answers file; every problem is reported, not only the first."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ReadAnswers(None, (_problem("toml", f"The answers file is not valid TOML: {exc}"),))
    problems: list[Violation] = []
    for key in raw:
        if key not in _KNOWN:
            problems.append(_problem("unknown", f'"{key}" is not an answer coop knows (check the spelling).'))
    values: dict[str, Any] = {}
    for key in TEXT_ANSWERS:
        value = raw.get(key, "")
        if not isinstance(value, str):
            problems.append(_problem(key, f'The answer "{key}" must be text in quotes.'))
            value = ""
        values[key] = value.strip()
    year_end = raw.get("year_end", "")
    parsed = parse_year_end(year_end) if isinstance(year_end, str) else None
    if parsed is None:
        problems.append(_problem("year_end", 'Give the year end as a day and month, such as "31 March".'))
        parsed = (0, 0)
    classes = raw.get("member_classes", [])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        problems.append(_problem("member_classes", "member_classes must be a list of class names in quotes."))
        classes = []
    body = raw.get("asset_locked_body", "")
    if not isinstance(body, str):
        problems.append(_problem("asset_locked_body", "asset_locked_body must be text in quotes."))
        body = ""
    adopted_on = raw.get("adopted_on")
    if adopted_on is not None and (not isinstance(adopted_on, date) or hasattr(adopted_on, "hour")):
        problems.append(_problem("adopted_on", "adopted_on must be a date such as 2026-04-01."))
        adopted_on = None
    founders = _read_founders(raw.get("founders", []), problems)
    answers = FoundingAnswers(
        name=values["name"],
        slug=values["slug"],
        legal_form=values["legal_form"],
        objects=values["objects"],
        community=values["community"],
        year_end_month=parsed[0],
        year_end_day=parsed[1],
        registered_office=values["registered_office"],
        member_classes=tuple(c.strip() for c in classes),
        founders=founders,
        asset_locked_body=body.strip(),
        adopted_on=adopted_on,
    )
    return ReadAnswers(answers, tuple(problems))


def _read_founders(raw: object, problems: list[Violation]) -> tuple[Founder, ...]:
    if not isinstance(raw, list) or not all(isinstance(f, dict) for f in raw):
        problems.append(_problem("founders", "List the founders as [[founders]] sections."))
        return ()
    founders = []
    for number, entry in enumerate(raw, start=1):
        for key in entry:
            if key not in _FOUNDER_KNOWN:
                problems.append(
                    _problem("unknown", f'Founder {number}: "{key}" is not an answer coop knows.')
                )
        text: dict[str, Any] = {}
        for key in FOUNDER_TEXT:
            value = entry.get(key, "")
            if not isinstance(value, str):
                problems.append(
                    _problem(f"founders.{key}", f'Founder {number}: "{key}" must be text in quotes.')
                )
                value = ""
            text[key] = value.strip()
        flags: dict[str, Any] = {}
        for key in FOUNDER_FLAGS:
            value = entry.get(key, False)
            if not isinstance(value, bool):
                problems.append(
                    _problem(f"founders.{key}", f'Founder {number}: "{key}" must be true or false.')
                )
                value = False
            flags[key] = value
        born = entry.get("date_of_birth")
        if born is not None and (not isinstance(born, date) or hasattr(born, "hour")):
            problems.append(
                _problem(
                    "founders.date_of_birth",
                    f"Founder {number}: date_of_birth must be a date such as 1980-05-17.",
                )
            )
            born = None
        founders.append(Founder(**text, **flags, date_of_birth=born))
    return tuple(founders)
