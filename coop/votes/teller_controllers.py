"""HTTP for tellers: a member's teller passphrase, the secretary choosing a vote's tellers before it opens,
and a teller coming to the count (coop/votes/tellers.py and teller_shares.py do the work)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.errors import form_page, refusal_context
from coop.form_values import form_text
from coop.guards import current_org, requires_member, requires_role
from coop.organisations.service import OrgContext
from coop.votes import teller_shares, tellers
from coop.votes.pages import BOARD, VOTES_PATH, render, vote_or_404, votes_base
from coop.votes.records import VoteInfo
from coop.web import redirect

PASSPHRASE_LIMIT = tellers.MAX_PASSPHRASE + 1  # one more, so an over-long one is refused, not cut short


class TellerController(Controller):
    path = VOTES_PATH
    guards = [requires_member]

    # --- a member's teller passphrase ---------------------------------------------------------------------

    async def _key_context(self, org: OrgContext) -> dict[str, Any]:
        return {
            "has_key": await tellers.has_teller_key(org.member_id),
            "teller_votes": await tellers.my_teller_votes(org.member_id),
        }

    @get("/teller-passphrase", name="teller_key")
    async def key_page(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        context = await self._key_context(org)
        context["done"] = request.query_params.get("done", "") in ("set", "changed")
        return render(request, "votes/teller_key.html", context)

    @post("/teller-passphrase", name="teller_key_set", opt=form_page("votes/teller_key.html"))
    async def set_key(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        refusal_context(request, await self._key_context(org), votes_base=votes_base(request))
        await tellers.set_teller_key(
            org.organisation_id,
            org.member_id,
            form_text(form, "passphrase", PASSPHRASE_LIMIT, strip=False),
            form_text(form, "confirm", PASSPHRASE_LIMIT, strip=False),
            settings=request.app.state.settings,
            actor=actor_of(request),
        )
        return redirect(request, f"/o/{org.slug}/votes/teller-passphrase?done=set")

    @post("/teller-passphrase/change", name="teller_key_change", opt=form_page("votes/teller_key.html"))
    async def change_key(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        refusal_context(request, await self._key_context(org), votes_base=votes_base(request))
        await tellers.change_passphrase(
            org.organisation_id,
            org.member_id,
            form_text(form, "current", PASSPHRASE_LIMIT, strip=False),
            form_text(form, "passphrase", PASSPHRASE_LIMIT, strip=False),
            form_text(form, "confirm", PASSPHRASE_LIMIT, strip=False),
            settings=request.app.state.settings,
            actor=actor_of(request),
        )
        return redirect(request, f"/o/{org.slug}/votes/teller-passphrase?done=changed")

    # --- choosing a vote's tellers (secretary, before it opens) -------------------------------------------

    async def _choose_context(self, org: OrgContext, vote: VoteInfo) -> dict[str, Any]:
        current = await tellers.vote_tellers(vote.id)
        last = None if current else await tellers.last_tellers(org.organisation_id, vote.id)
        start = current or (last[1] if last else None)
        return {
            "vote": vote,
            "candidates": await tellers.teller_candidates(org.organisation_id),
            "current": start,
            "chosen": [t.public_id for t in start.tellers] if start else [],
            "from_vote": last[0] if last else None,
        }

    @get("/{vote_id:int}/tellers", name="vote_tellers", guards=[requires_role(*BOARD)])
    async def choose_page(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        org = current_org(request)
        vote = await vote_or_404(request, vote_id)
        return render(request, "votes/tellers.html", await self._choose_context(org, vote))

    @post(
        "/{vote_id:int}/tellers",
        name="vote_tellers_post",
        guards=[requires_role(*BOARD)],
        opt=form_page("votes/tellers.html"),
    )
    async def choose(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        org = current_org(request)
        vote = await vote_or_404(request, vote_id)
        form = await request.form()
        refusal_context(request, await self._choose_context(org, vote), votes_base=votes_base(request))
        picked = [str(v)[:100] for v in form.getall("tellers")] if "tellers" in form else []
        await teller_shares.choose_tellers(
            org.organisation_id,
            vote.id,
            mode=form_text(form, "mode", 20),
            public_ids=picked,
            needed_text=form_text(form, "needed", 20),
            actor=actor_of(request),
        )
        return redirect(request, f"/o/{org.slug}/votes/{vote.id}")

    # --- a teller comes to the count ----------------------------------------------------------------------

    async def _count_context(self, org: OrgContext, vote: VoteInfo) -> dict[str, Any]:
        held = await tellers.vote_tellers(vote.id)
        return {
            "vote": vote,
            "held": held,
            "seat": held.seat_of(org.member_id) if held else None,
            "ended": await teller_shares.voting_has_ended(vote, clock.now()),
        }

    @get("/{vote_id:int}/count", name="vote_teller_count")
    async def count_page(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        org = current_org(request)
        vote = await vote_or_404(request, vote_id)
        context = await self._count_context(org, vote)
        if context["seat"] is None:
            raise NotFoundException()
        return render(request, "votes/teller_count.html", context)

    @post("/{vote_id:int}/count", name="vote_teller_count_post", opt=form_page("votes/teller_count.html"))
    async def count(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        org = current_org(request)
        vote = await vote_or_404(request, vote_id)
        form = await request.form()
        refusal_context(request, await self._count_context(org, vote), votes_base=votes_base(request))
        await teller_shares.come_to_count(
            org.organisation_id,
            vote.id,
            org.member_id,
            form_text(form, "passphrase", PASSPHRASE_LIMIT, strip=False),
            now=clock.now(),
            actor=actor_of(request),
        )
        return redirect(request, f"/o/{org.slug}/votes/{vote.id}?came=1")
