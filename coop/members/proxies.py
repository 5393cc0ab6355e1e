"""Proxies: who votes for a member at a meeting, or at every meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now
from coop.db import write_transaction
from coop.members.entries import member_in_org
from coop.members.errors import MembershipError
from coop.members.tables import (
    ProxyAppointment,
)
from coop.members.words import email_errors, violation_errors
from coop.organisations.service import OrgContext, constitution_of
from coop.public_ids import parse_public_id
from governance.notice import proxy_appointment_violations


async def proxies_of(member_id: int) -> list[dict[str, Any]]:
    return (
        await ProxyAppointment.select(
            ProxyAppointment.public_id,
            ProxyAppointment.proxy_name,
            ProxyAppointment.standing,
            ProxyAppointment.meeting_name,
            ProxyAppointment.meeting_starts_at,
            ProxyAppointment.instructions,
            ProxyAppointment.received_at,
        )
        .where((ProxyAppointment.member == member_id) & ProxyAppointment.revoked_at.is_null())
        .order_by(ProxyAppointment.id)
    )


async def proxies_held_by(member_id: int) -> list[dict[str, Any]]:
    return await ProxyAppointment.select(
        ProxyAppointment.member.name.as_alias("for_name"),
        ProxyAppointment.standing,
        ProxyAppointment.meeting_name,
        ProxyAppointment.meeting_starts_at,
    ).where((ProxyAppointment.proxy_member == member_id) & ProxyAppointment.revoked_at.is_null())


@dataclass(frozen=True, slots=True)
class ProxyForm:
    proxy: str  # a member's public id, or "other"
    other_name: str
    other_email: str
    scope: str  # standing or meeting
    meeting_name: str
    meeting_starts_at: datetime | None
    instructions: str


async def appoint_proxy(
    org: OrgContext,
    member_id: int,
    form: ProxyForm,
    actor: Actor,
    *,
    assisted_by: int | None = None,
    received_at: datetime | None = None,
) -> None:
    constitution = await constitution_of(org.organisation_id)
    received_at = received_at or now()
    proxy_member = await _check_form(org, member_id, form)
    held = await _proxies_held(org, proxy_member, form.other_name)
    starts = form.meeting_starts_at if form.scope == "meeting" else None
    found = proxy_appointment_violations(
        constitution,
        received_at=received_at,
        meeting_start=starts or received_at + timedelta(days=365),
        proxies_already_held=held,
        proxy_is_member=proxy_member is not None,
    )
    if found:
        field = "proxy" if form.proxy != "other" else "other_name"
        late = [v for v in found if v.code == "proxy.late"]
        other = [v for v in found if v.code != "proxy.late"]
        raise MembershipError({**violation_errors(field, other), **violation_errors("meeting_date", late)})
    async with write_transaction():
        rows = await ProxyAppointment.insert(
            ProxyAppointment(
                organisation=org.organisation_id,
                member=member_id,
                proxy_member=proxy_member["id"] if proxy_member else None,
                proxy_name=proxy_member["name"] if proxy_member else form.other_name.strip(),
                proxy_email=(form.other_email.strip().lower() or None) if proxy_member is None else None,
                standing=form.scope == "standing",
                meeting_name=form.meeting_name.strip()[:200],
                meeting_starts_at=starts,
                instructions=form.instructions.strip(),
                received_at=received_at,
                recorded_by=actor.person_id,
                assisted_by=assisted_by,
            )
        ).returning(ProxyAppointment.id)
        await record(
            AuditEntry(
                "member.proxy_appointed",
                organisation_id=org.organisation_id,
                target_type="proxy",
                target_id=str(rows[0]["id"]),
                detail={"standing": form.scope == "standing", "assisted": assisted_by is not None},
            ),
            actor,
        )


async def _check_form(org: OrgContext, member_id: int, form: ProxyForm) -> dict[str, Any] | None:
    """The form's own problems, all at once (MembershipError); returns the proxy's entry if a member."""
    errors: dict[str, str] = {}
    proxy_member: dict[str, Any] | None = None
    if form.proxy == "other":
        if not form.other_name.strip():
            errors["other_name"] = "Enter the name of your proxy"
        if form.other_email.strip():
            errors.update(email_errors(form.other_email, "other_email", "their email address"))
    else:
        proxy_member = await member_in_org(org, form.proxy)
        if proxy_member is None or proxy_member["ceased_on"] is not None:
            errors["proxy"] = "Choose who will be your proxy"
        elif proxy_member["id"] == member_id:
            errors["proxy"] = "Choose someone other than yourself"
    if form.scope not in ("standing", "meeting"):
        errors["scope"] = "Choose whether this is for one meeting or every meeting"
    elif form.scope == "meeting":
        if not form.meeting_name.strip():
            errors["meeting_name"] = "Enter which meeting"
        if form.meeting_starts_at is None:
            errors["meeting_date"] = "Enter the date and time the meeting starts"
    if len(form.instructions) > 4000:
        errors["instructions"] = "Instructions must be 4000 characters or fewer"
    if errors:
        raise MembershipError(errors)
    return proxy_member


async def _proxies_held(org: OrgContext, proxy_member: dict[str, Any] | None, other_name: str) -> int:
    """How many appointments the chosen proxy already holds (a member by entry, anyone else by name)."""
    if proxy_member is not None:
        held = ProxyAppointment.proxy_member == proxy_member["id"]
    else:
        held = (
            (ProxyAppointment.organisation == org.organisation_id)
            & ProxyAppointment.proxy_member.is_null()
            & (ProxyAppointment.proxy_name == other_name.strip())
        )
    return int(await ProxyAppointment.count().where(held & ProxyAppointment.revoked_at.is_null()))


async def revoke_proxy(org: OrgContext, member_id: int, public_id: str, actor: Actor) -> bool:
    uid = parse_public_id(public_id)
    if uid is None:
        return False
    rows = await guarded_update(
        ProxyAppointment,
        {ProxyAppointment.revoked_at: now()},
        (ProxyAppointment.public_id == uid)
        & (ProxyAppointment.member == member_id)
        & ProxyAppointment.revoked_at.is_null(),
        returning=[ProxyAppointment.id],
        audit=lambda row: AuditEntry(
            "member.proxy_revoked",
            organisation_id=org.organisation_id,
            target_type="proxy",
            target_id=str(row["id"]),
        ),
        actor=actor,
    )
    return bool(rows)
