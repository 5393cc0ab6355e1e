"""Writing written resolutions: draft, send round, agree (online by the member, or on paper entered by the
secretary), pass, lapse. Each step is one transaction with its audit event.

The law (Companies Act 2006, ss288–300): a written resolution passes when members holding the required share
of ALL eligible votes have agreed (more than half for ordinary, at least 75% for special), counted against
those eligible on the day it is sent round; it lapses if not passed within 28 days (or the period the
articles set); an agreement cannot be revoked; and it can never remove a director or an auditor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from coop.audit.guarded import guarded_change, guarded_update
from coop.audit.service import SYSTEM, Actor, AuditEntry, record
from coop.db import is_sqlite, write_transaction
from coop.members.errors import MembershipError
from coop.organisations.service import constitution_of
from coop.resolutions import reading
from coop.resolutions.adoption import adopt_if_amendment, amendment_of, in_force
from coop.resolutions.schedule import queue_circulation
from coop.resolutions.tables import (
    WrittenResolution,
    WrittenResolutionAgreement,
    WrittenResolutionElector,
)
from governance.constitution import Constitution
from governance.resolutions import (
    ResolutionStatus,
    written_resolution_lapse_date,
    written_resolution_violations,
)

LAPSE_BATCH = 100


class ResolutionError(MembershipError):
    """A step the rules refuse; `errors` maps form fields to plain-English messages."""


@dataclass(frozen=True, slots=True)
class Draft:
    title: str
    text: str
    easy_read: str
    kind: str  # ordinary or special
    removes_director: bool
    removes_auditor: bool


async def draft_resolution(organisation_id: int, draft: Draft, actor: Actor, *, decision: str = "") -> str:
    """Save a draft for the board to check before it is sent round. Returns its public id."""
    constitution = await constitution_of(organisation_id)
    problems = written_resolution_violations(
        constitution, removes_director=draft.removes_director, removes_auditor=draft.removes_auditor
    )
    if problems:
        raise ResolutionError({"removes": " ".join(v.message for v in problems)})
    public_id = uuid4()
    async with write_transaction():
        rows = await WrittenResolution.insert(
            WrittenResolution(
                public_id=public_id,
                organisation=organisation_id,
                title=draft.title,
                text=draft.text,
                easy_read=draft.easy_read,
                kind=draft.kind,
                decision=decision,
                created_by=actor.person_id,
            )
        ).returning(WrittenResolution.id)
        await record(
            AuditEntry(
                "resolution.drafted",
                organisation_id=organisation_id,
                target_type="written_resolution",
                target_id=str(rows[0]["id"]),
                detail={"title": draft.title, "kind": draft.kind},
            ),
            actor,
        )
    return str(public_id)


async def _lock(resolution_id: int) -> None:
    """Inside a transaction: steps on one resolution queue here, so two agreements that each fall short
    cannot both miss that together they pass it. SQLite's BEGIN IMMEDIATE already serialises writers."""
    if not is_sqlite():
        await WrittenResolution.raw(
            "SELECT id FROM written_resolution WHERE id = {} FOR UPDATE", resolution_id
        )


# Everyone who may vote on the day it is sent round, one set-based INSERT per voting class (no rows
# through Python: 100,000 members is a handful of statements, far from any limit on bound values).
_ELECTORS = (
    "INSERT INTO written_resolution_elector (resolution, member, member_class, weight) "
    "SELECT {}, id, member_class, {} FROM member WHERE organisation = {} AND member_class = {} "
    "AND ceased_on IS NULL AND admitted_on <= {} AND (leaving_on IS NULL OR leaving_on > {})"
)


async def _freeze_electorate(
    resolution_id: int, organisation_id: int, constitution: Constitution, on: date
) -> int:
    """Inside the circulating transaction: who may agree on `on` and their votes. Returns the total; none
    is refused (raising rolls the whole step back, so the draft stays a draft)."""
    for member_class in constitution.member_classes:
        if member_class.can_vote:
            await WrittenResolutionElector.raw(
                _ELECTORS,
                resolution_id,
                member_class.vote_weight,
                organisation_id,
                member_class.key,
                on,
                on,
            )
    total = await WrittenResolutionElector.raw(
        "SELECT COALESCE(SUM(weight), 0) AS votes FROM written_resolution_elector WHERE resolution = {}",
        resolution_id,
    )
    eligible = int(total[0]["votes"])
    if eligible == 0:
        raise ResolutionError({"resolution": "Nobody could agree to it: no member has a vote today"})
    return eligible


async def circulate(organisation_id: int, public_id: str, actor: Actor, *, on: date, now: datetime) -> int:
    """Send a draft round: freeze who may agree and their votes, set the lapse date, queue the notices
    (email, or a letter for those who asked for post). Returns the number of eligible votes."""
    row = await reading.resolution_in_org(organisation_id, public_id)
    if row is None:
        raise ResolutionError({"resolution": "There is no such resolution"})
    constitution = await constitution_of(organisation_id)
    problems = written_resolution_violations(constitution)
    if problems:
        raise ResolutionError({"resolution": " ".join(v.message for v in problems)})
    amendment = await amendment_of(row["id"])
    if amendment is not None and amendment["base_version"] != (await in_force(organisation_id))[0]:
        raise ResolutionError(
            {"resolution": "The constitution has changed since this amendment was drafted: draft it again"}
        )
    lapses_on = written_resolution_lapse_date(constitution, on)
    async with write_transaction():
        await _lock(row["id"])
        # Audited below, once the electorate it freezes is counted.
        started = await guarded_change(
            WrittenResolution,
            {
                WrittenResolution.status: "circulating",
                WrittenResolution.circulated_on: on,
                WrittenResolution.lapses_on: lapses_on,
            },
            (WrittenResolution.id == row["id"]) & (WrittenResolution.status == "draft"),
            returning=[WrittenResolution.id],
        )
        if not started:
            raise ResolutionError({"resolution": "This resolution has already been sent round"})
        eligible = await _freeze_electorate(row["id"], organisation_id, constitution, on)
        await WrittenResolution.update({WrittenResolution.eligible_votes: eligible}).where(
            WrittenResolution.id == row["id"]
        )
        await record(
            AuditEntry(
                "resolution.circulated",
                organisation_id=organisation_id,
                target_type="written_resolution",
                target_id=str(row["id"]),
                detail={"eligible_votes": eligible, "lapses_on": lapses_on.isoformat()},
            ),
            actor,
        )
        await queue_circulation(organisation_id, row["id"], now=now)
    return eligible


@dataclass(frozen=True, slots=True)
class Agreed:
    passed: bool
    already: bool


async def agree(
    organisation_id: int, public_id: str, member_id: int, actor: Actor, *, on: date, paper: bool = False
) -> Agreed:
    """Record one member's agreement (their own online, or a signed paper copy the secretary received on
    `on`), and pass the resolution in the same transaction if that brings it to its threshold."""
    row = await reading.resolution_in_org(organisation_id, public_id)
    if row is None:
        raise ResolutionError({"resolution": "There is no such resolution"})
    field = "entry_number" if paper else "agree"
    async with write_transaction():
        await _lock(row["id"])
        current = await reading.resolution_in_org(organisation_id, public_id)
        assert current is not None
        _check_open(current, on, field)
        if paper and on < current["circulated_on"]:
            raise ResolutionError({"received_day": "The date received cannot be before it was sent round"})
        if not await WrittenResolutionElector.exists().where(
            (WrittenResolutionElector.resolution == row["id"])
            & (WrittenResolutionElector.member == member_id)
        ):
            who = "This member was" if paper else "You were"
            raise ResolutionError({field: f"{who} not entitled to vote on it on the day it was sent round"})
        inserted = (
            await WrittenResolutionAgreement.insert(
                WrittenResolutionAgreement(
                    resolution=row["id"],
                    member=member_id,
                    agreed_on=on,
                    channel="paper" if paper else "online",
                    recorded_by=actor.person_id if paper else None,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(WrittenResolutionAgreement.id)
        )
        if not inserted:
            return Agreed(passed=current["status"] == "passed", already=True)
        await record(
            AuditEntry(
                "resolution.agreed",
                organisation_id=organisation_id,
                target_type="written_resolution",
                target_id=str(row["id"]),
                detail={"member": member_id, "channel": "paper" if paper else "online"},
            ),
            actor,
        )
        passed = await _pass_if_agreed(organisation_id, current, on, actor)
    return Agreed(passed=passed, already=False)


def _check_open(row: dict[str, Any], on: date, field: str) -> None:
    if row["status"] == "passed":
        raise ResolutionError({field: "This resolution has already passed: no more agreements are needed"})
    if row["status"] != "circulating" or (row["lapses_on"] is not None and on > row["lapses_on"]):
        raise ResolutionError({field: "This resolution is not open for agreement"})


async def _pass_if_agreed(organisation_id: int, row: dict[str, Any], on: date, actor: Actor) -> bool:
    standing = await reading.standing(organisation_id, row, on)
    if standing.outcome is None or standing.outcome.status is not ResolutionStatus.PASSED:
        return False
    await WrittenResolution.update(
        {WrittenResolution.status: "passed", WrittenResolution.decided_on: on}
    ).where((WrittenResolution.id == row["id"]) & (WrittenResolution.status == "circulating"))
    await adopt_if_amendment(organisation_id, row, on, actor)
    await record(
        AuditEntry(
            "resolution.passed",
            organisation_id=organisation_id,
            target_type="written_resolution",
            target_id=str(row["id"]),
            detail={"agreed_votes": standing.agreed_votes, "eligible_votes": int(row["eligible_votes"])},
        ),
        actor,
    )
    return True


async def lapse_due(on: date) -> int:
    """Every resolution still circulating after its last day lapses, each with its audit event; bounded
    batches, each its own transaction, and a conditional update, so many workers may run this at once."""
    lapsed = 0
    while True:
        due = (
            await WrittenResolution.select(WrittenResolution.id, WrittenResolution.organisation)
            .where((WrittenResolution.status == "circulating") & (WrittenResolution.lapses_on < on))
            .limit(LAPSE_BATCH)
        )
        if not due:
            return lapsed
        async with write_transaction():
            for row in due:
                done = await guarded_update(
                    WrittenResolution,
                    {WrittenResolution.status: "lapsed", WrittenResolution.decided_on: on},
                    (WrittenResolution.id == row["id"]) & (WrittenResolution.status == "circulating"),
                    returning=[WrittenResolution.id, WrittenResolution.organisation],
                    audit=lambda changed: AuditEntry(
                        "resolution.lapsed",
                        organisation_id=int(changed["organisation"]),
                        target_type="written_resolution",
                        target_id=str(changed["id"]),
                    ),
                    actor=SYSTEM,
                )
                lapsed += len(done)


async def agree_on_paper(
    organisation_id: int, public_id: str, entry_number: int, actor: Actor, *, on: date
) -> Agreed:
    """A signed paper copy the secretary received on `on`, from the member with this register number."""
    member = await reading.member_by_entry_number(organisation_id, entry_number)
    if member is None:
        raise ResolutionError({"entry_number": "No member has this number in the register of members"})
    agreed = await agree(organisation_id, public_id, int(member["id"]), actor, on=on, paper=True)
    if agreed.already:
        raise ResolutionError({"entry_number": f"{member['name']}'s agreement is already recorded"})
    return agreed
