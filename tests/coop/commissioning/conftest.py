"""Commissioning tests: every test ends with the pool ledger's invariants checked, contract commitments
included (a contract's unspent cost must equal what the ledger holds committed for it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import run
from tests.coop.budgets.helpers import money_holders


@pytest.fixture(autouse=True)
def ledger_invariants(db: Any) -> Iterator[None]:
    yield
    from coop.budgets.invariants import ledger_problems

    assert run(ledger_problems(money_holders())) == []
