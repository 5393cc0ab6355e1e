"""What each kind of audit event means, in plain English, for the people who read the audit log.

Every action the code can write has a description here: `tests/coop/test_audit_pages.py` reads coop's
source for every audit action and fails if one is missing, so a new kind of event cannot reach the log
page as a developer's code.
"""

from __future__ import annotations

EVENT_DESCRIPTIONS: dict[str, str] = {
    # Accounts and signing in (these go to the site's own log, not an organisation's).
    "account.created": "An account was created",
    "auth.sign_in": "Someone signed in",
    "auth.sign_out": "Someone signed out",
    "auth.sign_out_everywhere": "Someone signed out on every device",
    "auth.session_ended": "Someone ended one of their signed-in sessions",
    "auth.password_changed": "Someone changed their password",
    "auth.password_reset_requested": "A password reset link was asked for",
    "auth.password_reset": "Someone set a new password from a reset link",
    "auth.password_set": "Someone chose the first password for an account made without one",
    "auth.sign_up_requested": "Someone asked to sign up, and a link to confirm their email was handled",
    "auth.sign_up_verified": "Someone confirmed their email address and their new account was made",
    # The site's work queue.
    "job.retried": "A site admin asked for a job that had stopped to be tried again",
    # Personal API tokens.
    "api_token.created": "Someone made a personal API token for this organisation",
    "api_token.revoked": "A personal API token was cancelled",
    # The organisation and its register of members.
    "organisation.created": "The organisation was set up",
    "organisation.founded": "The organisation was founded from a model constitution",
    "documents.community_interest_report_saved": "The words of the annual community interest report "
    "(CIC34) were saved",
    "member.admitted": "A member was admitted",
    "member.imported": "Members were added to the register in bulk",
    "member.ceased": "Someone stopped being a member",
    "member.class_changed": "A member's membership class was changed",
    "member.details_changed": "A member's details were changed",
    "member.communication_needs": "A member's communication needs were recorded",
    "member.sensitive_facts": "A member's private information was recorded",
    "member.resignation_given": "A member gave notice that they are leaving",
    "member.expulsion_proposed": "Expelling a member was proposed",
    "member.expulsion_heard": "A member was heard about their proposed expulsion",
    "member.expulsion_rejected": "A proposal to expel a member was rejected",
    "member.supporter_named": "A member named someone to support them",
    "member.supporter_ended": "A member's supporter stopped supporting them",
    "member.proxy_appointed": "A member appointed a proxy",
    "member.proxy_revoked": "A member cancelled their proxy",
    "member.roles_handed_over": "A member who was leaving handed their role to someone else",
    "register.exported": "The register of members was downloaded",
    "notice.letter_sent": "A letter to a member was marked as posted",
    "board.election_called": "Nominations for a board election were called",
    "board.candidate_stood": "A member stood for election to the board",
    "board.candidate_withdrew": "A candidate withdrew from a board election",
    "constitution.amended": "The constitution was changed by a resolution that passed",
    "constitution.amendment_not_adopted": (
        "A resolution to change the constitution passed, but the constitution had changed since, "
        "so it was not applied"
    ),
    "resolution.drafted": "A written resolution was drafted",
    "resolution.circulated": "A written resolution was sent round to members",
    "resolution.agreed": "A member's agreement to a written resolution was recorded",
    "resolution.passed": "A written resolution passed",
    "resolution.lapsed": "A written resolution lapsed without passing",
    "application.submitted": "Someone applied to join",
    "application.replied": "An applicant replied to a question about their application",
    "application.more_info": "An applicant was asked for more information",
    "application.refused": "An application to join was refused",
    "application.admitted": "An application to join was accepted",
    "invitation.sent": "Someone was invited to join",
    "invitation.accepted": "An invitation to join was accepted",
    "invitation.revoked": "An invitation to join was cancelled",
    # The board and its register of directors.
    "board.director_appointed": "A director was appointed",
    "board.director_elected": "A director was elected and took their seat",
    "board.director_ceased": "Someone stopped being a director",
    "board.appointment_refused": "Appointing a director was refused because the board would break its rules",
    "board.removal_refused": "Removing a director was refused because the board would break its rules",
    "board.candidates_passed_over": (
        "Elected candidates were passed over because seating them would break the board's rules"
    ),
    "board.register_seeded": "The register of directors was filled in from the directors already recorded",
    # Meetings, their notice, conflicts of interest, resolutions and minutes.
    "meeting.called": "A meeting was called",
    "meeting.amendment_attached": "A change to the constitution was attached to a special resolution on a "
    "meeting's agenda",
    "meeting.item_added": "An item was added to a meeting's agenda",
    "meeting.notice_scheduled": "The notice of a meeting was scheduled",
    "meeting.notice_sent": "The notice of a meeting went out to everyone invited",
    "meeting.arrived": "Someone arrived at a meeting",
    "meeting.left": "Someone left a meeting",
    "meeting.item_taken": "A meeting moved on to an agenda item",
    "meeting.closed": "A meeting closed",
    "meeting.interest_registered": "An interest was added to the register of directors' interests",
    "meeting.interest_ended": "An interest on the register of directors' interests ended",
    "meeting.interest_declared": "A director declared an interest in an agenda item",
    "meeting.resolution_recorded": "The vote on a resolution at a meeting was recorded",
    "meeting.vote_opened": "A resolution at a meeting was put to an online vote of those present",
    "meeting.minutes_drafted": "The minutes of a meeting were drafted from its record",
    "meeting.minutes_edited": "The draft minutes of a meeting were edited",
    "meeting.minutes_approved": "The minutes of a meeting were approved at a later meeting",
    "meeting.minutes_signed": "The chair signed the minutes of a meeting, which are now locked",
    # Votes.
    "vote.created": "A vote was set up",
    "vote.opened": "A vote opened",
    "vote.participated": "A member voted (what they chose is not recorded here)",
    "vote.reminders_sent": "Reminders to vote were sent",
    "vote.closed": "A vote closed and was counted",
    "vote.tellers_chosen": "Who holds a vote's key was chosen: its tellers, or the site",
    "vote.teller_key_set": "A member set a teller passphrase",
    "vote.teller_passphrase_changed": "A member changed their teller passphrase",
    "vote.teller_passphrase_wrong": "A wrong teller passphrase was entered (the count in 15 minutes is kept)",
    "vote.teller_passphrase_held": "Too many wrong teller passphrases: the teller must wait 15 minutes",
    "vote.teller_came": "A teller came to a vote's count and opened their share of its key",
    # Pooled budgets: money.
    "budget.pool_created": "A pooled budget was set up",
    "budget.contributor_added": "Someone joined a pooled budget",
    "budget.contribution_recorded": "Money in was recorded",
    "budget.payment_requested": "A payment was asked for and is waiting for approval",
    "budget.payment_approved": "A payment was approved",
    "budget.payment_paid": "A payment was made",
    "budget.payment_refused": "A payment was refused",
    "budget.payment_cancelled": "A payment was cancelled",
    "budget.committed": "Money was set aside for a payment or contract",
    "budget.released": "Money set aside was released",
    "budget.transaction_reversed": "A transaction was reversed",
    "budget.reversal_requested": "Reversing a transaction was asked for and is waiting for approval",
    "budget.reversal_approved": "Reversing a transaction was approved",
    "budget.reversal_withdrawn": "A request to reverse a transaction was withdrawn",
    "budget.return_downloaded": "A monitoring return was downloaded",
    # Commissioning services: money.
    "commissioning.provider_added": "A provider was added",
    "commissioning.offer_added": "A service offer was added",
    "commissioning.proposed": "Buying a service was proposed",
    "commissioning.board_approved": "Directors approved buying a service",
    "commissioning.proposal_refused": (
        "A proposal to buy a service was refused because the pool cannot pay for it"
    ),
    "commissioning.vote_result": "The members' vote on buying a service was recorded",
    "commissioning.contract_created": "A contract was made with a provider",
    "commissioning.contract_refused": "A contract was refused: the pool did not have the money",
    "commissioning.contract_ended": "A contract was ended",
    "commissioning.invoice_recorded": "A provider's invoice was recorded for payment",
    "commissioning.invoice_cancelled": "An invoice for a contract was cancelled",
    "commissioning.service_rated": "A member rated a service",
}

OUTCOME_WORDS: dict[str, str] = {
    "ok": "Done",
    "refused": "Refused",
    "failed": "Failed",
    "throttled": "Refused: too many tries",
    "unknown_account": "Refused: no such account",
}

MONEY_AREAS = ("budget", "commissioning")
"""The areas whose events are about money: pooled budgets, payments and commissioning."""


def describe_event(action: str) -> str:
    """The plain-English description of an audit action (a kind written by an older coop: its area)."""
    return EVENT_DESCRIPTIONS.get(action, f"Something happened ({action.split('.')[0]})")


def describe_outcome(outcome: str) -> str:
    return OUTCOME_WORDS.get(outcome, outcome.replace("_", " ").capitalize())


def is_money_event(action: str) -> bool:
    return action.split(".", 1)[0] in MONEY_AREAS
