"""How a membership ends: resignation (and settling notices that have run out), cessation, and expulsion
with the member's right to be heard. The entry itself stays on the register."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from coop.accounts.tables import Person
from coop.audit.guarded import guarded_change
from coop.audit.service import SYSTEM, Actor, AuditEntry, record
from coop.boards.service import end_directorships_of_ceased_member
from coop.clock import now, today
from coop.db import write_transaction
from coop.mail.service import send_email
from coop.members import roles
from coop.members.entries import current_members
from coop.members.errors import MembershipError
from coop.members.events import record_member_event
from coop.members.tables import (
    Member,
    MemberEvent,
    MemberSupporter,
    ProxyAppointment,
    RoleGrant,
)
from coop.members.words import violation_errors
from coop.organisations.service import OrgContext, constitution_of
from coop.settings import Settings
from governance.constitution import ExpulsionBy
from governance.membership import expulsion_violations, resignation_takes_effect


async def settle_due_resignations(organisation_id: int, on: date | None = None) -> int:
    """End the membership of everyone whose resignation notice has run out. Returns how many."""
    on = on or today()
    due = await Member.select(Member.id, Member.leaving_on).where(
        current_members(organisation_id) & Member.leaving_on.is_not_null() & (Member.leaving_on <= on)
    )
    settled = 0
    for row in due:
        try:
            async with write_transaction():
                await end_membership(organisation_id, row["id"], row["leaving_on"], "resigned", {}, None)
        except MembershipError:
            continue  # the last holder of a role that must be held stays until someone takes it over
        settled += 1
    return settled


async def end_membership(
    organisation_id: int,
    member_id: int,
    on: date,
    reason: str,
    detail: dict[str, Any],
    actor: Actor | None,
    *,
    field: str = "confirm",
) -> None:
    """Inside a transaction: end the entry, any directorship, every role, supporter link and proxy; the
    entry itself stays. Refused (MembershipError under `field`) if it would leave a role that must be held
    with nobody."""
    await roles.keep_roles_held(organisation_id, member_id, actor or Actor(None), field=field)
    ended = await guarded_change(
        Member,
        {Member.ceased_on: on, Member.ceased_reason: reason, Member.leaving_on: None},
        (Member.id == member_id) & Member.ceased_on.is_null(),
        returning=(Member.id,),
    )
    if not ended:
        return
    await end_directorships_of_ceased_member(organisation_id, member_id, on, reason, actor or SYSTEM)
    moment = now()
    await RoleGrant.update({RoleGrant.revoked_at: moment}).where(
        (RoleGrant.member == member_id) & RoleGrant.revoked_at.is_null()
    )
    await MemberSupporter.update({MemberSupporter.ended_at: moment}).where(
        (MemberSupporter.member == member_id) & MemberSupporter.ended_at.is_null()
    )
    await ProxyAppointment.update({ProxyAppointment.revoked_at: moment}).where(
        ((ProxyAppointment.member == member_id) | (ProxyAppointment.proxy_member == member_id))
        & ProxyAppointment.revoked_at.is_null()
    )
    await MemberEvent.insert(
        MemberEvent(
            organisation=organisation_id,
            member=member_id,
            kind="expelled" if reason == "expelled" else ("resigned" if reason == "resigned" else "ceased"),
            happened_on=on,
            detail=json.dumps({"reason": reason, **detail}),
            recorded_by=actor.person_id if actor else None,
        )
    )
    await record(
        AuditEntry(
            "member.ceased",
            organisation_id=organisation_id,
            target_type="member",
            target_id=str(member_id),
            detail={"reason": reason},
        ),
        actor or Actor(None),
    )


async def give_resignation(
    org: OrgContext,
    member: dict[str, Any],
    given_on: date,
    actor: Actor,
    *,
    assisted_by: int | None = None,
    themselves: bool = False,
    successor: str | None = None,
) -> date:
    """Record a member's notice of resignation. Takes effect after the constitution's notice period
    (at once when it is 0). Returns the day it takes effect. The last holder of a role that must be held
    hands it to `successor` in the same transaction, or is refused."""
    if member["ceased_on"] is not None:
        raise MembershipError({"confirm": "This person is no longer a member"})
    constitution = await constitution_of(org.organisation_id)
    effective = resignation_takes_effect(constitution, given_on)
    async with write_transaction():
        await roles.keep_roles_held(
            org.organisation_id,
            member["id"],
            actor,
            field="successor" if themselves else "confirm",
            themselves=themselves,
            successor=successor,
        )
        await record_member_event(
            org.organisation_id,
            member["id"],
            "member.resignation_given",
            given_on,
            {"takes_effect_on": effective.isoformat()},
            actor,
            audit_detail={"takes_effect_on": effective.isoformat(), "assisted": assisted_by is not None},
            assisted_by=assisted_by,
        )
        if effective <= today():
            await end_membership(org.organisation_id, member["id"], effective, "resigned", {}, actor)
        else:
            await Member.update({Member.leaving_on: effective}).where(Member.id == member["id"])
    return effective


async def cease_member(
    org: OrgContext, member: dict[str, Any], on: date, reason: str, note: str, actor: Actor
) -> None:
    """End a membership for a reason other than resignation or expulsion (death, no longer eligible)."""
    if reason not in ("ceased", "died"):
        raise MembershipError({"reason": "Choose why the membership ends"})
    if member["ceased_on"] is not None:
        raise MembershipError({"reason": "This person is no longer a member"})
    async with write_transaction():
        await end_membership(
            org.organisation_id, member["id"], on, reason, {"note": note[:500]}, actor, field="reason"
        )


async def expulsion_state(member_id: int) -> dict[str, Any]:
    """Where an expulsion stands: the latest proposal and, after it, whether the member has been heard."""
    events = (
        await MemberEvent.select(MemberEvent.kind, MemberEvent.happened_on, MemberEvent.detail)
        .where(
            (MemberEvent.member == member_id)
            & MemberEvent.kind.is_in(
                ["expulsion_proposed", "expulsion_heard", "expulsion_rejected", "expelled"]
            )
        )
        .order_by(MemberEvent.id)
    )
    state: dict[str, Any] = {"proposed_on": None, "reasons": "", "heard": None}
    for event in events:
        detail = json.loads(event["detail"] or "{}")
        if event["kind"] == "expulsion_proposed":
            state = {"proposed_on": event["happened_on"], "reasons": detail.get("reasons", ""), "heard": None}
        elif event["kind"] == "expulsion_heard" and state["proposed_on"] is not None:
            state["heard"] = detail
        else:
            state = {"proposed_on": None, "reasons": "", "heard": None}
    return state


async def propose_expulsion(
    org: OrgContext, member: dict[str, Any], reasons: str, given_on: date, actor: Actor, settings: Settings
) -> None:
    if not reasons.strip():
        raise MembershipError({"reasons": "Enter the reasons for the proposal. The member must be told them"})
    if member["ceased_on"] is not None:
        raise MembershipError({"reasons": "This person is no longer a member"})
    constitution = await constitution_of(org.organisation_id)
    days = constitution.membership.expulsion_notice_days
    async with write_transaction():
        proposal = {"reasons": reasons[:4000]}
        await record_member_event(
            org.organisation_id, member["id"], "member.expulsion_proposed", given_on, proposal, actor
        )
    if member["email"] or member["person"]:
        await send_email(
            settings,
            to=await email_of(member),
            subject=f"{org.name}: a proposal to end your membership",
            body=(
                f"Dear {member['name']},\n\nThe board of {org.name} proposes to end your membership "
                f"for these reasons:\n\n{reasons}\n\nYou have the right to be heard before anything is "
                f"decided. Nothing will be decided for at least {days} days. Tell the secretary if "
                "you want to speak to the board or send something in writing, and whether you want "
                "someone to support you.\n"
            ),
        )


async def email_of(member: dict[str, Any]) -> str:
    if member.get("email"):
        return str(member["email"])
    if member.get("person"):
        person = await Person.select(Person.email).where(Person.id == member["person"]).first()
        if person:
            return str(person["email"])
    return ""


async def record_hearing(
    org: OrgContext, member: dict[str, Any], heard_on: date, how: str, statement: str, actor: Actor
) -> None:
    """Record the member's right to be heard: what they said, or that they chose not to respond."""
    state = await expulsion_state(member["id"])
    errors: dict[str, str] = {}
    if state["proposed_on"] is None:
        errors["how"] = "There is no proposal to expel this member"
    elif how not in ("in_person", "in_writing", "declined"):
        errors["how"] = "Choose how the member was heard"
    elif how != "declined" and not statement.strip():
        errors["statement"] = "Enter what the member said"
    if errors:
        raise MembershipError(errors)
    async with write_transaction():
        await record_member_event(
            org.organisation_id,
            member["id"],
            "member.expulsion_heard",
            heard_on,
            {"how": how, "statement": statement[:4000]},
            actor,
            audit_detail={"how": how},
        )


async def decide_expulsion(
    org: OrgContext,
    member: dict[str, Any],
    decided_on: date,
    decided_by: str,
    votes_for: int,
    votes_cast: int,
    actor: Actor,
) -> bool:
    """Record the decision on a proposal to expel. Returns True when the member is expelled."""
    state = await expulsion_state(member["id"])
    constitution = await constitution_of(org.organisation_id)
    try:
        body = ExpulsionBy(decided_by)
    except ValueError:
        raise MembershipError({"decided_by": "Choose who made the decision"}) from None
    found = expulsion_violations(
        constitution,
        notice_given_on=state["proposed_on"],
        decided_on=decided_on,
        member_heard=state["heard"] is not None,
        decided_by=body,
        votes_for=votes_for,
        votes_cast=votes_cast,
    )
    blocking = [v for v in found if v.code != "expulsion.majority"]
    if blocking:
        raise MembershipError(violation_errors("votes_for", blocking))
    detail = {"votes_for": votes_for, "votes_cast": votes_cast, "decided_by": body.value}
    async with write_transaction():
        if found:  # the majority was not reached: the proposal falls
            await record_member_event(
                org.organisation_id,
                member["id"],
                "member.expulsion_rejected",
                decided_on,
                detail,
                actor,
                audit_detail=detail,
            )
            return False
        await end_membership(
            org.organisation_id, member["id"], decided_on, "expelled", detail, actor, field="votes_for"
        )
    return True
