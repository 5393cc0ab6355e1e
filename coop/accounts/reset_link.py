"""The worker's half of a password reset: look the account up and, if it exists (and has not asked too
often), store a one-time link and email it. Done here, out of the request, so that a request for a known
email and one for an unknown email do the same work and take the same time (issue 14, item 2)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from coop.accounts.link_email import LinkEmail, send_link_email
from coop.accounts.service import (
    RESET_LINK_LIFETIME,
    RESETS_PER_HOUR_PER_ACCOUNT,
    token_hash,
)
from coop.accounts.tables import PasswordReset, Person
from coop.audit.service import Actor, AuditEntry, record
from coop.db import write_transaction
from coop.jobs.worker import JobContext

RESET_EMAIL = LinkEmail(
    subject="Reset your coop password",
    asked="Someone asked to reset the password for your coop account.",
    opening="within 1 hour to choose a new password",
    not_you="Your password has not changed.",
)


async def send_reset_link(context: JobContext) -> None:
    email = str(context.job.payload["email"])
    request_id = str(context.job.payload.get("request_id", ""))
    settings, moment = context.settings, context.now
    person = (
        await Person.select(Person.id, Person.display_name)
        .where((Person.email == email) & (Person.disabled_at.is_null()))
        .first()
    )
    async with write_transaction():
        if person is None:
            await record(
                AuditEntry("auth.password_reset_requested", outcome="unknown_account"),
                Actor(None, request_id),
            )
            await context.finish()
            return
        actor = Actor(person["id"], request_id)
        recent = await PasswordReset.count().where(
            (PasswordReset.person == person["id"]) & (PasswordReset.created_at > moment - timedelta(hours=1))
        )
        if recent >= RESETS_PER_HOUR_PER_ACCOUNT:
            await record(AuditEntry("auth.password_reset_requested", outcome="throttled"), actor)
            await context.finish()
            return
        token = secrets.token_urlsafe(32)
        await PasswordReset.insert(
            PasswordReset(
                token_hash=token_hash(token),
                person=person["id"],
                created_at=moment,
                expires_at=moment + RESET_LINK_LIFETIME,
            )
        )
        await record(AuditEntry("auth.password_reset_requested"), actor)
        # Queued in this transaction: the link is stored if and only if its email is on its way.
        name = person["display_name"]
        await send_link_email(settings, email, name, f"/password-reset/{token}", RESET_EMAIL)
        await context.finish()
