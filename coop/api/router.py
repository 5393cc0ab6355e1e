"""The API's route table: everything under /api/v1/, its OpenAPI document and its reference page."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Server
from litestar.response import Template

from coop.api.auth import requires_token
from coop.api.commissioning_routes import CommissioningRoutes
from coop.api.import_routes import MemberImportRoutes
from coop.api.meeting_routes import MeetingRoutes
from coop.api.money_routes import PoolRoutes
from coop.api.org_routes import OrganisationRoutes
from coop.api.resolution_routes import ResolutionRoutes
from coop.api.vote_routes import VoteRoutes
from coop.web import render

API_VERSION = "1.0.0"
API_ROOT = "/api/v1"


def openapi_config() -> OpenAPIConfig:
    """OpenAPI 3.1 for the API only (every other handler is left out of the schema by `create_app`)."""
    return OpenAPIConfig(
        title="coop API",
        version=API_VERSION,
        description="Read and write an organisation's records with a personal API token. See docs/api.md.",
        # Mounted at the document itself: Litestar adds a catch-all HTML 404 under an OpenAPI router's path,
        # which at /api/v1 would answer unknown API addresses with a page instead of problem details.
        path=f"{API_ROOT}/openapi.json",
        render_plugins=[JsonRenderPlugin(path="/")],
        # The document is public, like the reference page: it describes the API, not anyone's data.
        openapi_router=Router(
            path=f"{API_ROOT}/openapi.json", route_handlers=[], opt={"public": True}, include_in_schema=False
        ),
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                "token": SecurityScheme(type="http", scheme="bearer", description="Personal API token")
            }
        ),
        security=[{"token": []}],
    )


@get("/reference", include_in_schema=False, opt={"public": True}, name="api_reference")
async def reference(request: Request[Any, Any, Any]) -> Template:
    """The API reference as a plain page, drawn from the same OpenAPI document (no CDN, no script)."""
    schema = request.app.openapi_schema.to_schema()
    return render(request, "api/reference.html", {"schema": schema, "api_root": API_ROOT})


api_router = Router(
    path=API_ROOT,
    route_handlers=[
        OrganisationRoutes,
        MemberImportRoutes,
        VoteRoutes,
        PoolRoutes,
        CommissioningRoutes,
        MeetingRoutes,
        ResolutionRoutes,
    ],
    guards=[requires_token],
    include_in_schema=True,
)
reference_router = Router(path=API_ROOT, route_handlers=[reference], include_in_schema=False)
