"""HTTP for the public information pages and the health check."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from coop.web import render


@get("/help", opt={"public": True}, name="help")
async def help_page(request: Request[Any, Any, Any]) -> Template:
    return render(request, "pages/help.html")


@get("/accessibility", opt={"public": True}, name="accessibility")
async def accessibility(request: Request[Any, Any, Any]) -> Template:
    return render(request, "pages/accessibility.html")


@get("/healthz", opt={"public": True}, name="healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}
