"""One error for a refused request (`coop.errors.Refused`), answered once (`coop.web.handle_refused`): the
form page again with its errors and the values as typed, the htmx fragment of it, an API problem detail,
and the plain 403/404 pages; then the same through real controllers (the board, the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, Request, post
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.testing import TestClient

from coop.budgets.service import BudgetError, IdempotencyConflict, NotEnoughMoney, NotFound
from coop.errors import Refused, field_errors_of, form_page, refusal_context
from coop.members.errors import MembershipError
from coop.votes.records import VoteStateError
from coop.web import handle_refused, handle_rule_violation
from governance.violations import RuleViolationError, Violation
from tests.coop.boards.test_board import SECRETARY, directorship, end
from tests.coop.helpers import page_text, sign_in


def test_every_area_error_is_a_refusal_with_the_same_shape():
    membership = MembershipError({"email": "Enter an email address"})
    assert isinstance(membership, Refused) and isinstance(membership, ValueError)
    assert membership.errors == membership.field_errors == {"email": "Enter an email address"}
    assert str(membership) == membership.message == "Enter an email address"
    money = NotEnoughMoney([Violation("budget.amount", "Not enough money in the pool")])
    assert isinstance(money, BudgetError) and money.status_code == 422
    assert money.field_errors == {"amount": "Not enough money in the pool"}
    assert NotFound([Violation("budget.pool", "No such pool")]).status_code == 404
    assert IdempotencyConflict([Violation("budget.key", "Used")]).status_code == 409
    vote = VoteStateError("The vote is already open")
    assert isinstance(vote, Refused) and str(vote) == "The vote is already open" and vote.field_errors == {}


def test_violations_on_one_field_are_joined_and_a_message_alone_is_shown_on_its_own():
    found = [
        Violation("a.amount", "Too much."),
        Violation("b.amount", "Not today."),
        Violation("c.when", "No."),
    ]
    assert field_errors_of(found) == {"amount": "Too much. Not today.", "when": "No."}
    assert Refused.from_violations(found).errors_to_show("reason") == {"reason": "Too much. Not today. No."}
    assert Refused("No more votes").errors_to_show() == {"": "No more votes"}


@post("/things", opt=form_page("things.html", fragment="_things.html"))
async def _refusing(request: Request[Any, Any, Any]) -> None:
    await request.form()  # as a real handler reads it; the page shows it again
    refusal_context(request, pool="The pool")
    raise Refused(field_errors={"name": "Enter a name that is not taken"})


@post("/plain", sync_to_thread=False)
def _plain(request: Request[Any, Any, Any]) -> None:
    raise Refused("Voting has closed", status_code=409)


@post("/hidden", opt=form_page("things.html"), sync_to_thread=False)
def _hidden(request: Request[Any, Any, Any]) -> None:
    raise Refused("no such pool here", status_code=404)


@post("/rule", opt=form_page("things.html"))
async def _rule(request: Request[Any, Any, Any]) -> None:
    await request.form()
    raise RuleViolationError([Violation("x.name", "Names are at most 10 letters")])


@post("/api/v1/things", sync_to_thread=False)
def _api(request: Request[Any, Any, Any]) -> None:
    raise BudgetError([Violation("budget.amount", "Enter an amount above £0")])


@pytest.fixture
def small_app(tmp_path: Path) -> Any:
    (tmp_path / "things.html").write_text(
        "<html>page {{ pool }} [{{ errors.name }}] [{{ form.get('name') }}] [{{ errors[''] }}]</html>"
    )
    (tmp_path / "_things.html").write_text("fragment {{ pool }} [{{ errors.name }}] [{{ form.get('name') }}]")
    (tmp_path / "errors").mkdir()
    (tmp_path / "errors" / "page.html").write_text("<html>{{ status }} {{ title }}: {{ text }}</html>")
    (tmp_path / "errors" / "_fragment.html").write_text("error fragment {{ text }}")
    app = Litestar(
        route_handlers=[_refusing, _plain, _hidden, _rule, _api],
        template_config=TemplateConfig(directory=tmp_path, engine=JinjaTemplateEngine),
        exception_handlers={Refused: handle_refused, RuleViolationError: handle_rule_violation},
    )
    app.state.settings = None
    with TestClient(app) as client:
        yield client


def test_a_refused_form_is_shown_again_with_its_error_and_what_was_typed(small_app):
    page = small_app.post("/things", data={"name": "Riverside <b>"})
    assert page.status_code == 422 and page.headers["vary"] == "HX-Request"
    assert page.text == "<html>page The pool [Enter a name that is not taken] [Riverside &lt;b&gt;] []</html>"


def test_with_htmx_the_refused_form_is_its_fragment(small_app):
    fragment = small_app.post("/things", data={"name": "Ann"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    assert fragment.text == "fragment The pool [Enter a name that is not taken] [Ann]"


def test_a_refusal_without_a_form_page_says_why_on_an_error_page_with_its_status(small_app):
    response = small_app.post("/plain")
    assert response.status_code == 409 and "Voting has closed" in response.text
    assert small_app.post("/plain", headers={"HX-Request": "true"}).text == "error fragment Voting has closed"


def test_a_refused_404_is_the_plain_not_found_page_even_on_a_form_route(small_app):
    response = small_app.post("/hidden")
    assert response.status_code == 404 and "Page not found" in response.text
    assert "no such pool" not in response.text


def test_governance_refusals_are_answered_the_same_way(small_app):
    response = small_app.post("/rule", data={"name": "Bartholomew Ann"})
    assert response.status_code == 422 and "[Names are at most 10 letters] [Bartholomew Ann]" in response.text


def test_under_the_api_a_refusal_is_a_problem_detail_by_field(small_app):
    response = small_app.post("/api/v1/things")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["detail"] == "Enter an amount above £0"
    assert body["errors"] == [{"field": "amount", "detail": "Enter an amount above £0"}]


def test_the_board_refusal_comes_back_through_the_one_handler_with_the_note_as_typed(demo, client):
    sign_in(client, SECRETARY)
    response = end(client, "Priya Shah", "removed", note="Asked by the members' meeting")
    assert response.status_code == 422
    text = page_text(response.text)
    assert "There is a problem" in text
    assert "The board would have 1 family carer; the constitution requires at least 2." in text
    assert "Asked by the members&#39; meeting" in response.text or "Asked by the members' meeting" in text
    assert directorship("Priya Shah")["ceased_on"] is None
