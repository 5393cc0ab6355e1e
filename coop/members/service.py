"""The register of members and everything around it: adding and admitting members, applications to join,
invitations, changes of class, resignation, cessation and expulsion, communication needs, sensitive facts
(consent only), supporters and proxies. Every change is one transaction with its audit event."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from coop.accounts.tables import PasswordReset, Person
from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.db import write_transaction
from coop.mail.service import send_email
from coop.members import notices, roles
from coop.members.errors import MembershipError
from coop.members.tables import (
    CommunicationNeed,
    Member,
    MemberEvent,
    MemberInvitation,
    MemberLetter,
    MembershipApplication,
    MemberSupporter,
    ProxyAppointment,
    RoleGrant,
    SensitiveFact,
)
from coop.organisations.service import OrgContext, constitution_of
from coop.settings import Settings
from governance.constitution import Constitution, ExpulsionBy
from governance.membership import (
    eligibility_violations,
    expulsion_violations,
    resignation_takes_effect,
)
from governance.notice import proxy_appointment_violations
from governance.violations import Violation

BOARD_ROLES = ("director", "secretary", "admin")
CONTACT_BY = {
    "email": "By email",
    "post": "By post",
    "phone": "By phone",
    "supporter": "Through their supporter",
}
NEEDS = {
    "easy_read": "Easy read",
    "large_print": "Large print",
    "audio": "Audio",
    "bsl": "British Sign Language (BSL)",
    "post": "Papers by post",
    "supporter": "Through a named supporter",
}
FACTS = {
    "disabled": "I am a disabled person",
    "uses_support": "I use care or support",
    "carer": "I am an unpaid carer",
}
STATUSES = {
    "submitted": "Waiting for a decision",
    "more_info": "Asked for more information",
    "admitted": "Admitted",
    "refused": "Refused",
}
EVENT_WORDS = {
    "admitted": "Admitted",
    "class_changed": "Membership class changed",
    "details_changed": "Details changed",
    "resignation_given": "Gave notice of resignation",
    "resigned": "Resigned",
    "ceased": "Ceased to be a member",
    "expulsion_proposed": "Told of a proposal to expel them",
    "expulsion_heard": "Heard about the proposal to expel them",
    "expulsion_rejected": "Decided not to expel",
    "expelled": "Expelled",
}
INVITATION_LIFETIME = timedelta(days=14)
ACCOUNT_LINK_LIFETIME = timedelta(days=7)
CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\0", "\r")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().date()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_board(org: OrgContext) -> bool:
    return org.has_any(*BOARD_ROLES)


def _violations(field: str, violations: list[Violation]) -> dict[str, str]:
    return {field: " ".join(v.message for v in violations)} if violations else {}


def class_name(constitution: Constitution, key: str) -> str:
    member_class = constitution.member_class(key)
    return member_class.name.capitalize() if member_class else key.replace("_", " ").capitalize()


def parse_public_id(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------------
# The register
# ---------------------------------------------------------------------------------------------------------


def current_members(organisation_id: int) -> Any:
    return (Member.organisation == organisation_id) & Member.ceased_on.is_null()


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
                await _end_membership(organisation_id, row["id"], row["leaving_on"], "resigned", {}, None)
        except MembershipError:
            continue  # the last holder of a role that must be held stays until someone takes it over
        settled += 1
    return settled


async def _end_membership(
    organisation_id: int,
    member_id: int,
    on: date,
    reason: str,
    detail: dict[str, Any],
    actor: Actor | None,
    *,
    field: str = "confirm",
) -> None:
    """Inside a transaction: end the entry, every role, supporter link and proxy; the entry itself stays.
    Refused (MembershipError under `field`) if it would leave a role that must be held with nobody."""
    await roles.keep_roles_held(organisation_id, member_id, actor or Actor(None), field=field)
    ended = (
        await Member.update({Member.ceased_on: on, Member.ceased_reason: reason, Member.leaving_on: None})
        .where((Member.id == member_id) & Member.ceased_on.is_null())
        .returning(Member.id)
    )
    if not ended:
        return
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


def csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (OWASP CSV injection): a cell never starts with = + - @ tab NUL."""
    if value and value[0] in CSV_DANGEROUS:
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class NewEntry:
    name: str
    member_class: str
    admitted_on: date
    address: str = ""
    email: str | None = None
    phone: str = ""
    contact_by: str = "post"
    shares_held: int = 0


async def add_register_entry(
    org: OrgContext, entry: NewEntry, actor: Actor, *, person_id: int | None = None, source: str = "secretary"
) -> int:
    """Write a new register entry (the secretary adding someone, an admission, an accepted invitation)."""
    constitution = await constitution_of(org.organisation_id)
    guarantee = (
        constitution.membership.guarantee_pence if constitution.legal_form.value.endswith("guarantee") else 0
    )
    async with write_transaction():
        rows = await Member.insert(
            Member(
                organisation=org.organisation_id,
                person=person_id,
                name=entry.name,
                member_class=entry.member_class,
                admitted_on=entry.admitted_on,
                address=entry.address,
                email=entry.email,
                phone=entry.phone,
                contact_by=entry.contact_by,
                shares_held=entry.shares_held,
                guarantee_pence=guarantee,
            )
        ).returning(Member.id)
        member_id = int(rows[0]["id"])
        await MemberEvent.insert(
            MemberEvent(
                organisation=org.organisation_id,
                member=member_id,
                kind="admitted",
                happened_on=entry.admitted_on,
                detail=json.dumps({"class": entry.member_class, "source": source}),
                recorded_by=actor.person_id,
            )
        )
        await record(
            AuditEntry(
                "member.admitted",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"class": entry.member_class, "source": source},
            ),
            actor,
        )
    return member_id


async def member_in_org(org: OrgContext, public_id: str) -> dict[str, Any] | None:
    """A register entry of this organisation by its public id, or None (another organisation's is None)."""
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    return (
        await Member.select()
        .where((Member.public_id == uid) & (Member.organisation == org.organisation_id))
        .first()
    )


async def events_of(member_id: int) -> list[dict[str, Any]]:
    rows = (
        await MemberEvent.select(
            MemberEvent.kind,
            MemberEvent.happened_on,
            MemberEvent.detail,
            MemberEvent.created_at,
            MemberEvent.recorded_by.display_name.as_alias("recorded_by_name"),
            MemberEvent.assisted_by.display_name.as_alias("assisted_by_name"),
        )
        .where(MemberEvent.member == member_id)
        .order_by(MemberEvent.id)
    )
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
        row["words"] = EVENT_WORDS.get(row["kind"], row["kind"])
    return rows


async def change_class(
    org: OrgContext, member: dict[str, Any], new_class: str, on: date, actor: Actor
) -> None:
    constitution = await constitution_of(org.organisation_id)
    if constitution.member_class(new_class) is None:
        raise MembershipError({"member_class": "Choose a membership class"})
    if new_class == member["member_class"]:
        raise MembershipError({"member_class": "Choose a different class from the one they are in now"})
    if member["ceased_on"] is not None:
        raise MembershipError({"member_class": "This person is no longer a member"})
    # Imported here: the board's service builds on this module (its errors are MembershipErrors).
    from coop.boards.service import guard_class_change

    async with write_transaction():
        # A director's class decides the board's composition: refuse a change that would break it.
        await guard_class_change(org.organisation_id, member["id"], new_class)
        await Member.update({Member.member_class: new_class}).where(Member.id == member["id"])
        await MemberEvent.insert(
            MemberEvent(
                organisation=org.organisation_id,
                member=member["id"],
                kind="class_changed",
                happened_on=on,
                detail=json.dumps({"from": member["member_class"], "to": new_class}),
                recorded_by=actor.person_id,
            )
        )
        await record(
            AuditEntry(
                "member.class_changed",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member["id"]),
                detail={"from": member["member_class"], "to": new_class},
            ),
            actor,
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
        await MemberEvent.insert(
            MemberEvent(
                organisation=org.organisation_id,
                member=member["id"],
                kind="resignation_given",
                happened_on=given_on,
                detail=json.dumps({"takes_effect_on": effective.isoformat()}),
                recorded_by=actor.person_id,
                assisted_by=assisted_by,
            )
        )
        await record(
            AuditEntry(
                "member.resignation_given",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member["id"]),
                detail={"takes_effect_on": effective.isoformat(), "assisted": assisted_by is not None},
            ),
            actor,
        )
        if effective <= today():
            await _end_membership(org.organisation_id, member["id"], effective, "resigned", {}, actor)
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
        await _end_membership(
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
        await MemberEvent.insert(
            MemberEvent(
                organisation=org.organisation_id,
                member=member["id"],
                kind="expulsion_proposed",
                happened_on=given_on,
                detail=json.dumps({"reasons": reasons[:4000]}),
                recorded_by=actor.person_id,
            )
        )
        await record(
            AuditEntry(
                "member.expulsion_proposed",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member["id"]),
            ),
            actor,
        )
    if member["email"] or member["person"]:
        await send_email(
            settings,
            to=await _email_of(member),
            subject=f"{org.name}: a proposal to end your membership",
            body=(
                f"Dear {member['name']},\n\nThe board of {org.name} proposes to end your membership "
                f"for these reasons:\n\n{reasons}\n\nYou have the right to be heard before anything is "
                f"decided. Nothing will be decided for at least {days} days. Tell the secretary if "
                "you want to speak to the board or send something in writing, and whether you want "
                "someone to support you.\n"
            ),
        )


async def _email_of(member: dict[str, Any]) -> str:
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
        await MemberEvent.insert(
            MemberEvent(
                organisation=org.organisation_id,
                member=member["id"],
                kind="expulsion_heard",
                happened_on=heard_on,
                detail=json.dumps({"how": how, "statement": statement[:4000]}),
                recorded_by=actor.person_id,
            )
        )
        await record(
            AuditEntry(
                "member.expulsion_heard",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member["id"]),
                detail={"how": how},
            ),
            actor,
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
        raise MembershipError(_violations("votes_for", blocking))
    detail = {"votes_for": votes_for, "votes_cast": votes_cast, "decided_by": body.value}
    async with write_transaction():
        if found:  # the majority was not reached: the proposal falls
            await MemberEvent.insert(
                MemberEvent(
                    organisation=org.organisation_id,
                    member=member["id"],
                    kind="expulsion_rejected",
                    happened_on=decided_on,
                    detail=json.dumps(detail),
                    recorded_by=actor.person_id,
                )
            )
            await record(
                AuditEntry(
                    "member.expulsion_rejected",
                    organisation_id=org.organisation_id,
                    target_type="member",
                    target_id=str(member["id"]),
                    detail=detail,
                ),
                actor,
            )
            return False
        await _end_membership(
            org.organisation_id, member["id"], decided_on, "expelled", detail, actor, field="votes_for"
        )
    return True


# ---------------------------------------------------------------------------------------------------------
# Applications to join
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApplicationForm:
    name: str
    email: str
    address: str
    contact_by: str
    answers: tuple[bool | None, ...]
    about: str


def application_errors(constitution: Constitution, class_key: str, form: ApplicationForm) -> dict[str, str]:
    member_class = constitution.member_class(class_key)
    assert member_class is not None
    errors: dict[str, str] = {}
    if not form.name.strip():
        errors["name"] = "Enter your full name"
    elif len(form.name) > 200:
        errors["name"] = "Your name must be 200 characters or fewer"
    errors.update(email_errors(form.email, "email", "your email address"))
    if form.contact_by not in CONTACT_BY:
        errors["contact_by"] = "Choose how you want us to contact you"
    elif form.contact_by == "post" and not form.address.strip():
        errors["address"] = "Enter your postal address, so we can send you letters"
    if len(form.address) > 1000:
        errors["address"] = "Your address must be 1000 characters or fewer"
    if len(form.about) > 4000:
        errors["about"] = "This must be 4000 characters or fewer"
    for violation in eligibility_violations(member_class, form.answers):
        number = violation.code.rsplit(".", 1)[1]
        errors[f"answer_{number}"] = violation.message
    return errors


def email_errors(email: str, field: str, what: str) -> dict[str, str]:
    email = email.strip()
    if not email:
        return {field: f"Enter {what}"}
    if "@" not in email or len(email) > 320 or " " in email or email.startswith("@") or email.endswith("@"):
        return {field: "Enter an email address in the correct format, like name@example.com"}
    return {}


async def submit_application(
    org_id: int, class_key: str, form: ApplicationForm, constitution: Constitution, actor: Actor
) -> str:
    member_class = constitution.member_class(class_key)
    assert member_class is not None
    answers = [
        [q, "yes" if a else "no"]
        for q, a in zip(member_class.eligibility_questions, form.answers, strict=True)
    ]
    async with write_transaction():
        rows = await MembershipApplication.insert(
            MembershipApplication(
                organisation=org_id,
                member_class=class_key,
                name=form.name.strip(),
                email=form.email.strip().lower(),
                address=form.address.strip(),
                contact_by=form.contact_by,
                answers=json.dumps(answers),
                about=form.about.strip(),
            )
        ).returning(MembershipApplication.public_id, MembershipApplication.id)
        await record(
            AuditEntry(
                "application.submitted",
                organisation_id=org_id,
                target_type="application",
                target_id=str(rows[0]["id"]),
                detail={"class": class_key},
            ),
            actor,
        )
    return str(rows[0]["public_id"])


async def application_in_org(org: OrgContext, public_id: str) -> dict[str, Any] | None:
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    row = (
        await MembershipApplication.select()
        .where(
            (MembershipApplication.public_id == uid)
            & (MembershipApplication.organisation == org.organisation_id)
        )
        .first()
    )
    if row is not None:
        row["answers"] = json.loads(row["answers"] or "[]")
    return row


async def decide_application(
    org: OrgContext,
    application: dict[str, Any],
    decision: str,
    message: str,
    actor: Actor,
    settings: Settings,
) -> None:
    """Admit, ask for more information, or refuse with a reason. Admission writes the register entry."""
    if application["status"] in ("admitted", "refused"):
        raise MembershipError({"decision": "This application has already been decided"})
    if decision not in ("admit", "more_info", "refuse"):
        raise MembershipError({"decision": "Choose what to do with this application"})
    if decision in ("more_info", "refuse") and not message.strip():
        what = "the question to ask" if decision == "more_info" else "the reason for refusing"
        raise MembershipError({"message": f"Enter {what}"})
    constitution = await constitution_of(org.organisation_id)
    app_id = application["id"]
    if decision == "admit":
        email = application["email"]
        person = await Person.select(Person.id).where(Person.email == email).first()
        person_id = person["id"] if person else None
        if person_id is not None and await Member.exists().where(
            (Member.organisation == org.organisation_id)
            & (Member.person == person_id)
            & Member.ceased_on.is_null()
        ):
            raise MembershipError({"decision": "This person is already a member"})
        member_id = await add_register_entry(
            org,
            NewEntry(
                name=application["name"],
                member_class=application["member_class"],
                admitted_on=today(),
                address=application["address"],
                email=email,
                contact_by=application["contact_by"],
            ),
            actor,
            person_id=person_id,
            source="application",
        )
        async with write_transaction():
            await MembershipApplication.update(
                {
                    MembershipApplication.status: "admitted",
                    MembershipApplication.decided_by: actor.person_id,
                    MembershipApplication.decided_at: now(),
                    MembershipApplication.member: member_id,
                    MembershipApplication.updated_at: now(),
                    MembershipApplication.reply_token_hash: None,
                }
            ).where(MembershipApplication.id == app_id)
            await record(
                AuditEntry(
                    "application.admitted",
                    organisation_id=org.organisation_id,
                    target_type="application",
                    target_id=str(app_id),
                ),
                actor,
            )
        link = ""
        if person_id is None:
            link = await _account_link(
                org, member_id, application["name"], email, application["member_class"], actor
            )
        kind = class_name(constitution, application["member_class"]).lower()
        body = f"Welcome to {org.name}. The board has admitted you as a {kind} member.\n\n"
        url = f"{settings.base_url.rstrip('/')}{link}"
        body += (
            f"To use coop, open this link and choose a password:\n\n{url}\n\nThe link works for 14 days.\n"
            if link
            else "Sign in to coop to see your membership.\n"
        )
        easy_read = (
            f"You are now a member of {org.name}.",
            "You own a part of it, with the other members.",
            *((f"To use the website, open this link: {url}", "The link works for 14 days.") if link else ()),
        )
        # As they asked when applying: by email (easy read if recorded), or a letter to post.
        await notices.send_notice(
            settings,
            org.organisation_id,
            [member_id],
            notices.Notice(kind="welcome", subject=f"Welcome to {org.name}", body=body, easy_read=easy_read),
        )
        return
    token = secrets.token_urlsafe(32) if decision == "more_info" else None
    async with write_transaction():
        await MembershipApplication.update(
            {
                MembershipApplication.status: "more_info" if decision == "more_info" else "refused",
                MembershipApplication.board_message: message.strip()[:4000],
                MembershipApplication.reply_token_hash: token_hash(token) if token else None,
                MembershipApplication.decided_by: actor.person_id,
                MembershipApplication.decided_at: now() if decision == "refuse" else None,
                MembershipApplication.updated_at: now(),
            }
        ).where(MembershipApplication.id == app_id)
        await record(
            AuditEntry(
                "application.more_info" if token else "application.refused",
                organisation_id=org.organisation_id,
                target_type="application",
                target_id=str(app_id),
            ),
            actor,
        )
    if token:
        link = f"{settings.base_url.rstrip('/')}/o/{org.slug}/join/reply/{token}"
        body = (
            f"Dear {application['name']},\n\nThank you for applying to join {org.name}. Before the board "
            f"decides, it would like to know:\n\n{message.strip()}\n\nAnswer here:\n\n{link}\n"
        )
        await send_email(
            settings,
            to=application["email"],
            subject=f"{org.name}: a question about your application",
            body=body,
        )
    else:
        body = (
            f"Dear {application['name']},\n\nThank you for applying to join {org.name}. The board has "
            f"decided not to admit you, for this reason:\n\n{message.strip()}\n\nIf you think this is wrong, "
            "reply to the secretary.\n"
        )
        await send_email(
            settings, to=application["email"], subject=f"{org.name}: your application", body=body
        )


async def application_for_reply(org_slug: str, token: str) -> dict[str, Any] | None:
    if not token or len(token) > 100:
        return None
    return (
        await MembershipApplication.select(
            MembershipApplication.id,
            MembershipApplication.name,
            MembershipApplication.board_message,
            MembershipApplication.organisation.id.as_alias("org_id"),
            MembershipApplication.organisation.name.as_alias("org_name"),
        )
        .where(
            (MembershipApplication.reply_token_hash == token_hash(token))
            & (MembershipApplication.status == "more_info")
            & (MembershipApplication.organisation.slug == org_slug)
        )
        .first()
    )


async def reply_to_application(application: dict[str, Any], reply: str, actor: Actor) -> None:
    async with write_transaction():
        await MembershipApplication.update(
            {
                MembershipApplication.reply: reply.strip()[:4000],
                MembershipApplication.status: "submitted",
                MembershipApplication.reply_token_hash: None,
                MembershipApplication.updated_at: now(),
            }
        ).where(MembershipApplication.id == application["id"])
        await record(
            AuditEntry(
                "application.replied",
                organisation_id=application["org_id"],
                target_type="application",
                target_id=str(application["id"]),
            ),
            actor,
        )


# ---------------------------------------------------------------------------------------------------------
# Invitations (and the link a newly admitted member uses to set up their account)
# ---------------------------------------------------------------------------------------------------------


async def _account_link(
    org: OrgContext, member_id: int, name: str, email: str, class_key: str, actor: Actor
) -> str:
    """A one-time link for someone already on the register to set up their account."""
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        await MemberInvitation.insert(
            MemberInvitation(
                organisation=org.organisation_id,
                member_class=class_key,
                name=name,
                email=email,
                token_hash=token_hash(token),
                expires_at=now() + INVITATION_LIFETIME,
                created_by=actor.person_id,
                member=member_id,
            )
        )
    return f"/invitations/{token}"


async def invite(
    org: OrgContext, name: str, email: str, class_key: str, actor: Actor, settings: Settings
) -> None:
    constitution = await constitution_of(org.organisation_id)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter their full name"
    errors.update(email_errors(email, "email", "their email address"))
    if constitution.member_class(class_key) is None:
        errors["member_class"] = "Choose a membership class"
    if errors:
        raise MembershipError(errors)
    token = secrets.token_urlsafe(32)
    email = email.strip().lower()
    async with write_transaction():
        rows = await MemberInvitation.insert(
            MemberInvitation(
                organisation=org.organisation_id,
                member_class=class_key,
                name=name.strip(),
                email=email,
                token_hash=token_hash(token),
                expires_at=now() + INVITATION_LIFETIME,
                created_by=actor.person_id,
            )
        ).returning(MemberInvitation.id)
        await record(
            AuditEntry(
                "invitation.sent",
                organisation_id=org.organisation_id,
                target_type="invitation",
                target_id=str(rows[0]["id"]),
            ),
            actor,
        )
    link = f"{settings.base_url.rstrip('/')}/invitations/{token}"
    await send_email(
        settings,
        to=email,
        subject=f"You are invited to join {org.name}",
        body=(
            f"Dear {name.strip()},\n\n{org.name} invites you to become a member, as a "
            f"{class_name(constitution, class_key).lower()}.\n\n"
            f"To accept, open this link within 14 days:\n\n{link}\n\n"
            "If you do not want to join, you can ignore this email.\n"
        ),
    )


async def valid_invitation(token: str) -> dict[str, Any] | None:
    if not token or len(token) > 100:
        return None
    return (
        await MemberInvitation.select(
            MemberInvitation.id,
            MemberInvitation.name,
            MemberInvitation.email,
            MemberInvitation.member_class,
            MemberInvitation.member,
            MemberInvitation.organisation.id.as_alias("org_id"),
            MemberInvitation.organisation.slug.as_alias("org_slug"),
            MemberInvitation.organisation.name.as_alias("org_name"),
        )
        .where(
            (MemberInvitation.token_hash == token_hash(token))
            & MemberInvitation.used_at.is_null()
            & MemberInvitation.revoked_at.is_null()
            & (MemberInvitation.expires_at > now())
        )
        .first()
    )


async def accept_invitation(invitation: dict[str, Any], person_id: int, actor: Actor) -> None:
    """Use the link: join the register (or link the existing entry to the person's account)."""
    org_id = invitation["org_id"]
    if await Member.exists().where(
        (Member.organisation == org_id) & (Member.person == person_id) & Member.ceased_on.is_null()
    ):
        raise MembershipError({"password": "You are already a member of this organisation"})
    async with write_transaction():
        used = (
            await MemberInvitation.update({MemberInvitation.used_at: now()})
            .where((MemberInvitation.id == invitation["id"]) & MemberInvitation.used_at.is_null())
            .returning(MemberInvitation.id)
        )
        if not used:
            raise MembershipError({"password": "This link has already been used"})
        if invitation["member"] is not None:
            await Member.update({Member.person: person_id}).where(
                (Member.id == invitation["member"]) & Member.person.is_null()
            )
            member_id = invitation["member"]
        else:
            rows = await Member.insert(
                Member(
                    organisation=org_id,
                    person=person_id,
                    name=invitation["name"],
                    member_class=invitation["member_class"],
                    admitted_on=today(),
                    email=invitation["email"],
                    contact_by="email",
                    guarantee_pence=(await constitution_of(org_id)).membership.guarantee_pence,
                )
            ).returning(Member.id)
            member_id = rows[0]["id"]
            await MemberEvent.insert(
                MemberEvent(
                    organisation=org_id,
                    member=member_id,
                    kind="admitted",
                    happened_on=today(),
                    detail=json.dumps({"class": invitation["member_class"], "source": "invitation"}),
                    recorded_by=person_id,
                )
            )
        await MemberInvitation.update({MemberInvitation.member: member_id}).where(
            MemberInvitation.id == invitation["id"]
        )
        await record(
            AuditEntry(
                "invitation.accepted", organisation_id=org_id, target_type="member", target_id=str(member_id)
            ),
            actor,
        )


async def revoke_invitation(org: OrgContext, public_id: str, actor: Actor) -> bool:
    uid = parse_public_id(public_id)
    if uid is None:
        return False
    rows = await guarded_update(
        MemberInvitation,
        {MemberInvitation.revoked_at: now()},
        (MemberInvitation.public_id == uid)
        & (MemberInvitation.organisation == org.organisation_id)
        & MemberInvitation.used_at.is_null()
        & MemberInvitation.revoked_at.is_null(),
        returning=[MemberInvitation.id],
        audit=lambda row: AuditEntry(
            "invitation.revoked",
            organisation_id=org.organisation_id,
            target_type="invitation",
            target_id=str(row["id"]),
        ),
        actor=actor,
    )
    return bool(rows)


# ---------------------------------------------------------------------------------------------------------
# Communication needs and sensitive facts (consent only)
# ---------------------------------------------------------------------------------------------------------


async def needs_of(member_id: int) -> list[dict[str, Any]]:
    rows = (
        await CommunicationNeed.select(
            CommunicationNeed.need, CommunicationNeed.detail, CommunicationNeed.consent_at
        )
        .where((CommunicationNeed.member == member_id) & CommunicationNeed.ended_at.is_null())
        .order_by(CommunicationNeed.id)
    )
    for row in rows:
        row["words"] = NEEDS.get(row["need"], row["need"])
    return rows


async def facts_of(member_id: int) -> list[dict[str, Any]]:
    rows = (
        await SensitiveFact.select(SensitiveFact.fact, SensitiveFact.consent_at)
        .where((SensitiveFact.member == member_id) & SensitiveFact.withdrawn_at.is_null())
        .order_by(SensitiveFact.id)
    )
    for row in rows:
        row["words"] = FACTS.get(row["fact"], row["fact"])
    return rows


async def set_needs(
    org: OrgContext,
    member_id: int,
    needs: list[str],
    detail: str,
    consent: bool,
    actor: Actor,
    *,
    assisted_by: int | None = None,
) -> None:
    """Replace a member's communication needs. Recording any needs needs their consent."""
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        raise MembershipError({"needs": "Choose from the list"})
    if needs and not consent:
        raise MembershipError({"consent": "Confirm the member agrees to us keeping this information"})
    if len(detail) > 500:
        raise MembershipError({"detail": "This must be 500 characters or fewer"})
    moment = now()
    async with write_transaction():
        await CommunicationNeed.update({CommunicationNeed.ended_at: moment}).where(
            (CommunicationNeed.member == member_id) & CommunicationNeed.ended_at.is_null()
        )
        for need in dict.fromkeys(needs):
            await CommunicationNeed.insert(
                CommunicationNeed(
                    member=member_id,
                    need=need,
                    detail=detail.strip(),
                    consent_at=moment,
                    recorded_by=actor.person_id,
                    assisted_by=assisted_by,
                )
            )
        await record(
            AuditEntry(
                "member.communication_needs",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"count": len(needs), "assisted": assisted_by is not None},
            ),
            actor,
        )


async def set_facts(
    org: OrgContext,
    member_id: int,
    facts: list[str],
    consent: bool,
    actor: Actor,
    *,
    assisted_by: int | None = None,
) -> None:
    """Replace a member's sensitive facts. Kept only with explicit consent; an empty list withdraws it."""
    if any(f not in FACTS for f in facts):
        raise MembershipError({"facts": "Choose from the list"})
    if facts and not consent:
        raise MembershipError({"consent": "Tick the box to agree, or leave these questions unanswered"})
    moment = now()
    async with write_transaction():
        await SensitiveFact.update({SensitiveFact.withdrawn_at: moment}).where(
            (SensitiveFact.member == member_id) & SensitiveFact.withdrawn_at.is_null()
        )
        for fact in dict.fromkeys(facts):
            await SensitiveFact.insert(
                SensitiveFact(member=member_id, fact=fact, consent_at=moment, recorded_by=actor.person_id)
            )
        # No facts in the audit detail: the log is readable by the secretary, and facts are special category.
        await record(
            AuditEntry(
                "member.sensitive_facts",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"assisted": assisted_by is not None},
            ),
            actor,
        )


async def update_contact(
    org: OrgContext,
    member: dict[str, Any],
    address: str,
    email: str,
    phone: str,
    contact_by: str,
    actor: Actor,
    *,
    assisted_by: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if contact_by not in CONTACT_BY:
        errors["contact_by"] = "Choose how they want to be contacted"
    if email.strip():
        errors.update(email_errors(email, "email", "an email address"))
    elif contact_by == "email":
        errors["email"] = "Enter an email address, or choose another way to be contacted"
    if contact_by == "post" and not address.strip():
        errors["address"] = "Enter a postal address, or choose another way to be contacted"
    if len(address) > 1000:
        errors["address"] = "The address must be 1000 characters or fewer"
    if len(phone) > 40:
        errors["phone"] = "The phone number must be 40 characters or fewer"
    if errors:
        raise MembershipError(errors)
    async with write_transaction():
        await Member.update(
            {
                Member.address: address.strip(),
                Member.email: email.strip().lower() or None,
                Member.phone: phone.strip(),
                Member.contact_by: contact_by,
            }
        ).where(Member.id == member["id"])
        await MemberEvent.insert(
            MemberEvent(
                organisation=org.organisation_id,
                member=member["id"],
                kind="details_changed",
                happened_on=today(),
                detail=json.dumps({"fields": ["address", "email", "phone", "contact_by"]}),
                recorded_by=actor.person_id,
                assisted_by=assisted_by,
            )
        )
        await record(
            AuditEntry(
                "member.details_changed",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member["id"]),
                detail={"assisted": assisted_by is not None},
            ),
            actor,
        )


# ---------------------------------------------------------------------------------------------------------
# Supporters
# ---------------------------------------------------------------------------------------------------------


async def supporters_of(member_id: int) -> list[dict[str, Any]]:
    return (
        await MemberSupporter.select(
            MemberSupporter.id, MemberSupporter.name, MemberSupporter.email, MemberSupporter.started_at
        )
        .where((MemberSupporter.member == member_id) & MemberSupporter.ended_at.is_null())
        .order_by(MemberSupporter.id)
    )


async def supported_by(person_id: int) -> list[dict[str, Any]]:
    """The members a person supports (current memberships only)."""
    return await MemberSupporter.select(
        MemberSupporter.member.public_id.as_alias("public_id"),
        MemberSupporter.member.name.as_alias("name"),
        MemberSupporter.member.organisation.slug.as_alias("slug"),
        MemberSupporter.member.organisation.name.as_alias("org_name"),
    ).where(
        (MemberSupporter.person == person_id)
        & MemberSupporter.ended_at.is_null()
        & MemberSupporter.member.ceased_on.is_null()
    )


async def add_supporter(
    org: OrgContext, member_id: int, name: str, email: str, actor: Actor, settings: Settings
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["supporter_name"] = "Enter your supporter's name"
    errors.update(email_errors(email, "supporter_email", "your supporter's email address"))
    if errors:
        raise MembershipError(errors)
    email = email.strip().lower()
    person = await Person.select(Person.id).where(Person.email == email).first()
    new_account = person is None
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        if person is None:
            rows = await Person.insert(
                Person(email=email, display_name=name.strip(), password_hash=None)
            ).returning(Person.id)
            person_id = int(rows[0]["id"])
            await PasswordReset.insert(
                PasswordReset(
                    token_hash=token_hash(token),
                    person=person_id,
                    created_at=now(),
                    expires_at=now() + ACCOUNT_LINK_LIFETIME,
                )
            )
        else:
            person_id = int(person["id"])
        if person_id == (await Member.select(Member.person).where(Member.id == member_id).first() or {}).get(
            "person"
        ):
            raise MembershipError({"supporter_email": "Your supporter must be someone other than you"})
        if await MemberSupporter.exists().where(
            (MemberSupporter.member == member_id)
            & (MemberSupporter.person == person_id)
            & MemberSupporter.ended_at.is_null()
        ):
            raise MembershipError({"supporter_email": "This person is already your supporter"})
        await MemberSupporter.insert(
            MemberSupporter(
                member=member_id, person=person_id, name=name.strip(), email=email, created_by=actor.person_id
            )
        )
        await record(
            AuditEntry(
                "member.supporter_named",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member_id),
            ),
            actor,
        )
    base = settings.base_url.rstrip("/")
    body = (
        f"Dear {name.strip()},\n\n{org.member_name if org.member_id == member_id else 'A member'} of "
        f"{org.name} has named you as their supporter in coop. You can help them read papers, fill in "
        "forms, and vote when they are with you and make every choice (we tell them each time). You do "
        "not get a vote of your own.\n\n"
    )
    body += (
        f"Choose a password within 7 days to sign in:\n\n{base}/password-reset/{token}\n"
        if new_account
        else f"Sign in at {base}/sign-in to help them.\n"
    )
    await send_email(
        settings, to=email, subject=f"You have been named as a supporter in {org.name}", body=body
    )


async def end_supporter(org: OrgContext, member_id: int, supporter_id: int, actor: Actor) -> bool:
    async with write_transaction():
        rows = (
            await MemberSupporter.update({MemberSupporter.ended_at: now()})
            .where(
                (MemberSupporter.id == supporter_id)
                & (MemberSupporter.member == member_id)
                & MemberSupporter.ended_at.is_null()
            )
            .returning(MemberSupporter.id)
        )
        if rows:
            await record(
                AuditEntry(
                    "member.supporter_ended",
                    organisation_id=org.organisation_id,
                    target_type="member",
                    target_id=str(member_id),
                ),
                actor,
            )
    return bool(rows)


async def supporting_context(slug: str, member_public_id: str, person_id: int) -> OrgContext | None:
    """The member a signed-in supporter is helping, as an organisation context without any roles."""
    uid = parse_public_id(member_public_id)
    if uid is None:
        return None
    row = (
        await MemberSupporter.select(
            MemberSupporter.member.id.as_alias("member_id"),
            MemberSupporter.member.name.as_alias("member_name"),
            MemberSupporter.member.organisation.id.as_alias("org_id"),
            MemberSupporter.member.organisation.name.as_alias("org_name"),
            MemberSupporter.member.organisation.legal_form.as_alias("legal_form"),
        )
        .where(
            (MemberSupporter.person == person_id)
            & MemberSupporter.ended_at.is_null()
            & (MemberSupporter.member.public_id == uid)
            & MemberSupporter.member.ceased_on.is_null()
            & (MemberSupporter.member.organisation.slug == slug)
        )
        .first()
    )
    if row is None:
        return None
    return OrgContext(
        organisation_id=row["org_id"],
        slug=slug,
        name=row["org_name"],
        legal_form=row["legal_form"],
        member_id=row["member_id"],
        member_public_id=str(uid),
        member_name=row["member_name"],
        roles=frozenset({"member"}),
    )


# ---------------------------------------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------------------------------------


async def proxies_of(member_id: int) -> list[dict[str, Any]]:
    return (
        await ProxyAppointment.select(
            ProxyAppointment.public_id,
            ProxyAppointment.proxy_name,
            ProxyAppointment.standing,
            ProxyAppointment.meeting_name,
            ProxyAppointment.meeting_starts_at,
            ProxyAppointment.instructions,
            ProxyAppointment.received_at,
        )
        .where((ProxyAppointment.member == member_id) & ProxyAppointment.revoked_at.is_null())
        .order_by(ProxyAppointment.id)
    )


async def proxies_held_by(member_id: int) -> list[dict[str, Any]]:
    return await ProxyAppointment.select(
        ProxyAppointment.member.name.as_alias("for_name"),
        ProxyAppointment.standing,
        ProxyAppointment.meeting_name,
        ProxyAppointment.meeting_starts_at,
    ).where((ProxyAppointment.proxy_member == member_id) & ProxyAppointment.revoked_at.is_null())


@dataclass(frozen=True, slots=True)
class ProxyForm:
    proxy: str  # a member's public id, or "other"
    other_name: str
    other_email: str
    scope: str  # standing or meeting
    meeting_name: str
    meeting_starts_at: datetime | None
    instructions: str


async def appoint_proxy(
    org: OrgContext,
    member_id: int,
    form: ProxyForm,
    actor: Actor,
    *,
    assisted_by: int | None = None,
    received_at: datetime | None = None,
) -> None:
    constitution = await constitution_of(org.organisation_id)
    errors: dict[str, str] = {}
    received_at = received_at or now()
    proxy_member: dict[str, Any] | None = None
    if form.proxy == "other":
        if not form.other_name.strip():
            errors["other_name"] = "Enter the name of your proxy"
        if form.other_email.strip():
            errors.update(email_errors(form.other_email, "other_email", "their email address"))
    else:
        proxy_member = await member_in_org(org, form.proxy)
        if proxy_member is None or proxy_member["ceased_on"] is not None:
            errors["proxy"] = "Choose who will be your proxy"
        elif proxy_member["id"] == member_id:
            errors["proxy"] = "Choose someone other than yourself"
    if form.scope not in ("standing", "meeting"):
        errors["scope"] = "Choose whether this is for one meeting or every meeting"
    elif form.scope == "meeting":
        if not form.meeting_name.strip():
            errors["meeting_name"] = "Enter which meeting"
        if form.meeting_starts_at is None:
            errors["meeting_date"] = "Enter the date and time the meeting starts"
    if len(form.instructions) > 4000:
        errors["instructions"] = "Instructions must be 4000 characters or fewer"
    if errors:
        raise MembershipError(errors)
    if proxy_member is not None:
        held = await ProxyAppointment.count().where(
            (ProxyAppointment.proxy_member == proxy_member["id"]) & ProxyAppointment.revoked_at.is_null()
        )
    else:
        held = await ProxyAppointment.count().where(
            (ProxyAppointment.organisation == org.organisation_id)
            & ProxyAppointment.proxy_member.is_null()
            & (ProxyAppointment.proxy_name == form.other_name.strip())
            & ProxyAppointment.revoked_at.is_null()
        )
    starts = form.meeting_starts_at if form.scope == "meeting" else None
    found = proxy_appointment_violations(
        constitution,
        received_at=received_at,
        meeting_start=starts or received_at + timedelta(days=365),
        proxies_already_held=held,
        proxy_is_member=proxy_member is not None,
    )
    if found:
        field = "proxy" if form.proxy != "other" else "other_name"
        late = [v for v in found if v.code == "proxy.late"]
        other = [v for v in found if v.code != "proxy.late"]
        raise MembershipError({**_violations(field, other), **_violations("meeting_date", late)})
    async with write_transaction():
        rows = await ProxyAppointment.insert(
            ProxyAppointment(
                organisation=org.organisation_id,
                member=member_id,
                proxy_member=proxy_member["id"] if proxy_member else None,
                proxy_name=proxy_member["name"] if proxy_member else form.other_name.strip(),
                proxy_email=(form.other_email.strip().lower() or None) if proxy_member is None else None,
                standing=form.scope == "standing",
                meeting_name=form.meeting_name.strip()[:200],
                meeting_starts_at=starts,
                instructions=form.instructions.strip(),
                received_at=received_at,
                recorded_by=actor.person_id,
                assisted_by=assisted_by,
            )
        ).returning(ProxyAppointment.id)
        await record(
            AuditEntry(
                "member.proxy_appointed",
                organisation_id=org.organisation_id,
                target_type="proxy",
                target_id=str(rows[0]["id"]),
                detail={"standing": form.scope == "standing", "assisted": assisted_by is not None},
            ),
            actor,
        )


async def revoke_proxy(org: OrgContext, member_id: int, public_id: str, actor: Actor) -> bool:
    uid = parse_public_id(public_id)
    if uid is None:
        return False
    async with write_transaction():
        rows = (
            await ProxyAppointment.update({ProxyAppointment.revoked_at: now()})
            .where(
                (ProxyAppointment.public_id == uid)
                & (ProxyAppointment.member == member_id)
                & ProxyAppointment.revoked_at.is_null()
            )
            .returning(ProxyAppointment.id)
        )
        if rows:
            await record(
                AuditEntry(
                    "member.proxy_revoked",
                    organisation_id=org.organisation_id,
                    target_type="proxy",
                    target_id=str(rows[0]["id"]),
                ),
                actor,
            )
    return bool(rows)


# ---------------------------------------------------------------------------------------------------------
# A member's own data
# ---------------------------------------------------------------------------------------------------------


async def personal_data(org: OrgContext, member_id: int) -> dict[str, Any]:
    """Everything coop holds about a member in this organisation, for them to download."""
    constitution = await constitution_of(org.organisation_id)
    member = await Member.select().where(Member.id == member_id).first()
    assert member is not None
    person = None
    if member["person"] is not None:
        person = (
            await Person.select(Person.email, Person.display_name, Person.created_at)
            .where(Person.id == member["person"])
            .first()
        )
    roles = await RoleGrant.select(RoleGrant.role, RoleGrant.granted_at, RoleGrant.revoked_at).where(
        RoleGrant.member == member_id
    )

    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, UUID):
            return str(value)
        return value

    def clean(rows: list[dict[str, Any]], drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        return [{k: plain(v) for k, v in row.items() if k not in drop} for row in rows]

    events = await events_of(member_id)
    return {
        "organisation": org.name,
        "membership": {
            "name": member["name"],
            "member_class": class_name(constitution, member["member_class"]),
            "admitted_on": plain(member["admitted_on"]),
            "ceased_on": plain(member["ceased_on"]),
            "leaving_on": plain(member["leaving_on"]),
            "address": member["address"],
            "email": member["email"],
            "phone": member["phone"],
            "contact_by": CONTACT_BY.get(member["contact_by"], member["contact_by"]),
            "shares_held": member["shares_held"],
            "guarantee_pence": member["guarantee_pence"],
        },
        "account": {k: plain(v) for k, v in person.items()} if person else None,
        "roles": clean(roles),
        "register_history": [
            {"what": e["words"], "on": plain(e["happened_on"]), "detail": e["detail"]} for e in events
        ],
        "communication_needs": clean(await needs_of(member_id)),
        "sensitive_facts": clean(await facts_of(member_id)),
        "supporters": clean(await supporters_of(member_id), drop=("id",)),
        "proxies": clean(await proxies_of(member_id)),
        "letters": clean(
            await MemberLetter.select(MemberLetter.subject, MemberLetter.created_at, MemberLetter.sent_at)
            .where(MemberLetter.member == member_id)
            .order_by(MemberLetter.id)
        ),
        "votes": [],
    }


async def communication_needs_by_member(organisation_id: int) -> dict[int, list[str]]:
    """Every current member's recorded communication needs (consented), for notices and ballots to honour:
    member id -> need keys such as "easy_read" or "post". Members with none are left out."""
    rows = (
        await CommunicationNeed.select(CommunicationNeed.member, CommunicationNeed.need)
        .where(
            (CommunicationNeed.member.organisation == organisation_id)
            & CommunicationNeed.member.ceased_on.is_null()
            & CommunicationNeed.ended_at.is_null()
        )
        .order_by(CommunicationNeed.id)
    )
    needs: dict[int, list[str]] = {}
    for row in rows:
        needs.setdefault(row["member"], []).append(row["need"])
    return needs
