"""Protection applied to every request: security headers, the Fetch-Metadata check, request ids and the
session lookup. Plain ASGI middleware, so error pages and static files get the same headers."""

from __future__ import annotations

import uuid
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from coop.accounts.service import load_session
from coop.organisations.service import MEMBERSHIP_STATE, SLUG_PATTERN, session_and_org
from coop.settings import Settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "manifest-src 'self'",
    ]
)


def session_cookie_name(settings: Settings) -> str:
    # `__Host-` pins the cookie to this exact host over HTTPS (no Domain, Path=/, Secure).
    return "__Host-session" if settings.secure_cookies else "coop_session"


def device_cookie_name(settings: Settings) -> str:
    """The trusted-device cookie (coop.accounts.devices), pinned to this host like the session's."""
    return "__Host-device" if settings.secure_cookies else "coop_device"


def csrf_cookie_name(settings: Settings) -> str:
    return "__Host-csrftoken" if settings.secure_cookies else "coop_csrftoken"


def security_headers(settings: Settings, *, static: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
        (b"x-frame-options", b"DENY"),
        # Pages can show members' personal data: never store them in shared caches or on disk.
        (b"cache-control", b"no-cache" if static else b"no-store"),
    ]
    if settings.secure_cookies:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers


class SecurityMiddleware:
    """Adds the baseline headers, refuses cross-site unsafe requests, and loads the session."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.cookie_name = session_cookie_name(settings)
        self.allowed_hosts = frozenset(host.lower() for host in settings.allowed_hosts)
        base = urlsplit(settings.base_url)
        self.allowed_origins = {f"{base.scheme}://{base.netloc}"}
        # The same for every request: built once, not per response.
        self.page_headers = tuple(security_headers(settings, static=False))
        self.static_headers = tuple(security_headers(settings, static=True))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path: str = scope["path"]
        static = path.startswith("/static/")
        extra = self.static_headers if static else self.page_headers
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in extra if header[0] not in present)
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
        }
        if _hostname(headers.get("host", "")) not in self.allowed_hosts:
            # Never build a link or act on behalf of a Host we do not serve (host-header injection).
            await _plain_error(
                send_with_headers,
                400,
                "Sorry, there is a problem with this request",
                "This site does not answer to that address.",
            )
            return
        if method in UNSAFE_METHODS and not self._same_origin(headers):
            await _plain_error(
                send_with_headers,
                403,
                "You cannot do this",
                "This request came from another website, so it was refused. Nothing has been changed.",
            )
            return
        scope["user"] = None
        scope["auth"] = None
        # The API authenticates by bearer token only: a session cookie there is ignored, never trusted.
        if not static and not path.startswith("/api/"):
            token = _cookie(headers.get("cookie", ""), self.cookie_name)
            if token:
                slug = _org_slug(path)
                if slug is None:
                    scope["user"] = await load_session(token, self.settings)
                else:
                    # An organisation's page: the person's membership there comes with the session, in
                    # the same query; `requires_member` uses it (coop/guards.py).
                    scope["user"], org = await session_and_org(token, slug, self.settings)
                    scope["state"][MEMBERSHIP_STATE] = (slug, org)
                scope["auth"] = token
        await self.app(scope, receive, send_with_headers)

    def _same_origin(self, headers: dict[str, str]) -> bool:
        """Fetch Metadata first; without it (older browsers), the Origin header if one is sent."""
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site in {"same-origin", "none"}
        origin = headers.get("origin")
        if origin is None:
            return True  # not a browser (browsers send Origin on every cross-origin POST)
        host = headers.get("host", "")
        return origin in self.allowed_origins or origin in {f"http://{host}", f"https://{host}"}


def _org_slug(path: str) -> str | None:
    """The organisation's slug in a path under /o/<slug>/, if it is a well-formed one."""
    if not path.startswith("/o/"):
        return None
    slug = path[3:].split("/", 1)[0]
    return slug if SLUG_PATTERN.match(slug) else None


def _cookie(header: str, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is the client's problem, not a 500
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _plain_error(send: Any, status: int, title: str, text: str) -> None:
    """A minimal page for refusals that happen before routing (no template engine needed)."""
    body = (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title} - coop</title></head>'
        f"<body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
