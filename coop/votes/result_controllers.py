"""HTTP for what a vote publishes: the bulletin board (with a tracker look-up), and the results as a page,
CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Stream, Template

from coop.boards.elections import election_seating
from coop.guards import requires_member
from coop.members.guards import requires_supporter
from coop.pagination import list_position
from coop.votes.board import board_json_chunks, board_view
from coop.votes.chart import bar_chart, count_text
from coop.votes.pages import SUPPORTED_PATH, VOTES_PATH, form_errors_page, render, vote_or_404
from coop.votes.records import CHANNELS, VoteInfo
from coop.votes.roll import recorded_choices
from coop.votes.tally import chosen_in


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


class ResultController(Controller):
    path = VOTES_PATH
    guards = [requires_member]

    # --- the bulletin board -----------------------------------------------------------------------------

    @get("/{vote_id:int}/board", name="vote_board")
    async def board(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        return await self._board_page(request, await vote_or_404(request, vote_id), None)

    @post("/{vote_id:int}/board", name="vote_board_lookup")
    async def board_lookup(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        """Look a tracking code up. A POST, so the code never appears in a web address, a browser's
        history or a server's access log, where it could be tied to the person's address (V13)."""
        vote = await vote_or_404(request, vote_id)
        typed = (await request.form()).get("tracker")
        return await self._board_page(request, vote, typed if isinstance(typed, str) else "")

    async def _board_page(
        self, request: Request[Any, Any, Any], vote: VoteInfo, tracker: str | None
    ) -> Template:
        if vote.status == "draft":
            raise NotFoundException()
        view = await board_view(vote, tracker, **list_position(request.query_params))
        context = {
            "vote": vote,
            "turnout": view.turnout,
            "entries": view.page.items,
            "board_page": view.page,
            "lookup": view.lookup,
            "typed": tracker or "",
        }
        if view.errors:
            return form_errors_page(
                request, "votes/board.html", view.errors, context, fragment="votes/_lookup.html"
            )
        return render(request, "votes/board.html", context, fragment="votes/_lookup.html")

    @get("/{vote_id:int}/board.json", name="vote_board_json")
    async def board_json(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Stream:
        vote = await vote_or_404(request, vote_id)
        if vote.status == "draft":
            raise NotFoundException()
        return Stream(
            board_json_chunks(vote),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}-board.json"'},
        )

    # --- results ----------------------------------------------------------------------------------------

    @get("/{vote_id:int}/recount", name="vote_recount")
    async def recount(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        """ "Check this result yourself": the page's script recounts the published files in the browser
        (coop/static/js/recount.mjs); without JavaScript it links the files and the Python checker."""
        vote = await vote_or_404(request, vote_id)
        if vote.status != "closed" or vote.result is None:
            return render(
                request, "votes/refused.html", {"vote": vote, "reason": "no_results_yet"}, status_code=409
            )
        return render(request, "votes/recount.html", {"vote": vote})

    @get("/{vote_id:int}/results", name="vote_results")
    async def results(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Template:
        vote = await vote_or_404(request, vote_id)
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
        seating = None
        if vote.purpose == "board_election":
            elected = list(table["sheet"].get("elected", [])) if vote.result.get("carried") else []
            seating = await election_seating(vote.organisation_id, vote.id, elected)
        return render(
            request,
            "votes/results.html",
            {
                "vote": vote,
                "seating": seating,
                "result": vote.result,
                "chosen": chosen_in(vote.result),
                "table": table,
                "chart": chart,
                "channels": CHANNELS,
                "recorded": await recorded_choices(vote),
            },
        )

    @get("/{vote_id:int}/results.csv", name="vote_results_csv")
    async def results_csv(self, request: Request[Any, Any, Any], vote_id: FromPath[int]) -> Response[Any]:
        vote = await vote_or_404(request, vote_id)
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
        vote = await vote_or_404(request, vote_id)
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


def _csv_safe(text: str) -> str:
    """Stop a spreadsheet reading a name as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class SupportedResultController(ResultController):
    """The same pages for a member's named supporter (see SupportedVoteController)."""

    path = SUPPORTED_PATH
    guards = [requires_supporter]
