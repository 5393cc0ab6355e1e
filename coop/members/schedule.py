"""Writing down resignations that have taken effect, from the worker's sweep (pages already work them out
from the date; votes, proxies and role checks read the written state)."""

from __future__ import annotations

from datetime import datetime

from coop.settings import Settings


async def settle_resignations(settings: Settings, now: datetime) -> None:
    """The sweep, on every worker about once a minute: cheap when nothing is due (one indexed query), and
    safe on many workers at once (each ending is a conditional update, so it happens once)."""
    from coop.members.register import settle_all_due_resignations

    await settle_all_due_resignations(now.date())
