"""Setting up providers, offers and approved proposals for commissioning tests."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from tests.conftest import run
from tests.coop.budgets.helpers import PoolSetup, actor


def hidden_fields(html: str, action: str) -> dict[str, Any]:
    """The hidden fields of the form posting to `action` (repeated names become lists), no CSRF token."""
    form = html[html.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    fields: dict[str, Any] = {}
    for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form):
        if name == "_csrf_token":
            continue
        if name in fields:
            fields[name] = [*([fields[name]] if isinstance(fields[name], str) else fields[name]), value]
        else:
            fields[name] = value
    return fields


def board_decides(organisation_id: int) -> None:
    """Adopt a constitution version in which new contracts go to the board unless above £1,000."""
    from coop.organisations.tables import ConstitutionVersion

    row = run(
        ConstitutionVersion.select()
        .where(ConstitutionVersion.organisation == organisation_id)
        .order_by(ConstitutionVersion.version, ascending=False)
        .first()
    )
    document = row["document"].replace(
        "members_vote_on_new_contracts = true", "members_vote_on_new_contracts = false"
    )
    assert "members_vote_on_new_contracts = false" in document
    run(
        ConstitutionVersion.insert(
            ConstitutionVersion(
                organisation=organisation_id,
                version=int(row["version"]) + 1,
                model_name=row["model_name"],
                document=document,
                adopted_on=date(2026, 1, 1),
                adopted_by="Test: board decides contracts",
            )
        )
    )


def make_offer(organisation_id: int, *, price_pence: int = 6_000, name: str = "Brightway Support") -> Any:
    """A provider with one hourly offer; returns the offer row."""
    from coop.commissioning import providers

    who = actor(None)
    provider = run(
        providers.create_provider(
            organisation_id,
            providers.ProviderDetails(name, "company", "1-123456789", "Good", "office@brightway.example"),
            actor=who,
        )
    )
    row = run(providers.provider_in_org(organisation_id, provider))
    offer = run(
        providers.create_offer(
            organisation_id,
            int(row["id"]),
            providers.OfferDetails("Support worker", "Community support", "hour", price_pence),
            actor=who,
        )
    )
    return run(providers.offer_in_org(organisation_id, offer))


def propose(
    setup: PoolSetup, offer: dict[str, Any], quantity: int, participants: list[int], *, by: int
) -> dict[str, Any]:
    from coop.budgets.pools import pool_in_org
    from coop.commissioning import proposals

    pool = run(pool_in_org(setup.organisation_id, setup.pool_public_id))
    public_id = run(
        proposals.create_proposal(
            setup.organisation_id,
            pool,
            offer,
            proposals.ProposalDetails(
                quantity, date(2026, 5, 1), date(2026, 7, 31), tuple(participants), {}, 7
            ),
            now=datetime.now(UTC),
            actor=actor(by),
        )
    )
    return run(proposals.proposal_in_org(setup.organisation_id, public_id))


def approve_by_board(setup: PoolSetup, proposal: dict[str, Any], *names: str) -> str:
    from coop.commissioning import proposals

    status = ""
    for name in names:
        status = run(
            proposals.approve_proposal(
                setup.organisation_id,
                str(proposal["public_id"]),
                approver_person_id=setup.people[name],
                actor=actor(setup.people[name]),
            )
        )
    return status


def money(setup: PoolSetup) -> dict[str, Any]:
    """The pool's and each sub-account's stored balance and commitment."""
    from coop.budgets.tables import BudgetPool, PoolAccount

    pool = run(BudgetPool.select().where(BudgetPool.id == setup.pool_id).first())
    accounts = run(PoolAccount.select().where(PoolAccount.id.is_in(setup.accounts)).order_by(PoolAccount.id))
    return {
        "pool": (int(pool["balance_pence"]), int(pool["committed_pence"])),
        "accounts": [(int(a["balance_pence"]), int(a["committed_pence"])) for a in accounts],
    }


def make_contract(
    setup: PoolSetup, *, price_pence: int, quantity: int, participants: list[int]
) -> tuple[Any, str]:
    """A board-decided contract (the constitution changed so the board decides): (offer row, contract id)."""
    from coop.commissioning import contracts

    board_decides(setup.organisation_id)
    offer = make_offer(setup.organisation_id, price_pence=price_pence)
    proposal = propose(setup, offer, quantity, participants, by=setup.people["daniel"])
    for name in ("amara", "helen"):  # one director at or under £500, two above it
        if approve_by_board(setup, proposal, name) == "approved":
            break
    contract = run(
        contracts.create_contract(setup.organisation_id, str(proposal["public_id"]), actor=actor(None))
    )
    return offer, contract


def form_dates() -> dict[str, str]:
    """The proposal form's period: 1 May to 31 July 2026."""
    return {
        "period_start_day": "1",
        "period_start_month": "5",
        "period_start_year": "2026",
        "period_end_day": "31",
        "period_end_month": "7",
        "period_end_year": "2026",
    }


def invoice(setup: PoolSetup, contract_id: str, number: str, pence: int) -> Any:
    """Record invoice `number` against a contract, as the treasurer, through the service."""
    from coop.commissioning import invoices

    return run(
        invoices.record_invoice(
            setup.organisation_id,
            contract_id,
            invoice_number=number,
            amount_pence=pence,
            idempotency_key=f"invoice-key-{number}-0000000",
            actor=actor(setup.people["daniel"]),
        )
    )
