"""RFC 9457 problem details: how every API error answers (`application/problem+json`).

`coop.web` maps exceptions to these once for every request under /api/; the API's handlers raise
`ApiProblem` (or Litestar's HTTP exceptions) and never build error responses themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from litestar import Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from msgspec import Struct

from coop.errors import Refused

API_PREFIX = "/api/"
PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}
DETAILS = {
    400: "The request could not be read. Check it against the API reference.",
    401: "Send a live API token in the Authorization header: `Authorization: Bearer <token>`. "
    "Tokens are made on your account page; a revoked or expired token no longer works.",
    403: "Your token or your roles in the organisation do not allow this.",
    404: "There is nothing at this address that your token can see.",
    405: "This address does not accept that method.",
    413: "What you sent is too large.",
    415: "Send JSON with `Content-Type: application/json`.",
    429: "This token has made too many requests this minute. Wait for the number of seconds in Retry-After.",
    500: "Something went wrong on our side. Nothing was changed. Try again later; if it keeps happening, "
    "give the request id to your organisation's secretary.",
    503: "The service is unavailable. Try again later.",
}


class FieldError(Struct, frozen=True):
    field: str
    detail: str


class Problem(Struct, frozen=True, omit_defaults=True):
    """The body of every API error (RFC 9457), with `errors` saying what is wrong with each field."""

    type: str
    title: str
    status: int
    detail: str
    instance: str = ""
    request_id: str = ""
    errors: list[FieldError] = []


class ApiProblem(HTTPException):
    """An API refusal with a plain-English detail and problems by field (default 422)."""

    status_code = 422

    def __init__(
        self, detail: str, *, status_code: int = 422, errors: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail=detail, status_code=status_code)
        self.errors = dict(errors or {})


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


_FIELD_IN_MESSAGE = re.compile(r"(?:unknown|missing required) field `([^`]+)`")
_TYPE_WORDS = {
    "int": "a whole number",
    "str": "text",
    "bool": "true or false",
    "array": "a list",
    "object": "an object",
}


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    errors: list[FieldError] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            message = str(item.get("message", ""))
            named = _FIELD_IN_MESSAGE.search(message)
            key = named.group(1) if named else str(item.get("key") or item.get("source") or "body")
            if item.get("source") == "header":
                key = "-".join(part.capitalize() for part in key.replace("_", "-").split("-"))
            errors.append(FieldError(field=key, detail=_plain(message)))
    return errors


def _plain(message: str) -> str:
    """msgspec's messages, said plainly (the field they name is in `field`)."""
    message = message.split(" - at `", 1)[0]
    if message.startswith("Object contains unknown field"):
        return "This field is not part of the API; remove it"
    if message.startswith("Object missing required field"):
        return "This field is required"
    expected = re.match(r"Expected `([^`]+)`(.*)", message)
    if expected:
        rest = expected.group(2).replace("`", "")
        return f"This must be {_TYPE_WORDS.get(expected.group(1), expected.group(1))}{rest}"
    return message.replace("Expected", "This must be", 1) or "This value is not valid"


def _refusal_errors(exc: Refused) -> list[FieldError]:
    if exc.violations:
        return [FieldError(field=v.code.rsplit(".", 1)[-1], detail=v.message) for v in exc.violations]
    return [FieldError(field=name, detail=message) for name, message in exc.field_errors.items()]


def problem_response(path: str, request_id: str, exc: Exception) -> Response[Any]:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = DETAILS.get(status, DETAILS[400])
    errors: list[FieldError] = []
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if isinstance(exc, ApiProblem):
        detail = exc.detail
        errors = [FieldError(field=f, detail=d) for f, d in exc.errors.items()]
    elif isinstance(exc, Refused):
        # A request a service refused (coop.errors): its plain-English reason, and each message under its
        # field (a violation's field is the last part of its stable code: "budget.amount" -> "amount").
        # "Not found" about a field of the body (an account id that is not in the pool) is what was sent
        # being wrong (422, by its field); a 404 is for the address itself.
        status = 422 if exc.status_code == 404 and exc.field_errors else exc.status_code
        detail = exc.message or DETAILS.get(status, DETAILS[400])
        errors = _refusal_errors(exc)
    elif isinstance(exc, ValidationException):
        detail = "Some of what you sent is not valid. See `errors` for each problem."
        errors = _validation_errors(exc)
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="coop"')
    title = TITLES.get(status, "Error")
    if status == 422 and not errors:
        errors = [FieldError(field="body", detail=detail)]
    body = Problem(
        type="about:blank",
        title=title,
        status=status,
        detail=detail,
        instance=path,
        request_id=request_id,
        errors=errors,
    )
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def documented_problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem responses an operation can give, for its OpenAPI description."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=TITLES[status],
            generate_examples=False,
        )
        for status in statuses
    }


READ_PROBLEMS = documented_problems(400, 401, 403, 404, 429)
WRITE_PROBLEMS = documented_problems(400, 401, 403, 404, 409, 422, 429)
