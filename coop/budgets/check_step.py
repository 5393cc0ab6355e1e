"""The check step every money form takes (money in, a payment, a proposal, an invoice): the form is
posted to its check page, which shows what will happen and carries a signed token of exactly that; the
action records it only with that token, so nothing is recorded that its maker did not see first (M12).
Shared by the budgets and commissioning controllers so each form's steps read the same."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from litestar import Request
from litestar.response import Template

from coop.budgets.forms import check_token_ok
from coop.errors import refusal_context
from coop.web import form_errors_page


class CheckedForm(Protocol):
    errors: dict[str, str]

    def payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class CheckStep:
    """One form as posted: its page (`template`, shown again with `context`, which has the form as sent),
    what was read from it (`data`), and how to show its check page."""

    template: str
    kind: str  # what the check token is for ("payment"): a token for one kind never passes for another
    context: Mapping[str, Any]
    data: CheckedForm
    check_page: Callable[[], Awaitable[Template]]
    extra: Mapping[str, Any] | None = None  # signed with the form's own payload (what it is about)

    async def page(self, request: Request[Any, Any, Any]) -> Template:
        """The check route's answer: the form again with its errors, else the check page."""
        if self.data.errors:
            return form_errors_page(request, self.template, self.data.errors, self.context)
        return await self.check_page()

    async def unless_checked(
        self, request: Request[Any, Any, Any], secret: str, refused: Mapping[str, Any] | None = None
    ) -> Template | None:
        """The action's step before it records: `page` when the form has errors or did not come through
        the check page (or was changed since); None when it did, so the action goes on, and a refusal
        then shows the route's form page with `refused` (by default `context`)."""
        token = str(self.context["form"].get("check", ""))
        payload = {**self.data.payload(), **(self.extra or {})} if not self.data.errors else {}
        if self.data.errors or not check_token_ok(secret, self.kind, payload, token):
            return await self.page(request)
        refusal_context(request, self.context if refused is None else refused)
        return None
