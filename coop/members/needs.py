"""Contact details, communication needs and sensitive facts (kept only with consent)."""

from __future__ import annotations

from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now, today
from coop.db import write_transaction
from coop.members.errors import MembershipError
from coop.members.events import record_member_event
from coop.members.tables import (
    CommunicationNeed,
    Member,
    SensitiveFact,
)
from coop.members.words import CONTACT_BY, FACTS, NEEDS, email_errors
from coop.organisations.service import OrgContext


async def needs_of(member_id: int) -> list[dict[str, Any]]:
    rows = (
        await CommunicationNeed.select(
            CommunicationNeed.need, CommunicationNeed.detail, CommunicationNeed.consent_at
        )
        .where((CommunicationNeed.member == member_id) & CommunicationNeed.ended_at.is_null())
        .order_by(CommunicationNeed.id)
    )
    for row in rows:
        row["words"] = NEEDS.get(row["need"], row["need"])
    return rows


async def facts_of(member_id: int) -> list[dict[str, Any]]:
    rows = (
        await SensitiveFact.select(SensitiveFact.fact, SensitiveFact.consent_at)
        .where((SensitiveFact.member == member_id) & SensitiveFact.withdrawn_at.is_null())
        .order_by(SensitiveFact.id)
    )
    for row in rows:
        row["words"] = FACTS.get(row["fact"], row["fact"])
    return rows


async def set_needs(
    org: OrgContext,
    member_id: int,
    needs: list[str],
    detail: str,
    consent: bool,
    actor: Actor,
    *,
    assisted_by: int | None = None,
) -> None:
    """Replace a member's communication needs. Recording any needs needs their consent."""
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        raise MembershipError({"needs": "Choose from the list"})
    if needs and not consent:
        raise MembershipError({"consent": "Confirm the member agrees to us keeping this information"})
    if len(detail) > 500:
        raise MembershipError({"detail": "This must be 500 characters or fewer"})
    moment = now()
    async with write_transaction():
        await CommunicationNeed.update({CommunicationNeed.ended_at: moment}).where(
            (CommunicationNeed.member == member_id) & CommunicationNeed.ended_at.is_null()
        )
        for need in dict.fromkeys(needs):
            await CommunicationNeed.insert(
                CommunicationNeed(
                    member=member_id,
                    need=need,
                    detail=detail.strip(),
                    consent_at=moment,
                    recorded_by=actor.person_id,
                    assisted_by=assisted_by,
                )
            )
        await record(
            AuditEntry(
                "member.communication_needs",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"count": len(needs), "assisted": assisted_by is not None},
            ),
            actor,
        )


async def set_facts(
    org: OrgContext,
    member_id: int,
    facts: list[str],
    consent: bool,
    actor: Actor,
    *,
    assisted_by: int | None = None,
) -> None:
    """Replace a member's sensitive facts. Kept only with explicit consent; an empty list withdraws it."""
    if any(f not in FACTS for f in facts):
        raise MembershipError({"facts": "Choose from the list"})
    if facts and not consent:
        raise MembershipError({"consent": "Tick the box to agree, or leave these questions unanswered"})
    moment = now()
    async with write_transaction():
        await SensitiveFact.update({SensitiveFact.withdrawn_at: moment}).where(
            (SensitiveFact.member == member_id) & SensitiveFact.withdrawn_at.is_null()
        )
        for fact in dict.fromkeys(facts):
            await SensitiveFact.insert(
                SensitiveFact(member=member_id, fact=fact, consent_at=moment, recorded_by=actor.person_id)
            )
        # No facts in the audit detail: the log is readable by the secretary, and facts are special category.
        await record(
            AuditEntry(
                "member.sensitive_facts",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"assisted": assisted_by is not None},
            ),
            actor,
        )


async def update_contact(
    org: OrgContext,
    member: dict[str, Any],
    address: str,
    email: str,
    phone: str,
    contact_by: str,
    actor: Actor,
    *,
    assisted_by: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if contact_by not in CONTACT_BY:
        errors["contact_by"] = "Choose how they want to be contacted"
    if email.strip():
        errors.update(email_errors(email, "email", "an email address"))
    elif contact_by == "email":
        errors["email"] = "Enter an email address, or choose another way to be contacted"
    if contact_by == "post" and not address.strip():
        errors["address"] = "Enter a postal address, or choose another way to be contacted"
    if len(address) > 1000:
        errors["address"] = "The address must be 1000 characters or fewer"
    if len(phone) > 40:
        errors["phone"] = "The phone number must be 40 characters or fewer"
    if errors:
        raise MembershipError(errors)
    async with write_transaction():
        await Member.update(
            {
                Member.address: address.strip(),
                Member.email: email.strip().lower() or None,
                Member.phone: phone.strip(),
                Member.contact_by: contact_by,
            }
        ).where(Member.id == member["id"])
        await record_member_event(
            org.organisation_id,
            member["id"],
            "member.details_changed",
            today(),
            {"fields": ["address", "email", "phone", "contact_by"]},
            actor,
            audit_detail={"assisted": assisted_by is not None},
            assisted_by=assisted_by,
        )


async def communication_needs_by_member(organisation_id: int) -> dict[int, list[str]]:
    """Every current member's recorded communication needs (consented), for notices and ballots to honour:
    member id -> need keys such as "easy_read" or "post". Members with none are left out."""
    rows = (
        await CommunicationNeed.select(CommunicationNeed.member, CommunicationNeed.need)
        .where(
            (CommunicationNeed.member.organisation == organisation_id)
            & CommunicationNeed.member.ceased_on.is_null()
            & CommunicationNeed.ended_at.is_null()
        )
        .order_by(CommunicationNeed.id)
    )
    needs: dict[int, list[str]] = {}
    for row in rows:
        needs.setdefault(row["member"], []).append(row["need"])
    return needs
