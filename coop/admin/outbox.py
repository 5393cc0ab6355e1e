"""The email outbox as site admins see it: every message, newest first, with the mail server's answer."""

from __future__ import annotations

from typing import Any

from coop.mail.tables import OutboxMessage
from coop.pagination import Page, paginate


async def outbox_page(page: int) -> Page:
    query = OutboxMessage.select(
        OutboxMessage.id,
        OutboxMessage.to_address,
        OutboxMessage.subject,
        OutboxMessage.created_at,
        OutboxMessage.transport,
        OutboxMessage.sent_at,
        OutboxMessage.state,
        OutboxMessage.smtp_reply,
    ).order_by(OutboxMessage.id, ascending=False)
    return await paginate(query, total=await OutboxMessage.count(), page=page)


async def outbox_message(message_id: int) -> dict[str, Any] | None:
    return await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
