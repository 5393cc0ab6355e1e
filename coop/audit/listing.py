"""Reading an organisation's audit log for its pages: who sees which events, each described in words.

The secretary and the administrator see every event; the treasurer sees the events about money (pooled
budgets, payments and commissioning), which is what they answer for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.custom_types import Combinable

from coop.audit.descriptions import MONEY_AREAS, describe_event, describe_outcome
from coop.audit.service import ChainCheck, check_chain
from coop.audit.tables import AuditEvent
from coop.organisations.service import OrgContext
from coop.pagination import Page, paginate

FULL_LOG_ROLES = ("secretary", "admin")
MONEY_LOG_ROLES = ("treasurer",)
LOG_ROLES = FULL_LOG_ROLES + MONEY_LOG_ROLES
PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: Page
    money_only: bool
    """True when the reader sees only the events about money."""


async def audit_events(org: OrgContext, page: int) -> AuditPage:
    """One page of the organisation's log, newest first, as much of it as the member may see."""
    money_only = not org.has_any(*FULL_LOG_ROLES)
    if money_only and not org.has_any(*MONEY_LOG_ROLES):
        return AuditPage(Page(items=[], number=1, per_page=PER_PAGE, total=0), money_only=True)
    where: Combinable = AuditEvent.organisation == org.organisation_id
    if money_only:
        money: Combinable = AuditEvent.action.like(f"{MONEY_AREAS[0]}.%")
        for area in MONEY_AREAS[1:]:
            money = money | AuditEvent.action.like(f"{area}.%")
        where = where & money
    query = (
        AuditEvent.select(
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.outcome,
            AuditEvent.actor.display_name.as_alias("actor_name"),
        )
        .where(where)
        # By id, not seq: on PostgreSQL the log has several strands, each numbered from 1.
        .order_by(AuditEvent.id, ascending=False)
    )
    total = await AuditEvent.count().where(where)
    events = await paginate(query, total=total, page=page, per_page=PER_PAGE)
    for row in events.items:
        _describe(row)
    return AuditPage(events, money_only)


async def audit_check(org: OrgContext) -> tuple[ChainCheck, str]:
    """The organisation's chain checked now, and what its first broken event was, in words."""
    check = await check_chain(org.organisation_id)
    first = check.first_problem
    return check, describe_event(first.action) if first is not None and first.action else ""


def _describe(row: dict[str, Any]) -> None:
    row["description"] = describe_event(str(row["action"]))
    row["outcome_words"] = describe_outcome(str(row["outcome"]))
