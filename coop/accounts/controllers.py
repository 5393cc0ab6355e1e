"""HTTP for signing in and out, the account page (sessions, password) and password reset."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from coop.accounts import service
from coop.accounts.devices import DEVICE_TRUST
from coop.accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
    sign_in_errors,
)
from coop.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from coop.actor import actor_of as actor_of  # moved; re-exported until every area imports coop.actor
from coop.guards import current_session, requires_sign_in
from coop.redirect_targets import local_target
from coop.security import device_cookie_name, session_cookie_name
from coop.settings import Settings
from coop.web import form_errors_page, redirect, render

PUBLIC = {"public": True}


def _cookie(name: str, settings: Settings, value: str, *, max_age: int | None) -> Cookie:
    return Cookie(
        key=name,
        value=value,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        max_age=max_age,
    )


def _session_cookie(settings: Settings, value: str, *, expire: bool = False) -> Cookie:
    return _cookie(session_cookie_name(settings), settings, value, max_age=0 if expire else None)


def _device_cookie(settings: Settings, value: str, *, expire: bool = False) -> Cookie:
    """Kept for a year (the browser stays trusted, signed in or not); expired by sign out everywhere."""
    lifetime = 0 if expire else int(DEVICE_TRUST.total_seconds())
    return _cookie(device_cookie_name(settings), settings, value, max_age=lifetime)


def _signed_in(
    request: Request[Any, Any, Any], settings: Settings, token: str, device: str | None, target: str
) -> Response[Any]:
    """Go on to `target` with the new session cookie and the browser's new device cookie."""
    response = redirect(request, target)
    response.cookies.append(_session_cookie(settings, token))
    if device is not None:
        response.cookies.append(_device_cookie(settings, device))
    return response


async def _sign_in_attempt(
    request: Request[Any, Any, Any], settings: Settings, email: str, password: str
) -> service.SignInResult:
    return await service.sign_in(
        email,
        password,
        settings=settings,
        address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
        previous_token=request.scope.get("auth"),
        device_cookie=request.cookies.get(device_cookie_name(settings)),
        request_id=request.scope.get("state", {}).get("request_id", ""),
    )


class SignInController(Controller):
    path = "/sign-in"

    @get("/", opt=PUBLIC, name="sign_in")
    async def show(self, request: Request[Any, Any, Any], next: FromQuery[str] = "/") -> Template:
        return render(request, "accounts/sign_in.html", {"form": SignInForm(next=local_target(next))})

    @post("/", opt=PUBLIC, name="sign_in_post")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[SignInForm],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        errors = sign_in_errors(data)
        if errors:
            return form_errors_page(request, "accounts/sign_in.html", errors, {"form": data})
        result = await _sign_in_attempt(request, settings, data.email, data.password)
        if result.token is None:
            # One message for a wrong email or a wrong password: no one learns who has an account.
            return form_errors_page(
                request,
                "accounts/sign_in.html",
                {"email": result.error or service.SIGN_IN_ERROR},
                {"form": SignInForm(email=data.email, next=local_target(data.next))},
            )
        return _signed_in(request, settings, result.token, result.device_cookie, local_target(data.next))


class AccountController(Controller):
    path = "/account"
    guards = [requires_sign_in]

    @get("/", name="account")
    async def show(self, request: Request[Any, Any, Any]) -> Template:
        current = current_session(request)
        sessions = await service.sessions_of(current.person_id)
        return render(request, "accounts/account.html", {"sessions": sessions})

    @post("/sign-out", name="sign_out")
    async def sign_out(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        await service.sign_out(request.scope.get("auth"), actor_of(request))
        response = redirect(request, "/sign-in?signed_out=1")
        response.cookies.append(_session_cookie(settings, "", expire=True))
        return response

    @post("/sign-out-everywhere", name="sign_out_everywhere")
    async def sign_out_everywhere(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        await service.sign_out_everywhere(current_session(request).person_id, actor_of(request))
        response = redirect(request, "/sign-in?signed_out=1")
        response.cookies.append(_session_cookie(settings, "", expire=True))
        response.cookies.append(_device_cookie(settings, "", expire=True))
        return response

    @post("/sessions/{session_id:int}/end", name="end_session")
    async def end_session(self, request: Request[Any, Any, Any], session_id: FromPath[int]) -> Response[Any]:
        current = current_session(request)
        await service.end_other_session(current.person_id, session_id, actor_of(request))
        return redirect(request, "/account")

    @post("/stay-signed-in", name="stay_signed_in")
    async def stay_signed_in(self, request: Request[Any, Any, Any]) -> Template:
        """Restart the idle timer (the timeout warning's button; also a plain form)."""
        current = current_session(request)
        await service.extend_session(current)
        return render(request, "accounts/stay_signed_in.html", fragment="accounts/_stay_signed_in.html")

    @get("/confirm-password", name="confirm_password")
    async def confirm(self, request: Request[Any, Any, Any], next: FromQuery[str] = "/") -> Template:
        return render(request, "accounts/confirm_password.html", {"next": local_target(next)})

    @post("/confirm-password", name="confirm_password_post")
    async def confirm_post(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[ConfirmPasswordForm],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Give the password again before approving money; like a sign-in, it issues a new session token."""
        context = {"next": local_target(data.next)}
        if not data.password:
            return form_errors_page(
                request, "accounts/confirm_password.html", {"password": "Enter your password"}, context
            )
        result = await _sign_in_attempt(request, settings, current_session(request).email, data.password)
        if result.token is None:
            error = "Enter your password correctly" if result.error == service.SIGN_IN_ERROR else result.error
            errors = {"password": error or "Enter your password"}
            return form_errors_page(request, "accounts/confirm_password.html", errors, context)
        return _signed_in(request, settings, result.token, result.device_cookie, context["next"])

    @get("/password", name="change_password")
    async def password(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "accounts/change_password.html", {"form": ChangePasswordForm()})

    @post("/password", name="change_password_post")
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[ChangePasswordForm],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        errors = await service.change_password(
            current_session(request),
            data.current_password,
            data.new_password,
            end_other_sessions=data.end_other_sessions == "yes",
            settings=settings,
            actor=actor_of(request),
        )
        if errors:
            return form_errors_page(
                request,
                "accounts/change_password.html",
                errors,
                {"form": ChangePasswordForm(end_other_sessions=data.end_other_sessions)},
            )
        return redirect(request, "/account?password_changed=1")


class PasswordResetController(Controller):
    path = "/password-reset"

    @get("/", opt=PUBLIC, name="password_reset")
    async def ask(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "accounts/reset_request.html", {"form": ResetRequestForm()})

    @post("/", opt=PUBLIC, name="password_reset_post")
    async def send(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[ResetRequestForm],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        email = data.email.strip()
        if not email or "@" not in email or len(email) > 320:
            message = (
                "Enter your email address"
                if not email
                else "Enter an email address in the correct format, like name@example.com"
            )
            return form_errors_page(
                request, "accounts/reset_request.html", {"email": message}, {"form": data}
            )
        await service.request_password_reset(
            email, settings=settings, request_id=request.scope.get("state", {}).get("request_id", "")
        )
        # The same page whether or not the account exists.
        return render(request, "accounts/reset_sent.html", {"email": email})

    @get("/{token:str}", opt=PUBLIC, name="password_reset_token")
    async def choose(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        valid = await service.valid_reset(token) is not None
        return render(
            request,
            "accounts/reset_choose.html",
            {"valid": valid, "token": token, "min_length": MIN_LENGTH, "max_length": MAX_LENGTH},
        )

    @post("/{token:str}", opt=PUBLIC, name="password_reset_token_post")
    async def set_password(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        data: URLEncodedBody[NewPasswordForm],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        problem = await service.complete_password_reset(
            token,
            data.password,
            settings=settings,
            request_id=request.scope.get("state", {}).get("request_id", ""),
        )
        if problem is not None:
            return form_errors_page(
                request,
                "accounts/reset_choose.html",
                {"password": problem},
                {
                    "valid": await service.valid_reset(token) is not None,
                    "token": token,
                    "min_length": MIN_LENGTH,
                    "max_length": MAX_LENGTH,
                },
            )
        return redirect(request, "/sign-in?password_reset=1")
