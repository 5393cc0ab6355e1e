"""The board on time, run by the worker: remind the secretary ahead of each director's term end, once per
term, so the election or the AGM that fills the seat can be planned in good time; and end any directorship
left open for a member who has ceased (pages never write)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from coop.boards.tables import Directorship
from coop.jobs.queue import NewJob, enqueue
from coop.jobs.worker import JobContext
from coop.members.notice_jobs import send_to_secretaries
from coop.members.notices import Notice
from coop.organisations.service import constitution_of
from coop.settings import Settings
from coop.template_filters import long_date
from coop.urls import absolute_url, org_path

TERM_END = "board.term_end_reminder"

_DUE_SQL = (
    "SELECT id, organisation, term_end FROM directorship "
    "WHERE ceased_on IS NULL AND term_end IS NOT NULL AND term_end >= {} AND term_end <= {}"
)


async def queue_term_end_reminders(settings: Settings, now: datetime) -> None:
    """The sweep: a reminder job for each term ending within the reminder period. The dedupe key (the
    directorship and its term end) makes each reminder exist once however often the sweep runs, and a new
    term end (a re-appointment) gets its own."""
    today = now.date()
    due = await Directorship.raw(_DUE_SQL, today, today + timedelta(days=settings.term_end_reminder_days))
    await enqueue(
        *(
            NewJob(
                TERM_END,
                {"directorship": int(r["id"]), "organisation": int(r["organisation"])},
                run_at=now,
                dedupe_key=f"{TERM_END}:{r['id']}:{r['term_end']}",
            )
            for r in due
        )
    )


async def settle_ceased_directors(settings: Settings, now: datetime) -> None:
    """The sweep: a membership's ending ends its directorship in the same transaction, so this finds
    nothing but rows from before that (one query over the directorships still held when there are none)."""
    from coop.boards.service import settle_ceased_members

    await settle_ceased_members()


def term_end_notice(name: str, term_end: date, slug: str, settings: Settings, retire_note: str) -> Notice:
    link = absolute_url(settings, org_path(slug, "board"))
    return Notice(
        kind="term_end_reminder",
        subject=f"A director's term ends on {long_date(term_end)}: {name}",
        body=(
            f"{name}'s term as a director ends on {long_date(term_end)}.\n\n{retire_note}\n\n"
            "Plan how the seat will be filled: an election by the members, or the AGM if it falls before "
            "then. If the seat is reserved for a member class, only members of that class can fill it.\n\n"
            f"See the register of directors: {link}\n"
        ),
        easy_read=(
            f"{name} will stop being a director on {long_date(term_end)}.",
            "The board needs to plan who will take their place.",
            f"You can see the board here: {link}",
        ),
    )


async def remind_term_end(context: JobContext) -> None:
    """Tell the organisation's secretaries (each their own way), and mark the job done, together."""
    payload = context.job.payload
    row = await (
        Directorship.select(
            Directorship.term_end,
            Directorship.ceased_on,
            Directorship.member.name.as_alias("name"),
            Directorship.organisation.slug.as_alias("slug"),
        )
        .where(
            (Directorship.id == int(payload["directorship"]))
            & (Directorship.organisation == int(payload["organisation"]))
        )
        .first()
    )
    if row is None or row["ceased_on"] is not None or row["term_end"] is None:
        return  # ended meanwhile: nothing to remind about
    organisation_id = int(payload["organisation"])
    constitution = await constitution_of(organisation_id)
    limit = constitution.board.max_consecutive_terms
    retire_note = (
        f"They may stand again, unless they have served {limit} terms in a row (the constitution's limit)."
        if limit
        else "They may stand again if they wish."
    )
    notice = term_end_notice(
        str(row["name"]), row["term_end"], str(row["slug"]), context.settings, retire_note
    )
    await send_to_secretaries(context, organisation_id, notice)
