"""Helping a member vote: their named supporter casts the member's own choice, with the member there.

The participation records who helped (never the ballot, so secrecy holds), and afterwards the member is
told, the way they asked to be contacted (email, easy read, or a letter to post), that a vote was cast
with help, by whom, and what to do if it was not them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coop.accounts.tables import Person
from coop.audit.service import Actor
from coop.members.notices import Notice, send_notice
from coop.members.tables import MemberSupporter
from coop.settings import Settings
from coop.template_filters import date_time
from coop.urls import absolute_url, org_path
from coop.votes.casting import CastOutcome, cast_ballot
from coop.votes.records import VoteInfo
from governance.assistance import assisted_vote_violations
from governance.violations import RuleViolationError


async def cast_with_help(
    vote: VoteInfo,
    member_id: int,
    member_name: str,
    encoded: str,
    *,
    proxy_for: dict[str, Any] | None,
    supporter_person_id: int,
    supporter_confirms: bool,
    now: datetime,
    actor: Actor,
    settings: Settings,
    org_name: str,
    slug: str,
) -> CastOutcome:
    """Cast the member's ballot (or, as their proxy, the ballot of `proxy_for`) with their supporter's
    help, then tell the member. Raises RuleViolationError (nothing written) unless the supporter confirms
    the member is there and chose."""
    found = assisted_vote_violations(member_name=member_name, supporter_confirms=supporter_confirms)
    if found:
        raise RuleViolationError(found)
    outcome = await cast_ballot(
        vote.organisation_id,
        vote.id,
        int(proxy_for["member_id"]) if proxy_for else member_id,
        encoded,
        now=now,
        actor=actor,
        channel="proxy" if proxy_for else "online",
        assisted_by=supporter_person_id,
    )
    if outcome.counted:
        helper = await supporter_name(member_id, supporter_person_id)
        link = absolute_url(settings, org_path(slug, "me"))
        proxy_name = proxy_for["name"] if proxy_for else None
        notice = assisted_vote_notice(vote, helper, now, org_name, link, proxy_name)
        await send_notice(settings, vote.organisation_id, [member_id], notice)
    return outcome


async def supporter_name(member_id: int, person_id: int) -> str:
    """The name the member gave their supporter (or the supporter's own account name)."""
    row = (
        await MemberSupporter.select(MemberSupporter.name)
        .where((MemberSupporter.member == member_id) & (MemberSupporter.person == person_id))
        .order_by(MemberSupporter.id, ascending=False)
        .first()
    )
    if row:
        return str(row["name"])
    person = await Person.select(Person.display_name).where(Person.id == person_id).first()
    return str(person["display_name"]) if person else "Your supporter"


def assisted_vote_notice(
    vote: VoteInfo, helper: str, when: datetime, org_name: str, link: str, proxy_name: str | None = None
) -> Notice:
    """What the member is told: never what was chosen, which nobody but the member may know."""
    secret = (
        "Your vote is secret: we do not know how you voted, and we did not tell anyone.\n\n"
        if vote.secret
        else ""
    )
    return Notice(
        kind="assisted_vote",
        subject=f"{org_name}: {helper} helped you vote",
        body=(
            f"{helper}, your supporter, helped you vote online"
            f"{f' as proxy for {proxy_name}' if proxy_name else ''} in: {vote.title}\n\n"
            f"This was on {date_time(when)}.\n\n{secret}"
            "If you did not vote, or the vote was not your own choice, tell the secretary of "
            f"{org_name} straight away. You can also stop {helper} being your supporter on your "
            f"membership page:\n\n{link}\n"
        ),
        easy_read=(
            f"{helper} helped you to vote.",
            f"The vote was about: {vote.title}.",
            "Was this you? Did you choose your vote?",
            f"If not, tell the secretary of {org_name} straight away.",
        ),
    )
