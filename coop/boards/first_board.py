"""Directors who already hold office when coop starts keeping the register: a new organisation's first
board (named by its founders) and the demo's boards. Each takes the seat the constitution gives it in turn."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coop.boards.service import Appointment, as_director, insert_directorship
from coop.organisations.service import constitution_of
from governance.board import Director
from governance.board_seats import seat_for
from governance.terms import term_end_date


async def register_first_directors(
    organisation_id: int, directors: Sequence[tuple[dict[str, Any], Appointment]]
) -> int:
    """Inside the caller's transaction: an entry (and the director role) for each member row (`id`, `name`,
    `member_class`) with its appointment. The founders' board was checked against the constitution before
    this runs, so this only records it. Returns how many were entered."""
    constitution = await constitution_of(organisation_id)
    board: list[Director] = []
    for member, appointment in directors:
        row = {
            **member,
            "member": member["id"],
            "route": appointment.route,
            "appointed_by_class": appointment.appointed_by_class,
            "term_end": None,
            "appointed_on": appointment.appointed_on,
            "user_led_consent": appointment.user_led_consent,
        }
        director = as_director(row)
        seat = seat_for(constitution, board, director)
        term_end = term_end_date(constitution, appointment.appointed_on)
        await insert_directorship(organisation_id, int(member["id"]), seat, appointment, term_end)
        board.append(director)
    return len(board)
