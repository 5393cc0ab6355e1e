"""Sending email: every message is kept in the outbox; it also goes by SMTP when a server is set."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage

import anyio

from coop.db import write_transaction
from coop.mail.tables import OutboxMessage
from coop.settings import Settings


async def send_email(settings: Settings, *, to: str, subject: str, body: str) -> int:
    """Store the message, then deliver it by SMTP if configured. Returns the outbox id."""
    transport = "smtp" if settings.smtp_host else "outbox"
    async with write_transaction():
        rows = await OutboxMessage.insert(
            OutboxMessage(to_address=to, subject=subject, body=body, transport=transport)
        ).returning(OutboxMessage.id)
    message_id = int(rows[0]["id"])
    if not settings.smtp_host:
        return message_id
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        await anyio.to_thread.run_sync(_deliver, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        # The message stays in the outbox with the reason, for an admin to see and resend.
        await OutboxMessage.update({OutboxMessage.error: str(exc)[:500]}).where(
            OutboxMessage.id == message_id
        )
    else:
        await OutboxMessage.update({OutboxMessage.sent_at: datetime.now(UTC)}).where(
            OutboxMessage.id == message_id
        )
    return message_id


def _deliver(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)
