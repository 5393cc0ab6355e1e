"""What every budgets page needs, shared by the budgets controllers: the managers' guard, the pool named
in the address (another organisation's is a 404), and the names the templates show."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException

from coop.budgets import pools
from coop.guards import current_org, requires_role
from governance.budget import COST_RULE_NAMES, FUNDING_SOURCE_NAMES, format_pence

requires_manager = requires_role(*pools.MANAGER_ROLES)


async def pool_or_404(request: Request[Any, Any, Any], pool_id: str) -> dict[str, Any]:
    pool = await pools.pool_in_org(current_org(request).organisation_id, pool_id)
    if pool is None:
        raise NotFoundException()
    return pool


def page_names() -> dict[str, Any]:
    return {
        "cost_rules": {r.value: n for r, n in COST_RULE_NAMES.items()},
        "funding_sources": {s.value: n for s, n in FUNDING_SOURCE_NAMES.items()},
        "surplus_handling": pools.SURPLUS_HANDLING,
        "money": format_pence,
    }
