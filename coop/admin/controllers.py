"""HTTP for site admins: the email outbox (queued, sent, failed, refused, with the mail server's answers)
and the background jobs that need attention."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.admin import outbox
from coop.guards import requires_site_admin
from coop.jobs import queue
from coop.web import redirect, render


class OutboxController(Controller):
    path = "/admin/outbox"
    guards = [requires_site_admin]

    @get("/", name="outbox")
    async def index(self, request: Request[Any, Any, Any], page: FromQuery[int] = 1) -> Template:
        messages = await outbox.outbox_page(page)
        counts = await queue.state_counts()
        return render(
            request,
            "admin/outbox.html",
            {
                "messages": messages,
                "jobs": counts,
                "attention": await queue.needing_attention(),
                "held": await queue.held_jobs() if counts["on_hold"] else [],
                "retried": request.query_params.get("retried"),
            },
        )

    @get("/{message_id:int}", name="outbox_message")
    async def show(self, request: Request[Any, Any, Any], message_id: FromPath[int]) -> Template:
        message = await outbox.outbox_message(message_id)
        if message is None:
            raise NotFoundException()
        return render(request, "admin/outbox_message.html", {"message": message})

    @post("/jobs/{job_id:int}/retry", name="job_retry")
    async def retry(self, request: Request[Any, Any, Any], job_id: FromPath[int]) -> Response[Any]:
        if not await queue.retry(job_id, now=clock.now(), actor=actor_of(request)):
            raise NotFoundException()
        return redirect(request, "/admin/outbox?retried=1")
