"""Applications to join: the public form's checks, submitting, the board's decision (admit, ask for more
information, refuse) and the applicant's reply."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from coop.accounts.service import token_hash
from coop.accounts.tables import Person
from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now, today
from coop.db import write_transaction
from coop.mail.service import send_email
from coop.members import notices
from coop.members.entries import NewEntry, add_register_entry
from coop.members.errors import MembershipError
from coop.members.invitations import account_link
from coop.members.tables import (
    Member,
    MembershipApplication,
)
from coop.members.words import CONTACT_BY, class_name, email_errors
from coop.organisations.service import OrgContext, constitution_of
from coop.pagination import Page, paginate
from coop.public_ids import parse_public_id
from coop.settings import Settings
from coop.urls import absolute_url, org_path
from governance.constitution import Constitution
from governance.membership import eligibility_violations


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


async def applications_page(organisation_id: int, status: str, page: int) -> Page:
    """One page of the organisation's applications in `status`, oldest first."""
    where = (MembershipApplication.organisation == organisation_id) & (MembershipApplication.status == status)
    query = (
        MembershipApplication.select(
            MembershipApplication.public_id,
            MembershipApplication.name,
            MembershipApplication.member_class,
            MembershipApplication.created_at,
            MembershipApplication.updated_at,
        )
        .where(where)
        .order_by(MembershipApplication.id)
    )
    return await paginate(query, total=await MembershipApplication.count().where(where), page=page)


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
    if decision == "admit":
        await _admit(org, application, actor, settings)
    elif decision == "more_info":
        await _ask_more(org, application, message.strip(), actor, settings)
    else:
        await _refuse(org, application, message.strip(), actor, settings)


async def _mark_decided(
    org: OrgContext, application_id: int, changes: dict[Any, Any], action: str, actor: Actor
) -> None:
    """Inside a transaction: change an application still waiting for a decision, with its audit entry.
    Refused when someone decided it meanwhile (a second board member, a double click)."""
    rows = await guarded_update(
        MembershipApplication,
        {**changes, MembershipApplication.updated_at: now()},
        (MembershipApplication.id == application_id)
        & MembershipApplication.status.is_in(["submitted", "more_info"]),
        returning=[MembershipApplication.id],
        audit=lambda _: AuditEntry(
            action,
            organisation_id=org.organisation_id,
            target_type="application",
            target_id=str(application_id),
        ),
        actor=actor,
    )
    if not rows:
        raise MembershipError({"decision": "This application has already been decided"})


async def _admit(org: OrgContext, application: dict[str, Any], actor: Actor, settings: Settings) -> None:
    """The register entry and the decision land together; then the welcome (and, for someone without an
    account, the link to set one up)."""
    email = application["email"]
    person = await Person.select(Person.id).where(Person.email == email).first()
    person_id = person["id"] if person else None
    if person_id is not None and await Member.exists().where(
        (Member.organisation == org.organisation_id)
        & (Member.person == person_id)
        & Member.ceased_on.is_null()
    ):
        raise MembershipError({"decision": "This person is already a member"})
    entry = NewEntry(
        name=application["name"],
        member_class=application["member_class"],
        admitted_on=today(),
        address=application["address"],
        email=email,
        contact_by=application["contact_by"],
    )
    async with write_transaction():
        member_id = await add_register_entry(org, entry, actor, person_id=person_id, source="application")
        decided = {
            MembershipApplication.status: "admitted",
            MembershipApplication.decided_by: actor.person_id,
            MembershipApplication.decided_at: now(),
            MembershipApplication.member: member_id,
            MembershipApplication.reply_token_hash: None,
        }
        await _mark_decided(org, application["id"], decided, "application.admitted", actor)
        link = ""
        if person_id is None:
            link = await account_link(org, member_id, entry.name, email, entry.member_class, actor)
    await _welcome(org, member_id, entry.member_class, link, settings)


async def _welcome(org: OrgContext, member_id: int, class_key: str, link: str, settings: Settings) -> None:
    constitution = await constitution_of(org.organisation_id)
    kind = class_name(constitution, class_key).lower()
    body = f"Welcome to {org.name}. The board has admitted you as a {kind} member.\n\n"
    url = absolute_url(settings, link) if link else ""
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


async def _ask_more(
    org: OrgContext, application: dict[str, Any], question: str, actor: Actor, settings: Settings
) -> None:
    token = secrets.token_urlsafe(32)
    asked = {
        MembershipApplication.status: "more_info",
        MembershipApplication.board_message: question[:4000],
        MembershipApplication.reply_token_hash: token_hash(token),
        MembershipApplication.decided_by: actor.person_id,
        MembershipApplication.decided_at: None,
    }
    async with write_transaction():
        await _mark_decided(org, application["id"], asked, "application.more_info", actor)
    link = absolute_url(settings, org_path(org.slug, "join", "reply", token))
    body = (
        f"Dear {application['name']},\n\nThank you for applying to join {org.name}. Before the board "
        f"decides, it would like to know:\n\n{question}\n\nAnswer here:\n\n{link}\n"
    )
    subject = f"{org.name}: a question about your application"
    await send_email(settings, to=application["email"], subject=subject, body=body)


async def _refuse(
    org: OrgContext, application: dict[str, Any], reason: str, actor: Actor, settings: Settings
) -> None:
    refused = {
        MembershipApplication.status: "refused",
        MembershipApplication.board_message: reason[:4000],
        MembershipApplication.reply_token_hash: None,
        MembershipApplication.decided_by: actor.person_id,
        MembershipApplication.decided_at: now(),
    }
    async with write_transaction():
        await _mark_decided(org, application["id"], refused, "application.refused", actor)
    body = (
        f"Dear {application['name']},\n\nThank you for applying to join {org.name}. The board has "
        f"decided not to admit you, for this reason:\n\n{reason}\n\nIf you think this is wrong, "
        "reply to the secretary.\n"
    )
    await send_email(settings, to=application["email"], subject=f"{org.name}: your application", body=body)


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
