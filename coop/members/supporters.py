"""Supporters: people a member names to help them use coop, whose actions are recorded as assisted."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from coop.accounts.service import token_hash
from coop.accounts.tables import PasswordReset, Person
from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now
from coop.db import write_transaction
from coop.mail.service import send_email
from coop.members.errors import MembershipError
from coop.members.tables import (
    Member,
    MemberSupporter,
)
from coop.members.words import email_errors
from coop.organisations.service import OrgContext
from coop.public_ids import parse_public_id
from coop.settings import Settings
from coop.urls import absolute_url

ACCOUNT_LINK_LIFETIME = timedelta(days=7)


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
        MemberSupporter.member._.organisation._.slug.as_alias("slug"),
        MemberSupporter.member._.organisation._.name.as_alias("org_name"),
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
    who = org.member_name if org.member_id == member_id else "A member"
    body = _supporter_email(org.name, who, name.strip(), settings, token if new_account else None)
    await send_email(
        settings, to=email, subject=f"You have been named as a supporter in {org.name}", body=body
    )


def _supporter_email(org_name: str, who: str, name: str, settings: Settings, reset_token: str | None) -> str:
    """What a new supporter is told: what they may do, and how to sign in (a new account chooses a
    password through a reset link)."""
    body = (
        f"Dear {name},\n\n{who} of {org_name} has named you as their supporter in coop. You can help them "
        "read papers, fill in forms, and vote when they are with you and make every choice (we tell them "
        "each time). You do not get a vote of your own.\n\n"
    )
    if reset_token:
        link = absolute_url(settings, f"/password-reset/{reset_token}")
        return body + f"Choose a password within 7 days to sign in:\n\n{link}\n"
    return body + f"Sign in at {absolute_url(settings, '/sign-in')} to help them.\n"


async def end_supporter(org: OrgContext, member_id: int, supporter_id: int, actor: Actor) -> bool:
    rows = await guarded_update(
        MemberSupporter,
        {MemberSupporter.ended_at: now()},
        (MemberSupporter.id == supporter_id)
        & (MemberSupporter.member == member_id)
        & MemberSupporter.ended_at.is_null(),
        returning=[MemberSupporter.id],
        audit=lambda _: AuditEntry(
            "member.supporter_ended",
            organisation_id=org.organisation_id,
            target_type="member",
            target_id=str(member_id),
        ),
        actor=actor,
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
            MemberSupporter.member._.organisation._.id.as_alias("org_id"),
            MemberSupporter.member._.organisation._.name.as_alias("org_name"),
            MemberSupporter.member._.organisation._.legal_form.as_alias("legal_form"),
        )
        .where(
            (MemberSupporter.person == person_id)
            & MemberSupporter.ended_at.is_null()
            & (MemberSupporter.member.public_id == uid)
            & MemberSupporter.member.ceased_on.is_null()
            & (MemberSupporter.member._.organisation._.slug == slug)
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
