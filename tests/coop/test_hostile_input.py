"""Hostile numbers and text never give a server error (issue #14 item 4).

The first test is generated from the app's route table: every path parameter of every route gets
out-of-range and malformed values, by GET and by each unsafe method (with a valid CSRF token), as a member
who holds every role, so the request reaches the handler and not just a guard. A new route or parameter is
covered without touching this file; a parameter this file cannot find a real value for fails the test.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar.handlers import HTTPRouteHandler

from tests.conftest import run
from tests.coop.helpers import csrf_token, post_form, sign_in

FUZZER = "helen@riverside.example"
HOSTILE = (
    "99999999999999999999999",  # does not fit in a 64-bit integer
    "9223372036854775808",  # 2**63: one past the largest database integer
    "-9223372036854775809",
    "-1",
    "0",
    "abc",
    "%00",  # a NUL byte, which PostgreSQL text refuses
    quote("é😀"),
    "%ff",  # not UTF-8
    "1e400",
    "x" * 3000,
)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"  # well formed, but nobody's
PARAMETER = re.compile(r"{(\w+):\w+}")


def _give_every_role(email: str) -> None:
    """The fuzzer holds every role, is a site admin, and supports Sofia (so /supporting/ routes open)."""
    from coop.accounts.tables import Person
    from coop.members.tables import Member, MemberSupporter, RoleGrant
    from coop.organisations.service import ROLES

    async def main() -> None:
        person = await Person.select(Person.id).where(Person.email == email).first()
        await Person.update({Person.is_site_admin: True}).where(Person.id == person["id"])
        member = (
            await Member.select(Member.id)
            .where((Member.person == person["id"]) & (Member.organisation.slug == "riverside"))
            .first()
        )
        held = {
            r["role"] for r in await RoleGrant.select(RoleGrant.role).where(RoleGrant.member == member["id"])
        }
        for role in set(ROLES) - held:
            await RoleGrant.insert(RoleGrant(member=member["id"], role=role))
        sofia = await Member.select(Member.id).where(Member.name == "Sofia Rossi").first()
        await MemberSupporter.update({MemberSupporter.person: person["id"]}).where(
            MemberSupporter.member == sofia["id"]
        )

    run(main())


async def _first(table: Any, column: Any, *where: Any, default: str | None = None) -> str:
    query = table.select(column)
    for condition in where:
        query = query.where(condition)
    row = await query.first()
    if row is None and default is not None:
        return default
    assert row is not None, f"the demo has no {table._meta.tablename}"
    return str(next(iter(row.values())))


def _real_values() -> dict[str, str]:
    """A real value for every path parameter name, so fuzzing one parameter gets past the others."""
    from coop.accounts.tables import LoginSession
    from coop.api.tables import ApiToken
    from coop.boards.tables import BoardElection, Directorship
    from coop.budgets.tables import BudgetPool, LedgerReversal, LedgerTransaction, PoolAccount, PoolPayment
    from coop.commissioning.tables import CommissionProposal, Contract, Provider, ServiceOffer
    from coop.jobs.tables import Job
    from coop.mail.tables import OutboxMessage
    from coop.meetings.tables import AgendaItem, Attendance, DirectorInterest, Meeting
    from coop.members.tables import (
        Member,
        MemberInvitation,
        MemberLetter,
        MembershipApplication,
        MemberSupporter,
        ProxyAppointment,
    )
    from coop.resolutions.tables import WrittenResolution
    from coop.votes.tables import Vote

    async def main() -> dict[str, str]:
        sofia = await _first(Member, Member.public_id, Member.name == "Sofia Rossi")
        pool = await _first(BudgetPool, BudgetPool.public_id)
        return {
            "org_slug": "riverside",
            "member_id": sofia,
            "vote_id": await _first(Vote, Vote.id),
            "pool_id": pool,
            "account_id": await _first(PoolAccount, PoolAccount.public_id, PoolAccount.kind == "contributor"),
            "payment_id": await _first(PoolPayment, PoolPayment.public_id),
            "txn_id": await _first(LedgerTransaction, LedgerTransaction.public_id),
            "reversal_id": await _first(LedgerReversal, LedgerReversal.public_id, default=UNKNOWN_UUID),
            "contract_id": await _first(Contract, Contract.public_id),
            "proposal_id": await _first(CommissionProposal, CommissionProposal.public_id),
            "offer_id": await _first(ServiceOffer, ServiceOffer.public_id),
            "provider_id": await _first(Provider, Provider.public_id),
            "application_id": await _first(MembershipApplication, MembershipApplication.public_id),
            "invitation_id": await _first(MemberInvitation, MemberInvitation.public_id, default=UNKNOWN_UUID),
            "letter_id": await _first(MemberLetter, MemberLetter.public_id),
            "proxy_id": await _first(ProxyAppointment, ProxyAppointment.public_id),
            "supporter_id": await _first(MemberSupporter, MemberSupporter.id),
            "message_id": await _first(OutboxMessage, OutboxMessage.id, default="1"),
            "job_id": await _first(Job, Job.id, default="1"),
            "directorship_id": await _first(Directorship, Directorship.public_id),
            "election_id": await _first(BoardElection, BoardElection.public_id),
            "resolution_id": await _first(WrittenResolution, WrittenResolution.public_id),
            "session_id": await _first(LoginSession, LoginSession.id),
            "class_key": "budget_holder",
            "document_key": "register-of-members",
            "version": "1",
            "token": "a" * 43,
            "file_path": "build/coop.css",
            "path": "openapi.json",  # Litestar's OpenAPI router: /api/v1/openapi.json/{path}
            "token_id": await _first(ApiToken, ApiToken.id, default="1"),
            "founder_number": "1",  # /start/founders/<n>: a founder in the person's draft
            "question": "name",  # /start/<question>
            # The demo's first meeting, and its first item and arrival.
            "meeting_id": await _first(Meeting, Meeting.public_id),
            "item_id": await _first(AgendaItem, AgendaItem.public_id),
            "attendance_id": await _first(Attendance, Attendance.id),
            "interest_id": await _first(DirectorInterest, DirectorInterest.public_id),
        }

    return run(main())


def _routes(app: Any) -> list[tuple[str, dict[str, type], list[str]]]:
    """(path template, its parameters and their types, its methods) for every route with a parameter."""
    found = []
    for route in app.routes:
        methods = sorted(
            {
                method
                for handler in getattr(route, "route_handlers", [])
                if isinstance(handler, HTTPRouteHandler)
                for method in handler.http_methods
                if method in {"GET", *UNSAFE}
            }
        )
        if route.path_parameters and methods:
            params = {name: p.type for name, p in route.path_parameters.items()}
            found.append((route.path, params, methods))
    return found


def _fill(template: str, values: dict[str, str]) -> str:
    return PARAMETER.sub(lambda match: values[match.group(1)], template)


def test_every_path_parameter_of_every_route_survives_hostile_values(demo, client):
    from coop.app import create_app

    _give_every_role(FUZZER)
    sign_in(client, FUZZER)
    real = _real_values()
    token = csrf_token(client)
    routes = _routes(create_app(demo, use_pool=False))
    assert len(routes) >= 100, "the route table was not read"
    missing = {name for _, params, _ in routes for name in params} - real.keys()
    assert not missing, f"give these path parameters a real value in _real_values: {missing}"
    failures, sent = [], 0
    for template, params, methods in routes:
        for name, kind in params.items():
            for value in HOSTILE:
                url = _fill(template, {**{n: quote(real[n], safe="/") for n in params}, name: value})
                for method in methods:
                    if method == "GET":
                        response = client.get(url, follow_redirects=False)
                    else:
                        response = client.request(
                            method,
                            url,
                            data={"_csrf_token": token},
                            headers={"x-csrftoken": token},
                            follow_redirects=False,
                        )
                    sent += 1
                    # No value here is an id any row has: an integer parameter must be "not found".
                    status = response.status_code
                    if status >= 500 or (kind is int and status != 404):
                        failures.append(f"{method} {url[:120]} -> {response.status_code}")
    assert sent > 1000
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("param", ["vote_id", "message_id", "session_id"])
def test_out_of_range_ids_are_not_found(demo, client, param):
    _give_every_role(FUZZER)
    sign_in(client, FUZZER)
    url = {
        "vote_id": "/o/riverside/votes/{}",
        "message_id": "/admin/outbox/{}",
        "session_id": "/account/sessions/{}/end",
    }[param]
    for value in ("99999999999999999999999", "9223372036854775808", "0", "-1", "-9223372036854775809"):
        if param == "session_id":
            response = post_form(client, url.format(value))
        else:
            response = client.get(url.format(value))
        assert response.status_code == 404, (value, response.status_code)
        assert "Page not found" in response.text


HOSTILE_NUMBERS = (
    "9" * 40,
    "99999999999999999999",
    "9223372036854775808",
    "-1",
    "0",
    "²",  # str.isdigit() says yes, int() says no
    "٣",  # an Arabic-Indic three
    "1e3",
    " 12 ",
    "\x00",
    "",
)
NUMBER_TEXT = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS), st.integers().map(str), st.text(max_size=25), st.just("x" * 5000)
)


def _form_targets() -> dict[str, tuple[str, dict[str, str], list[str]]]:
    """Every form with a number or date field: (address, its other fields, the fields to fuzz)."""
    from coop.budgets.tables import BudgetPool, PoolAccount
    from coop.commissioning.tables import ServiceOffer
    from coop.members.tables import Member
    from coop.votes.tables import Vote

    async def main() -> dict[str, tuple[str, dict[str, str], list[str]]]:
        pool = await BudgetPool.select(BudgetPool.id, BudgetPool.public_id).first()
        account = await _first(PoolAccount, PoolAccount.id, PoolAccount.pool == pool["id"])
        offer = await _first(ServiceOffer, ServiceOffer.public_id)
        jamie = await _first(Member, Member.public_id, Member.name == "Jamie Carter")
        vote = await _first(Vote, Vote.id, Vote.status == "open")
        budget = f"/o/riverside/budgets/{pool['public_id']}"
        period = [f"period_{end}_{part}" for end in ("start", "end") for part in ("day", "month", "year")]
        return {
            "money in": (
                f"{budget}/money-in/check",
                {"account": account, "amount": "10", "funding_source": "self_funded"},
                ["account", "amount", *period],
            ),
            "payment": (f"{budget}/pay/check", {"payee": "PA", "description": "Support"}, ["amount"]),
            "new pool": (
                "/o/riverside/budgets/new",
                {"name": "Pool", "purpose": "Support", "cost_rule": "equal"},
                ["contingency_weeks", "floor"],
            ),
            "people in a pool": (f"{budget}/people", {}, ["member", "share", "floor"]),
            "proposal": (
                f"/o/riverside/commissioning/offers/{offer}/propose/check",
                {"pool": str(pool["public_id"])},
                ["quantity", *period],
            ),
            "new member": (
                "/o/riverside/register/new",
                {
                    "name": "Ann Other",
                    "member_class": "budget_holder",
                    "contact_by": "post",
                    "address": "1 Road",
                },
                ["shares_held", "admitted_day", "admitted_month", "admitted_year"],
            ),
            "expulsion decided": (
                f"/o/riverside/register/{jamie}/expulsion",
                {"step": "decide", "decided_by": "general meeting"},
                ["votes_for", "votes_cast"],
            ),
            "proxy for a meeting": (
                "/o/riverside/me/proxies",
                {"proxy": jamie, "scope": "meeting", "meeting_name": "AGM"},
                ["meeting_day", "meeting_month", "meeting_year", "meeting_time"],
            ),
            "new vote": (
                "/o/riverside/votes/new",
                {"title": "T", "question": "Q?", "kind": "stv", "purpose": "election", "options": "A\nB"},
                ["seats", "closes_at", "opens_at"],
            ),
            "ballot": (f"/o/riverside/votes/{vote}/check", {}, ["choice"]),
            "ranking": (f"/o/riverside/votes/{vote}/ranking", {"choice": "0"}, ["position"]),
        }

    return run(main())


@pytest.mark.parametrize(
    "target",
    [
        "money in",
        "payment",
        "new pool",
        "people in a pool",
        "proposal",
        "new member",
        "expulsion decided",
        "proxy for a meeting",
        "new vote",
        "ballot",
        "ranking",
    ],
)
def test_number_and_date_fields_never_give_a_server_error(demo, client, target):
    _give_every_role(FUZZER)
    sign_in(client, FUZZER)
    url, fixed, fuzzed = _form_targets()[target]

    @hypothesis_settings(max_examples=30, database=None)
    @given(st.fixed_dictionaries({name: NUMBER_TEXT for name in fuzzed}))
    def post_hostile(values: dict[str, str]) -> None:
        response = post_form(client, url, {**fixed, **values})
        assert response.status_code < 500, (values, response.status_code)

    post_hostile()


@pytest.mark.parametrize("year", ["9" * 40, "99999", "0", "٢٠٢٦", "²⁰²⁶"])
@pytest.mark.parametrize("target", ["money in", "proposal"])
def test_an_impossible_year_is_an_error_next_to_the_date(demo, client, target, year):
    _give_every_role(FUZZER)
    sign_in(client, FUZZER)
    url, fixed, _ = _form_targets()[target]
    dates = {
        "period_start_day": "1",
        "period_start_month": "4",
        "period_start_year": year,
        "period_end_day": "30",
        "period_end_month": "6",
        "period_end_year": "2026",
    }
    response = post_form(client, url, {**fixed, **dates})
    assert response.status_code == 422
    assert 'href="#period_start_day"' in response.text  # the error summary links to the field
    assert "The start of the period must be a real date, like 1 4 2026" in response.text


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("31", "2", "2026"), ("29", "2", "2025"), ("1", "13", "2026"), ("0", "1", "2026")],
)
def test_a_date_that_does_not_exist_is_an_error_next_to_the_date(demo, client, day, month, year):
    _give_every_role(FUZZER)
    sign_in(client, FUZZER)
    fields = {"name": "Ann Other", "member_class": "budget_holder", "contact_by": "post", "address": "1 Road"}
    response = post_form(
        client,
        "/o/riverside/register/new",
        {**fields, "admitted_day": day, "admitted_month": month, "admitted_year": year},
    )
    assert response.status_code == 422
    assert 'href="#admitted_day"' in response.text
    assert "The date they were admitted must be a real date" in response.text


@given(st.text(max_size=30), st.integers(min_value=-(2**70), max_value=2**70))
def test_whole_number_is_in_range_or_none(raw, high):
    from coop.form_values import whole_number

    value = whole_number(raw, low=0, high=high)
    assert value is None or 0 <= value <= high
    if value is not None:
        assert raw.strip().isascii() and str(value) == raw.strip().lstrip("0").rjust(1, "0")


@given(st.dictionaries(st.sampled_from(["d_day", "d_month", "d_year"]), NUMBER_TEXT))
def test_read_date_gives_a_date_or_an_error_on_the_day_field(form):
    from coop.form_values import read_date

    errors: dict[str, str] = {}
    value = read_date(form, "d", "date", errors)
    assert (value is None) == (errors != {})
    assert set(errors) <= {"d_day"}
