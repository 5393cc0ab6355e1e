"""Invitations to join, and the one-time link a newly admitted member uses to set up their account."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from coop.accounts.passwords import hash_password, hasher_for, password_problem
from coop.accounts.service import insert_person, token_hash
from coop.accounts.tables import Person
from coop.audit.guarded import guarded_change, guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now, today
from coop.db import write_transaction
from coop.mail.service import send_email
from coop.members.errors import MembershipError
from coop.members.tables import (
    Member,
    MemberEvent,
    MemberInvitation,
)
from coop.members.words import class_name, email_errors
from coop.organisations.service import OrgContext, constitution_of
from coop.pagination import Page, paginate
from coop.public_ids import parse_public_id
from coop.settings import Settings
from coop.urls import absolute_url

INVITATION_LIFETIME = timedelta(days=14)


async def account_link(
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
    link = absolute_url(settings, f"/invitations/{token}")
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
        used = await guarded_change(  # audited below, with the member it makes or links
            MemberInvitation,
            {MemberInvitation.used_at: now()},
            (MemberInvitation.id == invitation["id"]) & MemberInvitation.used_at.is_null(),
            returning=[MemberInvitation.id],
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


async def accept_with_new_password(
    invitation: dict[str, Any], password: str, actor: Actor, settings: Settings
) -> bool:
    """Accept an invitation for someone without a password yet: choose one and join, in one transaction
    (the account, or its password, and the membership land together or not at all). Returns False,
    changing nothing, when they already have an account: they sign in first and open the link again."""
    email = invitation["email"]
    person = await Person.select(Person.id, Person.password_hash).where(Person.email == email).first()
    if person is not None and person["password_hash"] is not None:
        return False
    problem = password_problem(password, context_words=(email.split("@")[0], invitation["name"]))
    if problem:
        raise MembershipError({"password": problem})
    password_hash = await hash_password(hasher_for(settings), password)  # slow: before the transaction
    async with write_transaction():
        if person is None:
            person_id = await insert_person(email, invitation["name"], password_hash)
        else:
            person_id = int(person["id"])
            await _set_first_password(person_id, password_hash, actor)
        await accept_invitation(invitation, person_id, actor)
    return True


async def _set_first_password(person_id: int, password_hash: str, actor: Actor) -> None:
    """An account made without a password (a supporter named by a member) gets its first one."""
    rows = await guarded_update(
        Person,
        {Person.password_hash: password_hash},
        (Person.id == person_id) & Person.password_hash.is_null(),
        returning=[Person.id],
        audit=lambda _: AuditEntry(
            "auth.password_set", target_type="person", target_id=str(person_id), detail={"by": "invitation"}
        ),
        actor=actor,
    )
    if not rows:  # someone set one meanwhile: the sign-in page is the way in now
        raise MembershipError(
            {"password": "This account already has a password. Sign in, then open the link again"}
        )


async def invitee_has_account(invitation: dict[str, Any]) -> bool:
    """Whether the invited address already has an account with a password (then they sign in first)."""
    return await Person.exists().where(
        (Person.email == invitation["email"]) & Person.password_hash.is_not_null()
    )


async def invitations_page(organisation_id: int, page: int) -> Page:
    """One page of the organisation's invitations, newest first."""
    where = MemberInvitation.organisation == organisation_id
    query = (
        MemberInvitation.select(
            MemberInvitation.public_id,
            MemberInvitation.name,
            MemberInvitation.email,
            MemberInvitation.member_class,
            MemberInvitation.created_at,
            MemberInvitation.expires_at,
            MemberInvitation.used_at,
            MemberInvitation.revoked_at,
        )
        .where(where)
        .order_by(MemberInvitation.id, ascending=False)
    )
    return await paginate(query, total=await MemberInvitation.count().where(where), page=page)


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
