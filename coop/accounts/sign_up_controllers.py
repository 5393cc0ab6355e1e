"""HTTP for signing up at /start: the form, the same "check your email" answer whatever the email, and
the emailed link, which is confirmed with a button (so a mail scanner opening the link uses nothing) and
then signs the new account in and goes on to /start."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template
from msgspec import Struct

from coop.accounts import sign_up
from coop.accounts.controllers import PUBLIC, _signed_in
from coop.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from coop.settings import Settings
from coop.web import form_errors_page, redirect, render


class SignUpForm(Struct):
    name: str = ""
    email: str = ""
    password: str = ""


def _request_id(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


LENGTHS = {"min_length": MIN_LENGTH, "max_length": MAX_LENGTH}


class SignUpController(Controller):
    path = "/sign-up"

    @get("/", opt=PUBLIC, name="sign_up")
    async def show(self, request: Request[Any, Any, Any]) -> Response[Any] | Template:
        if request.scope.get("user") is not None:  # signed in already: go straight on
            return redirect(request, "/start")
        return render(request, "accounts/sign_up.html", {"form": SignUpForm(), **LENGTHS})

    @post("/", opt=PUBLIC, name="sign_up_post")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[SignUpForm],
        settings: NamedDependency[Settings],
    ) -> Response[Any] | Template:
        shown = SignUpForm(name=data.name[:300], email=data.email[:400])
        errors = sign_up.sign_up_errors(data.name, data.email, data.password)
        if errors:
            return form_errors_page(request, "accounts/sign_up.html", errors, {"form": shown, **LENGTHS})
        refused = await sign_up.request_sign_up(
            data.name,
            data.email,
            data.password,
            settings=settings,
            address=request.client.host if request.client else "",
            request_id=_request_id(request),
        )
        if refused:
            return form_errors_page(
                request, "accounts/sign_up.html", {"email": refused}, {"form": shown, **LENGTHS}
            )
        # The same page whether or not the email has an account already.
        return render(request, "accounts/sign_up_sent.html", {"email": data.email.strip()})

    @get("/verify/{token:str}", opt=PUBLIC, name="sign_up_verify")
    async def confirm(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        row = await sign_up.valid_sign_up(token)
        context = {"valid": row is not None, "token": token, "email": row["email"] if row else ""}
        return render(request, "accounts/sign_up_verify.html", context)

    @post("/verify/{token:str}", opt=PUBLIC, name="sign_up_verify_post")
    async def verify(
        self, request: Request[Any, Any, Any], token: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any] | Template:
        result = await sign_up.verify_sign_up(
            token,
            settings=settings,
            user_agent=request.headers.get("user-agent", ""),
            previous_token=request.scope.get("auth"),
            request_id=_request_id(request),
        )
        if result.token is None:
            context = {"valid": False, "token": token, "email": "", "problem": result.error}
            return render(request, "accounts/sign_up_verify.html", context)
        return _signed_in(request, settings, result.token, result.device_cookie, "/start?welcome=1")
