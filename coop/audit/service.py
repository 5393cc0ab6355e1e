"""Writing and verifying the audit log: one row per action, each chained to the last by SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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
            "at": datetime.now(UTC),
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
    seq: int
    message: str


async def verify_chain(organisation_id: int | None) -> list[ChainProblem]:
    """Recompute every link of a chain; any edited, removed or reordered row shows up as a problem."""
    chain = chain_for(organisation_id)
    rows = await AuditEvent.select().where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
    problems: list[ChainProblem] = []
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        if row["seq"] != expected_seq:
            problems.append(ChainProblem(expected_seq, f"event {expected_seq} is missing"))
        if row["prev_hash"] != prev:
            problems.append(ChainProblem(row["seq"], "does not follow the event before it"))
        if link_hash(row["prev_hash"], row) != row["hash"]:
            problems.append(ChainProblem(row["seq"], "has been changed since it was written"))
        prev = row["hash"]
    head = await AuditChainHead.select().where(AuditChainHead.chain == chain).first()
    if head is not None and (head["seq"] != len(rows) or (rows and head["hash"] != prev)):
        problems.append(ChainProblem(int(head["seq"]), "the last events have been removed"))
    return problems
