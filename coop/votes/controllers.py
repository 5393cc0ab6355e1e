"""HTTP for votes: the list, creating, opening, closing and reminding (secretary, admin), the vote's page,
and paper ballots. The ballot is in `ballot_controllers.py`; the board and results in
`result_controllers.py`."""

from __future__ import annotations

import contextlib
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.form_values import INTEGER_MAX, whole_number
from coop.guards import current_org, requires_member, requires_role
from coop.members.guards import requires_supporter
from coop.organisations.service import constitution_of
from coop.pagination import list_position
from coop.votes import ballots as choices
from coop.votes.casting import cast_ballot
from coop.votes.closing import close_vote
from coop.votes.forms import NewVoteForm, PaperBallotForm, parse_when
from coop.votes.lifecycle import NewVote, create_vote, new_vote_problems, open_vote, send_reminders
from coop.votes.pages import (
    BOARD,
    SUPPORTED_PATH,
    VOTES_PATH,
    ballot_context,
    form_errors_page,
    form_lists,
    render,
    vote_or_404,
)
from coop.votes.records import CHANNELS, LIST_STATES, PURPOSES, VoteInfo, VoteStateError, votes_page
from coop.votes.roll import member_by_public_id, members_not_voted, vote_view
from coop.votes.tellers import vote_tellers
from coop.web import redirect


class VoteController(Controller):
    path = VOTES_PATH
    guards = [requires_member]

    @get("/", name="votes")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        """The votes in one state (open, not yet open, closed), newest first, a page at a time."""
        org = current_org(request)
        state = str(request.query_params.get("state", "open"))
        state = state if state in LIST_STATES else "open"
        position = list_position(request.query_params)
        listed = await votes_page(org.organisation_id, state, clock.now(), **position)
        return render(
            request,
            "votes/index.html",
            {"listed": listed, "state": state, "states": LIST_STATES, "now": clock.now()},
        )

    @get("/how-your-vote-is-kept-secret", name="vote_secrecy")
    async def secrecy(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "votes/secrecy.html")

    # --- creating and managing (secretary, admin) ---------------------------------------------------------

    @get("/new", name="vote_new", guards=[requires_role(*BOARD)])
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "votes/new.html", await self._new_context(request, NewVoteForm()))

    async def _new_context(self, request: Request[Any, Any, Any], form: NewVoteForm) -> dict[str, Any]:
        constitution = await constitution_of(current_org(request).organisation_id)
        return {
            "form": form,
            "kinds": choices.KINDS,
            "purposes": PURPOSES,
            "classes": [(c.key, c.plural) for c in constitution.member_classes if c.can_vote],
        }

    @post("/new", name="vote_create", guards=[requires_role(*BOARD)])
    async def create(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[NewVoteForm]
    ) -> Response[Any]:
        org = current_org(request)
        lists = await form_lists(request)
        now = clock.now()
        errors: dict[str, str] = {}
        closes_at = parse_when(data.closes_at)
        if closes_at is None:
            errors["closes_at"] = "Enter the closing date and time, like 01/12/2026 17:00"
        opens_at = None
        if data.opens_at.strip() and data.open_now != "yes":
            opens_at = parse_when(data.opens_at)
            if opens_at is None:
                errors["opens_at"] = (
                    "Enter the opening date and time, like 01/12/2026 09:00, or leave it empty"
                )
        seats = whole_number(data.seats, low=0, high=INTEGER_MAX) or 0
        new = NewVote(
            title=data.title,
            question=data.question,
            easy_read=data.easy_read,
            kind=data.kind,
            purpose=data.purpose,
            closes_at=closes_at or now,
            opens_at=opens_at,
            options=tuple(data.options.splitlines()),
            seats=seats,
            secret=data.secrecy != "recorded",
            eligible_classes=tuple(lists.get("eligible_classes", [])),
        )
        constitution = await constitution_of(org.organisation_id)
        for key, message in new_vote_problems(new, constitution, now).items():
            errors.setdefault(key, message)
        if errors:
            context = await self._new_context(request, data)
            context["picked_classes"] = new.eligible_classes
            return form_errors_page(request, "votes/new.html", errors, context)
        vote_id = await create_vote(org.organisation_id, new, actor=actor_of(request))
        if data.open_now == "yes":
            # A problem opening shows on the vote's page, which says it is still a draft.
            with contextlib.suppress(VoteStateError):
                await open_vote(org.organisation_id, vote_id, now=now, actor=actor_of(request))
        return redirect(request, f"/o/{org.slug}/votes/{vote_id}")

    @post("/{vote_id:int}/open", name="vote_open", guards=[requires_role(*BOARD)])
    async def open(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        org = current_org(request)
        vote = await vote_or_404(request, vote_id)
        # Caught here, not by coop.web: the refusal is shown as the vote page's own problem banner, with
        # the whole page (its roll, turnout and controls) read again only then.
        try:
            await open_vote(org.organisation_id, vote.id, now=clock.now(), actor=actor_of(request))
        except VoteStateError as exc:
            return await self._show(request, vote, problem=str(exc), status_code=409)
        return redirect(request, f"/o/{org.slug}/votes/{vote.id}?opened=1")

    @post("/{vote_id:int}/close", name="vote_close", guards=[requires_role(*BOARD)])
    async def close(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        org = current_org(request)
        vote = await vote_or_404(request, vote_id)
        try:
            await close_vote(
                org.organisation_id, vote.id, now=clock.now(), actor=actor_of(request), notify=True
            )
        except VoteStateError as exc:
            return await self._show(request, vote, problem=str(exc), status_code=409)
        return redirect(request, f"/o/{org.slug}/votes/{vote.id}/results")

    @post("/{vote_id:int}/remind", name="vote_remind", guards=[requires_role(*BOARD)])
    async def remind(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        org = current_org(request)
        vote = await vote_or_404(request, vote_id)
        try:
            sent = await send_reminders(vote, now=clock.now(), actor=actor_of(request))
        except VoteStateError as exc:
            return await self._show(request, vote, problem=str(exc), status_code=409)
        return redirect(request, f"/o/{org.slug}/votes/{vote.id}?reminded={sent}")

    # --- the vote's page --------------------------------------------------------------------------------

    @get("/{vote_id:int}", name="vote")
    async def show(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        vote = await vote_or_404(request, vote_id)
        return await self._show(request, vote)

    async def _show(
        self,
        request: Request[Any, Any, Any],
        vote: VoteInfo,
        *,
        problem: str | None = None,
        status_code: int = 200,
    ) -> Template:
        org = current_org(request)
        now = clock.now()
        view = await vote_view(vote, org.member_id, now)
        return render(
            request,
            "votes/show.html",
            {
                "vote": vote,
                "status": view.status,
                "turnout": view.turnout,
                "now": now,
                "problem": problem,
                "reminded": request.query_params.get("reminded"),
                "opened": request.query_params.get("opened"),
                "manage": org.has_any(*BOARD),
                "proxies": view.proxies,
                "vote_facts": view.facts,
                "tellers": await vote_tellers(vote.id) if vote.tellers_needed else None,
                "came": request.query_params.get("came"),
                "member_id": org.member_id,
            },
            status_code=status_code,
        )

    # --- paper and in-room ballots (secretary) ------------------------------------------------------------

    @get("/{vote_id:int}/paper", name="vote_paper", guards=[requires_role(*BOARD)])
    async def paper(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        vote = await vote_or_404(request, vote_id)
        # A returned postal ballot paper's reference (coop/documents) leads here with its member chosen.
        chosen = {key: [value] for key in ("member", "channel") if (value := request.query_params.get(key))}
        return render(request, "votes/paper.html", await self._paper_context(vote, chosen))

    async def _paper_context(self, vote: VoteInfo, values: dict[str, list[str]]) -> dict[str, Any]:
        not_voted = await members_not_voted(vote.id)
        return {**ballot_context(vote, values), "members": not_voted, "channels": CHANNELS, "entered": None}

    @post("/{vote_id:int}/paper", name="vote_paper_post", guards=[requires_role(*BOARD)])
    async def paper_post(
        self, request: Request[Any, Any, Any], vote_id: FromPath[int], data: URLEncodedBody[PaperBallotForm]
    ) -> Template:
        org = current_org(request)
        vote = await vote_or_404(request, vote_id)
        values = await form_lists(request)
        errors: dict[str, str] = {}
        member_id = await member_by_public_id(org.organisation_id, data.member)
        if member_id is None:
            errors["member"] = "Select the member whose ballot this is"
        if data.channel not in ("paper", "in_room"):
            errors["channel"] = "Select how the ballot was cast"
        parsed = choices.parse_choice(vote.kind, vote.options, values)
        errors.update(parsed.errors)
        if errors or member_id is None or parsed.encoded is None:
            return form_errors_page(
                request, "votes/paper.html", errors, await self._paper_context(vote, values)
            )
        outcome = await cast_ballot(
            org.organisation_id,
            vote.id,
            member_id,
            parsed.encoded,
            now=clock.now(),
            actor=actor_of(request),
            channel=data.channel,
        )
        if not outcome.counted:
            message = {
                "already_voted": "This member has already voted",
                "not_eligible": "This member cannot vote in this vote",
                "closed": "The vote has closed",
                "not_open": "The vote is not open",
                "not_understood": "Choose again: the answer was not understood",
            }[outcome.status]
            return form_errors_page(
                request, "votes/paper.html", {"member": message}, await self._paper_context(vote, values)
            )
        context = await self._paper_context(vote, {})
        context["entered"] = CHANNELS[data.channel]
        return render(request, "votes/paper.html", context)


class SupportedVoteController(VoteController):
    """The same vote pages for a member's named supporter (membership's MemberSupporter), who helps the
    member cast the member's own choice (coop/votes/assisted.py): the pages say whose vote it is, the
    supporter confirms the member is there, the participation records who helped (never the ballot) and
    the member is told afterwards. Board actions stay refused: the supporter has the member's roles only."""

    path = SUPPORTED_PATH
    guards = [requires_supporter]
