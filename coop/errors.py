"""`Refused`: the one error a service raises when a request is refused, with why, field by field.

Services raise it (or an area's subclass: MembershipError, BudgetError, VoteStateError, BoardError);
controllers do not catch it. `coop.web.handle_refused`, registered once in `create_app`, turns it into the
form page again (422, error summary, messages by the fields, the values as typed), the htmx fragment of that
form, or under /api/ an RFC 9457 problem detail. A route names the form page to show with `form_page(...)`
in its `opt`; a handler adds what the page needs besides the form with `refusal_context(request, ...)`, or,
when that takes queries a request that succeeds should not pay for, with `on_refusal(request, load)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from governance.violations import Violation

FORM_PAGE = "form_page"
"""The route `opt` key naming the page to show again when a request is refused (see `form_page`)."""
REFUSAL_CONTEXT = "refusal_context"
"""The request-state key holding what that page needs besides the form and its errors."""


class Refused(Exception):
    """This request is refused, and why: a plain-English `message` safe to show, and `field_errors`
    mapping form fields to messages to show next to them. Nothing was changed.

    `status_code` is 422 unless the refusal says otherwise (404 for "no such thing here", 409 for a
    conflict). `violations` keeps governance's typed violations (stable codes) when there were any.
    """

    status_code: int = 422

    def __init__(
        self,
        message: str = "",
        *,
        field_errors: Mapping[str, str] | None = None,
        violations: Iterable[Violation] = (),
        status_code: int | None = None,
    ) -> None:
        self.field_errors: dict[str, str] = dict(field_errors or {})
        self.violations: list[Violation] = list(violations)
        self.message = message or "; ".join(self.field_errors.values())
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.message)

    @classmethod
    def from_violations(cls, violations: Iterable[Violation], **kwargs: Any) -> Refused:
        """Refused for governance's violations: each message under the field its code ends with
        ("budget.amount" -> "amount"); several on one field are joined."""
        found = list(violations)
        return cls(
            " ".join(v.message for v in found),
            field_errors=field_errors_of(found),
            violations=found,
            **kwargs,
        )

    def errors_to_show(self, field: str | None = None) -> dict[str, str]:
        """What the error summary lists: every reason by `field` when the page asks one question, else the
        field errors, or the message alone when no field is named."""
        if field is not None:
            return {field: " ".join(v.message for v in self.violations) or self.message}
        return dict(self.field_errors) if self.field_errors else {"": self.message}


def field_errors_of(violations: Iterable[Violation]) -> dict[str, str]:
    """Violations by the field their code names (the code's last part), messages on one field joined."""
    errors: dict[str, str] = {}
    for violation in violations:
        name = violation.code.rsplit(".", 1)[-1]
        errors[name] = f"{errors[name]} {violation.message}" if name in errors else violation.message
    return errors


@dataclass(frozen=True, slots=True)
class FormPage:
    """The page a refused request shows again: its template, for htmx the fragment to swap in, and for a
    page that asks one question the `field` every reason is shown by."""

    template: str
    fragment: str | None = None
    field: str | None = None


def form_page(
    template: str, *, fragment: str | None = None, field: str | None = None, **opt: Any
) -> dict[str, Any]:
    """A route `opt` declaring the form page to show again when its service refuses the request, e.g.
    `@post("/x", opt=form_page("area/form.html", fragment="area/_form.html"))`. Other opt keys pass
    through (`form_page("a.html", public=True)`). A refusal of 403 or 404 is never a form: it is the
    "You cannot do this" or "Page not found" page."""
    return {**opt, FORM_PAGE: FormPage(template, fragment, field)}


def refusal_context(request: Any, context: Mapping[str, Any] | None = None, **more: Any) -> None:
    """What the route's form page needs besides the submitted form and its errors (the pool, the list of
    choices), recorded before calling the service so a refusal can show the page again."""
    state = request.scope.setdefault("state", {})
    state[REFUSAL_CONTEXT] = {**state.get(REFUSAL_CONTEXT, {}), **(context or {}), **more}


@asynccontextmanager
async def on_refusal(request: Any, load: Callable[[], Awaitable[Mapping[str, Any]]]) -> AsyncIterator[None]:
    """For a form page that needs queries of its own to show again (a member's whole page, say): run the
    block, and only if it is refused, `load` that context and let the refusal go on to `coop.web`, which
    shows the route's `form_page` with it. A request that succeeds pays for none of those queries, and the
    page is still answered in the one place (an exception handler cannot await, so it cannot load them)."""
    try:
        yield
    except Refused:
        refusal_context(request, await load())
        raise
