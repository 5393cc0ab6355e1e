"""The demo pool: four budget holders at Riverside pooling part of their direct payments to share a
support worker, with a quarter's contributions, one payment made and one waiting for two approvals."""

from __future__ import annotations

from datetime import date

from coop.accounts.tables import Person
from coop.audit.service import Actor
from coop.budgets import contributions, payments, pools
from coop.members.tables import Member
from governance.budget import CostRule, FundingSource

POOL_NAME = "Shared support worker"
CONTRIBUTORS = ("Amara Okafor", "Daniel Price", "Jamie Carter", "Sofia Rossi")
COUNCIL = "Riverside Borough Council"


async def seed_pool(organisation_id: int) -> None:
    """The demo pool: people, money in and payments, told in order through the real services. Longer than
    60 lines because it is one story read top to bottom; split, it would only scatter the demo data."""
    treasurer = await Person.select(Person.id).where(Person.email == "daniel@riverside.example").first()
    assert treasurer is not None
    actor = Actor(person_id=int(treasurer["id"]))
    public_id = await pools.create_pool(
        organisation_id,
        name=POOL_NAME,
        purpose=(
            "A support worker shared by four budget holders for community activities, three days a week. "
            "Meets each person's care-plan outcome of taking part in community life."
        ),
        cost_rule=CostRule.EQUAL,
        contingency_weeks=4,
        floor_pence=20_000,
        surplus_handling="carry_forward",
        exit_terms="Four weeks' notice. A leaver's money goes back to their direct payment.",
        actor=actor,
    )
    pool = await pools.pool_in_org(organisation_id, public_id)
    assert pool is not None
    pool_id = int(pool["id"])
    for n, name in enumerate(CONTRIBUTORS):
        member = (
            await Member.select(Member.id)
            .where((Member.organisation == organisation_id) & (Member.name == name))
            .first()
        )
        assert member is not None
        account_id = await pools.add_contributor(
            organisation_id,
            pool_id,
            int(member["id"]),
            share=1,
            floor_pence=0,
            joined_on=date(2026, 4, 1),
            actor=actor,
        )
        await contributions.record_contribution(
            organisation_id,
            pool_id,
            account_id,
            amount_pence=60_000,
            funding_source=FundingSource.DIRECT_PAYMENT,
            funder=COUNCIL,
            period_start=date(2026, 4, 1),
            period_end=date(2026, 6, 30),
            idempotency_key=f"demo-contribution-{n:02d}-2026q1",
            actor=actor,
        )
    await payments.request_payment(
        organisation_id,
        pool_id,
        payments.PaymentRequest(
            "Brightway Support Ltd",
            "Shared support worker, 6 to 10 April 2026",
            48_000,
            "demo-payment-0001-april",
        ),
        actor=actor,
    )
    await payments.request_payment(
        organisation_id,
        pool_id,
        payments.PaymentRequest(
            "Brightway Support Ltd",
            "Shared support worker, 13 to 24 April 2026",
            96_000,
            "demo-payment-0002-april",
        ),
        actor=actor,
    )
