"""Register entries: adding one (the secretary, an admission, an accepted invitation), finding one in
an organisation, its history, and a change of membership class."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.clock import today
from coop.db import write_transaction
from coop.form_values import INTEGER_MAX, read_date, whole_number
from coop.members.errors import MembershipError
from coop.members.events import record_member_event
from coop.members.tables import (
    Member,
    MemberEvent,
)
from coop.members.words import CONTACT_BY, EVENT_WORDS, email_errors
from coop.organisations.service import OrgContext, constitution_of
from coop.public_ids import parse_public_id
from governance.constitution import Constitution


def current_members(organisation_id: int) -> Any:
    return (Member.organisation == organisation_id) & Member.ceased_on.is_null()


CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\0", "\r")


def csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (OWASP CSV injection): a cell never starts with = + - @ tab NUL."""
    if value and value[0] in CSV_DANGEROUS:
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class NewEntry:
    name: str
    member_class: str
    admitted_on: date
    address: str = ""
    email: str | None = None
    phone: str = ""
    contact_by: str = "post"
    shares_held: int = 0


ENTRY_BATCH = 200  # rows per INSERT: bounded statements however many entries a bulk import brings
NEW_ENTRY_FIELDS = ("name", "member_class", "address", "email", "phone", "contact_by", "shares_held")


def check_new_entry(
    constitution: Constitution,
    fields: Mapping[str, str],
    admitted: date | None,
    errors: dict[str, str],
    *,
    on: date,
    date_field: str,
) -> NewEntry | None:
    """The details of a new register entry (the secretary's form, a row of a bulk import) as a NewEntry,
    or None with a plain-English message per field in `errors`. `admitted` was read by the caller (a
    form's three boxes, an import's ISO date); a missing one already has its error under `date_field`."""
    value = {k: _text(fields.get(k)) for k in NEW_ENTRY_FIELDS}
    found: dict[str, str] = {}
    if not value["name"]:
        found["name"] = "Enter their full name"
    elif len(value["name"]) > 200:
        found["name"] = "The name must be 200 characters or fewer"
    if constitution.member_class(value["member_class"]) is None:
        found["member_class"] = "Choose a membership class"
    found.update(errors)
    if admitted is not None and admitted > on:
        found[date_field] = "The date admitted must be today or in the past"
    found.update(_contact_problems(value))
    # PostgreSQL refuses NUL in text, and no register entry needs control characters (but an address's lines).
    found.update(
        {
            k: "Remove the hidden control characters from this"
            for k, v in value.items()
            if has_control_characters(v)
        }
    )
    shares = whole_number(value["shares_held"], low=0, high=INTEGER_MAX) if value["shares_held"] else 0
    if shares is None:
        found["shares_held"] = "Enter the number of shares as a whole number, like 1"
    errors.clear()
    errors.update(found)
    if found or admitted is None or shares is None:
        return None
    return NewEntry(
        name=value["name"],
        member_class=value["member_class"],
        admitted_on=admitted,
        address=value["address"],
        email=value["email"].lower() or None,
        phone=value["phone"],
        contact_by=value["contact_by"],
        shares_held=shares,
    )


def has_control_characters(text: str) -> bool:
    """Characters no register entry needs (an address keeps its tabs and line breaks), and PostgreSQL
    refuses NUL in text."""
    return any((ord(c) < 32 and c not in "\t\r\n") or ord(c) == 127 for c in text)


def _text(raw: object) -> str:
    return raw.strip()[:5000] if isinstance(raw, str) else ""


def _contact_problems(value: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    if value["contact_by"] not in CONTACT_BY:
        found["contact_by"] = "Choose how they want to be contacted"
    elif value["contact_by"] == "post" and not value["address"]:
        found["address"] = "Enter their postal address, so notices can be posted to them"
    elif value["contact_by"] == "email" and not value["email"]:
        found["email"] = "Enter their email address, or choose another way to contact them"
    if value["email"]:
        found.update(email_errors(value["email"], "email", "their email address"))
    if len(value["address"]) > 1000:
        found["address"] = "The address must be 1000 characters or fewer"
    if len(value["phone"]) > 40:
        found["phone"] = "The phone number must be 40 characters or fewer"
    return found


async def add_member(org: OrgContext, form: Mapping[str, str], actor: Actor) -> str:
    """The secretary adds someone to the register from the form (the date in three boxes). Returns the
    new entry's public id; refused with every problem at once (MembershipError)."""
    constitution = await constitution_of(org.organisation_id)
    errors: dict[str, str] = {}
    admitted = read_date(form, "admitted", "date they were admitted", errors)
    entry = check_new_entry(constitution, form, admitted, errors, on=today(), date_field="admitted_day")
    if entry is None:
        raise MembershipError(errors)
    added = await add_register_entries(org.organisation_id, [entry], actor)
    return added[0][1]


async def add_register_entry(
    org: OrgContext, entry: NewEntry, actor: Actor, *, person_id: int | None = None, source: str = "secretary"
) -> int:
    """Write a new register entry (an admission, an accepted invitation). Returns its row id."""
    added = await add_register_entries(
        org.organisation_id, [entry], actor, person_id=person_id, source=source
    )
    return added[0][0]


async def add_register_entries(
    organisation_id: int,
    entries: Sequence[NewEntry],
    actor: Actor,
    *,
    person_id: int | None = None,
    source: str = "secretary",
) -> list[tuple[int, str]]:
    """Write new register entries, all or none, in INSERTs of at most ENTRY_BATCH rows, each with its
    register event and audit entry. Returns (row id, public id) per entry, in order. The database numbers
    each entry (a trigger), the same however it was made."""
    constitution = await constitution_of(organisation_id)
    guarantee = (
        constitution.membership.guarantee_pence if constitution.legal_form.value.endswith("guarantee") else 0
    )
    added: list[tuple[int, str]] = []
    async with write_transaction():
        for start in range(0, len(entries), ENTRY_BATCH):
            batch = entries[start : start + ENTRY_BATCH]
            rows = await Member.insert(
                *(_member_row(organisation_id, e, person_id, guarantee) for e in batch)
            ).returning(Member.id, Member.public_id)
            ids = [(int(r["id"]), str(r["public_id"])) for r in rows]
            await _record_admissions(organisation_id, list(zip(ids, batch, strict=True)), actor, source)
            added.extend(ids)
    return added


def _member_row(organisation_id: int, entry: NewEntry, person_id: int | None, guarantee: int) -> Member:
    return Member(
        organisation=organisation_id,
        person=person_id,
        name=entry.name,
        member_class=entry.member_class,
        admitted_on=entry.admitted_on,
        address=entry.address,
        email=entry.email,
        phone=entry.phone,
        contact_by=entry.contact_by,
        shares_held=entry.shares_held,
        guarantee_pence=guarantee,
    )


async def _record_admissions(
    organisation_id: int, admitted: list[tuple[tuple[int, str], NewEntry]], actor: Actor, source: str
) -> None:
    await MemberEvent.insert(
        *(
            MemberEvent(
                organisation=organisation_id,
                member=member_id,
                kind="admitted",
                happened_on=entry.admitted_on,
                detail=json.dumps({"class": entry.member_class, "source": source}),
                recorded_by=actor.person_id,
            )
            for (member_id, _), entry in admitted
        )
    )
    for (member_id, _), entry in admitted:
        await record(
            AuditEntry(
                "member.admitted",
                organisation_id=organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"class": entry.member_class, "source": source},
            ),
            actor,
        )


async def member_in_org(org: OrgContext, public_id: str) -> dict[str, Any] | None:
    """A register entry of this organisation by its public id, or None (another organisation's is None)."""
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    return (
        await Member.select()
        .where((Member.public_id == uid) & (Member.organisation == org.organisation_id))
        .first()
    )


async def events_of(member_id: int) -> list[dict[str, Any]]:
    rows = (
        await MemberEvent.select(
            MemberEvent.kind,
            MemberEvent.happened_on,
            MemberEvent.detail,
            MemberEvent.created_at,
            MemberEvent.recorded_by.display_name.as_alias("recorded_by_name"),
            MemberEvent.assisted_by.display_name.as_alias("assisted_by_name"),
        )
        .where(MemberEvent.member == member_id)
        .order_by(MemberEvent.id)
    )
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
        row["words"] = EVENT_WORDS.get(row["kind"], row["kind"])
    return rows


async def change_class(
    org: OrgContext, member: dict[str, Any], new_class: str, on: date, actor: Actor
) -> None:
    constitution = await constitution_of(org.organisation_id)
    if constitution.member_class(new_class) is None:
        raise MembershipError({"member_class": "Choose a membership class"})
    if new_class == member["member_class"]:
        raise MembershipError({"member_class": "Choose a different class from the one they are in now"})
    if member["ceased_on"] is not None:
        raise MembershipError({"member_class": "This person is no longer a member"})
    # Imported here: the board's service builds on this module (its errors are MembershipErrors).
    from coop.boards.service import guard_class_change

    async with write_transaction():
        # A director's class decides the board's composition: refuse a change that would break it.
        await guard_class_change(org.organisation_id, member["id"], new_class)
        await Member.update({Member.member_class: new_class}).where(Member.id == member["id"])
        change = {"from": member["member_class"], "to": new_class}
        await record_member_event(
            org.organisation_id, member["id"], "member.class_changed", on, change, actor, audit_detail=change
        )
