"""Who retires at the next AGM: co-opted directors, those whose term ends by then, and those who retire by
rotation under the constitution (governance.terms), shown on the board page once an AGM is called."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from coop.meetings.tables import Meeting
from governance.board import Director
from governance.constitution import Constitution
from governance.terms import RotationOutcome, retirements_at_agm


@dataclass(frozen=True, slots=True)
class NextAgm:
    on: date
    outcome: RotationOutcome


async def next_agm(organisation_id: int, now: datetime) -> date | None:
    """The day of the next annual general meeting called, if one is."""
    row = await (
        Meeting.select(Meeting.starts_at)
        .where(
            (Meeting.organisation == organisation_id)
            & (Meeting.kind == "annual_general")
            & (Meeting.starts_at >= now)
        )
        .order_by(Meeting.starts_at)
        .first()
    )
    return row["starts_at"].date() if row else None


async def retiring_at_next_agm(
    organisation_id: int, constitution: Constitution, directors: Sequence[Director], now: datetime
) -> NextAgm | None:
    """Who retires at the next AGM and why (they may stand again where the constitution allows)."""
    on = await next_agm(organisation_id, now)
    if on is None:
        return None
    return NextAgm(on, retirements_at_agm(constitution, directors, on))
