"""HTTP for site admins: the email outbox (queued, sent, failed, refused, with the mail server's answers)
and the background jobs that need attention."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.actor import actor_of
from coop.guards import requires_site_admin
from coop.jobs import queue
from coop.mail.tables import OutboxMessage
from coop.pagination import paginate
from coop.web import redirect, render


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
            OutboxMessage.state,
            OutboxMessage.smtp_reply,
        ).order_by(OutboxMessage.id, ascending=False)
        messages = await paginate(query, total=await OutboxMessage.count(), page=page)
        return render(
            request,
            "admin/outbox.html",
            {
                "messages": messages,
                "jobs": await queue.state_counts(),
                "attention": await queue.needing_attention(),
                "retried": request.query_params.get("retried"),
            },
        )

    @get("/{message_id:int}", name="outbox_message")
    async def show(self, request: Request[Any, Any, Any], message_id: FromPath[int]) -> Template:
        message = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
        if message is None:
            raise NotFoundException()
        return render(request, "admin/outbox_message.html", {"message": message})

    @post("/jobs/{job_id:int}/retry", name="job_retry")
    async def retry(self, request: Request[Any, Any, Any], job_id: FromPath[int]) -> Response[Any]:
        if not await queue.retry(job_id, now=datetime.now(UTC), actor=actor_of(request)):
            raise NotFoundException()
        return redirect(request, "/admin/outbox?retried=1")
