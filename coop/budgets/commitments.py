"""Money promised but not yet spent: a contract (coop/commissioning) sets its cost aside in the pool's
ledger and gives back what it will not spend. Other areas that hold pool money this way say so through a
`Commitments` object, wired in `create_app` and passed explicitly to the budget operations that need it,
so what they do never depends on which modules happened to be imported."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from coop.audit.service import Actor, AuditEntry, record
from coop.budgets.ledger import release, reserve
from coop.db import write_transaction

#: For a pool id, the pence set aside per sub-account by something other than a payment awaiting
#: approval (a contract's remaining cost), so `ledger_problems` can reconcile `committed_pence`.
CommitmentSource = Callable[[int], Awaitable[dict[int, int]]]

#: Called inside the transaction that cancels a payment (or reverses a paid one) with (organisation id,
#: payment id, shares, actor); returns True when it took the payment's money back into a commitment of
#: its own (an invoice against a contract still running), so the money stays set aside.
TakeBack = Callable[[int, int, dict[int, int], Actor], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Commitments:
    """Who else holds money set aside in pools. Built once in `create_app` (with the contracts of
    coop/commissioning) and passed to `cancel_payment`, the reversals and `ledger_problems`; `NONE` is a
    ledger with no other holders."""

    sources: tuple[CommitmentSource, ...] = ()
    take_back: tuple[TakeBack, ...] = ()

    async def held(self, pool_id: int) -> dict[int, int]:
        """Pence set aside per sub-account of the pool by every holder together."""
        held: dict[int, int] = {}
        for source in self.sources:
            for account, pence in (await source(pool_id)).items():
                held[account] = held.get(account, 0) + pence
        return held

    async def taken_back(
        self, organisation_id: int, payment_id: int, shares: dict[int, int], actor: Actor
    ) -> bool:
        """Offer a cancelled or reversed payment's money back to its holder; True if one took it."""
        for hook in self.take_back:
            if await hook(organisation_id, payment_id, shares, actor):
                return True
        return False


NONE = Commitments()


async def commit_shares(
    organisation_id: int,
    pool_id: int,
    shares: dict[int, int],
    *,
    actor: Actor,
    target_type: str,
    target_id: str,
) -> None:
    """Set money aside against each sub-account (and the pool), or raise NotEnoughMoney. Call inside the
    caller's `write_transaction()`, so its own rows and this commitment land together or not at all."""
    async with write_transaction():
        await reserve(pool_id, shares, sum(shares.values()))
        await _record_commitment(
            "budget.committed", organisation_id, pool_id, shares, actor, target_type, target_id
        )


async def release_shares(
    organisation_id: int,
    pool_id: int,
    shares: dict[int, int],
    *,
    actor: Actor,
    target_type: str,
    target_id: str,
) -> None:
    """Give back money set aside by `commit_shares` that will not be spent."""
    async with write_transaction():
        await release(pool_id, shares)
        await _record_commitment(
            "budget.released", organisation_id, pool_id, shares, actor, target_type, target_id
        )


async def _record_commitment(
    action: str,
    organisation_id: int,
    pool_id: int,
    shares: dict[int, int],
    actor: Actor,
    target_type: str,
    target_id: str,
) -> None:
    detail = {"pool": pool_id, "shares": {str(k): v for k, v in sorted(shares.items())}}
    await record(
        AuditEntry(
            action,
            organisation_id=organisation_id,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
        ),
        actor,
    )
