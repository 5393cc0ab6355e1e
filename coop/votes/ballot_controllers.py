"""HTTP for the ballot: one question per page (a ranked ballot one preference per page), check your
answers, cast, and the receipt with the tracker; for the member, their standing proxy or their supporter."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.form_values import whole_number
from coop.guards import current_org, requires_member
from coop.members.guards import requires_supporter
from coop.votes import assisted, ranking
from coop.votes import ballots as choices
from coop.votes.bulletin import show_tracker
from coop.votes.casting import CastOutcome, cast_ballot
from coop.votes.extras import vote_facts
from coop.votes.pages import (
    SUPPORTED_PATH,
    VOTES_PATH,
    ballot_context,
    form_errors_page,
    form_lists,
    render,
    vote_or_404,
)
from coop.votes.records import VoteInfo
from coop.votes.roll import proxy_appointers, voter_status
from governance.violations import RuleViolationError


async def _voter(
    request: Request[Any, Any, Any], vote: VoteInfo, for_member: str
) -> tuple[int, dict[str, Any] | None]:
    """Whose ballot this is: the signed-in member's own, or (as their standing proxy) another member's."""
    org = current_org(request)
    if not for_member:
        return org.member_id, None
    for appointer in await proxy_appointers(vote, org.member_id):
        if appointer["public_id"] == for_member:
            return int(appointer["member_id"]), appointer
    raise PermissionDeniedException()


def _rank_step(
    request: Request[Any, Any, Any],
    vote: VoteInfo,
    member_id: int,
    proxy_for: dict[str, Any] | None,
    so_far: tuple[int, ...],
    position: int,
    *,
    mode: str = "",
    picked: str | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """The page asking for one preference. Options ranked earlier are not offered again; the answer
    already given at this position is selected."""
    if picked is None:
        picked = str(so_far[position - 1]) if position <= len(so_far) else ""
    earlier = so_far[: position - 1]
    context = {
        "vote": vote,
        "proxy_for": proxy_for,
        "position": position,
        "question": f"Who is your {choices.ordinal(position)} choice?",
        "earlier": [(choices.ordinal(n), vote.options[i]) for n, i in enumerate(earlier, start=1)],
        "remaining": [(i, name) for i, name in enumerate(vote.options) if i not in earlier],
        "picked": picked,
        "state": ranking.sign(request.app.state.settings.secret_key, vote.id, member_id, so_far),
        "mode": mode,
        "stop": ranking.STOP,
    }
    if errors:
        return form_errors_page(request, "votes/rank_step.html", errors, context)
    return render(request, "votes/rank_step.html", context)


def _check_page(
    request: Request[Any, Any, Any],
    vote: VoteInfo,
    member_id: int,
    proxy_for: dict[str, Any] | None,
    encoded: str,
    errors: dict[str, str] | None = None,
) -> Template:
    """Check your answers; a ranked ballot lists each preference with its own Change button."""
    context: dict[str, Any] = {
        "proxy_for": proxy_for,
        "vote": vote,
        "encoded": encoded,
        "described": choices.describe(vote.kind, vote.options, encoded),
        "ranking": None,
    }
    if vote.kind in ranking.RANKED_KINDS:
        order = choices.decode(vote.kind, encoded)
        assert isinstance(order, tuple)
        context["ranking"] = [(choices.ordinal(n), vote.options[i]) for n, i in enumerate(order, start=1)]
        context["state"] = ranking.sign(request.app.state.settings.secret_key, vote.id, member_id, order)
        context["next_ordinal"] = choices.ordinal(len(order) + 1) if len(order) < len(vote.options) else None
    if errors:
        return form_errors_page(request, "votes/check.html", errors, context)
    return render(request, "votes/check.html", context)


class BallotController(Controller):
    path = VOTES_PATH
    guards = [requires_member]

    # --- the ballot: form, check your answers, cast, receipt ---------------------------------------------

    async def _refusal(
        self, request: Request[Any, Any, Any], vote: VoteInfo, status: str, member_id: int
    ) -> Template | None:
        """The page for a member who cannot vote now, or None if they can."""
        now = clock.now()
        voter = await voter_status(vote.id, member_id)
        if voter.voted:
            status = "already_voted"
        elif not vote.accepting_at(now):
            status = "closed" if vote.status == "closed" or now >= vote.closes_at else "not_open"
        elif not voter.on_roll:
            status = "not_eligible"
        if status == "ok":
            return None
        code = {"already_voted": 409, "closed": 409, "not_open": 409, "not_eligible": 403}[status]
        return render(request, "votes/refused.html", {"vote": vote, "reason": status}, status_code=code)

    @get("/{vote_id:int}/ballot", name="vote_ballot")
    async def ballot(
        self, request: Request[Any, Any, Any], vote_id: FromPath[int], for_member: FromQuery[str] = ""
    ) -> Template:
        vote = await vote_or_404(request, vote_id)
        member_id, proxy_for = await _voter(request, vote, for_member)
        refusal = await self._refusal(request, vote, "ok", member_id)
        if refusal is not None:
            return refusal
        if vote.kind in ranking.RANKED_KINDS:
            return _rank_step(request, vote, member_id, proxy_for, (), 1)
        facts = await vote_facts(vote)
        return render(
            request, "votes/ballot.html", {**ballot_context(vote, {}, proxy_for), "vote_facts": facts}
        )

    @post("/{vote_id:int}/ballot", name="vote_ballot_change")
    async def change(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        """Back from check your answers: the ballot again, filled in as the member left it."""
        vote = await vote_or_404(request, vote_id)
        form = await form_lists(request)
        member_id, proxy_for = await _voter(request, vote, form.get("for_member", [""])[0])
        refusal = await self._refusal(request, vote, "ok", member_id)
        if refusal is not None:
            return refusal
        encoded = form.get("encoded", [""])[0]
        valid = choices.valid_encoding(vote.kind, vote.options, encoded)
        if vote.kind in ranking.RANKED_KINDS:
            order = choices.decode(vote.kind, encoded) if valid else ()
            assert isinstance(order, tuple)
            return _rank_step(request, vote, member_id, proxy_for, order, 1)
        values = choices.form_values(vote.kind, encoded) if valid else {}
        facts = await vote_facts(vote)
        return render(
            request, "votes/ballot.html", {**ballot_context(vote, values, proxy_for), "vote_facts": facts}
        )

    @post("/{vote_id:int}/check", name="vote_check")
    async def check(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        vote = await vote_or_404(request, vote_id)
        values = await form_lists(request)
        member_id, proxy_for = await _voter(request, vote, values.get("for_member", [""])[0])
        refusal = await self._refusal(request, vote, "ok", member_id)
        if refusal is not None:
            return refusal
        parsed = choices.parse_choice(vote.kind, vote.options, values)
        if parsed.encoded is None:
            return form_errors_page(
                request, "votes/ballot.html", parsed.errors, ballot_context(vote, values, proxy_for)
            )
        return _check_page(request, vote, member_id, proxy_for, parsed.encoded)

    @post("/{vote_id:int}/ranking", name="vote_rank")
    async def rank(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        """One step of the ranked ballot: answer it (Continue), go back a step, or show a step again
        (Change on check your answers)."""
        vote = await vote_or_404(request, vote_id)
        if vote.kind not in ranking.RANKED_KINDS:
            raise NotFoundException()
        form = await form_lists(request)

        def field(name: str) -> str:
            return form.get(name, [""])[0].strip()

        member_id, proxy_for = await _voter(request, vote, field("for_member"))
        refusal = await self._refusal(request, vote, "ok", member_id)
        if refusal is not None:
            return refusal
        secret = request.app.state.settings.secret_key
        n = len(vote.options)
        so_far = ranking.read(secret, vote.id, member_id, field("state"), n)
        position = whole_number(field("position"), low=1, high=n) or 0
        if so_far is None or not 1 <= position <= min(len(so_far) + 1, n):
            return _rank_step(
                request,
                vote,
                member_id,
                proxy_for,
                (),
                1,
                errors={"choice": "Your answers could not be read. Start again from your 1st choice"},
            )
        mode = "change" if field("mode") == "change" else ""
        action = field("action")
        if action == "back" and mode == "change" and so_far:
            return _check_page(request, vote, member_id, proxy_for, ranking.encode(so_far))
        if action == "back":
            return _rank_step(request, vote, member_id, proxy_for, so_far, max(1, position - 1))
        if action == "show":
            return _rank_step(request, vote, member_id, proxy_for, so_far, position, mode=mode)
        outcome = ranking.answer(vote.options, so_far, position, field("choice"))
        if outcome.ranking is None:
            return _rank_step(
                request,
                vote,
                member_id,
                proxy_for,
                so_far,
                position,
                mode=mode,
                picked=field("choice"),
                errors={"choice": outcome.error or ""},
            )
        if outcome.stopped or mode == "change" or position >= n:
            return _check_page(request, vote, member_id, proxy_for, ranking.encode(outcome.ranking))
        return _rank_step(request, vote, member_id, proxy_for, outcome.ranking, position + 1)

    @post("/{vote_id:int}/cast", name="vote_cast")
    async def cast(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        values = await form_lists(request)
        encoded = values.get("encoded", [""])[0]
        for_member = values.get("for_member", [""])[0]
        if not for_member and request.scope.get("state", {}).get("assisted_by") is None:
            # The member's own ballot, the busiest write there is: the cast's transaction reads the vote
            # (as the page after it shows it), so there is no separate read before it.
            outcome = await _own_cast(request, vote_id, encoded)
            vote, proxy_for = outcome.vote, None
            if vote is None:
                raise NotFoundException()
        else:
            vote = await vote_or_404(request, vote_id)
            member_id, proxy_for = await _voter(request, vote, for_member)
            helped = await _cast(request, vote, member_id, proxy_for, encoded, values)
            if isinstance(helped, Template):
                return helped
            outcome = helped
        if outcome.status == "not_understood":
            return _not_understood(request, vote, proxy_for)
        if not outcome.counted:
            code = 403 if outcome.status == "not_eligible" else 409
            return render(
                request, "votes/refused.html", {"vote": vote, "reason": outcome.status}, status_code=code
            )
        wants_receipt = values.get("no_receipt", [""])[0] != "yes"
        # The receipt is answered directly (not after a redirect): the tracker is never stored anywhere
        # that names the voter, so this response is the only place it goes.
        return render(
            request,
            "votes/receipt.html",
            {
                "vote": vote,
                "tracker": show_tracker(outcome.tracker or "") if wants_receipt else None,
                "fingerprint": show_tracker(outcome.fingerprint) if outcome.fingerprint else None,
            },
        )


async def _own_cast(request: Request[Any, Any, Any], vote_id: int, encoded: str) -> CastOutcome:
    org = current_org(request)
    return await cast_ballot(
        org.organisation_id, vote_id, org.member_id, encoded, now=clock.now(), actor=actor_of(request)
    )


async def _cast(
    request: Request[Any, Any, Any],
    vote: VoteInfo,
    member_id: int,
    proxy_for: dict[str, Any] | None,
    encoded: str,
    values: dict[str, list[str]],
) -> CastOutcome | Template:
    """Cast the ballot, with the supporter's help when a supporter is signed in (then the page again
    if they have not confirmed the member is there)."""
    org = current_org(request)
    supporter = request.scope.get("state", {}).get("assisted_by")
    if supporter is None:
        return await cast_ballot(
            org.organisation_id,
            vote.id,
            member_id,
            encoded,
            now=clock.now(),
            actor=actor_of(request),
            channel="proxy" if proxy_for else "online",
        )
    try:
        return await assisted.cast_with_help(
            vote,
            org.member_id,
            org.member_name,
            encoded,
            proxy_for=proxy_for,
            supporter_person_id=supporter,
            supporter_confirms=values.get("confirmed", [""])[0] == "yes",
            now=clock.now(),
            actor=actor_of(request),
            settings=request.app.state.settings,
            org_name=org.name,
            slug=org.slug,
        )
    except RuleViolationError as exc:  # not coop.web's: a garbled ballot and a refused one differ in page
        if not choices.valid_encoding(vote.kind, vote.options, encoded):
            return _not_understood(request, vote, proxy_for)
        errors = {"confirmed": " ".join(v.message for v in exc.violations)}
        return _check_page(request, vote, member_id, proxy_for, encoded, errors)


def _not_understood(
    request: Request[Any, Any, Any], vote: VoteInfo, proxy_for: dict[str, Any] | None
) -> Template:
    """A cast whose answer does not fit the vote (a damaged or hand-made form): ask again."""
    return form_errors_page(
        request,
        "votes/ballot.html",
        {"choice": "Choose again: your answer was not understood"}
        if vote.kind in ("motion", "single", "approval")
        else {"rank_0": "Rank again: your answer was not understood"},
        ballot_context(vote, {}, proxy_for),
    )


class SupportedBallotController(BallotController):
    """The same pages for a member's named supporter (see SupportedVoteController)."""

    path = SUPPORTED_PATH
    guards = [requires_supporter]
