"""Writing and verifying the audit log: one row per action, each chained by SHA-256 to the last on its
strand of the organisation's chain (docs/architecture.md, "The audit chain")."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coop import clock
from coop.audit.tables import AuditChainHead, AuditEvent
from coop.db import Rows, Step, is_sqlite, write_steps

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


STRANDS = 16
"""Strands per chain on PostgreSQL: more than the connections that write at once, so none waits."""

_NEXT_SEQ = "UPDATE audit_chain_head SET seq = seq + 1 WHERE chain = {} RETURNING chain, seq, hash"
# Takes the first strand no other transaction holds, without waiting (SKIP LOCKED).
_FREE_STRAND = (
    "UPDATE audit_chain_head SET seq = seq + 1 WHERE chain = (SELECT chain FROM audit_chain_head "
    "WHERE chain = ANY({}) ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING chain, seq, hash"
)


def strands_of(organisation_id: int | None) -> list[str]:
    """A chain's strands: the chain's own name (the only strand on SQLite), then `<chain>/1` and on."""
    chain = chain_for(organisation_id)
    return [chain, *(f"{chain}/{k}" for k in range(1, STRANDS))]


def _next_link(organisation_id: int | None) -> Generator[Step, Rows, tuple[str, int, str]]:
    """The strand this event goes on, its number there and the hash it follows, with that strand's head
    locked to the end of the caller's transaction.

    SQLite runs one writer at a time, so one strand is enough. On PostgreSQL a single head would make
    every governance transaction of an organisation queue on its lock until commit (8 of 11 casting
    connections did); instead each transaction takes a strand nobody holds. Each strand is a complete hash
    chain with its own head, so a changed or removed event is still found (`check_chain`)."""
    chain = chain_for(organisation_id)
    if is_sqlite():
        head = yield _NEXT_SEQ, (chain,)
        if not head:
            yield _add_heads([chain])
            head = yield _NEXT_SEQ, (chain,)
    else:
        strands = strands_of(organisation_id)
        head = yield _FREE_STRAND, (strands,)
        if not head:  # the strands are not made yet, or all are busy
            yield _add_heads(strands)
            head = yield _FREE_STRAND, (strands,)
        if not head:  # more writers than strands: queue on one
            head = yield _NEXT_SEQ, (strands[secrets.randbelow(STRANDS)],)
    return str(head[0]["chain"]), int(head[0]["seq"]), str(head[0]["hash"])


def _add_heads(chains: list[str]) -> Step:
    # A strand's first event makes its head; a concurrent maker waits on the insert, then finds it.
    values = ", ".join("({}, 0, {})" for _ in chains)
    return (
        f"INSERT INTO audit_chain_head (chain, seq, hash) VALUES {values} ON CONFLICT (chain) DO NOTHING",  # noqa: S608
        tuple(v for c in chains for v in (c, GENESIS)),
    )


async def record(entry: AuditEntry, actor: Actor) -> None:
    """Append one event. Joins the caller's transaction, so the event and the change land together."""
    await write_steps(record_steps(entry, actor))


_INSERT_EVENT = (
    "INSERT INTO audit_event (chain, seq, organisation, at, actor, action, target_type, target_id, outcome, "
    "request_id, detail, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)
_NEW_HEAD = "UPDATE audit_chain_head SET hash = {} WHERE chain = {}"


def record_steps(entry: AuditEntry, actor: Actor) -> Generator[Step, Rows, None]:
    """`record` as statements, for a write given as steps (`coop.db.write_steps`) to append its event in
    the same transaction: the next link of a free strand, the event, the strand's new head."""
    chain, seq, prev_hash = yield from _next_link(entry.organisation_id)
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
    yield _INSERT_EVENT, (*row.values(), prev_hash, digest)
    yield _NEW_HEAD, (digest, chain)


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
    """How many events were written, as the heads of the chain's strands record it (0 for none)."""
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
    """Recompute every link of a chain, strand by strand; an edited, removed or reordered row shows up as
    a problem.

    The one verification: the audit command (`coop audit verify`) and the audit check page both call it.
    """
    checks = [await _check_strand(strand, k) for k, strand in enumerate(strands_of(organisation_id))]
    return ChainCheck(
        events=sum(c.events for c in checks),
        last_seq=sum(c.last_seq for c in checks),
        problems=[p for c in checks for p in c.problems],
    )


async def _check_strand(chain: str, strand: int) -> ChainCheck:
    """One strand, read in batches; its head says how many events were written to it and the last hash.
    Strands after the first are named in messages ("event 4 of strand 2")."""
    of = f" of strand {strand}" if strand else ""
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
            seq, event_id, action = int(row["seq"]), int(row["id"]), str(row["action"])
            if seq != prev_seq + 1:
                gone = _events_are(prev_seq + 1, seq - 1, of)
                problems.append(ChainProblem(prev_seq + 1, f"{gone} missing: removed from the log."))
            elif row["prev_hash"] != prev_hash:
                problems.append(
                    ChainProblem(
                        seq,
                        f"Event {seq}{of} does not follow the event before it: one was replaced.",
                        event_id,
                        action,
                    )
                )
            if link_hash(row["prev_hash"], row) != row["hash"]:
                problems.append(
                    ChainProblem(
                        seq, f"Event {seq}{of} has been changed since it was written.", event_id, action
                    )
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
                f"{_events_are(prev_seq + 1, last_seq, of)} missing: removed from the end of the log "
                f"(it ends at event {prev_seq}, but {last_seq} events were written).",
            )
        )
    elif head is not None and head["hash"] != prev_hash:
        problems.append(
            ChainProblem(prev_seq, f"Event {prev_seq}{of} is not the last event that was written.")
        )
    return ChainCheck(events=count, last_seq=last_seq, problems=problems)


def _events_are(first: int, last: int, of: str = "") -> str:
    return f"Event {first}{of} is" if first == last else f"Events {first} to {last}{of} are"


async def verify_chain(organisation_id: int | None) -> list[ChainProblem]:
    """Every broken link of a chain (see `check_chain`)."""
    return (await check_chain(organisation_id)).problems
