"""The roles an organisation must always have someone in, and who may take one over."""

from __future__ import annotations

from governance.roles import (
    MUST_BE_HELD,
    Successor,
    last_holder_violations,
    roles_left_unheld,
    successor_violations,
)

OK = Successor(is_current_member=True, can_sign_in=True, is_leaving=False, is_the_leaver=False)


def test_the_administrator_and_the_secretary_must_always_be_held() -> None:
    assert set(MUST_BE_HELD) == {"admin", "secretary"}


def test_the_last_holder_cannot_leave_but_one_of_two_can() -> None:
    assert roles_left_unheld({"admin", "director"}, {}) == ("admin",)
    assert roles_left_unheld({"admin"}, {"admin": 1}) == ()
    assert roles_left_unheld({"secretary", "admin"}, {"admin": 1}) == ("secretary",)
    # Directors and treasurers may all leave: coop still has someone who can run it.
    assert roles_left_unheld({"director", "treasurer"}, {}) == ()


def test_the_refusal_says_why_and_what_to_do() -> None:
    [mine] = last_holder_violations({"secretary", "admin"}, {}, name="Lena", themselves=True)
    assert mine.code == "roles.last_holder"
    assert mine.message.startswith("You are the only administrator and secretary")
    assert "Choose who takes over" in mine.message and "appoint" in mine.message
    [theirs] = last_holder_violations({"secretary"}, {}, name="Helen Jones", themselves=False)
    assert (
        theirs.message.startswith("Helen Jones is the only secretary") and "Appoint another" in theirs.message
    )
    assert last_holder_violations({"secretary"}, {"secretary": 2}, name="Helen", themselves=True) == []


def test_a_successor_must_be_a_staying_member_who_can_sign_in_and_not_the_leaver() -> None:
    roles = ("secretary",)
    assert successor_violations(OK, roles) == []
    cases = {
        "roles.successor_missing": None,
        "roles.successor_self": Successor(True, True, False, True),
        "roles.successor_leaving": Successor(True, True, True, False),
        "roles.successor_no_account": Successor(True, False, False, False),
    }
    for code, successor in cases.items():
        [found] = successor_violations(successor, roles)
        assert found.code == code and "secretary" in found.message
    [ceased] = successor_violations(Successor(False, True, False, False), roles)
    assert ceased.code == "roles.successor_missing"
