"""How controllers answer: full pages or htmx fragments, redirects, and friendly error pages.

Every page that can also be a fragment carries `Vary: HX-Request`, so caches and the back button never
serve a fragment as a page. Errors are pages (or fragments for htmx), never stack traces.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from litestar import MediaType, Request, Response
from litestar.datastructures import FormMultiDict
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.utils.scope.state import ScopeState

from coop.api.problems import is_api_path, problem_response
from coop.errors import FORM_PAGE, REFUSAL_CONTEXT, FormPage, Refused
from coop.redirect_targets import local_target, sign_in_then
from governance.violations import RuleViolationError

logger = logging.getLogger("coop")

ERROR_TITLES = {
    400: "Sorry, there is a problem with this request",
    403: "You cannot do this",
    404: "Page not found",
    405: "You cannot do this here",
    413: "What you sent is too large",
    422: "Sorry, there is a problem with what you sent",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}
ERROR_TEXT = {
    403: "You do not have permission to do this. If you think you should, ask your organisation's secretary.",
    404: "If you typed the web address, check it is correct. "
    "If you pasted the web address, check you copied the entire address.",
    500: "Try again later. If it keeps happening, tell your organisation's secretary "
    "and give them the reference below.",
}
CSRF_FAILED = "CSRF token verification failed"
HTML = MediaType.HTML


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """An htmx swap wants a fragment; a history restore (back button, cache miss) wants the whole page."""
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = request.scope.get("state", {})
    return {
        "current": request.scope.get("user"),
        "org": state.get("org"),
        "request_id": state.get("request_id", ""),
        "settings": request.app.state.settings,
    }


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> Template:
    """A page, or for htmx requests its fragment when one is named."""
    name = fragment if fragment is not None and is_htmx(request) else template
    return Template(
        template_name=name,
        context={**base_context(request), **(context or {})},
        status_code=status_code,
        headers={"Vary": "HX-Request"},
        media_type=HTML,  # every page is HTML: saves Litestar guessing it from the name on each request
    )


def redirect(request: Request[Any, Any, Any], url: str) -> Response[Any]:
    """303 See Other for forms; htmx follows `HX-Redirect` with a full page load instead. Either way the
    target is a path on this site, percent-encoded (`coop.redirect_targets`)."""
    url = local_target(url)
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Redirect": url, "Vary": "HX-Request"})
    return Redirect(path=url, status_code=HTTP_303_SEE_OTHER, headers={"Vary": "HX-Request"})


def form_errors_page(
    request: Request[Any, Any, Any],
    template: str,
    errors: Mapping[str, str],
    context: Mapping[str, Any] | None = None,
    *,
    fragment: str | None = None,
) -> Template:
    """Re-show a form with an error summary and messages by each field (422, nothing changed)."""
    return render(
        request, template, {**(context or {}), "errors": dict(errors)}, fragment=fragment, status_code=422
    )


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if is_api_path(request.url.path):
        # The API answers in problem details, never pages or redirects to sign in.
        return problem_response(request.url.path, _request_id(request), exc)
    if isinstance(exc, NotAuthorizedException):
        # Not signed in (or the session ended): go to sign in, then come back.
        return redirect(request, sign_in_then(request.url.path))
    status = exc.status_code
    title = ERROR_TITLES.get(status, ERROR_TITLES[400])
    text = ERROR_TEXT.get(status, "")
    if status == 403 and exc.detail == CSRF_FAILED:
        title = "Your form has expired"
        text = "Go back, reload the page and try again. Nothing has been changed."
    return _error_response(request, status, title, text)


def handle_refused(request: Request[Any, Any, Any], exc: Refused) -> Response[Any]:
    """The one place a refused request is answered (registered in `create_app`): the API gets a problem
    detail; a route that declares its form page (`coop.errors.form_page`) shows it again with the error
    summary, the messages by the fields and the values as typed (its fragment for htmx); any other route
    shows the reason on an error page with the refusal's status."""
    if is_api_path(request.url.path):
        return problem_response(request.url.path, _request_id(request), exc)
    status = exc.status_code
    if status in (403, 404):  # 403 and 404 say the same whatever the area (and nothing of what exists)
        return _error_response(request, status, ERROR_TITLES[status], ERROR_TEXT[status])
    handler = request.scope.get("route_handler")
    page = handler.opt.get(FORM_PAGE) if handler is not None else None
    if not isinstance(page, FormPage):
        return _error_response(request, status, ERROR_TITLES.get(status, ERROR_TITLES[422]), exc.message)
    context = {"form": _submitted_form(request), **request.scope.get("state", {}).get(REFUSAL_CONTEXT, {})}
    return render(
        request,
        page.template,
        {**context, "errors": exc.errors_to_show(page.field)},
        fragment=page.fragment,
        status_code=status,
    )


def handle_rule_violation(request: Request[Any, Any, Any], exc: RuleViolationError) -> Response[Any]:
    """governance's own refusal (it cannot import coop): answered exactly like `Refused`."""
    return handle_refused(request, Refused.from_violations(exc.violations))


def _submitted_form(request: Request[Any, Any, Any]) -> FormMultiDict:
    """The form as the handler read it (Litestar keeps the parsed body in the scope), so the page shows
    what was typed; exception handlers are synchronous and cannot read the body again."""
    data = ScopeState.from_scope(request.scope).form
    return FormMultiDict.from_form_data(data) if isinstance(data, dict) else FormMultiDict()


def _request_id(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = _request_id(request)
    logger.exception("unhandled error (request %s)", request_id, exc_info=exc)
    if is_api_path(request.url.path):
        return problem_response(request.url.path, request_id, exc)
    return _error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, ERROR_TITLES[500], ERROR_TEXT[500])


def _error_response(request: Request[Any, Any, Any], status: int, title: str, text: str) -> Response[Any]:
    template = "errors/_fragment.html" if is_htmx(request) else "errors/page.html"
    return Template(
        template_name=template,
        context={**base_context(request), "status": status, "title": title, "text": text},
        status_code=status,
        headers={"Vary": "HX-Request"},
        media_type=HTML,
    )
