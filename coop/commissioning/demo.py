"""The demo's commissioning: two providers with their services, and a community support worker bought from
the shared pool by a members' vote, with its contract and a first invoice paid from the commitment."""

from __future__ import annotations

from datetime import date

from coop import clock
from coop.accounts.tables import Person
from coop.audit.service import SYSTEM, Actor
from coop.budgets import ledger
from coop.budgets.demo import POOL_NAME
from coop.budgets.tables import BudgetPool
from coop.commissioning import contracts, invoices, proposals, providers
from coop.members.tables import Member
from coop.votes.casting import cast_ballot
from coop.votes.closing import close_vote
from coop.votes.records import get_vote


async def seed_commissioning(organisation_id: int) -> None:
    """The demo providers, a proposal, a contract and its invoices, through the real services. Longer than
    60 lines because it is one story read top to bottom; split, it would only scatter the demo data."""
    treasurer = await Person.select(Person.id).where(Person.email == "daniel@riverside.example").first()
    assert treasurer is not None
    actor = Actor(person_id=int(treasurer["id"]))
    brightway = await providers.create_provider(
        organisation_id,
        providers.ProviderDetails(
            "Brightway Support Ltd", "company", "1-101234567", "Good", "Office: 01632 960 123"
        ),
        actor=actor,
    )
    provider = await providers.provider_in_org(organisation_id, brightway)
    assert provider is not None
    offer_id = await providers.create_offer(
        organisation_id,
        int(provider["id"]),
        providers.OfferDetails(
            "Community support worker", "Support to take part in community activities", "hour", 2_000
        ),
        actor=actor,
    )
    pa = await providers.create_provider(
        organisation_id,
        providers.ProviderDetails("Hannah Lewis", "personal_assistant", contact="hannah.pa@example.org"),
        actor=actor,
    )
    pa_row = await providers.provider_in_org(organisation_id, pa)
    assert pa_row is not None
    await providers.create_offer(
        organisation_id,
        int(pa_row["id"]),
        providers.OfferDetails("Personal assistant", "Evenings and weekends", "hour", 1_450),
        actor=actor,
    )

    # The members vote (the demo constitution puts every new contract to them), everyone says yes.
    pool = (
        await BudgetPool.select()
        .where((BudgetPool.organisation == organisation_id) & (BudgetPool.name == POOL_NAME))
        .first()
    )
    offer = await providers.offer_in_org(organisation_id, offer_id)
    assert pool is not None and offer is not None
    accounts = [int(a["id"]) for a in await ledger.accounts_of(int(pool["id"]))]
    now = clock.now()
    proposal_id = await proposals.create_proposal(
        organisation_id,
        pool,
        offer,
        proposals.ProposalDetails(20, date(2026, 5, 1), date(2026, 5, 31), tuple(accounts), {}, 7),
        now=now,
        actor=actor,
    )
    proposal = await proposals.proposal_in_org(organisation_id, proposal_id)
    assert proposal is not None
    vote = await get_vote(organisation_id, int(proposal["vote"]))
    assert vote is not None
    members = await Member.select(Member.id).where(
        (Member.organisation == organisation_id) & Member.ceased_on.is_null()
    )
    for m in members:
        await cast_ballot(
            organisation_id, vote.id, int(m["id"]), "for", now=now, actor=SYSTEM, channel="paper"
        )
    await close_vote(organisation_id, vote.id, now=now, actor=SYSTEM)
    await proposals.settle_vote(organisation_id, proposal, now=now)
    contract_id = await contracts.create_contract(organisation_id, proposal_id, actor=actor)
    await invoices.record_invoice(
        organisation_id,
        contract_id,
        invoice_number="BW-2026-051",
        amount_pence=16_000,
        idempotency_key="demo-invoice-0001-may-2026",
        actor=actor,
    )
