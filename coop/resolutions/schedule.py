"""Written resolutions on time, run by the worker: send each one round in batches of electors (email, or a
letter to print for members who asked for post), and lapse those not passed by their last day."""

from __future__ import annotations

from datetime import date, datetime

from coop.jobs.queue import NewJob, enqueue
from coop.jobs.worker import JobContext
from coop.members.notice_jobs import next_ids, send_batch
from coop.members.notices import Notice
from coop.resolutions.tables import WrittenResolution, WrittenResolutionElector
from coop.settings import Settings
from coop.template_filters import long_date
from coop.urls import absolute_url, org_path

CIRCULATE = "resolution.circulate"


def circulation_job(organisation_id: int, resolution_id: int, run_at: datetime, after: int = 0) -> NewJob:
    """One batch of the notices; the dedupe key makes each batch exist at most once."""
    return NewJob(
        CIRCULATE,
        {"organisation": organisation_id, "resolution": resolution_id, "after": after},
        run_at=run_at,
        dedupe_key=f"{CIRCULATE}:{resolution_id}:{after}",
    )


async def queue_circulation(organisation_id: int, resolution_id: int, *, now: datetime) -> None:
    """In the transaction that sends the resolution round."""
    await enqueue(circulation_job(organisation_id, resolution_id, now))


def circulation_notice(row: dict[str, object], slug: str, settings: Settings) -> Notice:
    """The copy each member gets, with what the law requires it to say: how to agree, and the date by
    which it must pass or lapse (s291(4)); the letter version ends in a statement to sign and return."""
    lapses = long_date(row["lapses_on"]) if isinstance(row["lapses_on"], date) else ""
    link = absolute_url(settings, org_path(slug, "resolutions", row["public_id"]))
    kind = "special" if row["kind"] == "special" else "ordinary"
    return Notice(
        kind="written_resolution",
        subject=f"Written resolution for you to consider: {row['title']}",
        body=(
            f"The members are asked to agree to this written {kind} resolution.\n\n"
            f"{row['title']}\n\n{row['text']}\n\n"
            f'To agree online, go to {link} and choose "I agree".\n'
            "To agree on paper, sign and date the statement below and return it to the secretary.\n"
            "If you do not agree, you need do nothing. Once you agree you cannot take it back.\n\n"
            f"It lapses if not enough members agree by the end of {lapses}.\n\n"
            "Statement of agreement\n"
            "I, the undersigned, being entitled to vote on the above resolution, agree to it.\n\n"
            "Signed: ____________________    Date: ____________\n"
        ),
        easy_read=(
            f"Members are asked to agree to a decision: {row['title']}.",
            *((str(row["easy_read"]),) if row["easy_read"] else ()),
            f"You can say yes on the website: {link}",
            "Or sign the paper and give it back to the secretary.",
            "If you do not agree, you do not need to do anything.",
            f"You have until {lapses}.",
        ),
    )


async def circulate_batch(context: JobContext) -> None:
    """Notices to the next batch of electors; queue the batch after it and mark this one done, together."""
    payload = context.job.payload
    row = await (
        WrittenResolution.select(
            WrittenResolution.id,
            WrittenResolution.public_id,
            WrittenResolution.title,
            WrittenResolution.text,
            WrittenResolution.easy_read,
            WrittenResolution.kind,
            WrittenResolution.status,
            WrittenResolution.lapses_on,
            WrittenResolution.organisation.slug.as_alias("slug"),
        )
        .where(
            (WrittenResolution.id == int(payload["resolution"]))
            & (WrittenResolution.organisation == int(payload["organisation"]))
        )
        .first()
    )
    if row is None or row["status"] != "circulating":
        return
    organisation_id = int(payload["organisation"])
    batch = await next_ids(
        WrittenResolutionElector.member,
        WrittenResolutionElector.resolution == row["id"],
        int(payload["after"]),
    )
    notice = circulation_notice(row, str(row["slug"]), context.settings)
    await send_batch(
        context,
        organisation_id,
        batch,
        notice,
        lambda last: circulation_job(organisation_id, row["id"], context.now, last),
    )


async def lapse_resolutions(settings: Settings, now: datetime) -> None:
    """The sweep, about once a minute on every worker: one indexed query when nothing is due."""
    from coop.resolutions.service import lapse_due

    await lapse_due(now.date())
