"""Tellers: members who together hold a vote's private key, so that nobody, not even the server's operator,
can open its sealed ballots before enough of them come to the count.

A member sets a teller passphrase once (their teller key, `teller_keys.py`). The secretary chooses a vote's
tellers and how many must come, before it opens. Opening splits the vote's key among them (no whole private
key is written anywhere) and stores each share sealed to its teller's key. Once voting has ended, each teller
signs in and enters their passphrase: their share is opened and kept in the vote key directory, outside the
database. When enough have come, the close job the worker holds is resumed and the vote is counted as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
from nacl.public import PrivateKey

from coop import clock
from coop.accounts.attempts import claim_attempt, forget_attempts, minutes_until
from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.db import write_transaction
from coop.errors import Refused
from coop.settings import Settings
from coop.votes import teller_keys
from coop.votes.records import VoteStateError
from coop.votes.tables import TellerKey, Vote, VoteTeller

MOST_TELLERS = 10
MIN_PASSPHRASE = 15
MAX_PASSPHRASE = 256
WRONG_PASSPHRASES = 5
WRONG_WINDOW = timedelta(minutes=15)
_limiter = anyio.CapacityLimiter(2)  # argon2id at 128 MiB: at most two at once


class TellersNeeded(VoteStateError):
    """The vote cannot be counted yet: too few of its tellers have come."""

    def __init__(self, came: int, needed: int) -> None:
        super().__init__(f"Waiting for tellers: {came} of the {needed} needed have come.", status_code=409)
        self.came = came
        self.needed = needed


# --- reading ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Teller:
    member_id: int
    public_id: str
    name: str
    index: int
    came: bool


@dataclass(frozen=True, slots=True)
class VoteTellers:
    """Who holds a vote's key: `needed` of the `tellers` must come to count it."""

    needed: int
    tellers: tuple[Teller, ...]

    @property
    def came(self) -> int:
        return sum(1 for t in self.tellers if t.came)

    @property
    def enough(self) -> bool:
        return self.came >= self.needed

    def seat_of(self, member_id: int) -> Teller | None:
        return next((t for t in self.tellers if t.member_id == member_id), None)


_VOTE_TELLERS = (
    "SELECT v.tellers_needed AS needed, t.member AS member, t.share_index AS share_index, "
    "t.came_at AS came_at, m.name AS name, m.public_id AS public_id FROM vote v "
    "LEFT JOIN vote_teller t ON t.vote = v.id LEFT JOIN member m ON m.id = t.member "
    "WHERE v.id = {} ORDER BY t.share_index"
)


async def vote_tellers(vote_id: int) -> VoteTellers | None:
    """The vote's tellers, or None when the server holds its key: one query."""
    rows = await Vote.raw(_VOTE_TELLERS, vote_id)
    if not rows or not rows[0]["needed"]:
        return None
    return VoteTellers(
        needed=int(rows[0]["needed"]),
        tellers=tuple(
            Teller(
                int(r["member"]),
                str(r["public_id"]),
                r["name"],
                int(r["share_index"]),
                r["came_at"] is not None,
            )
            for r in rows
            if r["member"] is not None
        ),
    )


async def last_tellers(organisation_id: int, other_than: int) -> tuple[str, VoteTellers] | None:
    """The organisation's most recent other vote with tellers (its title and tellers): the choose page
    starts from them, the organisation's default in effect, until the secretary saves a choice."""
    row = (
        await Vote.select(Vote.id, Vote.title)
        .where((Vote.organisation == organisation_id) & (Vote.tellers_needed > 0) & (Vote.id != other_than))
        .order_by(Vote.id, ascending=False)
        .first()
    )
    held = await vote_tellers(int(row["id"])) if row else None
    return (str(row["title"]), held) if row and held else None


@dataclass(frozen=True, slots=True)
class Candidate:
    public_id: str
    name: str


async def teller_candidates(organisation_id: int) -> list[Candidate]:
    """Current members who have set a teller passphrase, by name (at most 200)."""
    rows = (
        await TellerKey.select(
            TellerKey.member.public_id.as_alias("public_id"), TellerKey.member.name.as_alias("name")
        )
        .where((TellerKey.member.organisation == organisation_id) & TellerKey.member.ceased_on.is_null())
        .order_by(TellerKey.member.name)
        .limit(200)
    )
    return [Candidate(str(r["public_id"]), r["name"]) for r in rows]


async def has_teller_key(member_id: int) -> bool:
    return await TellerKey.exists().where(TellerKey.member == member_id)


async def locked_key(member_id: int) -> teller_keys.LockedKey | None:
    row = await TellerKey.select().where(TellerKey.member == member_id).first()
    if row is None:
        return None
    return teller_keys.LockedKey(
        row["public_key"], row["locked_private"], row["salt"], int(row["time_cost"]), int(row["memory_kib"])
    )


async def my_teller_votes(member_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """Votes not yet counted that this member is a teller of, newest first."""
    rows = (
        await VoteTeller.select(
            VoteTeller.vote.id.as_alias("id"),
            VoteTeller.vote.title.as_alias("title"),
            VoteTeller.vote.status.as_alias("status"),
            VoteTeller.vote.closes_at.as_alias("closes_at"),
            VoteTeller.came_at,
        )
        .where((VoteTeller.member == member_id) & (VoteTeller.vote.status != "closed"))
        .order_by(VoteTeller.vote.id, ascending=False)
        .limit(limit)
    )
    return list(rows)


# --- a teller's own key ----------------------------------------------------------------------------------


def passphrase_problems(passphrase: str, confirm: str, field: str = "passphrase") -> dict[str, str]:
    if len(passphrase) < MIN_PASSPHRASE:
        return {field: f"Your passphrase must be {MIN_PASSPHRASE} characters or more: a few words work well"}
    if len(passphrase) > MAX_PASSPHRASE:
        return {field: f"Your passphrase must be {MAX_PASSPHRASE} characters or fewer"}
    if passphrase != confirm:
        return {"confirm": "The passphrases do not match: type the same passphrase twice"}
    return {}


async def _lock(private: PrivateKey, passphrase: str, settings: Settings) -> teller_keys.LockedKey:
    return await anyio.to_thread.run_sync(
        lambda: teller_keys.lock(
            private,
            passphrase,
            time_cost=settings.teller_argon2_time_cost,
            memory_kib=settings.teller_argon2_memory_kib,
        ),
        limiter=_limiter,
    )


@dataclass(frozen=True, slots=True)
class Unlocking:
    """Whose teller key is being unlocked, for the limit on wrong passphrases and its audit entries."""

    organisation_id: int
    member_id: int
    actor: Actor


async def unlock_key(
    locked: teller_keys.LockedKey, passphrase: str, field: str, who: Unlocking
) -> PrivateKey:
    """The teller's private key, or Refused by `field`: a wrong passphrase, or too many in a row (at most
    WRONG_PASSPHRASES a teller in WRONG_WINDOW, counted in the database before the passphrase is tried, so
    the limit holds across workers; the right one starts the count afresh). A wrong passphrase changes
    nothing but that count; the audit log gets the count, never what was typed."""
    if not passphrase or len(passphrase) > MAX_PASSPHRASE:
        raise Refused(field_errors={field: "Enter your teller passphrase"})
    key, moment = f"teller:{who.member_id}", clock.now()
    attempt = await claim_attempt(key, limit=WRONG_PASSPHRASES, window=WRONG_WINDOW, moment=moment)
    if attempt.wait_until is not None:
        if attempt.first_refusal:
            await _audit_wrong(who, "vote.teller_passphrase_held", WRONG_PASSPHRASES)
        wait = minutes_until(moment, attempt.wait_until)
        raise Refused(
            field_errors={
                field: f"You have entered a wrong teller passphrase {WRONG_PASSPHRASES} times. To keep your "
                f"key safe, wait {wait} minute{'' if wait == 1 else 's'}, then try again"
            }
        )
    try:
        private = await anyio.to_thread.run_sync(teller_keys.unlock, locked, passphrase, limiter=_limiter)
    except teller_keys.WrongPassphrase:
        await _audit_wrong(who, "vote.teller_passphrase_wrong", attempt.tries)
        left = WRONG_PASSPHRASES - attempt.tries
        more = (
            f"You can try {left} more time{'' if left == 1 else 's'} in the next 15 minutes"
            if left
            else "Wait 15 minutes before you try again"
        )
        raise Refused(
            field_errors={field: f"That is not your teller passphrase. Check it and try again. {more}"}
        ) from None
    await forget_attempts(key)
    return private


async def _audit_wrong(who: Unlocking, action: str, count: int) -> None:
    await record(
        AuditEntry(
            action,
            organisation_id=who.organisation_id,
            target_type="member",
            target_id=str(who.member_id),
            detail={"wrong_in_15_minutes": count},
        ),
        who.actor,
    )


async def _counting_votes_of(member_id: int) -> int:
    """Open votes this member is a teller of: their share is sealed to their current key."""
    return int(
        await VoteTeller.count().where((VoteTeller.member == member_id) & (VoteTeller.vote.status == "open"))
    )


async def set_teller_key(
    organisation_id: int,
    member_id: int,
    passphrase: str,
    confirm: str,
    *,
    settings: Settings,
    actor: Actor,
) -> None:
    """Make the member's teller key, locked by their new passphrase. Replacing a key (a forgotten
    passphrase) is refused while they are a teller of a vote not yet counted: its share is sealed to it."""
    problems = passphrase_problems(passphrase, confirm)
    if problems:
        raise Refused(field_errors=problems)
    replacing = await has_teller_key(member_id)
    if replacing and await _counting_votes_of(member_id):
        raise Refused(
            "You are a teller of a vote that has not been counted yet, and your share of its key can only "
            "be opened with your present passphrase. Come to that count first, or change your passphrase "
            "with the present one."
        )
    locked = await _lock(PrivateKey.generate(), passphrase, settings)
    async with write_transaction():
        # One key per member (a unique column): a second, concurrent setting replaces the first.
        await TellerKey.insert(
            TellerKey(
                member=member_id,
                public_key=locked.public_key,
                locked_private=locked.locked_private,
                salt=locked.salt,
                time_cost=locked.time_cost,
                memory_kib=locked.memory_kib,
            )
        ).on_conflict(
            target=TellerKey.member,
            action="DO UPDATE",
            values=[
                TellerKey.public_key,
                TellerKey.locked_private,
                TellerKey.salt,
                TellerKey.time_cost,
                TellerKey.memory_kib,
            ],
        )
        await record(
            AuditEntry(
                "vote.teller_key_set",
                organisation_id=organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"replaced": replacing},
            ),
            actor,
        )


async def change_passphrase(
    organisation_id: int,
    member_id: int,
    current: str,
    passphrase: str,
    confirm: str,
    *,
    settings: Settings,
    actor: Actor,
) -> None:
    """Lock the same teller key under a new passphrase (shares already sealed to it stay valid)."""
    locked = await locked_key(member_id)
    if locked is None:
        raise Refused("You have not set a teller passphrase yet")
    problems = passphrase_problems(passphrase, confirm)
    if problems:
        raise Refused(field_errors=problems)
    private = await unlock_key(locked, current, "current", Unlocking(organisation_id, member_id, actor))
    relocked = await _lock(private, passphrase, settings)
    async with write_transaction():
        changed = await guarded_update(
            TellerKey,
            {
                TellerKey.locked_private: relocked.locked_private,
                TellerKey.salt: relocked.salt,
                TellerKey.time_cost: relocked.time_cost,
                TellerKey.memory_kib: relocked.memory_kib,
            },
            (TellerKey.member == member_id) & (TellerKey.public_key == locked.public_key),
            returning=[TellerKey.id],
            audit=lambda _: AuditEntry(
                "vote.teller_passphrase_changed",
                organisation_id=organisation_id,
                target_type="member",
                target_id=str(member_id),
            ),
            actor=actor,
        )
        if not changed:
            raise Refused("Your teller key was changed at the same moment: try again")
