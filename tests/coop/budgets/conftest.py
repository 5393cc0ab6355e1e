"""Budget tests: every test ends with the ledger invariants checked (reliability-bar §3.3, I1-I10)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import run
from tests.coop.budgets.helpers import money_holders


@pytest.fixture(autouse=True)
def ledger_invariants(db: Any) -> Iterator[None]:
    """After every budget test: entries balance, sub-accounts sum to the pool, nothing below its floor,
    stored and running balances equal the entries, commitments equal the payments awaiting approval."""
    yield
    from coop.budgets.invariants import ledger_problems

    assert run(ledger_problems(money_holders())) == []
