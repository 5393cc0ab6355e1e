"""A supporter helps the member cast the member's own choice, with the member there."""

from __future__ import annotations

from governance.assistance import assisted_vote_violations


def test_an_assisted_vote_needs_the_supporter_to_confirm_the_member_is_there_and_chose() -> None:
    [found] = assisted_vote_violations(member_name="Sofia Rossi", supporter_confirms=False)
    assert found.code == "vote.assistance_unconfirmed"
    assert found.message == (
        "Confirm that Sofia Rossi is with you and that these are Sofia Rossi's own choices"
    )
    assert assisted_vote_violations(member_name="Sofia Rossi", supporter_confirms=True) == []
