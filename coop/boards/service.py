"""The register of directors and the composition guard: every appointment, co-option, change of class,
removal, resignation, end of term and cessation is checked against the constitution in force. A change
the board may refuse is refused with the rule in words; one it cannot refuse (a resignation, a death, a
member ceasing) is recorded and the board page shows the breach, the vacancy and what to do next.

The register decides who holds the director role: each write here grants or revokes the role in the same
transaction as the register row, with its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coop.audit.guarded import guarded_update
from coop.audit.service import SYSTEM, Actor, AuditEntry, record
from coop.boards.tables import DirectorPrivateParticulars, Directorship
from coop.clock import now, today
from coop.db import is_sqlite, stored_date, write_transaction
from coop.members.errors import MembershipError
from coop.members.tables import Member, RoleGrant
from coop.organisations.service import OrgContext, constitution_of
from coop.public_ids import parse_public_id
from governance.board import (
    AppointmentRoute,
    ChangeCheck,
    Director,
    appointment_violations,
    board_composition_violations,
    class_change_violations,
    removal_violations,
)
from governance.board_seats import (
    OPEN_SEAT,
    CompositionLine,
    composition_lines,
    next_steps,
    reserved_vacancies,
    seat_for,
)
from governance.constitution import Constitution
from governance.terms import term_end_date
from governance.violations import Violation

MANAGER_ROLES = ("secretary", "admin", "director")
"""Who may see private particulars and record changes: the board and the secretary."""
ROUTES = {
    "elected": "Elected by the members",
    "co_opted": "Co-opted by the board",
    "appointed_by_class": "Nominated by a member class",
}
ENDINGS = {
    "resigned": "Resigned",
    "removed": "Removed",
    "term_ended": "Term ended",
    "died": "Died",
    "ceased_member": "Stopped being a member",
}
CANNOT_REFUSE = ("resigned", "died", "term_ended")
"""Endings the board cannot stop: they are recorded, and any breach is shown with what to do next."""
PAGE_SIZE = 50


class BoardError(MembershipError):
    """A change the constitution does not allow; `errors` maps form fields to plain-English messages.

    A MembershipError, so the members' pages (a change of class) show it by the field like their own."""


def is_manager(org: OrgContext) -> bool:
    return org.has_any(*MANAGER_ROLES)


# --- reading the board --------------------------------------------------------------------------------

_CURRENT_SQL = """
SELECT d.id, d.public_id, d.member, d.seat, d.route, d.appointed_by_class, d.appointed_on, d.term_end,
       d.user_led_consent, m.name, m.member_class
FROM directorship d JOIN member m ON m.id = d.member
WHERE d.organisation = {} AND d.ceased_on IS NULL AND m.ceased_on IS NULL ORDER BY d.id
"""
# A director must be a member: one who has ceased is not counted even before the sweep writes their
# directorship's end down (rows from before ceasing ended it in the same transaction).


async def current_directors(organisation_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Directorship.raw(_CURRENT_SQL, organisation_id)
    for row in rows:
        row["appointed_on"] = stored_date(row["appointed_on"])
        row["term_end"] = stored_date(row["term_end"])
    return rows


def as_director(row: dict[str, Any], member_class: str | None = None) -> Director:
    """The governance view of a register row (optionally as if in another member class)."""
    route = AppointmentRoute(row["route"])
    return Director(
        id=str(row["member"]),
        name=row["name"],
        term_start=row["appointed_on"],
        classes=frozenset({member_class or row["member_class"]}),
        user_led_consent=bool(row["user_led_consent"]),
        route=route,
        appointed_by_class=row["appointed_by_class"] or None,
        term_end=row["term_end"],
    )


@dataclass(frozen=True, slots=True)
class BoardState:
    """The board as it stands, measured against the constitution in force."""

    constitution: Constitution
    directors: tuple[Director, ...]
    composition: tuple[CompositionLine, ...]
    breaches: tuple[Violation, ...]
    next_steps: tuple[str, ...]
    vacancies: dict[str, int] = field(default_factory=dict)

    def seat_name(self, seat: str) -> str:
        return "Open seat" if seat == OPEN_SEAT else f"Reserved for {self.constitution.class_plural(seat)}"


async def board_state(organisation_id: int) -> BoardState:
    """The composition at a glance and any compliance alert. Only reads: a member who has ceased is not
    counted (see _CURRENT_SQL), so the alert is never behind the register of members."""
    constitution = await constitution_of(organisation_id)
    directors = tuple(as_director(r) for r in await current_directors(organisation_id))
    return BoardState(
        constitution=constitution,
        directors=directors,
        composition=composition_lines(constitution, directors),
        breaches=tuple(board_composition_violations(constitution, directors)),
        next_steps=next_steps(constitution, directors),
        vacancies={k: v for k, v in reserved_vacancies(constitution, directors).items() if v},
    )


_REGISTER_SQL = """
SELECT d.id, d.public_id, d.seat, d.route, d.appointed_by_class, d.appointed_on, d.term_end, d.ceased_on,
       d.ceased_reason, d.ceased_note, d.service_address, d.country_of_residence, d.nationality,
       d.occupation, m.name, m.member_class, p.date_of_birth, p.residential_address
FROM directorship d JOIN member m ON m.id = d.member
LEFT JOIN director_private_particulars p ON p.directorship = d.id
WHERE d.organisation = {} AND d.id > {} ORDER BY d.id LIMIT {}
"""


async def register_page(org: OrgContext, after: int = 0) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the register (current and past directors, in order of appointment) after the entry
    `after`, and the key of the next page if there is one. Private particulars only for the board and
    secretary; the public register has the month and year of birth and nothing else of it."""
    rows = await Directorship.raw(_REGISTER_SQL, org.organisation_id, max(after, 0), PAGE_SIZE + 1)
    private = is_manager(org)
    for row in rows:
        for key in ("appointed_on", "term_end", "ceased_on", "date_of_birth"):
            row[key] = stored_date(row[key])
        born = row["date_of_birth"]
        row["born"] = born.strftime("%B %Y") if born else ""
        if not private:
            row["date_of_birth"] = None
            row["residential_address"] = None
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (int(rows[-1]["id"]) if more else None)


async def directorship_in_org(org: OrgContext, public_id: str) -> dict[str, Any] | None:
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    row = (
        await Directorship.select(*Directorship.all_columns(), Directorship.member.name.as_alias("name"))
        .where((Directorship.public_id == uid) & (Directorship.organisation == org.organisation_id))
        .first()
    )
    return row


async def appointable_members(organisation_id: int) -> list[dict[str, Any]]:
    """Current members who are not directors now, for the appointment form."""
    directors = {r["member"] for r in await current_directors(organisation_id)}
    rows = await (
        Member.select(Member.id, Member.public_id, Member.name, Member.member_class)
        .where((Member.organisation == organisation_id) & Member.ceased_on.is_null())
        .order_by(Member.name)
    )
    return [r for r in rows if r["id"] not in directors]


# --- writing ------------------------------------------------------------------------------------------


async def _lock_board(organisation_id: int) -> None:
    """Inside a transaction, before reading the board to check a change: changes to one board queue here,
    so two appointments that each fit cannot together overfill it. SQLite's BEGIN IMMEDIATE already
    serialises writers; PostgreSQL locks the organisation's row."""
    if not is_sqlite():
        await Directorship.raw("SELECT id FROM organisation WHERE id = {} FOR UPDATE", organisation_id)


def _refuse(field_name: str, check: ChangeCheck) -> BoardError:
    return BoardError({field_name: " ".join(v.message for v in check.would_break)})


async def _sync_director_role(member_id: int) -> None:
    """Inside a transaction: the member holds the director role exactly while they hold a directorship."""
    holds = await Directorship.exists().where(
        (Directorship.member == member_id) & Directorship.ceased_on.is_null()
    )
    granted = await RoleGrant.exists().where(
        (RoleGrant.member == member_id) & (RoleGrant.role == "director") & RoleGrant.revoked_at.is_null()
    )
    if holds and not granted:
        await RoleGrant.insert(RoleGrant(member=member_id, role="director"))
    elif granted and not holds:
        await RoleGrant.update({RoleGrant.revoked_at: now()}).where(
            (RoleGrant.member == member_id) & (RoleGrant.role == "director") & RoleGrant.revoked_at.is_null()
        )


@dataclass(frozen=True, slots=True)
class Particulars:
    service_address: str = ""
    country_of_residence: str = ""
    nationality: str = ""
    occupation: str = ""
    residential_address: str = ""
    date_of_birth: date | None = None


@dataclass(frozen=True, slots=True)
class Appointment:
    member_public_id: str
    route: str
    appointed_on: date
    particulars: Particulars
    appointed_by_class: str = ""
    user_led_consent: bool = False


async def insert_directorship(
    organisation_id: int,
    member_id: int,
    seat: str,
    appointment: Appointment,
    term_end: date,
    *,
    vote_id: int | None = None,
) -> int:
    """Inside a transaction, after the composition check: the register entry, its private particulars and
    the director role. Returns the entry's row id."""
    p = appointment.particulars
    rows = await Directorship.insert(
        Directorship(
            organisation=organisation_id,
            member=member_id,
            seat=seat,
            route=appointment.route,
            appointed_by_class=appointment.appointed_by_class,
            appointed_on=appointment.appointed_on,
            term_end=term_end,
            elected_by_vote=vote_id,
            user_led_consent=appointment.user_led_consent,
            service_address=p.service_address,
            country_of_residence=p.country_of_residence,
            nationality=p.nationality,
            occupation=p.occupation,
        )
    ).returning(Directorship.id)
    directorship_id = int(rows[0]["id"])
    await DirectorPrivateParticulars.insert(
        DirectorPrivateParticulars(
            directorship=directorship_id,
            residential_address=p.residential_address,
            date_of_birth=p.date_of_birth,
        )
    )
    await _sync_director_role(member_id)
    return directorship_id


async def appoint(org: OrgContext, appointment: Appointment, actor: Actor) -> str:
    """Appoint (or co-opt) a member as a director if the constitution allows it. Returns their name."""
    if appointment.route not in ROUTES:
        raise BoardError({"route": "Choose how the director is appointed"})
    member = await _current_member(org.organisation_id, appointment.member_public_id)
    constitution = await constitution_of(org.organisation_id)
    if appointment.route == "appointed_by_class" and (
        constitution.member_class(appointment.appointed_by_class) is None
    ):
        raise BoardError({"appointed_by_class": "Choose the member class that nominated them"})
    if appointment.route != "appointed_by_class":
        appointment = Appointment(**{**_fields(appointment), "appointed_by_class": ""})
    async with write_transaction():
        await _lock_board(org.organisation_id)
        rows = await current_directors(org.organisation_id)
        if any(r["member"] == member["id"] for r in rows):
            raise BoardError({"member": f"{member['name']} is already a director"})
        directors = [as_director(r) for r in rows]
        newcomer = _newcomer(member, appointment)
        check = appointment_violations(constitution, directors, newcomer)
        if not check.allowed:
            await _record_refusal(
                org.organisation_id, "board.appointment_refused", member["id"], check, actor
            )
            raise _refuse("member", check)
        seat = seat_for(constitution, directors, newcomer)
        directorship_id = await insert_directorship(
            org.organisation_id,
            member["id"],
            seat,
            appointment,
            term_end_date(constitution, appointment.appointed_on),
        )
        await record(
            AuditEntry(
                "board.director_appointed",
                organisation_id=org.organisation_id,
                target_type="directorship",
                target_id=str(directorship_id),
                detail={"member": member["id"], "route": appointment.route, "seat": seat},
            ),
            actor,
        )
    return str(member["name"])


async def _current_member(organisation_id: int, public_id: str) -> dict[str, Any]:
    uid = parse_public_id(public_id)
    member = None
    if uid is not None:
        member = (
            await Member.select(Member.id, Member.name, Member.member_class, Member.ceased_on)
            .where((Member.public_id == uid) & (Member.organisation == organisation_id))
            .first()
        )
    if member is None or member["ceased_on"] is not None:
        raise BoardError({"member": "Choose a current member to appoint"})
    return member


def _newcomer(member: dict[str, Any], appointment: Appointment) -> Director:
    return as_director(
        {
            "member": member["id"],
            "name": member["name"],
            "member_class": member["member_class"],
            "route": appointment.route,
            "appointed_by_class": appointment.appointed_by_class,
            "appointed_on": appointment.appointed_on,
            "term_end": None,
            "user_led_consent": appointment.user_led_consent,
        }
    )


def _fields(appointment: Appointment) -> dict[str, Any]:
    return {
        "member_public_id": appointment.member_public_id,
        "route": appointment.route,
        "appointed_on": appointment.appointed_on,
        "particulars": appointment.particulars,
        "appointed_by_class": appointment.appointed_by_class,
        "user_led_consent": appointment.user_led_consent,
    }


async def _record_refusal(
    organisation_id: int, action: str, member_id: int, check: ChangeCheck, actor: Actor
) -> None:
    """Refusals are audited too (outside the refused change, which writes nothing)."""
    await record(
        AuditEntry(
            action,
            organisation_id=organisation_id,
            target_type="member",
            target_id=str(member_id),
            outcome="refused",
            detail={"rules": [v.code for v in check.would_break]},
        ),
        actor,
    )


async def end_directorship(
    org: OrgContext,
    directorship: dict[str, Any],
    reason: str,
    on: date,
    note: str,
    actor: Actor,
    *,
    removed_by_class: str | None = None,
) -> tuple[Violation, ...]:
    """End a directorship. A removal that would break the constitution is refused; a resignation, a death
    or the end of a term cannot be refused, so it is recorded and the breach it leaves (returned) is
    shown on the board page with what to do next."""
    if reason not in ENDINGS or reason == "ceased_member":
        raise BoardError({"reason": "Choose why the directorship ends"})
    if directorship["ceased_on"] is not None:
        raise BoardError({"reason": "This person is no longer a director"})
    if on > today():
        raise BoardError({"on_day": "The date must be today or in the past"})
    if on < directorship["appointed_on"]:
        raise BoardError({"on_day": "The date must be on or after the day they were appointed"})
    constitution = await constitution_of(org.organisation_id)
    async with write_transaction():
        await _lock_board(org.organisation_id)
        rows = await current_directors(org.organisation_id)
        directors = [as_director(r) for r in rows]
        director_id = str(directorship["member"])
        if not any(d.id == director_id for d in directors):
            raise BoardError({"reason": "This person is no longer a director"})
        check = removal_violations(constitution, directors, director_id, removed_by_class=removed_by_class)
        if reason == "removed" and not check.allowed:
            await _record_refusal(
                org.organisation_id, "board.removal_refused", directorship["member"], check, actor
            )
            raise _refuse("reason", check)
        await _cease(org.organisation_id, directorship, reason, on, note, check, actor)
    return check.would_break


async def _cease(
    organisation_id: int,
    directorship: dict[str, Any],
    reason: str,
    on: date,
    note: str,
    check: ChangeCheck | None,
    actor: Actor,
) -> None:
    """Inside a transaction: end the row (it stays on the register) and audit it, unless it has ended
    already; then the role follows the register."""
    breaks = [v.code for v in check.would_break] if check else []
    await guarded_update(
        Directorship,
        {
            Directorship.ceased_on: on,
            Directorship.ceased_reason: reason,
            Directorship.ceased_note: note[:500],
        },
        (Directorship.id == directorship["id"]) & Directorship.ceased_on.is_null(),
        returning=[Directorship.id],
        audit=lambda row: AuditEntry(
            "board.director_ceased",
            organisation_id=organisation_id,
            target_type="directorship",
            target_id=str(row["id"]),
            detail={"reason": reason, "on": on.isoformat(), "breaches": breaks},
        ),
        actor=actor,
    )
    await _sync_director_role(int(directorship["member"]))


def _ending_for(member_ceased_reason: str | None) -> str:
    return "died" if member_ceased_reason == "died" else "ceased_member"


async def end_directorships_of_ceased_member(
    organisation_id: int, member_id: int, on: date, member_ceased_reason: str, actor: Actor
) -> int:
    """Inside the transaction that ends a membership: end the member's directorship with it (it cannot
    be refused: a director must be a member), audited as any ending. Returns how many were ended."""
    rows = await Directorship.select(Directorship.id, Directorship.member).where(
        (Directorship.organisation == organisation_id)
        & (Directorship.member == member_id)
        & Directorship.ceased_on.is_null()
    )
    for row in rows:
        await _cease(organisation_id, row, _ending_for(member_ceased_reason), on, "", None, actor)
    return len(rows)


_LEFT_OVER_SQL = (
    "SELECT d.id, d.organisation, d.member, m.ceased_on, m.ceased_reason FROM directorship d "
    "JOIN member m ON m.id = d.member "
    "WHERE d.ceased_on IS NULL AND m.ceased_on IS NOT NULL ORDER BY d.id LIMIT {}"
)
SETTLE_BATCH = 200


async def settle_ceased_members() -> int:
    """For the worker's sweep: end any directorship still open for a member who has ceased (rows written
    before a membership's ending ended the directorship with it), one transaction each, in bounded
    batches. Safe on many workers at once (each ending is conditional). Returns how many were ended."""
    settled = 0
    while True:
        due = await Directorship.raw(_LEFT_OVER_SQL, SETTLE_BATCH)
        for row in due:
            on = stored_date(row["ceased_on"])
            assert on is not None
            async with write_transaction():
                await _cease(
                    int(row["organisation"]), row, _ending_for(row["ceased_reason"]), on, "", None, SYSTEM
                )
        settled += len(due)
        if len(due) < SETTLE_BATCH:
            return settled


async def guard_class_change(organisation_id: int, member_id: int, new_class: str) -> None:
    """Inside the class change's transaction: refuse moving a director to another class when the board
    would then break its constitution; otherwise move their seat to match their new class."""
    await _lock_board(organisation_id)
    rows = await current_directors(organisation_id)
    row = next((r for r in rows if r["member"] == member_id), None)
    if row is None:
        return
    constitution = await constitution_of(organisation_id)
    directors = [as_director(r) for r in rows]
    check = class_change_violations(constitution, directors, str(member_id), frozenset({new_class}))
    if not check.allowed:
        raise BoardError(
            {
                "member_class": f"{row['name']} is a director, so their class cannot change: "
                + " ".join(v.message for v in check.would_break)
            }
        )
    others = [d for d in directors if d.id != str(member_id)]
    seat = seat_for(constitution, others, as_director(row, new_class))
    await Directorship.update({Directorship.seat: seat}).where(Directorship.id == row["id"])
