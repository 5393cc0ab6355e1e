"""Proposal -> decision -> contract -> invoice, over HTTP as plain forms: the constitution decides between
the board (two directors above £500, never the proposer) and a members' vote; a contract commits its cost
against each participant's sub-account (or is refused, changing nothing); invoices pay through the budgets
payment path and draw the commitment down to the penny; the ledger invariants hold after every test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import run
from tests.coop.budgets.helpers import actor, make_pool
from tests.coop.commissioning.helpers import (
    approve_by_board,
    board_decides,
    form_dates,
    hidden_fields,
    invoice,
    make_contract,
    make_offer,
    money,
    propose,
)
from tests.coop.helpers import page_text, post_form, sign_in

BASE = "/o/riverside/commissioning"


def test_board_route_two_directors_then_contract_and_invoices(demo, client):
    from coop.audit.tables import AuditEvent
    from coop.commissioning.tables import CommissionProposal, Contract, ContractInvoice, ContractShare

    setup = make_pool(contributors=4, deposit_pence=100_000)
    board_decides(setup.organisation_id)
    offer = make_offer(setup.organisation_id, price_pence=6_000)
    sign_in(client, "daniel@riverside.example")
    propose_url = f"{BASE}/offers/{offer['public_id']}/propose"
    form = client.get(f"{propose_url}?pool={setup.pool_public_id}")
    assert form.status_code == 200 and 'name="participants"' in form.text
    fields = {"pool": setup.pool_public_id, "quantity": "0", **form_dates()}
    bad = post_form(client, f"{propose_url}/check", fields)
    assert bad.status_code == 422
    assert 'href="#quantity"' in bad.text and 'href="#participants"' in bad.text
    fields.update(quantity="10", participants=[str(a) for a in setup.accounts[:3]])
    check = post_form(client, f"{propose_url}/check", fields)
    assert check.status_code == 200
    text = page_text(check.text)
    assert "£600.00" in text and "£200.00" in text and "2 directors other than you" in text
    assert (
        run(CommissionProposal.count().where(CommissionProposal.pool == setup.pool_id)) == 0
    )  # nothing binding before the check page is confirmed
    sent = post_form(client, propose_url, hidden_fields(check.text, propose_url))
    assert sent.status_code == 303
    proposal = run(CommissionProposal.select().where(CommissionProposal.pool == setup.pool_id).first())
    assert proposal["route"] == "board" and proposal["approvals_needed"] == 2
    assert proposal["status"] == "awaiting_board" and proposal["vote"] is None
    page = proposal_page = client.get(sent.headers["location"])
    assert "Approve for the board" not in page.text  # not their own proposal

    approve = f"{BASE}/proposals/{proposal['public_id']}/approve"
    own = post_form(client, approve)
    assert own.status_code == 422 and "You cannot approve a proposal you asked for" in own.text
    sign_in(client, "amara@riverside.example")
    assert post_form(client, approve).status_code == 303
    twice = post_form(client, approve)
    assert twice.status_code == 422 and "already approved" in twice.text
    # Not yet approved: no contract can be made.
    early = post_form(client, f"{BASE}/proposals/{proposal['public_id']}/contract")
    assert early.status_code == 422 and run(Contract.count().where(Contract.pool == setup.pool_id)) == 0
    sign_in(client, "tom@riverside.example")  # a director who is not a treasurer or secretary
    assert post_form(client, approve).status_code == 303
    assert (
        run(CommissionProposal.select().where(CommissionProposal.pool == setup.pool_id).first())["status"]
        == "approved"
    )

    sign_in(client, "helen@riverside.example")
    proposal_page = client.get(f"{BASE}/proposals/{proposal['public_id']}")
    assert "Agree the contract" in proposal_page.text
    before = money(setup)
    check_contract = client.get(f"{BASE}/proposals/{proposal['public_id']}/contract")
    assert check_contract.status_code == 200 and "Check the contract" in check_contract.text
    assert money(setup) == before
    made = post_form(client, f"{BASE}/proposals/{proposal['public_id']}/contract")
    assert made.status_code == 303
    contract = run(Contract.select().where(Contract.pool == setup.pool_id).first())
    assert contract["total_pence"] == 60_000 and contract["drawn_pence"] == 0
    after = money(setup)
    assert after["pool"] == (400_000, 60_000)
    assert after["accounts"] == [(100_000, 20_000)] * 3 + [(100_000, 0)]
    again = post_form(client, f"{BASE}/proposals/{proposal['public_id']}/contract")
    assert again.status_code == 422 and run(Contract.count().where(Contract.pool == setup.pool_id)) == 1

    # Invoices: too much is refused with a clear message; the rest pays and draws the commitment down.
    contract_url = f"{BASE}/contracts/{contract['public_id']}"
    new = client.get(f"{contract_url}/invoices/new")
    key = hidden_fields(new.text, f"{contract_url}/invoices/check")["idempotency_key"]
    too_much = post_form(
        client,
        f"{contract_url}/invoices/check",
        {"idempotency_key": key, "invoice_number": "INV-1", "amount": "600.01"},
    )
    assert too_much.status_code == 422
    assert "only £600.00 is left on contract" in page_text(too_much.text)
    assert 'id="amount-error"' in too_much.text
    check_invoice = post_form(
        client,
        f"{contract_url}/invoices/check",
        {"idempotency_key": key, "invoice_number": "INV-1", "amount": "450"},
    )
    assert check_invoice.status_code == 200 and "£150.00" in page_text(check_invoice.text)
    assert run(ContractInvoice.count().where(ContractInvoice.contract.pool == setup.pool_id)) == 0
    final = hidden_fields(check_invoice.text, f"{contract_url}/invoices")
    paid = post_form(client, f"{contract_url}/invoices", final)
    assert paid.status_code == 303
    replay = post_form(client, f"{contract_url}/invoices", final)  # a double submit pays once
    assert replay.status_code == 303
    assert run(ContractInvoice.count().where(ContractInvoice.contract.pool == setup.pool_id)) == 1
    assert run(Contract.select().where(Contract.pool == setup.pool_id).first())["drawn_pence"] == 45_000
    shares = run(
        ContractShare.select().where(ContractShare.contract.pool == setup.pool_id).order_by(ContractShare.id)
    )
    assert [s["drawn_pence"] for s in shares] == [15_000, 15_000, 15_000]
    after = money(setup)
    assert after["pool"] == (355_000, 15_000)
    assert after["accounts"] == [(85_000, 5_000)] * 3 + [(100_000, 0)]
    page = page_text(client.get(contract_url).text)
    assert "INV-1" in page and "paid" in page and "£150.00" in page
    mine = {str(proposal["public_id"]), str(contract["public_id"])} | {
        str(i["public_id"])
        for i in run(ContractInvoice.select().where(ContractInvoice.contract == contract["id"]))
    }
    actions = [
        r["action"]
        for r in run(AuditEvent.select(AuditEvent.action, AuditEvent.target_id).order_by(AuditEvent.id))
        if r["target_id"] in mine or r["action"] == "budget.payment_paid"
    ]
    for action in (
        "commissioning.proposed",
        "commissioning.board_approved",
        "commissioning.contract_created",
        "budget.committed",
        "budget.payment_paid",
        "commissioning.invoice_recorded",
    ):
        assert action in actions, action

    # Priya belongs to Northfield too: this contract under Northfield's address is not found.
    sign_in(client, "priya@riverside.example")
    assert client.get(f"/o/northfield/commissioning/contracts/{contract['public_id']}").status_code == 404
    assert client.get(f"/o/northfield/commissioning/proposals/{proposal['public_id']}").status_code == 404


def _approve_by_two_directors(setup: Any, payment_public_id: str) -> None:
    from coop.budgets import service as budgets

    for name in ("amara", "helen"):
        run(
            budgets.approve_payment(
                setup.organisation_id,
                payment_public_id,
                approver_person_id=setup.people[name],
                actor=actor(setup.people[name]),
            )
        )


def test_a_large_invoice_waits_for_two_approvers_and_keeps_its_money_set_aside(demo):
    from coop.commissioning import service

    setup = make_pool(contributors=2, deposit_pence=100_000)
    _, contract_id = make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    assert money(setup)["pool"] == (200_000, 90_000)
    result = run(
        service.record_invoice(
            setup.organisation_id,
            contract_id,
            invoice_number="B-77",
            amount_pence=60_000,
            idempotency_key="invoice-key-000000001",
            actor=actor(setup.people["daniel"]),
        )
    )
    assert result.payment_status == "awaiting_approval"
    # Still set aside (now for the payment), not yet paid.
    assert money(setup)["pool"] == (200_000, 90_000)
    _approve_by_two_directors(setup, result.payment_public_id)
    assert money(setup)["pool"] == (140_000, 30_000)
    assert money(setup)["accounts"] == [(70_000, 15_000), (70_000, 15_000)]


def test_cancelling_an_invoice_payment_gives_the_money_back_to_the_contract(demo, client):
    from coop.audit.tables import AuditEvent
    from coop.budgets import service as budgets
    from coop.commissioning.tables import Contract, ContractShare

    setup = make_pool(contributors=2, deposit_pence=100_000)
    _, contract_id = make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    wrong = invoice(setup, contract_id, "W-1", 80_000)  # the bill was for £600, typed as £800
    assert wrong.payment_status == "awaiting_approval"
    assert money(setup)["pool"] == (200_000, 90_000)
    run(
        budgets.cancel_payment(
            setup.organisation_id, wrong.payment_public_id, actor=actor(setup.people["helen"])
        )
    )
    # Still set aside, now for the contract again: nobody's available money changed, nothing is invoiced.
    assert money(setup) == {"pool": (200_000, 90_000), "accounts": [(100_000, 45_000), (100_000, 45_000)]}
    row = run(Contract.select().where(Contract.pool == setup.pool_id).first())
    assert row["drawn_pence"] == 0
    assert [
        s["drawn_pence"] for s in run(ContractShare.select().where(ContractShare.contract == row["id"]))
    ] == [
        0,
        0,
    ]
    logged = run(AuditEvent.select(AuditEvent.action).where(AuditEvent.target_id == wrong.public_id))
    assert [e["action"] for e in logged] == [
        "commissioning.invoice_recorded",
        "commissioning.invoice_cancelled",
    ]
    # So the right invoice, for the whole contract if need be, can be recorded.
    right = invoice(setup, contract_id, "W-2", 90_000)
    _approve_by_two_directors(setup, right.payment_public_id)
    assert money(setup) == {"pool": (110_000, 0), "accounts": [(55_000, 0), (55_000, 0)]}
    sign_in(client, "helen@riverside.example")
    text = page_text(client.get(f"{BASE}/contracts/{contract_id}").text)
    assert "Invoiced so far £900.00" in text and "cancelled" in text


def test_cancelling_an_invoice_payment_after_the_contract_ended_releases_the_money(demo):
    from coop.budgets import service as budgets
    from coop.commissioning import service

    setup = make_pool(contributors=2, deposit_pence=100_000)
    _, contract_id = make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    pending = invoice(setup, contract_id, "X-1", 60_000)
    released = run(
        service.end_contract(setup.organisation_id, contract_id, actor=actor(setup.people["helen"]))
    )
    assert released == 30_000 and money(setup)["pool"] == (200_000, 60_000)
    run(
        budgets.cancel_payment(
            setup.organisation_id, pending.payment_public_id, actor=actor(setup.people["helen"])
        )
    )
    assert money(setup) == {"pool": (200_000, 0), "accounts": [(100_000, 0), (100_000, 0)]}


def test_a_contract_that_would_overspend_is_refused_and_changes_nothing(demo, client):
    from coop.audit.tables import AuditEvent
    from coop.commissioning.tables import CommissionProposal, Contract, ContractShare

    setup = make_pool(contributors=2, deposit_pence=20_000)
    board_decides(setup.organisation_id)
    offer = make_offer(setup.organisation_id, price_pence=5_000)
    # A proposal the pool cannot fund no longer gets this far (test_affordability.py): here the money
    # goes after the approval, so the contract step's own guard is what refuses.
    proposal = propose(setup, offer, 7, setup.accounts, by=setup.people["daniel"])  # £350 of £400 held
    assert approve_by_board(setup, proposal, "amara") == "approved"
    from coop.budgets import service as budgets

    paid = run(
        budgets.request_payment(
            setup.organisation_id,
            setup.pool_id,
            budgets.PaymentRequest("Other Ltd", "Other support", 10_000, "meanwhile-pay-0001"),
            actor=actor(setup.people["daniel"]),
        )
    )
    assert paid.status == "paid"  # £300 left for a £350 contract
    before = money(setup)
    sign_in(client, "helen@riverside.example")
    refused = post_form(client, f"{BASE}/proposals/{proposal['public_id']}/contract")
    assert refused.status_code == 422
    text = page_text(refused.text)
    assert "Nothing has been changed" in text and "below" in text
    assert money(setup) == before
    assert (
        run(Contract.count().where(Contract.pool == setup.pool_id)) == 0
        and run(ContractShare.count().where(ContractShare.contract.pool == setup.pool_id)) == 0
    )
    assert (
        run(CommissionProposal.select().where(CommissionProposal.pool == setup.pool_id).first())["status"]
        == "approved"
    )
    refusals = run(
        AuditEvent.select().where(AuditEvent.action == "commissioning.contract_refused")
    )  # demo: none
    assert len(refusals) == 1


def test_members_vote_route_opens_a_commission_vote_and_a_carried_vote_allows_the_contract(demo, client):
    from coop.audit.service import SYSTEM
    from coop.commissioning import service
    from coop.members.tables import Member
    from coop.votes.casting import cast_ballot
    from coop.votes.closing import close_vote
    from coop.votes.records import get_vote

    setup = make_pool(contributors=3, deposit_pence=50_000)  # the demo constitution: members vote
    offer = make_offer(setup.organisation_id, price_pence=2_000)
    proposal = propose(setup, offer, 30, setup.accounts, by=setup.people["daniel"])
    assert proposal["route"] == "members_vote" and proposal["status"] == "vote_open"
    vote = run(get_vote(setup.organisation_id, int(proposal["vote"])))
    assert vote.purpose == "commission" and vote.kind == "motion" and vote.status == "open"
    assert "£600.00" in vote.question
    sign_in(client, "helen@riverside.example")
    # The vote is still open: no contract yet, and no board approvals are taken.
    assert post_form(client, f"{BASE}/proposals/{proposal['public_id']}/contract").status_code == 422
    assert post_form(client, f"{BASE}/proposals/{proposal['public_id']}/approve").status_code == 422
    members = run(Member.select(Member.id).where(Member.organisation == setup.organisation_id))
    for m in members:
        run(
            cast_ballot(setup.organisation_id, vote.id, int(m["id"]), "for", now=vote.opened_at, actor=SYSTEM)
        )
    run(close_vote(setup.organisation_id, vote.id, now=vote.closes_at, actor=SYSTEM))
    page = client.get(f"{BASE}/proposals/{proposal['public_id']}")
    assert "Approved" in page.text and "Agree the contract" in page.text
    made = post_form(client, f"{BASE}/proposals/{proposal['public_id']}/contract")
    assert made.status_code == 303
    assert money(setup)["pool"] == (150_000, 60_000)
    assert run(service.proposal_in_org(setup.organisation_id, str(proposal["public_id"])))["status"] == (
        "contracted"
    )


def test_a_vote_that_is_not_carried_leaves_the_proposal_not_approved(demo, client):
    from coop.audit.service import SYSTEM
    from coop.commissioning.tables import CommissionProposal
    from coop.members.tables import Member
    from coop.votes.casting import cast_ballot
    from coop.votes.records import get_vote

    setup = make_pool(contributors=2, deposit_pence=50_000)
    offer = make_offer(setup.organisation_id, price_pence=2_000)
    proposal = propose(setup, offer, 5, setup.accounts, by=setup.people["daniel"])
    vote = run(get_vote(setup.organisation_id, int(proposal["vote"])))
    members = run(Member.select(Member.id).where(Member.organisation == setup.organisation_id))
    for m in members:
        run(
            cast_ballot(
                setup.organisation_id, vote.id, int(m["id"]), "against", now=vote.opened_at, actor=SYSTEM
            )
        )
    from coop.votes.closing import close_vote

    run(close_vote(setup.organisation_id, vote.id, now=vote.opened_at + timedelta(minutes=1), actor=SYSTEM))
    sign_in(client, "helen@riverside.example")
    # The list of proposals settles the result itself: nobody has opened the proposal yet.
    assert client.get(BASE).status_code == 200
    status = CommissionProposal.select(CommissionProposal.status).where(
        CommissionProposal.id == proposal["id"]
    )
    assert run(status)[0]["status"] == "not_approved"
    page = client.get(f"{BASE}/proposals/{proposal['public_id']}")
    assert "Not approved" in page.text and "Agree the contract" not in page.text
    assert post_form(client, f"{BASE}/proposals/{proposal['public_id']}/contract").status_code == 422
    assert money(setup)["pool"] == (100_000, 0)


def test_participants_rate_the_service_and_the_provider_page_sums_it_up(demo, client):
    from coop.commissioning.tables import Provider, ServiceRating
    from coop.members.tables import Member

    setup = make_pool(contributors=4, deposit_pence=50_000)
    offer, contract_id = make_contract(setup, price_pence=1_000, quantity=10, participants=setup.accounts[:2])
    url = f"{BASE}/contracts/{contract_id}"
    # The first two contributors (Amara, Daniel) use it; Helen (a contributor too) does not.
    sign_in(client, "amara@riverside.example")
    page = client.get(url)
    assert "How is this service working for you?" in page.text
    assert post_form(client, f"{url}/rating", {"rating": "9"}).status_code == 422
    assert post_form(client, f"{url}/rating", {"rating": "4", "met_outcomes": "yes"}).status_code == 303
    assert post_form(client, f"{url}/rating", {"rating": "5", "met_outcomes": "partly"}).status_code == 303
    sign_in(client, "daniel@riverside.example")
    assert post_form(client, f"{url}/rating", {"rating": "2", "met_outcomes": "no"}).status_code == 303
    sign_in(client, "jamie@riverside.example")  # not a participant
    assert "How is this service working for you?" not in client.get(url).text
    assert post_form(client, f"{url}/rating", {"rating": "5", "met_outcomes": "yes"}).status_code == 404
    assert run(ServiceRating.count().where(ServiceRating.contract.pool == setup.pool_id)) == 2
    provider = run(Provider.select().where(Provider.id == offer["provider"]).first())
    summary = page_text(client.get(f"{BASE}/providers/{provider['public_id']}").text)
    assert "3.5 out of 5, from 2 ratings" in summary and "Yes: 0, partly: 1, no: 1" in summary
    jamie = run(Member.select().where(Member.name == "Jamie Carter").first())
    assert jamie is not None
    # The summary feeds the next decision: it is on the next proposal to buy from this provider.
    again = propose(setup, offer, 5, setup.accounts[2:], by=setup.people["daniel"])
    proposal_page = page_text(client.get(f"{BASE}/proposals/{again['public_id']}").text)
    assert f"What members said about {provider['name']}" in proposal_page
    assert "3.5 out of 5, from 2 ratings" in proposal_page


def test_ending_a_contract_gives_back_what_was_not_invoiced(demo, client):
    from coop.commissioning import service
    from coop.commissioning.tables import Contract

    setup = make_pool(contributors=2, deposit_pence=50_000)
    _, contract_id = make_contract(setup, price_pence=1_000, quantity=30, participants=setup.accounts)
    run(
        service.record_invoice(
            setup.organisation_id,
            contract_id,
            invoice_number="E-1",
            amount_pence=10_001,
            idempotency_key="invoice-key-end-000001",
            actor=actor(1),
        )
    )
    assert money(setup)["pool"] == (89_999, 19_999)
    sign_in(client, "jamie@riverside.example")
    assert client.get(f"{BASE}/contracts/{contract_id}/end").status_code == 403
    sign_in(client, "helen@riverside.example")
    check = client.get(f"{BASE}/contracts/{contract_id}/end")
    assert check.status_code == 200 and "£199.99" in page_text(check.text)
    assert money(setup)["pool"] == (89_999, 19_999)
    ended = post_form(client, f"{BASE}/contracts/{contract_id}/end")
    assert ended.status_code == 303
    assert money(setup) == {"pool": (89_999, 0), "accounts": [(44_999, 0), (45_000, 0)]}
    assert run(Contract.select().where(Contract.pool == setup.pool_id).first())["status"] == "ended"
    assert post_form(client, f"{BASE}/contracts/{contract_id}/end").status_code == 422
    late = run(Contract.select().where(Contract.pool == setup.pool_id).first())  # invoiced after the end
    try:
        run(
            service.record_invoice(
                setup.organisation_id,
                str(late["public_id"]),
                invoice_number="E-2",
                amount_pence=100,
                idempotency_key="invoice-key-end-000002",
                actor=actor(1),
            )
        )
    except service.BudgetError as error:
        assert "has ended" in error.violations[0].message
    else:
        raise AssertionError("an ended contract was invoiced")


def test_concurrent_invoices_never_draw_more_than_the_contract(demo, engine_name):
    """40 concurrent £10 invoices against a £150 contract: exactly 15 are paid, 25 are refused with the
    "only ... is left" message, and the pool, the accounts and the contract agree to the penny."""
    import asyncio

    from coop.commissioning import service
    from coop.commissioning.tables import Contract, ContractInvoice
    from coop.db import close_database, open_database

    setup = make_pool(contributors=3, deposit_pence=20_000)
    _, contract_id = make_contract(setup, price_pence=1_000, quantity=15, participants=setup.accounts)

    async def main():
        await open_database()
        try:
            return await asyncio.gather(
                *(
                    service.record_invoice(
                        setup.organisation_id,
                        contract_id,
                        invoice_number=f"C-{n}",
                        amount_pence=1_000,
                        idempotency_key=f"concurrent-invoice-{n:05d}",
                        actor=actor(1),
                    )
                    for n in range(40)
                ),
                return_exceptions=True,
            )
        finally:
            await close_database()

    results = run(main())
    paid = [r for r in results if isinstance(r, service.InvoiceResult)]
    refused = [r for r in results if isinstance(r, service.BudgetError)]
    assert len(paid) + len(refused) == 40, [r for r in results if isinstance(r, Exception)][:3]
    assert len(paid) == 15 and all(r.payment_status == "paid" for r in paid)
    assert all(r.violations[0].code == "commissioning.invoice_too_much" for r in refused)
    assert run(Contract.select().where(Contract.pool == setup.pool_id).first())["drawn_pence"] == 15_000
    assert run(ContractInvoice.count().where(ContractInvoice.contract.pool == setup.pool_id)) == 15
    assert money(setup)["pool"] == (45_000, 0)


def test_approving_for_the_board_asks_for_the_password_after_15_minutes(demo, client):
    """M8 for proposals: an approval commits members' money, so an old sign-in gives the password first."""
    from coop.accounts.service import now
    from coop.accounts.tables import LoginSession
    from coop.commissioning.tables import CommissionProposal

    setup = make_pool(contributors=2, deposit_pence=100_000)
    board_decides(setup.organisation_id)
    offer = make_offer(setup.organisation_id, price_pence=6_000)
    proposal = propose(setup, offer, 10, setup.accounts[:2], by=setup.people["daniel"])
    page = f"{BASE}/proposals/{proposal['public_id']}"
    sign_in(client, "amara@riverside.example")
    run(LoginSession.update({LoginSession.created_at: now() - timedelta(minutes=16)}, force=True))
    asked = post_form(client, f"{page}/approve")
    assert asked.status_code == 303
    assert asked.headers["location"].startswith("/account/confirm-password?next=")
    row = run(CommissionProposal.select().where(CommissionProposal.id == proposal["id"]).first())
    assert row["status"] == "awaiting_board" and run(service_approvers(proposal)) == []
    confirmed = post_form(
        client, "/account/confirm-password", {"password": "correct horse battery staple", "next": page}
    )
    assert confirmed.headers["location"] == page
    assert post_form(client, f"{page}/approve").status_code == 303
    assert len(run(service_approvers(proposal))) == 1


def service_approvers(proposal: dict) -> Any:
    from coop.commissioning.service import proposal_approvers

    return proposal_approvers(int(proposal["id"]))
