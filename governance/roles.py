"""Roles an organisation must always have someone in, and who may take one over from a member who leaves.

The administrator and the secretary run the organisation in coop: they keep the register, open votes and
send notices. If the last of either left, nobody would be left who could appoint a new one, so leaving
(resigning, being ceased or expelled, giving up the role) must hand the role over first or be refused.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from governance.violations import Violation

MUST_BE_HELD: tuple[str, ...] = ("admin", "secretary")
ROLE_WORDS = {"admin": "administrator", "secretary": "secretary"}


def roles_left_unheld(leaving_roles: Collection[str], staying_holders: Mapping[str, int]) -> tuple[str, ...]:
    """The roles that must always be held which nobody would hold once these roles are given up.

    `staying_holders` counts, per role, the other holders who are not leaving themselves."""
    return tuple(r for r in MUST_BE_HELD if r in leaving_roles and staying_holders.get(r, 0) <= 0)


def role_list(roles: Collection[str]) -> str:
    """ "secretary", or "secretary and administrator": the roles as words in a sentence."""
    words = [ROLE_WORDS.get(r, r) for r in MUST_BE_HELD if r in roles]
    return " and ".join(words)


def last_holder_violations(
    leaving_roles: Collection[str], staying_holders: Mapping[str, int], *, name: str, themselves: bool
) -> list[Violation]:
    """Why this member may not stop holding their roles yet (empty if they may).

    `themselves` is true when the member is the one leaving (the message then says "you")."""
    unheld = roles_left_unheld(leaving_roles, staying_holders)
    if not unheld:
        return []
    roles = role_list(unheld)
    article = "an" if roles.startswith("a") else "a"
    if themselves:
        message = (
            f"You are the only {roles}, and the organisation must always have one. "
            f"Choose who takes over as {roles}, or ask the board to appoint {article} {roles} first."
        )
    else:
        message = (
            f"{name} is the only {roles}, and the organisation must always have one. "
            f"Appoint another {roles} first, or ask {name} to hand the role over when they resign."
        )
    return [Violation("roles.last_holder", message)]


@dataclass(frozen=True, slots=True)
class Successor:
    """Facts about the member chosen to take roles over."""

    is_current_member: bool
    can_sign_in: bool
    is_leaving: bool
    is_the_leaver: bool


def successor_violations(successor: Successor | None, roles: Collection[str]) -> list[Violation]:
    """Why this member cannot take the roles over (empty if they can)."""
    words = role_list(roles) or "the role"
    if successor is None or not successor.is_current_member:
        return [Violation("roles.successor_missing", f"Choose a member to take over as {words}")]
    if successor.is_the_leaver:
        return [Violation("roles.successor_self", f"Choose someone other than you to take over as {words}")]
    if successor.is_leaving:
        return [
            Violation(
                "roles.successor_leaving",
                f"This member has given notice to leave. Choose someone staying to take over as {words}",
            )
        ]
    if not successor.can_sign_in:
        return [
            Violation(
                "roles.successor_no_account",
                f"The {words} must be able to sign in to coop. Choose a member who has an account",
            )
        ]
    return []
