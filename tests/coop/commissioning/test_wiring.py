"""Who holds pool money set aside is wired visibly (issue 15): `create_app` passes the contracts to the
budget pages, and the budget services use only what they are given, never what happened to be imported."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import run
from tests.coop.budgets.helpers import make_pool
from tests.coop.commissioning.helpers import invoice, make_contract, money
from tests.coop.helpers import post_form, sign_in


def test_cancelling_an_invoice_payment_on_its_page_gives_the_money_back_to_the_contract(demo, client):
    from coop.commissioning.tables import Contract

    setup = make_pool(contributors=2, deposit_pence=100_000)
    _, contract_id = make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    wrong = invoice(setup, contract_id, "W-1", 80_000)
    assert wrong.payment_status == "awaiting_approval"
    sign_in(client, "helen@riverside.example")
    url = f"/o/riverside/budgets/{setup.pool_public_id}/payments/{wrong.payment_public_id}/cancel"
    assert post_form(client, url).status_code == 303
    # The app's wiring took the money back into the contract: still set aside, nothing drawn.
    assert money(setup)["pool"] == (200_000, 90_000)
    assert run(Contract.select(Contract.drawn_pence).where(Contract.pool == setup.pool_id).first()) == {
        "drawn_pence": 0
    }


def test_the_ledger_checks_count_only_the_holders_they_are_given(demo):
    from coop.budgets.commitments import NONE
    from coop.budgets.invariants import ledger_problems
    from coop.commissioning.invoices import CONTRACTS

    setup = make_pool(contributors=2, deposit_pence=100_000)
    make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    assert run(ledger_problems(CONTRACTS, setup.pool_id)) == []
    # Told that nobody else holds money, the contract's commitment is unexplained: both in one process,
    # so the answer depends on the argument, not on which modules were imported.
    assert "pool's commitments do not match" in " ".join(run(ledger_problems(NONE, setup.pool_id)))


def test_the_app_is_given_the_contracts_as_holders(settings):
    from coop.app import create_app
    from coop.commissioning.invoices import CONTRACTS

    app = create_app(settings)
    assert app.state.commitments is CONTRACTS
    assert app.dependencies["commitments"].dependency() is CONTRACTS


def test_the_budget_services_load_no_commissioning_code():
    """Importing budgets registers nothing and pulls in nothing from commissioning: no hidden wiring."""
    code = (
        "import sys, coop.budgets.payments, coop.budgets.reversals, coop.budgets.invariants;"
        "print(sorted(m for m in sys.modules if m.startswith('coop.commissioning')))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
