"""HTTP for votes: the list, creating and opening a vote, the ballot (one question per page, check your
answers, receipt with the tracker), the bulletin board, results, reminders and paper ballots."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from coop.accounts.controllers import actor_of
from coop.form_values import INTEGER_MAX, whole_number
from coop.guards import current_org, requires_member, requires_role
from coop.members.controllers import requires_supporter
from coop.members.tables import Member
from coop.votes import assisted, ranking, service
from coop.votes import ballots as choices
from coop.votes.bulletin import normalise_tracker, show_tracker
from coop.votes.chart import bar_chart, count_text
from coop.votes.extras import vote_facts
from coop.votes.forms import NewVoteForm, PaperBallotForm, parse_when, when_text
from coop.votes.service import CHANNELS, PURPOSES, NewVote, VoteInfo, VoteStateError
from coop.votes.tally import chosen_in
from coop.web import form_errors_page as _form_errors_page
from coop.web import redirect
from coop.web import render as _render
from governance.violations import RuleViolationError

BOARD = ("secretary", "admin")


def votes_base(request: Request[Any, Any, Any]) -> str:
    """Where this request's vote pages live: the member's own, or a supporter's view of the member's."""
    org = current_org(request)
    if request.scope.get("state", {}).get("assisted_by") is not None:
        return f"/o/{org.slug}/supporting/{org.member_public_id}/votes"
    return f"/o/{org.slug}/votes"


def helping(request: Request[Any, Any, Any]) -> str | None:
    """The member's name when their supporter is helping them vote (the pages then say so), else None."""
    if request.scope.get("state", {}).get("assisted_by") is None:
        return None
    return current_org(request).member_name


def _shared(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return {"votes_base": votes_base(request), "helping": helping(request)}


def render(
    request: Request[Any, Any, Any], template: str, context: dict[str, Any] | None = None, **kwargs: Any
) -> Template:
    return _render(request, template, {**_shared(request), **(context or {})}, **kwargs)


def form_errors_page(
    request: Request[Any, Any, Any],
    template: str,
    errors: dict[str, str],
    context: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Template:
    return _form_errors_page(request, template, errors, {**_shared(request), **(context or {})}, **kwargs)


def clock() -> datetime:
    """The time now; tests replace it to stand just before or after a closing time."""
    return datetime.now(UTC)


async def _form_lists(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [str(v) for v in form.getall(key)] for key in form}


async def _vote_or_404(request: Request[Any, Any, Any], vote_id: int) -> VoteInfo:
    # Never closes a vote past its time: the worker does that (coop/votes/schedule.py); until it has,
    # pages show the vote as closed to voting and being counted.
    org = current_org(request)
    vote = await service.get_vote(org.organisation_id, vote_id)
    if vote is None:
        raise NotFoundException()
    return vote


def _ballot_context(
    vote: VoteInfo, values: dict[str, list[str]], proxy_for: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "vote": vote,
        "values": values,
        "ordinals": [choices.ordinal(n) for n in range(1, len(vote.options) + 1)],
        "proxy_for": proxy_for,
    }


async def _voter(
    request: Request[Any, Any, Any], vote: VoteInfo, for_member: str
) -> tuple[int, dict[str, Any] | None]:
    """Whose ballot this is: the signed-in member's own, or (as their standing proxy) another member's."""
    org = current_org(request)
    if not for_member:
        return org.member_id, None
    for appointer in await service.proxy_appointers(vote, org.member_id):
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


def _rounds_table(vote: VoteInfo) -> dict[str, Any]:
    """Rows of the count sheet for the template: one row per option, one column per round."""
    sheet = (vote.result or {}).get("sheet", {})
    rounds = sheet.get("rounds", [])
    names = list(sheet.get("candidates", []))
    rows = []
    for name in names:
        votes = [r["tallies"].get(name) for r in rounds]
        rows.append({"name": name, "votes": [None if v is None else count_text(v) for v in votes]})
    last = rounds[-1]["tallies"] if rounds else {}
    return {"sheet": sheet, "rounds": rounds, "rows": rows, "last": last}


class VoteController(Controller):
    path = "/o/{org_slug:str}/votes"
    guards = [requires_member]

    @get("/", name="votes")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        votes = await service.list_votes(org.organisation_id)
        now = clock()
        groups: dict[str, list[VoteInfo]] = {"open": [], "draft": [], "closed": []}
        for v in votes:
            groups["closed" if v.status == "closed" or v.due_to_close(now) else v.status].append(v)
        return render(request, "votes/index.html", {"groups": groups, "now": now})

    @get("/how-your-vote-is-kept-secret", name="vote_secrecy")
    async def secrecy(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "votes/secrecy.html")

    # --- creating and managing (secretary, admin) ---------------------------------------------------------

    @get("/new", name="vote_new", guards=[requires_role(*BOARD)])
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "votes/new.html", await self._new_context(request, NewVoteForm()))

    async def _new_context(self, request: Request[Any, Any, Any], form: NewVoteForm) -> dict[str, Any]:
        constitution = await service.constitution_of(current_org(request).organisation_id)
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
        form_lists = await _form_lists(request)
        now = clock()
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
            eligible_classes=tuple(form_lists.get("eligible_classes", [])),
        )
        constitution = await service.constitution_of(org.organisation_id)
        for key, message in service.new_vote_problems(new, constitution, now).items():
            errors.setdefault(key, message)
        if errors:
            context = await self._new_context(request, data)
            context["picked_classes"] = new.eligible_classes
            return form_errors_page(request, "votes/new.html", errors, context)
        vote_id = await service.create_vote(org.organisation_id, new, actor=actor_of(request))
        if data.open_now == "yes":
            # A problem opening shows on the vote's page, which says it is still a draft.
            with contextlib.suppress(VoteStateError):
                await service.open_vote(org.organisation_id, vote_id, now=now, actor=actor_of(request))
        return redirect(request, f"/o/{org.slug}/votes/{vote_id}")

    @post("/{vote_id:int}/open", name="vote_open", guards=[requires_role(*BOARD)])
    async def open(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        org = current_org(request)
        vote = await _vote_or_404(request, vote_id)
        try:
            await service.open_vote(org.organisation_id, vote.id, now=clock(), actor=actor_of(request))
        except VoteStateError as exc:
            return await self._show(request, vote, problem=str(exc), status_code=409)
        return redirect(request, f"/o/{org.slug}/votes/{vote.id}?opened=1")

    @post("/{vote_id:int}/close", name="vote_close", guards=[requires_role(*BOARD)])
    async def close(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        org = current_org(request)
        vote = await _vote_or_404(request, vote_id)
        try:
            await service.close_vote(
                org.organisation_id, vote.id, now=clock(), actor=actor_of(request), notify=True
            )
        except VoteStateError as exc:
            return await self._show(request, vote, problem=str(exc), status_code=409)
        return redirect(request, f"/o/{org.slug}/votes/{vote.id}/results")

    @post("/{vote_id:int}/remind", name="vote_remind", guards=[requires_role(*BOARD)])
    async def remind(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        org = current_org(request)
        vote = await _vote_or_404(request, vote_id)
        try:
            sent = await service.send_reminders(vote, now=clock(), actor=actor_of(request))
        except VoteStateError as exc:
            return await self._show(request, vote, problem=str(exc), status_code=409)
        return redirect(request, f"/o/{org.slug}/votes/{vote.id}?reminded={sent}")

    # --- the vote's page --------------------------------------------------------------------------------

    @get("/{vote_id:int}", name="vote")
    async def show(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        vote = await _vote_or_404(request, vote_id)
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
        status = await service.voter_status(vote.id, org.member_id)
        figures = await service.turnout(vote.id) if vote.status != "draft" else None
        proxies = []
        if vote.accepting_at(clock()):
            for appointer in await service.proxy_appointers(vote, org.member_id):
                voted = (await service.voter_status(vote.id, appointer["member_id"])).voted
                proxies.append({**appointer, "voted": voted})
        return render(
            request,
            "votes/show.html",
            {
                "vote": vote,
                "status": status,
                "turnout": figures,
                "now": clock(),
                "problem": problem,
                "reminded": request.query_params.get("reminded"),
                "opened": request.query_params.get("opened"),
                "manage": org.has_any(*BOARD),
                "proxies": proxies,
                "vote_facts": await vote_facts(org.organisation_id, vote.id),
            },
            status_code=status_code,
        )

    # --- the ballot: form, check your answers, cast, receipt ---------------------------------------------

    async def _refusal(
        self, request: Request[Any, Any, Any], vote: VoteInfo, status: str, member_id: int
    ) -> Template | None:
        """The page for a member who cannot vote now, or None if they can."""
        now = clock()
        voter = await service.voter_status(vote.id, member_id)
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
        vote = await _vote_or_404(request, vote_id)
        member_id, proxy_for = await _voter(request, vote, for_member)
        refusal = await self._refusal(request, vote, "ok", member_id)
        if refusal is not None:
            return refusal
        if vote.kind in ranking.RANKED_KINDS:
            return _rank_step(request, vote, member_id, proxy_for, (), 1)
        facts = await vote_facts(vote.organisation_id, vote.id)
        return render(
            request, "votes/ballot.html", {**_ballot_context(vote, {}, proxy_for), "vote_facts": facts}
        )

    @post("/{vote_id:int}/ballot", name="vote_ballot_change")
    async def change(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        """Back from check your answers: the ballot again, filled in as the member left it."""
        vote = await _vote_or_404(request, vote_id)
        form = await _form_lists(request)
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
        facts = await vote_facts(vote.organisation_id, vote.id)
        return render(
            request, "votes/ballot.html", {**_ballot_context(vote, values, proxy_for), "vote_facts": facts}
        )

    @post("/{vote_id:int}/check", name="vote_check")
    async def check(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        vote = await _vote_or_404(request, vote_id)
        values = await _form_lists(request)
        member_id, proxy_for = await _voter(request, vote, values.get("for_member", [""])[0])
        refusal = await self._refusal(request, vote, "ok", member_id)
        if refusal is not None:
            return refusal
        parsed = choices.parse_choice(vote.kind, vote.options, values)
        if parsed.encoded is None:
            return form_errors_page(
                request, "votes/ballot.html", parsed.errors, _ballot_context(vote, values, proxy_for)
            )
        return _check_page(request, vote, member_id, proxy_for, parsed.encoded)

    @post("/{vote_id:int}/ranking", name="vote_rank")
    async def rank(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        """One step of the ranked ballot: answer it (Continue), go back a step, or show a step again
        (Change on check your answers)."""
        vote = await _vote_or_404(request, vote_id)
        if vote.kind not in ranking.RANKED_KINDS:
            raise NotFoundException()
        form = await _form_lists(request)

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
        org = current_org(request)
        vote = await _vote_or_404(request, vote_id)
        values = await _form_lists(request)
        member_id, proxy_for = await _voter(request, vote, values.get("for_member", [""])[0])
        encoded = values.get("encoded", [""])[0]
        if not choices.valid_encoding(vote.kind, vote.options, encoded):
            return form_errors_page(
                request,
                "votes/ballot.html",
                {"choice": "Choose again: your answer was not understood"}
                if vote.kind in ("motion", "single", "approval")
                else {"rank_0": "Rank again: your answer was not understood"},
                _ballot_context(vote, {}, proxy_for),
            )
        supporter = request.scope.get("state", {}).get("assisted_by")
        if supporter is not None:
            try:
                outcome = await assisted.cast_with_help(
                    vote,
                    org.member_id,
                    org.member_name,
                    encoded,
                    proxy_for=proxy_for,
                    supporter_person_id=supporter,
                    supporter_confirms=values.get("confirmed", [""])[0] == "yes",
                    now=clock(),
                    actor=actor_of(request),
                    settings=request.app.state.settings,
                    org_name=org.name,
                    slug=org.slug,
                )
            except RuleViolationError as exc:
                errors = {"confirmed": " ".join(v.message for v in exc.violations)}
                return _check_page(request, vote, member_id, proxy_for, encoded, errors)
        else:
            outcome = await service.cast_ballot(
                org.organisation_id,
                vote.id,
                member_id,
                encoded,
                now=clock(),
                actor=actor_of(request),
                channel="proxy" if proxy_for else "online",
            )
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
            },
        )

    # --- the bulletin board -----------------------------------------------------------------------------

    @get("/{vote_id:int}/board", name="vote_board")
    async def board(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        return await self._board_page(request, await _vote_or_404(request, vote_id), None)

    @post("/{vote_id:int}/board", name="vote_board_lookup")
    async def board_lookup(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        """Look a tracking code up. A POST, so the code never appears in a web address, a browser's
        history or a server's access log, where it could be tied to the person's address (V13)."""
        vote = await _vote_or_404(request, vote_id)
        typed = (await request.form()).get("tracker")
        return await self._board_page(request, vote, typed if isinstance(typed, str) else "")

    async def _board_page(
        self, request: Request[Any, Any, Any], vote: VoteInfo, tracker: str | None
    ) -> Template:
        if vote.status == "draft":
            raise NotFoundException()
        figures = await service.turnout(vote.id)
        lookup: dict[str, Any] | None = None
        errors: dict[str, str] = {}
        if tracker is not None:
            wanted = normalise_tracker(tracker)
            if not wanted:
                errors["tracker"] = "Enter your tracking code"
            else:
                entry = await service.lookup_tracker(vote.id, wanted)
                lookup = {
                    "typed": tracker,
                    "found": entry is not None,
                    "closed": vote.status == "closed",
                    "choice": service.describe_choice(vote, entry.choice)
                    if entry is not None and vote.status == "closed"
                    else None,
                }
        if vote.status == "closed":
            entries = [
                {
                    "tracker": show_tracker(e.tracker),
                    "choice": service.describe_choice(vote, e.choice),
                    "weight": e.weight,
                }
                for e in await service.board_entries(vote.id)
            ]
        else:
            entries = [{"tracker": show_tracker(t)} for t in await service.board_trackers(vote.id)]
        context = {
            "vote": vote,
            "turnout": figures,
            "entries": entries,
            "lookup": lookup,
            "typed": tracker or "",
        }
        if errors:
            return form_errors_page(
                request, "votes/board.html", errors, context, fragment="votes/_lookup.html"
            )
        return render(request, "votes/board.html", context, fragment="votes/_lookup.html")

    @get("/{vote_id:int}/board.json", name="vote_board_json")
    async def board_json(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        vote = await _vote_or_404(request, vote_id)
        if vote.status != "closed":
            raise NotFoundException()
        entries = await service.board_entries(vote.id)
        body = {
            "vote": vote.id,
            "title": vote.title,
            "kind": vote.kind,
            "options": list(vote.options),
            "seats": vote.seats,
            "board_digest": vote.board_digest,
            "ballots": [[e.tracker, e.choice, e.weight] for e in entries],
        }
        return Response(
            content=json.dumps(body, indent=1),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}-board.json"'},
        )

    # --- results ----------------------------------------------------------------------------------------

    @get("/{vote_id:int}/results", name="vote_results")
    async def results(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        vote = await _vote_or_404(request, vote_id)
        if vote.status != "closed" or vote.result is None:
            return render(
                request, "votes/refused.html", {"vote": vote, "reason": "no_results_yet"}, status_code=409
            )
        table = _rounds_table(vote)
        chart = bar_chart(
            [
                (row["name"], table["last"].get(row["name"]))
                for row in table["rows"]
                if table["last"].get(row["name"]) is not None
            ],
            title=f"Votes in the {'final round' if len(table['rounds']) > 1 else 'count'}",
        )
        return render(
            request,
            "votes/results.html",
            {
                "vote": vote,
                "result": vote.result,
                "chosen": chosen_in(vote.result),
                "table": table,
                "chart": chart,
                "channels": CHANNELS,
                "recorded": await service.recorded_choices(vote),
            },
        )

    @get("/{vote_id:int}/results.csv", name="vote_results_csv")
    async def results_csv(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        vote = await _vote_or_404(request, vote_id)
        if vote.status != "closed" or vote.result is None:
            raise NotFoundException()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["round", "option", "votes"])
        for r in vote.result["sheet"]["rounds"]:
            for name, votes in r["tallies"].items():
                writer.writerow([r["round"], _csv_safe(name), votes])
        t = vote.result["turnout"]
        writer.writerow([])
        writer.writerow(["electorate", t["electorate"]])
        writer.writerow(["voted", t["voted"]])
        for channel, n in t["by_channel"].items():
            writer.writerow([f"voted {channel}", n])
        writer.writerow(["quorum needed", vote.result["quorum"]["needed"]])
        writer.writerow(["outcome", _csv_safe(vote.result["outcome"])])
        writer.writerow(["chosen", *(_csv_safe(name) for name in chosen_in(vote.result))])
        writer.writerow(["board digest", vote.board_digest])
        return Response(
            content=out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}-results.csv"'},
        )

    @get("/{vote_id:int}/results.json", name="vote_results_json")
    async def results_json(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        vote = await _vote_or_404(request, vote_id)
        if vote.status != "closed" or vote.result is None:
            raise NotFoundException()
        body = {
            "vote": vote.id,
            "title": vote.title,
            "kind": vote.kind,
            "purpose": vote.purpose,
            "board_digest": vote.board_digest,
            **vote.result,
            "chosen": chosen_in(vote.result),
        }
        return Response(
            content=json.dumps(body, indent=1),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}-results.json"'},
        )

    # --- paper and in-room ballots (secretary) ------------------------------------------------------------

    @get("/{vote_id:int}/paper", name="vote_paper", guards=[requires_role(*BOARD)])
    async def paper(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        vote = await _vote_or_404(request, vote_id)
        # A returned postal ballot paper's reference (coop/documents) leads here with its member chosen.
        chosen = {key: [value] for key in ("member", "channel") if (value := request.query_params.get(key))}
        return render(request, "votes/paper.html", await self._paper_context(vote, chosen))

    async def _paper_context(self, vote: VoteInfo, values: dict[str, list[str]]) -> dict[str, Any]:
        not_voted = await service.members_not_voted(vote.id)
        return {**_ballot_context(vote, values), "members": not_voted, "channels": CHANNELS, "entered": None}

    @post("/{vote_id:int}/paper", name="vote_paper_post", guards=[requires_role(*BOARD)])
    async def paper_post(
        self, request: Request[Any, Any, Any], vote_id: FromPath[int], data: URLEncodedBody[PaperBallotForm]
    ) -> Template:
        org = current_org(request)
        vote = await _vote_or_404(request, vote_id)
        values = await _form_lists(request)
        errors: dict[str, str] = {}
        member_id = None
        try:
            public_id = UUID(data.member)
        except ValueError:
            errors["member"] = "Select the member whose ballot this is"
        else:
            row = (
                await Member.select(Member.id)
                .where((Member.public_id == public_id) & (Member.organisation == org.organisation_id))
                .first()
            )
            if row is None:
                errors["member"] = "Select the member whose ballot this is"
            else:
                member_id = int(row["id"])
        if data.channel not in ("paper", "in_room"):
            errors["channel"] = "Select how the ballot was cast"
        parsed = choices.parse_choice(vote.kind, vote.options, values)
        errors.update(parsed.errors)
        if errors or member_id is None or parsed.encoded is None:
            return form_errors_page(
                request, "votes/paper.html", errors, await self._paper_context(vote, values)
            )
        outcome = await service.cast_ballot(
            org.organisation_id,
            vote.id,
            member_id,
            parsed.encoded,
            now=clock(),
            actor=actor_of(request),
            channel=data.channel,
        )
        if not outcome.counted:
            message = {
                "already_voted": "This member has already voted",
                "not_eligible": "This member cannot vote in this vote",
                "closed": "The vote has closed",
                "not_open": "The vote is not open",
            }[outcome.status]
            return form_errors_page(
                request, "votes/paper.html", {"member": message}, await self._paper_context(vote, values)
            )
        context = await self._paper_context(vote, {})
        context["entered"] = CHANNELS[data.channel]
        return render(request, "votes/paper.html", context)


def _csv_safe(text: str) -> str:
    """Stop a spreadsheet reading a name as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def when(value: datetime | None) -> str:
    return when_text(value)


class SupportedVoteController(VoteController):
    """The same vote pages for a member's named supporter (membership's MemberSupporter), who helps the
    member cast the member's own choice (coop/votes/assisted.py): the pages say whose vote it is, the
    supporter confirms the member is there, the participation records who helped (never the ballot) and
    the member is told afterwards. Board actions stay refused: the supporter has the member's roles only."""

    path = "/o/{org_slug:str}/supporting/{member_id:str}/votes"
    guards = [requires_supporter]
