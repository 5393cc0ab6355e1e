"""Which handler runs each kind of job, and the scheduled sweeps: the queue's wiring, kept in one place
as coop/app.py keeps the web app's."""

from __future__ import annotations

from coop.jobs.worker import Handler, Sweep


def default_handlers() -> dict[str, Handler]:
    from coop.accounts.reset_link import send_reset_link
    from coop.accounts.service import RESET_LINK_JOB
    from coop.accounts.sign_up import SIGN_UP_JOB, send_sign_up_link
    from coop.boards.schedule import TERM_END, remind_term_end
    from coop.documents import compliance_reminders
    from coop.mail.delivery import deliver
    from coop.mail.service import DELIVER
    from coop.meetings.notices import NOTICE_JOB, send_notice_batch
    from coop.resolutions.schedule import CIRCULATE, circulate_batch
    from coop.votes import schedule, timetable

    return {
        DELIVER: deliver,
        RESET_LINK_JOB: send_reset_link,
        SIGN_UP_JOB: send_sign_up_link,
        NOTICE_JOB: send_notice_batch,
        timetable.ANNOUNCE: schedule.announce,
        timetable.REMIND: schedule.remind,
        timetable.CLOSE: schedule.close,
        timetable.RESULT: schedule.result,
        CIRCULATE: circulate_batch,
        TERM_END: remind_term_end,
        compliance_reminders.DAILY: compliance_reminders.check_batch,
        compliance_reminders.REMIND: compliance_reminders.remind,
    }


def default_sweeps() -> list[Sweep]:
    from coop.accounts.housekeeping import forget_stale_sign_in_records
    from coop.accounts.sign_up import forget_old_sign_ups
    from coop.boards.schedule import queue_term_end_reminders, settle_ceased_directors
    from coop.documents.compliance_reminders import queue_daily_check
    from coop.members.schedule import settle_resignations
    from coop.resolutions.schedule import lapse_resolutions
    from coop.votes.schedule import close_overdue_votes, resume_teller_counts

    return [
        close_overdue_votes,
        resume_teller_counts,
        settle_resignations,
        settle_ceased_directors,
        lapse_resolutions,
        queue_term_end_reminders,
        queue_daily_check,
        forget_old_sign_ups,
        forget_stale_sign_in_records,
    ]
