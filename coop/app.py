"""The only place where coop is wired together: `create_app(settings)`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from coop.accounts.controllers import AccountController, PasswordResetController, SignInController
from coop.accounts.sign_up_controllers import SignUpController
from coop.admin.controllers import OutboxController
from coop.api.router import api_router, openapi_config, reference_router
from coop.api.token_controllers import ApiTokenController
from coop.boards.controllers import BoardController
from coop.boards.election_controllers import ElectionController
from coop.budgets.controllers import BudgetController
from coop.budgets.returns_controllers import ReturnsController, SupportingReturnsController
from coop.budgets.reversal_controllers import ReversalController
from coop.commissioning.controllers import CommissioningController
from coop.commissioning.invoices import CONTRACTS
from coop.db import database_in_use
from coop.documents.community_report_controllers import CommunityReportController
from coop.documents.controllers import BoardRegisterPdfController, DocumentsController
from coop.documents.letters_controllers import LettersController
from coop.errors import Refused
from coop.jobs.worker import Worker
from coop.meetings.controllers import MeetingsController
from coop.meetings.live_controllers import LiveMeetingController
from coop.members.application_controllers import ApplicationController
from coop.members.import_controllers import RegisterImportController
from coop.members.invitation_controllers import InvitationAdminController, InvitationController
from coop.members.join_controllers import JoinController
from coop.members.member_controllers import MemberController
from coop.members.my_membership_controllers import MyMembershipController, SupportingController
from coop.members.register_controllers import RegisterController
from coop.organisations.constitution_controllers import ConstitutionController
from coop.organisations.controllers import OrganisationController, home
from coop.pages.controllers import accessibility, healthz, help_page
from coop.path_params import PathParamsMiddleware
from coop.resolutions.amendment_controllers import AmendmentController
from coop.resolutions.controllers import ResolutionController
from coop.resolutions.meeting_amendment_controllers import MeetingAmendmentController
from coop.security import SecurityMiddleware, csrf_cookie_name
from coop.settings import PROJECT_ROOT, Settings
from coop.setup.start_controllers import StartController, StartLandingController
from coop.template_filters import register_filters
from coop.votes import vote_keys
from coop.votes.ballot_controllers import BallotController, SupportedBallotController
from coop.votes.controllers import SupportedVoteController, VoteController
from coop.votes.result_controllers import ResultController, SupportedResultController
from coop.votes.teller_controllers import TellerController
from coop.web import handle_http_exception, handle_refused, handle_rule_violation, handle_unexpected
from governance.violations import RuleViolationError

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 1_000_000
WORKER_STOP_SECONDS = 10
logger = logging.getLogger("coop")


def template_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES_DIR),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # compiled once per process (performance-bar G9)
    )
    register_filters(env)
    return env


EXCEPTION_HANDLERS = {
    HTTPException: handle_http_exception,
    Refused: handle_refused,
    RuleViolationError: handle_rule_violation,
    Exception: handle_unexpected,
}
"""Errors are answered here once: a refused request (coop.errors.Refused, or governance's own
RuleViolationError) as its form again, its htmx fragment or an API problem; the rest as error pages."""


def database_lifespan(settings: Settings, *, use_pool: bool) -> Callable[[Litestar], Any]:
    @asynccontextmanager
    async def database(_: Litestar) -> AsyncIterator[None]:
        # The settings choose the database (not whatever the environment said when Piccolo was imported).
        async with database_in_use(settings.database_url, use_pool=use_pool):
            yield

    return database


def worker_lifespan(settings: Settings) -> Callable[[Litestar], Any]:
    @asynccontextmanager
    async def background_worker(_: Litestar) -> AsyncIterator[None]:
        # On SQLite `coop serve` runs the worker itself, so one command still does everything
        # (docs/operating.md); on PostgreSQL `coop worker` processes do, on any number of machines.
        if not settings.runs_worker_in_app:
            yield
            return
        stop = asyncio.Event()
        task = asyncio.create_task(Worker(settings).run_forever(stop))
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=WORKER_STOP_SECONDS)
            except TimeoutError:
                logger.warning("the background worker did not stop in time; its jobs go back to the queue")

    return background_worker


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name=csrf_cookie_name(settings),
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        # The API reads no cookies (coop.security), so a cross-site request has no authority to borrow.
        exclude=["^/api/"],
    )


ROUTE_HANDLERS: list[Any] = [
    home,
    help_page,
    accessibility,
    healthz,
    SignInController,
    AccountController,
    ApiTokenController,
    PasswordResetController,
    SignUpController,
    OrganisationController,
    StartLandingController,
    StartController,
    ConstitutionController,
    MemberController,
    RegisterController,
    RegisterImportController,
    ApplicationController,
    InvitationAdminController,
    InvitationController,
    JoinController,
    MyMembershipController,
    SupportingController,
    BoardController,
    ElectionController,
    ResolutionController,
    AmendmentController,
    MeetingAmendmentController,
    MeetingsController,
    LiveMeetingController,
    OutboxController,
    VoteController,
    SupportedVoteController,
    BallotController,
    SupportedBallotController,
    ResultController,
    SupportedResultController,
    TellerController,
    BudgetController,
    CommissioningController,
    ReturnsController,
    SupportingReturnsController,
    ReversalController,
    DocumentsController,
    CommunityReportController,
    BoardRegisterPdfController,
    LettersController,
    api_router,
    reference_router,
]
"""Every page, form and API route, area by area."""


def static_files_router() -> Any:
    return create_static_files_router(
        path="/static", directories=[STATIC_DIR], opt={"public": True}, include_in_schema=False
    )


def create_app(settings: Settings | None = None, *, use_pool: bool = True) -> Litestar:
    settings = settings or Settings.from_env()
    if settings.vote_key_dir:
        vote_keys.use_directory(Path(settings.vote_key_dir).resolve())
    app = Litestar(
        route_handlers=[*ROUTE_HANDLERS, static_files_router()],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(template_environment())),
        csrf_config=csrf_config(settings),
        plugins=[HTMXPlugin()],
        # Every path parameter is checked once here: an id no row could have is a 404, never a 500.
        middleware=[PathParamsMiddleware],
        dependencies={
            "settings": Provide(lambda: settings, sync_to_thread=False),
            # Who else holds pool money set aside: contracts. Budgets reconcile and give money back
            # through this, so they never depend on which modules were imported (issue 15).
            "commitments": Provide(lambda: CONTRACTS, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[database_lifespan(settings, use_pool=use_pool), worker_lifespan(settings)],
        request_max_body_size=MAX_BODY_BYTES,
        # OpenAPI describes the API router only: every other handler is left out by this default.
        openapi_config=openapi_config(),
        include_in_schema=False,
        debug=settings.debug,
    )
    app.state.settings = settings
    app.state.commitments = CONTRACTS
    # Wrap the whole handler (not just matched routes), so 404s and error pages get the headers too.
    app.asgi_handler = SecurityMiddleware(app.asgi_handler, settings)
    return app
