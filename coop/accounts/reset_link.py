"""The worker's half of a password reset: look the account up and, if it exists (and has not asked too
often), store a one-time link and email it. Done here, out of the request, so that a request for a known
email and one for an unknown email do the same work and take the same time (issue 14, item 2)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from coop.accounts.service import (
    RESET_LINK_LIFETIME,
    RESETS_PER_HOUR_PER_ACCOUNT,
    token_hash,
)
from coop.accounts.tables import PasswordReset, Person
from coop.audit.service import Actor, AuditEntry, record
from coop.db import write_transaction
from coop.jobs.worker import JobContext
from coop.mail.service import send_email
from coop.urls import absolute_url


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
        link = absolute_url(settings, f"/password-reset/{token}")
        # Queued in this transaction: the link is stored if and only if its email is on its way.
        await send_email(
            settings,
            to=email,
            subject="Reset your coop password",
            body=(
                f"Hello {person['display_name']},\n\n"
                "Someone asked to reset the password for your coop account. If it was you, open this link "
                f"within 1 hour to choose a new password:\n\n{link}\n\n"
                "If it was not you, you can ignore this email. Your password has not changed.\n"
            ),
        )
        await context.finish()
