"""The annual community interest report (form CIC34), drafted for one financial year from what coop
recorded in it (members, general meetings, votes with turnout, written resolutions, services commissioned
and paid for from pools) and the secretary's own words, saved by year. Its parts follow the form in
order. Every figure is an aggregate or a bounded list, so the report costs the same at any size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from coop import clock
from coop.audit.guarded import guarded_change
from coop.audit.service import Actor, AuditEntry, record
from coop.budgets.tables import PoolPayment
from coop.commissioning.tables import Contract
from coop.db import write_transaction
from coop.documents.articles import Section, long_date
from coop.documents.tables import CommunityInterestReport
from coop.errors import Refused
from coop.meetings.tables import AgendaItem, Meeting
from coop.members.tables import Member
from coop.organisations.service import founded_on
from coop.organisations.tables import Organisation
from coop.resolutions.tables import WrittenResolution
from coop.template_filters import long_date as local_date
from coop.template_filters import pounds
from coop.votes.tables import Vote, VoteParticipation, VoteRoll
from governance.compliance_calendar import report_period
from governance.constitution import LegalForm

LISTED = 50
"""Meetings and votes named one by one in the report; beyond that, the totals only."""
TEXT_LIMIT = 10_000
FIELDS = {
    "benefit": "How the company's activities benefited the community",
    "consultation": "How you consulted the people affected, and what came of it",
    "remuneration": "Directors' remuneration",
    "transfers": "Transfers of assets other than for full consideration",
}
PROMPTS = {
    "benefit": "What the company did this year and how it helped the community it serves: the services "
    "members chose and bought together, who used them, and what changed for them.",
    "consultation": "Anything beyond the meetings and votes listed: surveys, feedback on services, "
    "open meetings, easy-read consultations. Say what people told you and what you changed.",
    "remuneration": "What the directors were paid or given for being directors this year, or that they "
    "were paid nothing. You may refer to the notes to the accounts instead.",
    "transfers": "Any money or property given away or sold for less than it is worth, to whom, and its "
    "value. If there were none, say so.",
}


@dataclass(frozen=True, slots=True)
class YearFacts:
    """What coop recorded in the year, for the report."""

    start: date
    end: date
    members: int
    meetings: tuple[dict[str, Any], ...]
    meeting_total: int
    resolutions_passed: int
    resolutions_failed: int
    votes: tuple[dict[str, Any], ...]
    vote_total: int
    written_passed: int
    contracts: int
    contracted_pence: int
    paid_pence: int
    words: dict[str, str] = field(default_factory=dict)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)


async def report_year(organisation_id: int, today: date) -> tuple[date, date] | None:
    """The financial year the report covers, from the year end and the day the organisation was set up."""
    org = (
        await Organisation.select(Organisation.year_end_month, Organisation.year_end_day)
        .where(Organisation.id == organisation_id)
        .first()
    )
    first = await founded_on(organisation_id)
    if org is None or first is None or not 1 <= int(org["year_end_month"] or 0) <= 12:
        return None
    month, day = int(org["year_end_month"]), int(org["year_end_day"] or 1)
    return report_period(first, today, month, day)


async def _meetings(
    organisation_id: int, start: date, end: date
) -> tuple[list[dict[str, Any]], int, int, int]:
    since, until = _bounds(start, end)
    held = (
        (Meeting.organisation == organisation_id)
        & Meeting.kind.is_in(["general", "annual_general"])
        & (Meeting.starts_at >= since)
        & (Meeting.starts_at < until)
        & Meeting.status.is_in(["open", "closed"])
    )
    rows = (
        await Meeting.select(Meeting.title, Meeting.kind, Meeting.starts_at)
        .where(held)
        .order_by(Meeting.starts_at)
        .limit(LISTED)
    )
    total = await Meeting.count().where(held)
    decided = (
        await AgendaItem.select(AgendaItem.result, Count(AgendaItem.id, alias="n"))
        .where(
            (AgendaItem.meeting.organisation == organisation_id)
            & AgendaItem.meeting.kind.is_in(["general", "annual_general"])
            & (AgendaItem.decided_at >= since)
            & (AgendaItem.decided_at < until)
            & (AgendaItem.result != "")
        )
        .group_by(AgendaItem.result)
    )
    counts = {r["result"]: int(r["n"]) for r in decided}
    return rows, int(total), counts.get("passed", 0), counts.get("failed", 0)


async def _votes(organisation_id: int, start: date, end: date) -> tuple[list[dict[str, Any]], int]:
    since, until = _bounds(start, end)
    closed = (
        (Vote.organisation == organisation_id)
        & (Vote.status == "closed")
        & (Vote.closed_at >= since)
        & (Vote.closed_at < until)
    )
    rows = (
        await Vote.select(Vote.id, Vote.title, Vote.closed_at)
        .where(closed)
        .order_by(Vote.closed_at)
        .limit(LISTED)
    )
    total = await Vote.count().where(closed)
    ids = [r["id"] for r in rows]
    if not ids:
        return [], int(total)
    electors = (
        await VoteRoll.select(VoteRoll.vote, Count(VoteRoll.id, alias="n"))
        .where(VoteRoll.vote.is_in(ids))
        .group_by(VoteRoll.vote)
    )
    voted = (
        await VoteParticipation.select(VoteParticipation.vote, Count(VoteParticipation.id, alias="n"))
        .where(VoteParticipation.vote.is_in(ids))
        .group_by(VoteParticipation.vote)
    )
    roll = {r["vote"]: int(r["n"]) for r in electors}
    cast = {r["vote"]: int(r["n"]) for r in voted}
    for row in rows:
        row["electors"], row["voted"] = roll.get(row["id"], 0), cast.get(row["id"], 0)
    return rows, int(total)


async def _money(organisation_id: int, start: date, end: date) -> tuple[int, int, int]:
    since, until = _bounds(start, end)
    contracts = (
        await Contract.select(Count(Contract.id, alias="n"), Sum(Contract.total_pence, alias="pence"))
        .where(
            (Contract.organisation == organisation_id)
            & (Contract.created_at >= since)
            & (Contract.created_at < until)
        )
        .first()
    )
    paid = (
        await PoolPayment.select(Sum(PoolPayment.amount_pence, alias="pence"))
        .where(
            (PoolPayment.organisation == organisation_id)
            & (PoolPayment.status == "paid")
            & (PoolPayment.decided_at >= since)
            & (PoolPayment.decided_at < until)
        )
        .first()
    )
    return (
        int((contracts or {}).get("n") or 0),
        int((contracts or {}).get("pence") or 0),
        int((paid or {}).get("pence") or 0),
    )


async def saved_words(organisation_id: int, end: date) -> dict[str, str]:
    row = (
        await CommunityInterestReport.select()
        .where(CommunityInterestReport.report_key == f"{organisation_id}:{end.isoformat()}")
        .first()
    )
    return {key: str(row[key]) if row else "" for key in FIELDS}


async def year_facts(organisation_id: int, today: date) -> YearFacts | None:
    period = await report_year(organisation_id, today)
    if period is None:
        return None
    start, end = period
    members = await Member.count().where(
        (Member.organisation == organisation_id)
        & (Member.admitted_on <= end)
        & (Member.ceased_on.is_null() | (Member.ceased_on > end))
    )
    meetings, meeting_total, passed, failed = await _meetings(organisation_id, start, end)
    votes, vote_total = await _votes(organisation_id, start, end)
    written = await WrittenResolution.count().where(
        (WrittenResolution.organisation == organisation_id)
        & (WrittenResolution.status == "passed")
        & (WrittenResolution.decided_on >= start)
        & (WrittenResolution.decided_on <= end)
    )
    contracts, contracted, paid = await _money(organisation_id, start, end)
    return YearFacts(
        start, end, int(members), tuple(meetings), meeting_total, passed, failed, tuple(votes), vote_total,
        int(written), contracts, contracted, paid, await saved_words(organisation_id, end),
    )  # fmt: skip


def read_words(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The secretary's words from the form, and errors by field."""
    words: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, label in FIELDS.items():
        value = form.get(key, "")
        value = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
        if len(value) > TEXT_LIMIT:
            errors[key] = f"{label} must be {TEXT_LIMIT:,} characters or fewer"
        words[key] = value[: TEXT_LIMIT + 1]
    return words, errors


async def save_words(organisation_id: int, words: dict[str, str], today: date, actor: Actor) -> date:
    """Save the words for the report's year, replacing what was saved before; returns the year end."""
    period = await report_year(organisation_id, today)
    if period is None:
        raise Refused("The organisation's year end is not set, so there is no report year", status_code=422)
    end = period[1]
    key = f"{organisation_id}:{end.isoformat()}"
    values = {
        CommunityInterestReport.updated_at: clock.now(),
        CommunityInterestReport.updated_by: actor.person_id,
    }
    columns = {getattr(CommunityInterestReport, k): v for k, v in words.items()}
    fields: dict[str, Any] = dict(words)  # a new row takes the same words as keyword arguments
    async with write_transaction():
        changed = await guarded_change(  # the year's report if there is one (else it is made), audited below
            CommunityInterestReport,
            {**columns, **values},
            CommunityInterestReport.report_key == key,
            returning=[CommunityInterestReport.id],
        )
        if not changed:
            await CommunityInterestReport.insert(
                CommunityInterestReport(
                    report_key=key,
                    organisation=organisation_id,
                    year_end=end,
                    updated_by=actor.person_id,
                    **fields,
                )
            )
        await record(
            AuditEntry(
                "documents.community_interest_report_saved",
                organisation_id,
                "community_interest_report",
                end.isoformat(),
                detail={"filled_in": sorted(k for k, v in words.items() if v)},
            ),
            actor,
        )
    return end


def _or_to_fill(text: str, prompt: str) -> tuple[str, ...]:
    paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
    return paragraphs or (f"[To fill in: {prompt}]",)


def counted(number: int, thing: str) -> str:
    """ "1 vote", "2 votes": a number with its noun."""
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _consultation(facts: YearFacts) -> list[str]:
    """Part 2's record: the general meetings held, what they decided, and each vote with its turnout."""
    named = "; ".join(f"{m['title']} on {local_date(m['starts_at'])}" for m in facts.meetings)
    more = facts.meeting_total - len(facts.meetings)
    consulted = [
        f"The members held {counted(facts.meeting_total, 'general meeting')} in the year"
        + (f": {named}" if named else "")
        + (f" (and {more} more)" if more > 0 else "")
        + ".",
        f"At them, {counted(facts.resolutions_passed, 'resolution')} passed and "
        f"{facts.resolutions_failed} did not.",
        f"Members passed {counted(facts.written_passed, 'written resolution')}.",
        f"Members voted in {counted(facts.vote_total, 'vote')} in coop.",
    ]
    for vote in facts.votes:
        share = f" ({round(100 * vote['voted'] / vote['electors'])}%)" if vote["electors"] else ""
        consulted.append(
            f"{vote['title']}, closed on {local_date(vote['closed_at'])}: {vote['voted']} of "
            f"{vote['electors']} members voted{share}."
        )
    return consulted


def report_sections(name: str, legal_form: LegalForm, facts: YearFacts) -> tuple[Section, ...]:
    """The CIC34's parts in order: company details, 1 activities and impact, 2 consultation, 3 directors'
    remuneration, 4 transfers of assets, then (for a CIC limited by shares) dividends."""
    words = facts.words
    period = f"{long_date(facts.start)} to {long_date(facts.end)}"
    details = Section(
        "Company details",
        (
            f"Company name: {name}",
            f"Financial year: {period}",
            "Form CIC34: community interest company report",
        ),
    )
    recorded = [f"At the end of the year the company had {facts.members} members."]
    if facts.contracts or facts.paid_pence:
        recorded.append(
            f"Members agreed {counted(facts.contracts, 'contract')} for services worth "
            f"{pounds(facts.contracted_pence)} in the year, and {pounds(facts.paid_pence)} was paid for "
            "services from members' pooled budgets."
        )
    part1 = Section(
        "Part 1: General description of the company's activities and impact",
        (*_or_to_fill(words.get("benefit", ""), PROMPTS["benefit"]), *recorded),
    )
    part2 = Section(
        "Part 2: Consultation with stakeholders",
        (*_consultation(facts), *_or_to_fill(words.get("consultation", ""), PROMPTS["consultation"])),
    )
    part3 = Section(
        "Part 3: Directors' remuneration", _or_to_fill(words.get("remuneration", ""), PROMPTS["remuneration"])
    )
    part4 = Section(
        "Part 4: Transfers of assets other than for full consideration",
        (
            *_or_to_fill(words.get("transfers", ""), PROMPTS["transfers"]),
            "Payments from members' pooled budgets recorded in coop are for services at their full price, so "
            "they are not transfers of this kind.",
        ),
    )
    parts = [details, part1, part2, part3, part4]
    if legal_form is LegalForm.CIC_SHARES:
        parts.append(
            Section(
                "Part 5: Dividends",
                (
                    "[To fill in: any dividends declared or proposed and how they keep within the dividend "
                    "cap, or that none was paid this year or in the previous four years.]",
                ),
            )
        )
    return tuple(parts)
