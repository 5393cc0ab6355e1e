"""A vote's key in tellers' hands: choosing the tellers (before the vote opens), splitting the key among
them when it opens, a teller coming to the count, and rebuilding the key to close it (`tellers.py` holds the
tellers' own keys and the reading)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from nacl.public import PrivateKey

from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.db import is_sqlite, write_transaction
from coop.errors import Refused
from coop.form_values import whole_number
from coop.jobs import queue
from coop.public_ids import parse_public_id
from coop.votes import teller_keys, vote_keys
from coop.votes.records import VoteInfo, VoteStateError, get_vote
from coop.votes.roll import turnout
from coop.votes.tables import TellerKey, Vote, VoteTeller
from coop.votes.tellers import (
    MOST_TELLERS,
    TellersNeeded,
    Unlocking,
    VoteTellers,
    locked_key,
    unlock_key,
    vote_tellers,
)
from coop.votes.timetable import CLOSE, vote_job

logger = logging.getLogger("coop.votes")
SHARE_NUMBERS = range(1, MOST_TELLERS + 1)


# --- choosing (secretary, before the vote opens) ----------------------------------------------------------


async def _chosen_members(organisation_id: int, public_ids: list[str]) -> list[tuple[int, str]]:
    """The chosen members who can be tellers (current members with a teller key), in the order chosen."""
    uuids = [u for u in (parse_public_id(p) for p in public_ids) if u is not None]
    if not uuids:
        return []
    rows = await TellerKey.select(
        TellerKey.member.id.as_alias("id"),
        TellerKey.member.public_id.as_alias("public_id"),
        TellerKey.member.name.as_alias("name"),
    ).where(
        (TellerKey.member.organisation == organisation_id)
        & TellerKey.member.ceased_on.is_null()
        & TellerKey.member.public_id.is_in(uuids)
    )
    by_id = {str(r["public_id"]): (int(r["id"]), str(r["name"])) for r in rows}
    return [by_id[str(u)] for u in uuids if str(u) in by_id]


async def choose_tellers(
    organisation_id: int,
    vote_id: int,
    *,
    mode: str,
    public_ids: list[str],
    needed_text: str,
    actor: Actor,
) -> None:
    """Who holds the vote's key: the server (`mode` "server") or `needed` of the chosen tellers."""
    errors: dict[str, str] = {}
    chosen: list[tuple[int, str]] = []
    needed = 0
    if mode not in ("server", "tellers"):
        errors["mode"] = "Choose who holds the key that opens the ballots"
    elif mode == "tellers":
        wanted = list(dict.fromkeys(public_ids))
        chosen = await _chosen_members(organisation_id, wanted[: MOST_TELLERS + 1])
        if len(wanted) < 2:
            errors["tellers"] = "Choose at least 2 tellers"
        elif len(wanted) > MOST_TELLERS:
            errors["tellers"] = f"Choose {MOST_TELLERS} tellers or fewer"
        elif len(chosen) != len(wanted):
            errors["tellers"] = (
                "Choose tellers from the list: only current members who have set a teller passphrase "
                "can be tellers"
            )
        count = max(len(chosen), 2)
        needed = whole_number(needed_text, low=2, high=count) or 0
        if not needed:
            errors["needed"] = (
                f"Enter how many tellers must come to count the vote: at least 2, and no more than the "
                f"{len(wanted) if len(wanted) >= 2 else 'number of'} tellers chosen"
            )
    if errors:
        raise Refused(field_errors=errors)
    async with write_transaction():
        changed = await guarded_update(
            Vote,
            {Vote.tellers_needed: needed},
            (Vote.id == vote_id) & (Vote.organisation == organisation_id) & (Vote.status == "draft"),
            returning=[Vote.id],
            audit=lambda _: AuditEntry(
                "vote.tellers_chosen",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={"needed": needed, "tellers": [name for _, name in chosen]},
            ),
            actor=actor,
        )
        if not changed:
            raise VoteStateError("Tellers can only be chosen before the vote opens", status_code=409)
        await VoteTeller.delete().where(VoteTeller.vote == vote_id)
        if chosen:
            await VoteTeller.insert(
                *(VoteTeller(vote=vote_id, member=m, share_index=i) for i, (m, _) in enumerate(chosen, 1))
            )


# --- opening: split the key among the tellers -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SharePlan:
    needed: int
    tellers: tuple[tuple[int, int, str], ...]
    """(member, share number, teller public key), by share number."""


async def share_plan(vote_id: int) -> SharePlan | None:
    """Who the vote's key is split among, or None when the server holds it. Refused when a teller has
    left or has no teller key any more."""
    rows = (
        await VoteTeller.select(
            VoteTeller.member,
            VoteTeller.share_index,
            VoteTeller.member.ceased_on.as_alias("ceased_on"),
            VoteTeller.vote.tellers_needed.as_alias("needed"),
        )
        .where(VoteTeller.vote == vote_id)
        .order_by(VoteTeller.share_index)
    )
    if not rows:
        return None
    keys = {
        int(r["member"]): str(r["public_key"])
        for r in await TellerKey.select(TellerKey.member, TellerKey.public_key).where(
            TellerKey.member.is_in([int(r["member"]) for r in rows])
        )
    }
    if any(r["ceased_on"] is not None or int(r["member"]) not in keys for r in rows):
        raise VoteStateError(
            "A teller of this vote is no longer a member or has no teller passphrase now: choose the tellers "
            "again before opening the vote"
        )
    return SharePlan(
        needed=int(rows[0]["needed"]),
        tellers=tuple((int(r["member"]), int(r["share_index"]), keys[int(r["member"])]) for r in rows),
    )


def sealed_shares(plan: SharePlan, private: PrivateKey, vote_id: int) -> dict[int, str]:
    """The vote key split among the plan's tellers, each share sealed to its teller: by member."""
    shares = dict(teller_keys.split(private, plan.needed, len(plan.tellers)))
    return {
        member: teller_keys.seal_share(public, vote_id, index, shares[index])
        for member, index, public in plan.tellers
    }


async def store_shares(plan: SharePlan, vote_id: int, sealed: dict[int, str]) -> None:
    """Inside the opening transaction: store each teller's sealed share, after checking the tellers are
    still those the key was split among."""
    if await share_plan(vote_id) != plan:
        raise VoteStateError("The tellers were changed while the vote was opening: open it again")
    for member, share in sealed.items():
        await VoteTeller.update({VoteTeller.sealed_share: share}).where(
            (VoteTeller.vote == vote_id) & (VoteTeller.member == member)
        )


# --- a teller comes to the count --------------------------------------------------------------------------


async def voting_has_ended(vote: VoteInfo, now: datetime) -> bool:
    if vote.status != "open":
        return False
    if vote.due_to_close(now):
        return True
    figures = await turnout(vote.id)
    return figures.voted >= figures.electorate


async def come_to_count(
    organisation_id: int, vote_id: int, member_id: int, passphrase: str, *, now: datetime, actor: Actor
) -> VoteTellers:
    """A teller opens their share of the vote's key with their passphrase. It waits in the vote key
    directory; when enough tellers have come, the held close job is resumed. A wrong passphrase changes
    nothing."""
    vote = await get_vote(organisation_id, vote_id)
    tellers = await vote_tellers(vote_id)
    seat = tellers.seat_of(member_id) if tellers else None
    if vote is None or tellers is None or seat is None:
        raise Refused("You are not a teller of this vote", status_code=404)
    if vote.status == "closed":
        raise VoteStateError("This vote has been counted already", status_code=409)
    if not await voting_has_ended(vote, now):
        raise VoteStateError(
            "Tellers come to the count once voting has ended: at the closing time, or earlier if everyone "
            "has voted",
            status_code=409,
        )
    public_key = await _public_key(vote_id)
    locked = await locked_key(member_id)
    row = (
        await VoteTeller.select(VoteTeller.sealed_share)
        .where((VoteTeller.vote == vote_id) & (VoteTeller.member == member_id))
        .first()
    )
    if public_key is None or locked is None or row is None or not row["sealed_share"]:
        raise VoteStateError("Your share of this vote's key cannot be found", status_code=409)
    private = await unlock_key(locked, passphrase, "passphrase", Unlocking(organisation_id, member_id, actor))
    try:
        share = teller_keys.open_share(private, row["sealed_share"], vote_id, seat.index)
    except teller_keys.ShareError as error:
        raise VoteStateError(str(error), status_code=409) from None
    vote_keys.write_share(vote_id, public_key, seat.index, share)
    await _mark_came(organisation_id, vote, member_id, tellers.needed, now=now, actor=actor)
    refreshed = await vote_tellers(vote_id)
    assert refreshed is not None
    return refreshed


async def _mark_came(
    organisation_id: int, vote: VoteInfo, member_id: int, needed: int, *, now: datetime, actor: Actor
) -> None:
    """The teller has come: counted, audited, and the held close resumed when they complete the number."""
    vote_id = vote.id
    async with write_transaction():
        # The vote's row lock first, so tellers coming at once are counted one after the other and the one
        # who completes the number always sees it (SQLite's write transaction serialises them already).
        if not is_sqlite():
            await Vote.raw("SELECT id FROM vote WHERE id = {} FOR UPDATE", vote_id)
        await VoteTeller.update({VoteTeller.came_at: now}).where(
            (VoteTeller.vote == vote_id) & (VoteTeller.member == member_id) & VoteTeller.came_at.is_null()
        )
        came = await VoteTeller.count().where((VoteTeller.vote == vote_id) & VoteTeller.came_at.is_not_null())
        await record(
            AuditEntry(
                "vote.teller_came",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={"came": came, "needed": needed},
            ),
            actor,
        )
        if came >= needed:
            # Resume the close the worker holds; and, past the closing time, a close due now as well, in
            # case the held one has not come due or is being put on hold this moment (the later of the two
            # finds the vote closed and does nothing).
            await queue.resume([vote_job(CLOSE, vote, now).dedupe_key or ""], now=now)
            if vote.due_to_close(now):
                await queue.enqueue(vote_job(CLOSE, vote, now, series="tellers"))


async def _public_key(vote_id: int) -> str | None:
    row = await Vote.select(Vote.seal_public_key).where(Vote.id == vote_id).first()
    return row["seal_public_key"] if row else None


# --- closing: rebuild the key -----------------------------------------------------------------------------


def rebuild_key(vote_id: int, public_key: str, needed: int) -> PrivateKey:
    """The vote key from the shares tellers have opened; TellersNeeded while too few have come."""
    shares = vote_keys.read_shares(vote_id, public_key, SHARE_NUMBERS)
    if len(shares) < needed:
        raise TellersNeeded(len(shares), needed)
    try:
        return teller_keys.combine(shares[:needed], public_key)
    except teller_keys.ShareError as error:
        raise VoteStateError(f"The vote cannot be counted: {error}") from None


async def forget_shares(vote_id: int) -> None:
    """Inside the closing transaction: the sealed shares go with the sealed ballots."""
    await VoteTeller.update({VoteTeller.sealed_share: None}).where(VoteTeller.vote == vote_id)


def destroy_opened_shares(vote_id: int, public_key: str) -> None:
    vote_keys.destroy_shares(vote_id, public_key, SHARE_NUMBERS)


async def resume_counts(now: datetime) -> None:
    """The worker's sweep: resume any held close job whose vote has enough tellers now (a teller who came
    while the job was being put on hold), or was closed some other way."""
    for job in await queue.on_hold(CLOSE):
        vote_id = int(job["payload"].get("vote", 0))
        row = await Vote.select(Vote.status, Vote.tellers_needed).where(Vote.id == vote_id).first()
        came = await VoteTeller.count().where((VoteTeller.vote == vote_id) & VoteTeller.came_at.is_not_null())
        if row is None or row["status"] != "open" or came >= int(row["tellers_needed"]):
            await queue.resume([job["dedupe_key"]], now=now)
