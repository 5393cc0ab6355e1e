"""Compliance dates on time, run by the worker: once a day it walks the organisations in batches and, for
each filing or meeting date now within the reminder period, queues one reminder to the secretaries. Each
reminder's dedupe key (organisation, what, due date) makes it go once however many days it stays within
the period and however many workers run. Director term ends have their own reminder (coop.boards.schedule)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from coop.db import write_transaction
from coop.documents.compliance import upcoming_deadlines
from coop.jobs.queue import NewJob, enqueue
from coop.jobs.worker import JobContext
from coop.members.notice_jobs import send_to_secretaries
from coop.members.notices import Notice
from coop.organisations.tables import Organisation
from coop.settings import Settings
from coop.template_filters import long_date
from coop.urls import absolute_url, org_path

DAILY = "compliance.daily"
REMIND = "compliance.remind"
BATCH = 100


def _daily_job(today: date, now: datetime, after: int = 0) -> NewJob:
    return NewJob(
        DAILY, {"day": today.isoformat(), "after": after}, run_at=now, dedupe_key=f"{DAILY}:{today}:{after}"
    )


async def queue_daily_check(settings: Settings, now: datetime) -> None:
    """The sweep: today's walk over the organisations, added once a day (the dedupe key is the day)."""
    await enqueue(_daily_job(now.date(), now))


async def check_batch(context: JobContext) -> None:
    """The next batch of organisations: a reminder job for each date within the period; then the batch
    after it. All in one transaction with this job's own finish, so a batch is done exactly once."""
    today = date.fromisoformat(str(context.job.payload["day"]))
    after = int(context.job.payload["after"])
    ids = [
        int(r["id"])
        for r in await Organisation.select(Organisation.id)
        .where(Organisation.id > after)
        .order_by(Organisation.id)
        .limit(BATCH)
    ]
    horizon = today + timedelta(days=context.settings.compliance_reminder_days)
    jobs: list[NewJob] = []
    for organisation_id in ids:
        for deadline in await upcoming_deadlines(organisation_id, today):
            if deadline.key != "term_end" and deadline.due <= horizon:
                jobs.append(
                    NewJob(
                        REMIND,
                        {
                            "organisation": organisation_id,
                            "title": deadline.title,
                            "due": deadline.due.isoformat(),
                            "description": deadline.description,
                        },
                        run_at=context.now,
                        dedupe_key=f"{REMIND}:{organisation_id}:{deadline.key}:{deadline.due}",
                    )
                )
    if len(ids) == BATCH:
        jobs.append(_daily_job(today, context.now, ids[-1]))
    async with write_transaction():
        await enqueue(*jobs)
        await context.finish()


def reminder_notice(title: str, due: date, description: str, slug: str, settings: Settings) -> Notice:
    link = absolute_url(settings, org_path(slug))
    return Notice(
        kind="compliance_reminder",
        subject=f"Due on {long_date(due)}: {title}",
        body=(
            f"{title} is due on {long_date(due)}.\n\n{description}\n\n"
            f"See the organisation's calendar: {link}\n"
        ),
        easy_read=(f"{title}.", f"This must be done by {long_date(due)}.", f"See more here: {link}"),
    )


async def remind(context: JobContext) -> None:
    """Tell the organisation's secretaries (each their own way), and mark the job done, together."""
    payload = context.job.payload
    organisation_id = int(payload["organisation"])
    org = await Organisation.select(Organisation.slug).where(Organisation.id == organisation_id).first()
    if org is None:
        return
    notice = reminder_notice(
        str(payload["title"]),
        date.fromisoformat(str(payload["due"])),
        str(payload["description"]),
        str(org["slug"]),
        context.settings,
    )
    await send_to_secretaries(context, organisation_id, notice)
