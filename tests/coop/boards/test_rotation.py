"""The board page says who retires at the next AGM (by term, co-option or rotation under the constitution),
once an AGM is called; before then it says nothing about it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.conftest import run
from tests.coop.helpers import page_text, sign_in
from tests.coop.members.helpers import member_row


def test_the_board_page_names_who_retires_at_the_next_agm(demo: Any, client: Any) -> None:
    from coop.boards.rotation import retiring_at_next_agm
    from coop.boards.service import board_state

    organisation = int(member_row("Helen Jones")["organisation"])
    state = run(board_state(organisation))
    expected = run(retiring_at_next_agm(organisation, state.constitution, state.directors, datetime.now(UTC)))
    assert expected is not None, "the demo has an AGM called"
    assert expected.outcome.retiring, "under the demo's rules someone retires by rotation"
    sign_in(client, "jamie@riverside.example")
    text = page_text(client.get("/o/riverside/board").text)
    assert "At the annual general meeting on" in text
    for retirement in expected.outcome.retiring:
        assert f"{retirement.director.name}: {retirement.reason}" in text


def test_without_an_agm_called_the_page_says_nothing_about_one(demo: Any, client: Any) -> None:
    from coop.meetings.tables import Meeting

    run(Meeting.update({Meeting.kind: "general"}).where(Meeting.kind == "annual_general"))
    sign_in(client, "jamie@riverside.example")
    assert "At the annual general meeting" not in page_text(client.get("/o/riverside/board").text)
