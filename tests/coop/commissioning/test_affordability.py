"""Members are never asked to vote for what the pool cannot buy (issue 14, item 7). Affordability is
checked when a proposal is made (an error next to the field, with the figures), again in the transaction
that opens its vote or records the board's last approval, and (as before) when it becomes a contract.
"Uncommitted" counts open contracts, payments awaiting approval and approved purchases not yet contracted.
The ballot and the vote's page show the cost, the cost a week and what the pool has uncommitted.

The demo constitution (cic_guarantee): members vote on every new contract; £500 or more needs two people.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.conftest import run
from tests.coop.budgets.helpers import actor, make_pool
from tests.coop.commissioning.helpers import (
    approve_by_board,
    board_decides,
    form_dates,
    hidden_fields,
    make_contract,
    make_offer,
    propose,
)
from tests.coop.helpers import page_text, post_form, sign_in

BASE = "/o/riverside/commissioning"


def _fields(setup: Any, hours: int) -> dict[str, Any]:
    return {
        "pool": setup.pool_public_id,
        "quantity": str(hours),
        "participants": [str(a) for a in setup.accounts],
        "vote_days": "7",
        **form_dates(),
    }


def _counts(setup: Any) -> tuple[int, int]:
    from coop.commissioning.tables import CommissionProposal
    from coop.votes.tables import Vote

    proposals = run(CommissionProposal.count().where(CommissionProposal.pool == setup.pool_id))
    votes = run(Vote.count().where(Vote.organisation == setup.organisation_id))
    return proposals, votes


def _pay_out(setup: Any, payee: str, pence: int, key: str) -> Any:
    from coop.budgets import payments

    return run(
        payments.request_payment(
            setup.organisation_id,
            setup.pool_id,
            payments.PaymentRequest(payee, "Other support", pence, key.ljust(16, "0")),
            actor=actor(setup.people["daniel"]),
        )
    )


def test_a_proposal_the_pool_cannot_fund_is_refused_with_the_figures_before_any_vote(demo, client):
    setup = make_pool(contributors=2, deposit_pence=50_000)  # £1,000 in the pool
    offer = make_offer(setup.organisation_id, price_pence=6_000)
    before = _counts(setup)
    sign_in(client, "daniel@riverside.example")
    url = f"{BASE}/offers/{offer['public_id']}/propose"

    too_much = post_form(client, f"{url}/check", _fields(setup, 20))  # £1,200
    assert too_much.status_code == 422
    assert 'href="#quantity"' in too_much.text and 'id="quantity-error"' in too_much.text
    text = page_text(too_much.text)
    assert (
        "Test pool cannot pay for this: it costs £1,200.00, but the pool has £1,000.00 not yet committed"
        in text
    )
    assert "so it can take on at most £1,000.00" in text
    # Going past the check page does not help: nothing is recorded and no vote opens.
    refused = post_form(client, url, _fields(setup, 20))
    assert refused.status_code == 422 and "£1,200.00" in page_text(refused.text)
    assert _counts(setup) == before

    fits = post_form(client, f"{url}/check", _fields(setup, 15))  # £900
    assert fits.status_code == 200
    text = page_text(fits.text)
    assert "Not yet committed £1,000.00" in text and "Left after this purchase £100.00" in text
    assert "About £68.48 a week, over 92 days" in text  # £900 x 7 / 92, rounded up
    sent = post_form(client, url, hidden_fields(fits.text, url))
    assert sent.status_code == 303
    assert _counts(setup) == (before[0] + 1, before[1] + 1)


def test_money_gone_between_the_check_page_and_sending_stops_the_vote_opening(demo, client):
    setup = make_pool(contributors=2, deposit_pence=50_000)
    offer = make_offer(setup.organisation_id, price_pence=6_000)
    sign_in(client, "daniel@riverside.example")
    url = f"{BASE}/offers/{offer['public_id']}/propose"
    check = post_form(client, f"{url}/check", _fields(setup, 15))  # £900 of £1,000: fine now
    assert check.status_code == 200
    before = _counts(setup)
    assert _pay_out(setup, "Meanwhile Ltd", 20_000, "meanwhile").status == "paid"  # £800 left
    sent = post_form(client, url, hidden_fields(check.text, url))
    assert sent.status_code == 422
    assert "it costs £900.00, but the pool has £800.00 not yet committed" in page_text(sent.text)
    assert _counts(setup) == before


def _proposal_of(setup: Any, offer: Any, hours: int) -> Any:
    from coop.budgets.pools import pool_in_org
    from coop.commissioning import proposals

    pool = run(pool_in_org(setup.organisation_id, setup.pool_public_id))
    details = proposals.ProposalDetails(
        hours, date(2026, 5, 1), date(2026, 7, 31), tuple(setup.accounts), {}, 7
    )
    return proposals.create_proposal(
        setup.organisation_id,
        pool,
        offer,
        details,
        now=datetime.now(UTC),
        actor=actor(setup.people["daniel"]),
    )


@pytest.mark.parametrize("promised_by", ["approved proposal", "open contract", "payment awaiting approval"])
def test_money_already_promised_is_not_uncommitted(demo, promised_by):
    from coop.audit.tables import AuditEvent
    from coop.budgets.errors import NotEnoughMoney

    setup = make_pool(contributors=2, deposit_pence=50_000)  # £1,000
    if promised_by == "approved proposal":
        board_decides(setup.organisation_id)
        offer = make_offer(setup.organisation_id, price_pence=6_000)
        first = propose(setup, offer, 10, setup.accounts, by=setup.people["daniel"])  # £600
        assert approve_by_board(setup, first, "amara", "helen") == "approved"
    elif promised_by == "open contract":
        offer, _ = make_contract(setup, price_pence=6_000, quantity=10, participants=setup.accounts)
    else:
        offer = make_offer(setup.organisation_id, price_pence=6_000)
        assert _pay_out(setup, "Waiting Ltd", 60_000, "waiting").status == "awaiting_approval"
    before = _counts(setup)
    with pytest.raises(NotEnoughMoney) as refused:
        run(_proposal_of(setup, offer, 10))  # another £600
    assert "but the pool has £400.00 not yet committed" in refused.value.violations[0].message
    assert _counts(setup) == before  # no proposal, no vote
    refusal = run(
        AuditEvent.select(AuditEvent.outcome, AuditEvent.detail)
        .where(AuditEvent.action == "commissioning.proposal_refused")
        .first()
    )
    assert refusal["outcome"] == "refused" and "commissioning.cannot_afford" in refusal["detail"]
    assert run(_proposal_of(setup, offer, 6))  # £360 fits in the £400


def test_a_share_its_payer_cannot_fund_is_named(demo):
    from coop.budgets.errors import NotEnoughMoney

    setup = make_pool(contributors=2, deposit_pence=50_000)
    offer = make_offer(setup.organisation_id, price_pence=6_000)
    from coop.budgets.pools import pool_in_org
    from coop.commissioning import proposals

    pool = run(pool_in_org(setup.organisation_id, setup.pool_public_id))
    details = proposals.ProposalDetails(10, date(2026, 5, 1), date(2026, 7, 31), (setup.accounts[0],), {}, 7)
    with pytest.raises(NotEnoughMoney) as refused:  # £600 for one person who has £500
        run(
            proposals.create_proposal(
                setup.organisation_id, pool, offer, details, now=datetime.now(UTC), actor=actor(None)
            )
        )
    assert [v.code for v in refused.value.violations] == ["commissioning.share_cannot_afford"]
    assert "share is £600.00, but their part of the pool has £500.00 not yet committed" in (
        refused.value.violations[0].message
    )


def test_the_boards_last_approval_is_refused_when_the_money_has_gone(demo, client):
    from coop.commissioning.tables import CommissionProposal, ProposalApproval

    setup = make_pool(contributors=2, deposit_pence=50_000)
    board_decides(setup.organisation_id)
    offer = make_offer(setup.organisation_id, price_pence=6_000)
    proposal = propose(setup, offer, 10, setup.accounts, by=setup.people["daniel"])  # £600: two directors
    assert approve_by_board(setup, proposal, "amara") == "awaiting_board"
    assert _pay_out(setup, "Meanwhile Ltd", 45_000, "board-meanwhile").status == "paid"  # £550 left
    sign_in(client, "helen@riverside.example")
    page = f"{BASE}/proposals/{proposal['public_id']}"
    refused = post_form(client, f"{page}/approve")
    assert refused.status_code == 422
    assert "it costs £600.00, but the pool has £550.00 not yet committed" in page_text(refused.text)
    row = run(CommissionProposal.select().where(CommissionProposal.id == proposal["id"]).first())
    assert row["status"] == "awaiting_board"
    assert run(ProposalApproval.count().where(ProposalApproval.proposal == proposal["id"])) == 1


def test_the_ballot_and_the_vote_page_show_the_cost_and_what_the_pool_has_uncommitted(demo, client):
    setup = make_pool(contributors=2, deposit_pence=50_000)
    offer = make_offer(setup.organisation_id, price_pence=6_000)
    proposal = propose(setup, offer, 15, setup.accounts, by=setup.people["daniel"])  # £900, members vote
    assert proposal["status"] == "vote_open"
    sign_in(client, "jamie@riverside.example")
    votes = f"/o/riverside/votes/{proposal['vote']}"
    ballot = page_text(client.get(f"{votes}/ballot").text)
    assert (
        "This costs £900.00 for 1 May 2026 to 31 July 2026: about £68.48 a week. Test pool has £1,000.00 not "
        "yet committed, so £100.00 would be left after this purchase." in ballot
    )
    shown = page_text(client.get(votes).text)
    assert "Cost £900.00 for 1 May 2026 to 31 July 2026" in shown
    assert "Not yet committed £1,000.00" in shown and "Left after this purchase £100.00" in shown
    # Pool totals only: nobody's own share or balance is on a member's pages.
    assert "£450.00" not in ballot and "£450.00" not in shown
    proposal_page = page_text(client.get(f"{BASE}/proposals/{proposal['public_id']}").text)
    assert "Not yet committed £1,000.00" in proposal_page


def test_the_figures_take_the_same_few_statements_whatever_the_size_of_the_pool(demo, monkeypatch):
    """Uncommitted money comes from the pool's stored balances and one aggregate: 5,000 more people in the
    pool and 300 more approved purchases add no statement (and the 300 are all counted)."""
    from coop.budgets.tables import BudgetPool, PoolAccount
    from coop.commissioning import funding
    from coop.commissioning.tables import CommissionProposal

    setup = make_pool(contributors=2, deposit_pence=50_000)
    offer = make_offer(setup.organisation_id, price_pence=100)
    shares = {account: 100 for account in setup.accounts}
    engine_class = type(BudgetPool._meta.db)  # the class: PostgresEngine's instances take no new attributes
    statements: list[str] = []
    original = engine_class.run_querystring

    async def counted(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    def statements_for_the_check() -> int:
        statements.clear()
        with monkeypatch.context() as patched:
            patched.setattr(engine_class, "run_querystring", counted)
            assert run(funding.funding_problems(setup.pool_id, shares)) == []
        return len(statements)

    small = statements_for_the_check()
    for start in range(0, 5_000, 500):
        run(
            PoolAccount.insert(
                *(
                    PoolAccount(
                        organisation=setup.organisation_id,
                        pool=setup.pool_id,
                        kind="contributor",
                        name=f"P{n}",
                    )
                    for n in range(start, start + 500)
                )
            )
        )
    run(
        CommissionProposal.insert(
            *(
                CommissionProposal(
                    organisation=setup.organisation_id,
                    pool=setup.pool_id,
                    offer=offer["id"],
                    quantity=1,
                    period_start=date(2026, 5, 1),
                    period_end=date(2026, 5, 1),
                    total_pence=1,
                    shares="{}",
                    route="board",
                    status="approved",
                )
                for _ in range(300)
            )
        )
    )
    assert statements_for_the_check() == small and 1 <= small <= 3
    assert run(funding.pool_funds(setup.pool_id)).agreed_pence == 300
