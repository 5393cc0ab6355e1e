"""The demo has providers, a contract bought by a members' vote, and an invoice paid from its commitment."""

from __future__ import annotations

from tests.conftest import run
from tests.coop.helpers import page_text, sign_in


def test_demo_has_a_provider_an_offer_and_a_contract_with_an_invoice(demo, client):
    from coop.commissioning.tables import Contract, ContractInvoice

    contract = run(Contract.select().first())
    assert contract["total_pence"] == 40_000 and contract["drawn_pence"] == 16_000
    assert run(ContractInvoice.count()) == 1
    sign_in(client, "jamie@riverside.example")
    index = page_text(client.get("/o/riverside/commissioning/").text)
    assert "Brightway Support Ltd" in index and "Hannah Lewis" in index and contract["reference"] in index
    page = page_text(client.get(f"/o/riverside/commissioning/contracts/{contract['public_id']}").text)
    assert "BW-2026-051" in page and "£240.00" in page  # left to invoice
    assert "your share is £100.00" in page
    assert "Each person's share" not in page  # members see only their own share
    sign_in(client, "helen@riverside.example")
    managers = page_text(client.get(f"/o/riverside/commissioning/contracts/{contract['public_id']}").text)
    assert "Each person's share" in managers and "Sofia Rossi £100.00 £40.00" in managers
