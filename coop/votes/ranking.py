"""The ranked ballot one question per page ("Who is your 2nd choice?"), without JavaScript.

The ranking so far travels in a signed form field, never in the database: nothing is written until the
member casts their vote, so secrecy and one member, one vote are exactly as for the other kinds. Every
step, "Back" and "Change" is a POST, so a ranking never appears in a web address or an access log.
The signature binds the state to the vote and the voter, so a form cannot be replayed into another
vote or for another member; the final cast still checks the ballot like any other.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from coop.form_values import whole_number
from coop.votes.ballots import ordinal

RANKED_KINDS = ("ranked", "stv")
STOP = "stop"


def _mac(secret: str, vote_id: int, member_id: int, order: str) -> str:
    message = f"vote-ranking:{vote_id}:{member_id}:{order}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign(secret: str, vote_id: int, member_id: int, ranking: Sequence[int]) -> str:
    """The form field holding a ranking so far, e.g. "2.0~<mac>" (option 2 first, then option 0)."""
    order = ".".join(str(i) for i in ranking)
    return f"{order}~{_mac(secret, vote_id, member_id, order)}"


def read(secret: str, vote_id: int, member_id: int, token: str, n_options: int) -> tuple[int, ...] | None:
    """The ranking in a signed field, or None if it was not signed for this vote and voter."""
    order, _, mac = token.partition("~")
    if not hmac.compare_digest(_mac(secret, vote_id, member_id, order), mac):
        return None
    try:
        ranking = tuple(int(i) for i in order.split(".") if i != "")
    except ValueError:
        return None
    if len(set(ranking)) != len(ranking) or not all(0 <= i < n_options for i in ranking):
        return None
    return ranking


def encode(ranking: Sequence[int]) -> str:
    """The stored form of a ranked ballot ("2>0"), as `coop.votes.ballots` describes."""
    return ">".join(str(i) for i in ranking)


@dataclass(frozen=True, slots=True)
class Answer:
    """The ranking after answering one step, or the problem to show beside the radios."""

    ranking: tuple[int, ...] | None
    error: str | None
    stopped: bool = False


def answer(options: Sequence[str], ranking: tuple[int, ...], position: int, choice: str) -> Answer:
    """Answer "Who is your <position> choice?". The new pick replaces the old answer at that position;
    a later preference for the same option is dropped, so no option is ranked twice."""
    before = ranking[: position - 1]
    if choice == STOP and position > 1:
        return Answer(before, None, stopped=True)
    pick = whole_number(choice, low=0, high=len(options) - 1)
    if pick is None:
        if position == 1:
            return Answer(None, "Select your 1st choice")
        return Answer(
            None, f"Select your {ordinal(position)} choice, or select that you do not want to rank any more"
        )
    if pick in before:
        return Answer(
            None,
            f"You have already chosen {options[pick]} as your {ordinal(before.index(pick) + 1)} choice. "
            "Select a different one",
        )
    later = tuple(i for i in ranking[position:] if i != pick)
    return Answer((*before, pick, *later), None)
