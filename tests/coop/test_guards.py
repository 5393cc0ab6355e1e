"""Every route is guarded, or is on a short public list; roles gate what they should."""

from __future__ import annotations

import html

from litestar.handlers import HTTPRouteHandler

from tests.conftest import run
from tests.coop.helpers import sign_in

PUBLIC_ROUTES = {
    "home",
    "help",
    "accessibility",
    "healthz",
    "sign_in",
    "sign_in_post",
    "password_reset",
    "password_reset_post",
    "password_reset_token",
    "password_reset_token_post",
    # Signing up to start an organisation (/start asks visitors to sign up or sign in).
    "start",
    "sign_up",
    "sign_up_post",
    "sign_up_verify",
    "sign_up_verify_post",
    # Membership: an organisation's join pages (one handler), and invitation links (one handler).
    "join",
    "invitation",
    # The API's reference page and its OpenAPI document (the API itself needs a token: coop.api.auth).
    "api_reference",
    "openapi.json",
}


def _handlers(app) -> list[HTTPRouteHandler]:
    handlers = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            # Litestar's automatic OPTIONS handlers only answer with the Allow header.
            if isinstance(handler, HTTPRouteHandler) and handler.handler_name != "options_handler":
                handlers.append(handler)
    return handlers


def test_every_handler_is_guarded_or_publicly_listed(settings):
    from coop.app import create_app

    app = create_app(settings, use_pool=False)
    public, unguarded = set(), []
    for handler in _handlers(app):
        if handler.opt.get("public"):
            name = handler.name or handler.handler_name
            # Litestar names the OpenAPI document's handlers itself.
            openapi = name == "_handler" or name.endswith("_litestar_openapi_json")
            public.add("openapi.json" if openapi else name)
        elif not handler.resolve_guards():
            unguarded.append(handler.handler_name)
    assert unguarded == []
    static = {name for name in public if name not in PUBLIC_ROUTES}
    # The static file router (GET and HEAD) and the OpenAPI router's 404 for unknown schema paths are the
    # only other public routes.
    assert static <= {"static", "static/head", "handle_schema_path_not_found"}, static
    assert public - static == PUBLIC_ROUTES
    # 12, the API reference with its OpenAPI document, and signing up at /start (its landing page, the
    # form and its post, the emailed link and its confirmation).
    assert len(PUBLIC_ROUTES) <= 19


def test_a_member_without_a_board_role_cannot_see_the_audit_log(demo, client):
    sign_in(client, "jamie@riverside.example")
    response = client.get("/o/riverside/audit")
    assert response.status_code == 403
    assert "You cannot do this" in response.text
    assert "auth.sign_in" not in response.text


def test_the_secretary_can_see_the_audit_log(demo, client):
    sign_in(client, "helen@riverside.example")
    response = client.get("/o/riverside/audit")
    assert response.status_code == 200
    # Newest first, 50 a page: the newest event is on page 1, the members' admissions further back.
    from coop.audit.tables import AuditEvent

    newest = run(
        AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.organisation.slug == "riverside")
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    from coop.audit.descriptions import describe_event

    # Shown in words, not as the developer's code (issue #14 item 12).
    assert describe_event(newest["action"]) in html.unescape(response.text)
    assert newest["action"] not in response.text
    last = client.get("/o/riverside/audit?page=99")
    assert last.status_code == 200 and "A member was admitted" in last.text


def test_only_site_admins_see_the_outbox(demo, client):
    sign_in(client, "helen@riverside.example")
    assert client.get("/admin/outbox").status_code == 404
    sign_in(client, "admin@coop.example")
    assert client.get("/admin/outbox").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in_and_back(demo, client):
    response = client.get("/o/riverside/members", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/o/riverside/members"
