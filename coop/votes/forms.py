"""Form bodies for creating a vote and entering paper ballots. Every field defaults to empty so a missing
field becomes a friendly error next to it, not a 400. Ballots themselves are read field by field
(`coop.votes.ballots.parse_choice`), since their field names depend on the options."""

from __future__ import annotations

import re
from datetime import datetime

from msgspec import Struct

from coop.template_filters import LONDON

_WHEN = re.compile(r"^\s*(\d{1,2})[/ .-](\d{1,2})[/ .-](\d{4})\s+(\d{1,2})[:.](\d{2})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})\s*$")


class NewVoteForm(Struct):
    title: str = ""
    question: str = ""
    easy_read: str = ""
    kind: str = ""
    purpose: str = ""
    options: str = ""
    seats: str = "1"
    secrecy: str = "secret"
    opens_at: str = ""
    closes_at: str = ""
    open_now: str = ""


class PaperBallotForm(Struct):
    member: str = ""
    channel: str = "paper"


def parse_when(text: str) -> datetime | None:
    """A UK date and time ("1/12/2026 17:00" or "2026-12-01 17:00"), London time, as an aware datetime."""
    match = _WHEN.match(text)
    if match:
        day, month, year, hour, minute = (int(g) for g in match.groups())
    else:
        iso = _ISO.match(text)
        if not iso:
            return None
        year, month, day, hour, minute = (int(g) for g in iso.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=LONDON)
    except ValueError:
        return None


def when_text(value: datetime | None) -> str:
    return value.astimezone(LONDON).strftime("%d/%m/%Y %H:%M") if value else ""
