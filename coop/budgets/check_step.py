"""The check step every money form takes (money in, a payment, a proposal, an invoice): the form is
posted to its check page, which shows what will happen and carries a signed token of exactly that; the
action records it only with that token, so nothing is recorded that its maker did not see first (M12).
Shared by the budgets and commissioning controllers so each form's steps read the same."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from litestar import Request
from litestar.response import Template

from coop.budgets.forms import check_token_ok
from coop.errors import refusal_context
from coop.web import form_errors_page


class CheckedForm(Protocol):
    errors: dict[str, str]

    def payload(self) -> dict[str, Any]: ...


CheckPage = Callable[[], Awaitable[Template]]


async def form_or_check_page(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any],
    data: CheckedForm,
    check_page: CheckPage,
) -> Template:
    """The check step: the form again with its errors (`context` has the form as sent), else the check
    page."""
    if data.errors:
        return form_errors_page(request, template, data.errors, context)
    return await check_page()


async def unless_checked(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any],
    data: CheckedForm,
    check_page: CheckPage,
    *,
    secret: str,
    kind: str,
    extra: Mapping[str, Any] | None = None,
    refused: Mapping[str, Any] | None = None,
) -> Template | None:
    """The action's step before it records: what `form_or_check_page` shows when the form has errors or
    did not come through the check page (or was changed since); None when it did, so the action goes on.
    A refusal then shows the route's form page with `refused` (by default `context`)."""
    if data.errors or not check_token_ok(
        secret, kind, {**data.payload(), **(extra or {})}, str(context["form"].get("check", ""))
    ):
        return await form_or_check_page(request, template, context, data, check_page)
    refusal_context(request, context if refused is None else refused)
    return None
