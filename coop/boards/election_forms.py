"""Reading the board-election forms: calling for nominations, standing with a statement, and making the
ballot. Every field may be missing or malformed; each problem is a plain-English message by its field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coop.boards.nominations import STATEMENT_LIMIT, Ballot, NewElection
from coop.form_values import read_date, whole_number
from coop.votes.ballots import KINDS
from coop.votes.forms import parse_when

BALLOT_KINDS = ("single", "approval", "ranked", "stv")


def _text(form: Any, name: str, limit: int = 200) -> str:
    value = form.get(name, "")
    return value.strip()[: limit + 1] if isinstance(value, str) else ""


def read_new_election(form: Any) -> tuple[NewElection | None, dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    values = {"title": _text(form, "title"), "seats": _text(form, "seats", 10)}
    for part in ("day", "month", "year"):
        values[f"close_{part}"] = _text(form, f"close_{part}", 10)
    if not values["title"]:
        errors["title"] = "Enter a title, like Election of directors 2027"
    elif len(values["title"]) > 200:
        errors["title"] = "The title must be 200 characters or fewer"
    seats = whole_number(values["seats"], low=1, high=20)
    if seats is None:
        errors["seats"] = "Enter the number of seats to fill, from 1 to 20"
    close = read_date(form, "close", "last day to stand", errors)
    if errors or seats is None or close is None:
        return None, errors, values
    return NewElection(values["title"], seats, close), errors, values


def read_statement(form: Any) -> tuple[str, str, dict[str, str], dict[str, str]]:
    statement = _text(form, "statement", STATEMENT_LIMIT)
    easy_read = _text(form, "easy_read", STATEMENT_LIMIT)
    errors: dict[str, str] = {}
    if not statement:
        errors["statement"] = "Write a statement: who you are and what you would do on the board"
    elif len(statement) > STATEMENT_LIMIT:
        errors["statement"] = f"The statement must be {STATEMENT_LIMIT:,} characters or fewer"
    if len(easy_read) > STATEMENT_LIMIT:
        errors["easy_read"] = f"The easy-read statement must be {STATEMENT_LIMIT:,} characters or fewer"
    return statement, easy_read, errors, {"statement": statement, "easy_read": easy_read}


def read_ballot(form: Any, now: datetime) -> tuple[Ballot | None, dict[str, str], dict[str, str]]:
    values = {"kind": _text(form, "kind", 20), "closes_at": _text(form, "closes_at", 40)}
    errors: dict[str, str] = {}
    if values["kind"] not in BALLOT_KINDS:
        errors["kind"] = "Choose how members vote for the candidates"
    closes_at = parse_when(values["closes_at"])
    if closes_at is None:
        errors["closes_at"] = "Enter when voting closes as a date and time, like 08/12/2026 17:00"
    elif closes_at <= now:
        errors["closes_at"] = "The closing time must be in the future"
    if errors or closes_at is None:
        return None, errors, values
    return Ballot(values["kind"], closes_at), errors, values


def kind_options() -> list[tuple[str, str]]:
    return [(k, KINDS[k]) for k in BALLOT_KINDS]
