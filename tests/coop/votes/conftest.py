"""Vote tests start from the demo organisations without the demo's own votes, so each test sees only the
votes it makes; `demo_with_votes` is the full demo (see test_demo.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import run


@pytest.fixture
def demo(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    import coop.commissioning.demo
    import coop.votes.demo
    from coop.demo import seed_demo

    async def no_votes(organisation_id: int) -> None:
        return None

    monkeypatch.setattr(coop.votes.demo, "seed_votes", no_votes)
    # The demo contract was decided by a members' vote: leave it out too.
    monkeypatch.setattr(coop.commissioning.demo, "seed_commissioning", no_votes)
    assert run(seed_demo(settings))
    return settings


@pytest.fixture
def demo_with_votes(settings: Any) -> Any:
    from coop.demo import seed_demo

    assert run(seed_demo(settings))
    return settings
