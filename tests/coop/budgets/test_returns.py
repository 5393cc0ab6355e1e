"""Direct-payment monitoring returns and the pool's open page: the return reconciles with the ledger to
the penny (by example and over generated ledgers), only the board, the person and their supporter see
it, each download is audited and formula-escaped, and the open page shows no other member's figures."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from tests.conftest import make_client, run
from tests.coop.budgets.helpers import actor, make_pool, reverse
from tests.coop.helpers import page_text, sign_in


def _contribute(
    setup, account, pence, source="direct_payment", funder="Riverside Council", key="", period=None
):
    from coop.budgets import contributions
    from governance.budget import FundingSource

    start, end = period or (date(2026, 4, 1), date(2026, 6, 30))

    return run(
        contributions.record_contribution(
            setup.organisation_id,
            setup.pool_id,
            account,
            amount_pence=pence,
            funding_source=FundingSource(source),
            funder=funder,
            period_start=start,
            period_end=end,
            idempotency_key=key or f"ret-{setup.pool_public_id[:8]}-{account}-{pence}-{source}",
            actor=actor(setup.people["daniel"]),
        )
    )


def _pay(setup, payee, pence, key):
    from coop.budgets import payments

    return run(
        payments.request_payment(
            setup.organisation_id,
            setup.pool_id,
            payments.PaymentRequest(payee, "Support sessions", pence, key),
            actor=actor(setup.people["daniel"]),
        )
    )


def _stored(account_id):
    from coop.budgets.tables import PoolAccount

    return int(run(PoolAccount.select().where(PoolAccount.id == account_id).first())["balance_pence"])


def test_a_return_adds_up_to_the_statement_and_the_stored_balance(demo):
    from coop import clock
    from coop.budgets import pools, returns

    setup = make_pool(contributors=3)
    first = setup.accounts[0]
    _contribute(setup, first, 60_000)
    _contribute(setup, first, 12_345, "personal_health_budget", "NHS Riverside")
    wrong = _contribute(setup, first, 500, "self_funded", "")
    for other in setup.accounts[1:]:
        _contribute(setup, other, 20_000)
    _pay(setup, "Northway Support Ltd", 30_000, "ret-pay-000000000001")
    reverse(setup, wrong.public_id, reason="Typed twice", person_id=1)
    today = clock.today_in_london()
    # The money in covers April to June 2026, so it counts in that quarter (with the wrong entry and its
    # correction side by side), whenever it was recorded; the payment has no service dates, so it
    # counts on the day it was recorded.
    spring = run(returns.monitoring_return(first, date(2026, 4, 1), date(2026, 6, 30)))
    assert spring.opening_pence == 0 and spring.total_bought_pence == 0
    assert spring.total_in_pence == 60_000 + 12_345 + 500 - 500
    assert [line.amount_pence for line in spring.money_in if line.source == "self_funded"] == [500, -500]
    sheet = run(returns.monitoring_return(first, returns.quarter_of(today)[0], today))
    assert sheet.opening_pence == 72_345 and sheet.total_in_pence == 0
    assert sheet.total_bought_pence == 10_000  # a third of £300
    assert sheet.closing_pence == 62_345
    assert sheet.closing_pence == run(pools.statement(first))["closing"] == _stored(first)
    sources = {(t.name, t.funder): t.amount_pence for t in spring.by_source}
    assert sources == {
        ("Direct payment", "Riverside Council"): 60_000,
        ("Personal health budget", "NHS Riverside"): 12_345,
        ("Self-funded", ""): 0,
    }
    assert [(b.payee, b.amount_pence) for b in sheet.bought] == [("Northway Support Ltd", 10_000)]
    # A period that ends before anything happened is empty; one that starts after opens with everything.
    before = run(returns.monitoring_return(first, date(2020, 1, 1), date(2020, 3, 31)))
    assert (before.opening_pence, before.closing_pence, before.money_in, before.bought) == (0, 0, [], [])
    after = run(returns.monitoring_return(first, today + timedelta(days=1), today + timedelta(days=2)))
    assert after.opening_pence == after.closing_pence == 62_345 and not after.money_in


def test_council_quarters_run_april_to_june_and_so_on():
    from coop.budgets.returns import quarter_of

    assert quarter_of(date(2026, 4, 1)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter_of(date(2026, 11, 23)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2027, 2, 28)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert quarter_of(date(2026, 9, 30)) == (date(2026, 7, 1), date(2026, 9, 30))


# ---------------------------------------------------------------------------------------------------------
# Who may see a return
# ---------------------------------------------------------------------------------------------------------


def _demo_pool():
    from coop.budgets.tables import BudgetPool, PoolAccount

    pool = run(BudgetPool.select().where(BudgetPool.name == "Shared support worker").first())
    accounts = {
        a["name"]: a
        for a in run(
            PoolAccount.select().where((PoolAccount.pool == pool["id"]) & (PoolAccount.kind == "contributor"))
        )
    }
    return pool, accounts


def test_only_the_board_the_person_and_their_supporter_see_a_return(demo, settings):
    from coop.members.tables import Member

    pool, accounts = _demo_pool()
    base = f"/o/riverside/budgets/{pool['public_id']}"
    sofia = accounts["Sofia Rossi"]
    url = f"{base}/accounts/{sofia['public_id']}/return"
    expected = {
        "daniel": 200,  # treasurer
        "helen": 200,  # secretary
        "priya": 200,  # director
        "sofia": 200,  # herself
        "jamie": 404,  # another member of the same pool
        "ruth": 404,  # a member outside the pool
        "maria": 404,  # Sofia's supporter, but not through the supporter's pages
        "lena": 404,  # another organisation
    }
    sofia_member = run(Member.select(Member.public_id).where(Member.name == "Sofia Rossi").first())
    supporting = f"/o/riverside/supporting/{sofia_member['public_id']}/budgets/{pool['public_id']}/return"
    for who, status in expected.items():
        email = f"{who}@{'northfield' if who == 'lena' else 'riverside'}.example"
        with make_client(settings) as client:
            sign_in(client, email)
            page = client.get(url)
            assert page.status_code == status, who
            download = client.get(url.replace("/return", "/return.csv"))
            assert download.status_code == status, who
            if status == 200:
                assert "Direct payment monitoring return for Sofia Rossi" in page_text(page.text)
            else:
                assert "60,000" not in page.text and "Sofia Rossi" not in page.text
            # The supporter's own route: Maria only.
            assert client.get(supporting).status_code == (200 if who == "maria" else 404), who
    with make_client(settings) as client:
        sign_in(client, "jamie@riverside.example")
        own = client.get(f"{base}/accounts/{accounts['Jamie Carter']['public_id']}/return")
        assert own.status_code == 200 and "Jamie Carter" in own.text
        assert client.get(f"{base}/returns").status_code == 403  # the board's list of returns


def test_the_supporter_sees_the_members_return_and_downloads_it(demo, client):
    from coop.audit.tables import AuditEvent
    from coop.members.tables import Member

    pool, accounts = _demo_pool()
    sofia = run(Member.select(Member.public_id).where(Member.name == "Sofia Rossi").first())
    base = f"/o/riverside/supporting/{sofia['public_id']}/budgets"
    sign_in(client, "maria@riverside.example")
    index = client.get(f"{base}/")
    assert index.status_code == 200 and "Monitoring return for Shared support worker" in page_text(index.text)
    page = client.get(f"{base}/{pool['public_id']}/return")
    assert "£600.00" in page.text  # Sofia's direct payment into the demo pool
    before = run(AuditEvent.count().where(AuditEvent.action == "budget.return_downloaded"))
    assert client.get(f"{base}/{pool['public_id']}/return.csv").status_code == 200
    event = run(
        AuditEvent.select()
        .where(AuditEvent.action == "budget.return_downloaded")
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    assert run(AuditEvent.count().where(AuditEvent.action == "budget.return_downloaded")) == before + 1
    assert event["target_id"] == str(accounts["Sofia Rossi"]["public_id"])
    maria = run(
        __import__("coop.accounts.tables", fromlist=["Person"])
        .Person.select()
        .where(
            __import__("coop.accounts.tables", fromlist=["Person"]).Person.email == "maria@riverside.example"
        )
        .first()
    )
    assert event["actor"] == maria["id"]


# ---------------------------------------------------------------------------------------------------------
# The page and the CSV
# ---------------------------------------------------------------------------------------------------------


def test_the_csv_is_formula_escaped_and_matches_the_page(demo, client):
    from coop import clock
    from coop.audit.tables import AuditEvent
    from coop.budgets.returns import quarter_of

    setup = make_pool(contributors=2)
    account = setup.accounts[0]
    now = quarter_of(clock.today_in_london())  # the return's default period
    _contribute(setup, account, 40_000, "grant", '=HYPERLINK("http://evil.example")', period=now)
    _contribute(setup, setup.accounts[1], 40_000, period=now)
    _pay(setup, "@SUM(A1:A9)", 10_001, "ret-pay-000000000002")
    from coop.budgets.tables import PoolAccount

    public_id = run(PoolAccount.select(PoolAccount.public_id).where(PoolAccount.id == account).first())[
        "public_id"
    ]
    url = f"/o/riverside/budgets/{setup.pool_public_id}/accounts/{public_id}/return"
    sign_in(client, "daniel@riverside.example")
    page = client.get(url)
    assert page.status_code == 200
    figures = dict(re.findall(r'data-figure="(\w+)">(?:<strong>)?([^<]+)<', page.text))
    assert figures == {
        "opening": "£0.00",
        "in": "£400.00",
        "out": "£50.01",
        "closing": "£349.99",
        "unspent": "£349.99",
    }
    response = client.get(url.replace("/return", "/return.csv"))
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    cells = [c for row in rows for c in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells and "'@SUM(A1:A9)" in cells
    assert not any(c[:1] in ("=", "@", "+") for c in cells)
    summary = {row[0]: row[1] for row in rows if len(row) == 2}
    assert summary["Closing balance (£)"] == "349.99" == summary["Unspent at the end of the period (£)"]
    assert summary["Total spent (£)"] == "50.01"
    assert run(AuditEvent.count().where(AuditEvent.action == "budget.return_downloaded")) == 1


def test_a_wrong_period_is_explained_next_to_the_field(demo, client):
    pool, accounts = _demo_pool()
    url = f"/o/riverside/budgets/{pool['public_id']}/accounts/{accounts['Jamie Carter']['public_id']}/return"
    sign_in(client, "jamie@riverside.example")
    bad = client.get(url, params={"from_day": "31", "from_month": "2", "from_year": "2026"})
    assert bad.status_code == 422 and "The start date must be a real date" in bad.text
    backwards = {
        "from_day": "1",
        "from_month": "5",
        "from_year": "2026",
        "to_day": "1",
        "to_month": "4",
        "to_year": "2026",
    }
    assert (
        "The end date must be the same as or after the start date" in client.get(url, params=backwards).text
    )
    assert client.get(url.replace("/return", "/return.csv"), params=backwards).status_code == 404
    old = client.get(
        url,
        params={
            "from_day": "1",
            "from_month": "4",
            "from_year": "2020",
            "to_day": "30",
            "to_month": "6",
            "to_year": "2020",
        },
    )
    assert old.status_code == 200 and "No money came in during this period" in old.text


# ---------------------------------------------------------------------------------------------------------
# The pool's open page
# ---------------------------------------------------------------------------------------------------------


def _money_forms(pence: int) -> list[str]:
    from governance.budget import format_pence

    pounds, rest = divmod(pence, 100)
    return [format_pence(pence), f"{pounds:,}.{rest:02d}", f"{pounds}.{rest:02d}"]


def test_the_open_page_shows_totals_by_service_and_nobody_elses_money(demo, client):
    from coop.budgets import pools
    from coop.budgets.tables import PoolAccount

    setup = make_pool(contributors=6, cost_rule="fixed_shares")
    names = {
        a: run(PoolAccount.select(PoolAccount.name).where(PoolAccount.id == a).first())["name"]
        for a in setup.accounts
    }
    jamie = next(a for a, n in names.items() if n == "Jamie Carter")
    deposits = dict(zip(setup.accounts, [123_457, 98_761, 77_713, 66_619, 54_329, 43_211], strict=True))
    for account, pence in deposits.items():
        _contribute(setup, account, pence)
    _pay(setup, "Northway Support Ltd", 21_007, "ret-pay-000000000003")
    _pay(setup, "Riverside Arts CIC", 4_213, "ret-pay-000000000004")
    sign_in(client, "jamie@riverside.example")
    page = client.get(f"/o/riverside/budgets/{setup.pool_public_id}/spending")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "Money spent on each service" in html
    text = page_text(html)
    assert "Northway Support Ltd £210.07" in text and "Riverside Arts CIC £42.13" in text
    assert "Money in £4,640.90" in text  # every contribution together
    # Jamie's own figures are there ...
    mine = run(pools.statement(jamie))
    assert f"You have now {_money_forms(mine['closing'])[0]}" in text
    assert f"You put in {_money_forms(deposits[jamie])[0]}" in text
    # ... and nobody else's: no deposit, balance or share of another person appears anywhere.
    allowed = {
        s
        for p in (
            464_090,
            25_220,
            464_090 - 25_220,
            21_007,
            4_213,
            deposits[jamie],
            mine["closing"],
            deposits[jamie] - mine["closing"],
        )
        for s in _money_forms(p)
    }
    for account in setup.accounts:
        if account == jamie:
            continue
        other = run(pools.statement(account))
        spent = deposits[account] - other["closing"]
        for pence in (deposits[account], other["closing"], spent):
            for form in _money_forms(pence):
                assert form not in allowed
                assert not re.search(rf"(?<![\d,.]){re.escape(form)}(?!\d)", html), (names[account], form)
    # Someone outside the pool sees the totals and no "Your money".
    with make_client(client.app.state.settings) as ruth:
        sign_in(ruth, "ruth@riverside.example")
        theirs = ruth.get(f"/o/riverside/budgets/{setup.pool_public_id}/spending")
        assert "Northway Support Ltd" in theirs.text and "Your money" not in theirs.text
