"""A line in a member's history and its audit entry, written together: the register's own record of what
happened to an entry (`member_event`, shown on the member's page) and the tamper-evident log's
(`member.<kind>`), in the caller's transaction."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.members.tables import MemberEvent


async def record_member_event(
    organisation_id: int,
    member_id: int,
    action: str,
    happened_on: date,
    detail: dict[str, Any],
    actor: Actor,
    *,
    audit_detail: dict[str, Any] | None = None,
    assisted_by: int | None = None,
) -> None:
    """Inside the caller's write transaction: the audit entry `action` ("member.<kind>") with
    `audit_detail` (what the log keeps may be less than the history: never free text), and the history
    line `<kind>` with `detail`, recorded by the actor (and the supporter who helped, if any). Callers
    write the action in full, so the audit test finds every action and its description."""
    await MemberEvent.insert(
        MemberEvent(
            organisation=organisation_id,
            member=member_id,
            kind=action.removeprefix("member."),
            happened_on=happened_on,
            detail=json.dumps(detail),
            recorded_by=actor.person_id,
            assisted_by=assisted_by,
        )
    )
    await record(
        AuditEntry(
            action,
            organisation_id=organisation_id,
            target_type="member",
            target_id=str(member_id),
            detail=audit_detail or {},
        ),
        actor,
    )
