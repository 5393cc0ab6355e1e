"""Writing and verifying the audit log: one row per action, each chained to the last by SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coop import clock
from coop.audit.tables import AuditChainHead, AuditEvent
from coop.db import write_transaction

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: a signed-in person, or the system (person_id None)."""

    person_id: int | None
    request_id: str = ""


SYSTEM = Actor(person_id=None)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    action: str
    organisation_id: int | None = None
    target_type: str = ""
    target_id: str = ""
    outcome: str = "ok"
    detail: dict[str, Any] = field(default_factory=dict)


def chain_for(organisation_id: int | None) -> str:
    return f"org:{organisation_id}" if organisation_id is not None else "site"


def canonical(row: dict[str, Any]) -> str:
    """The exact text each hash covers; verification rebuilds it from the stored columns."""
    at = row["at"]
    if isinstance(at, datetime):
        at = at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = {
        "chain": row["chain"],
        "seq": int(row["seq"]),
        "organisation": row["organisation"],
        "at": at,
        "actor": row["actor"],
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "outcome": row["outcome"],
        "request_id": row["request_id"],
        "detail": row["detail"],
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def link_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


_NEXT_SEQ = "UPDATE audit_chain_head SET seq = seq + 1 WHERE chain = {} RETURNING seq, hash"


async def record(entry: AuditEntry, actor: Actor) -> None:
    """Append one event. Joins the caller's transaction, so the event and the change land together."""
    chain = chain_for(entry.organisation_id)
    async with write_transaction():
        # The UPDATE takes the chain's row lock (PostgreSQL) before we read the previous hash. A chain's
        # first event creates its head first (a concurrent first event waits on the insert, then updates).
        head = await AuditChainHead.raw(_NEXT_SEQ, chain)
        if not head:
            await AuditChainHead.insert(AuditChainHead(chain=chain, seq=0, hash=GENESIS)).on_conflict(
                target=AuditChainHead.chain, action="DO NOTHING"
            )
            head = await AuditChainHead.raw(_NEXT_SEQ, chain)
        seq, prev_hash = int(head[0]["seq"]), str(head[0]["hash"])
        row: dict[str, Any] = {
            "chain": chain,
            "seq": seq,
            "organisation": entry.organisation_id,
            "at": clock.now(),
            "actor": actor.person_id,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "outcome": entry.outcome,
            "request_id": actor.request_id,
            # CR and LF are escaped by JSON, so user text cannot forge log lines.
            "detail": json.dumps(entry.detail, sort_keys=True, separators=(",", ":")),
        }
        digest = link_hash(prev_hash, row)
        await AuditEvent.insert(AuditEvent(**row, prev_hash=prev_hash, hash=digest))
        await AuditChainHead.update({AuditChainHead.hash: digest}).where(AuditChainHead.chain == chain)


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One broken link: the event's number in the chain, its row id and action (None and "" when the
    event itself is gone), and what is wrong as a whole sentence."""

    seq: int
    message: str
    event_id: int | None = None
    action: str = ""


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """An organisation's (or the site's) audit chain, checked link by link."""

    events: int
    """How many events the chain holds now."""
    last_seq: int
    """The number of the last event, as the chain's head records it (0 for an empty chain)."""
    problems: list[ChainProblem]
    """Every broken link, first first; empty when the chain is complete and unchanged."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> ChainProblem | None:
        return self.problems[0] if self.problems else None


CHECK_BATCH = 2000
"""Rows read at a time, so checking a long log never holds all of it in memory."""


async def check_chain(organisation_id: int | None) -> ChainCheck:
    """Recompute every link of a chain; an edited, removed or reordered row shows up as a problem.

    The one verification: the audit command (`coop audit verify`) and the audit check page both call it.
    """
    chain = chain_for(organisation_id)
    problems: list[ChainProblem] = []
    prev_hash, prev_seq, count = GENESIS, 0, 0
    while True:
        rows = (
            await AuditEvent.select()
            .where((AuditEvent.chain == chain) & (AuditEvent.seq > prev_seq))
            .order_by(AuditEvent.seq)
            .limit(CHECK_BATCH)
        )
        for row in rows:
            seq, found = int(row["seq"]), {"event_id": int(row["id"]), "action": str(row["action"])}
            if seq != prev_seq + 1:
                gone = _events_are(prev_seq + 1, seq - 1)
                problems.append(ChainProblem(prev_seq + 1, f"{gone} missing: removed from the log."))
            elif row["prev_hash"] != prev_hash:
                problems.append(
                    ChainProblem(
                        seq, f"Event {seq} does not follow the event before it: one was replaced.", **found
                    )
                )
            if link_hash(row["prev_hash"], row) != row["hash"]:
                problems.append(
                    ChainProblem(seq, f"Event {seq} has been changed since it was written.", **found)
                )
            prev_hash, prev_seq, count = row["hash"], seq, count + 1
        if len(rows) < CHECK_BATCH:
            break
    head = await AuditChainHead.select().where(AuditChainHead.chain == chain).first()
    last_seq = int(head["seq"]) if head is not None else prev_seq
    if last_seq != prev_seq:
        problems.append(
            ChainProblem(
                prev_seq + 1,
                f"{_events_are(prev_seq + 1, last_seq)} missing: removed from the end of the log "
                f"(it ends at event {prev_seq}, but {last_seq} events were written).",
            )
        )
    elif head is not None and head["hash"] != prev_hash:
        problems.append(ChainProblem(prev_seq, f"Event {prev_seq} is not the last event that was written."))
    return ChainCheck(events=count, last_seq=last_seq, problems=problems)


def _events_are(first: int, last: int) -> str:
    return f"Event {first} is" if first == last else f"Events {first} to {last} are"


async def verify_chain(organisation_id: int | None) -> list[ChainProblem]:
    """Every broken link of a chain (see `check_chain`)."""
    return (await check_chain(organisation_id)).problems
