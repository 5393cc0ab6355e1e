"""Voting with help: a member's named supporter may help them cast *the member's own* choice, with the
member there. A supporter never has a vote of their own and never votes in the member's place."""

from __future__ import annotations

from governance.violations import Violation


def assisted_vote_violations(*, member_name: str, supporter_confirms: bool) -> list[Violation]:
    """Why this assisted ballot may not be cast (empty if it may): the supporter must confirm that the
    member is with them and that the choices are the member's own."""
    if supporter_confirms:
        return []
    return [
        Violation(
            "vote.assistance_unconfirmed",
            f"Confirm that {member_name} is with you and that these are {member_name}'s own choices",
        )
    ]
