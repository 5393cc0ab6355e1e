"""Queuing email: every message is kept in the outbox; when an SMTP server is set, a delivery job is added
in the same transaction and a worker sends it (coop/mail/delivery.py). Nothing here waits for a mail
server, so no request ever does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coop import clock
from coop.db import write_transaction
from coop.jobs.queue import NewJob, enqueue
from coop.mail.tables import OutboxMessage
from coop.settings import Settings

DELIVER = "mail.deliver"


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    body: str
    member_id: int | None = None
    """The member it is for, so a refused address can be shown against them."""


async def send_email(
    settings: Settings, *, to: str, subject: str, body: str, member_id: int | None = None
) -> int:
    """Queue one message. Returns its outbox id."""
    (message_id,) = await queue_emails(settings, [Email(to, subject, body, member_id)])
    return message_id


async def queue_emails(settings: Settings, emails: Sequence[Email]) -> list[int]:
    """Queue messages in one transaction (the caller's, if it has one open). Returns their outbox ids."""
    if not emails:
        return []
    by_smtp = bool(settings.smtp_host)
    async with write_transaction():
        rows = await OutboxMessage.insert(
            *(
                OutboxMessage(
                    to_address=e.to,
                    subject=e.subject[:200],
                    body=e.body,
                    transport="smtp" if by_smtp else "outbox",
                    state="queued" if by_smtp else "kept",
                    member=e.member_id,
                )
                for e in emails
            )
        ).returning(OutboxMessage.id)
        ids = [int(r["id"]) for r in rows]
        if by_smtp:
            now = clock.now()
            await enqueue(*(NewJob(DELIVER, {"message": i}, run_at=now) for i in ids))
    return ids


async def refused_address(member_id: int) -> dict[str, Any] | None:
    """The latest email to this member that the mail server refused, unless a later one to the same
    address got through."""
    last = (
        await OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.to_address, OutboxMessage.smtp_reply, OutboxMessage.created_at
        )
        .where((OutboxMessage.member == member_id) & (OutboxMessage.state == "refused"))
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    if last is None:
        return None
    later = await OutboxMessage.exists().where(
        (OutboxMessage.member == member_id)
        & (OutboxMessage.to_address == last["to_address"])
        & (OutboxMessage.state == "sent")
        & (OutboxMessage.id > last["id"])
    )
    return None if later else last
