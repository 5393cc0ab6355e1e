"""HTTP for site admins: the email outbox (how emails reach people when no SMTP server is set)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.guards import requires_site_admin
from coop.mail.tables import OutboxMessage
from coop.pagination import paginate
from coop.web import render


class OutboxController(Controller):
    path = "/admin/outbox"
    guards = [requires_site_admin]

    @get("/", name="outbox")
    async def index(self, request: Request[Any, Any, Any], page: FromQuery[int] = 1) -> Template:
        query = OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.to_address,
            OutboxMessage.subject,
            OutboxMessage.created_at,
            OutboxMessage.transport,
            OutboxMessage.sent_at,
        ).order_by(OutboxMessage.id, ascending=False)
        messages = await paginate(query, total=await OutboxMessage.count(), page=page)
        return render(request, "admin/outbox.html", {"messages": messages})

    @get("/{message_id:int}", name="outbox_message")
    async def show(self, request: Request[Any, Any, Any], message_id: FromPath[int]) -> Template:
        message = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
        if message is None:
            raise NotFoundException()
        return render(request, "admin/outbox_message.html", {"message": message})
