"""API reads about votes: the list, one vote, its results and its published bulletin board."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from msgspec import Struct

from coop.api.auth import api_caller
from coop.api.listing import (
    VOTES,
    Filters,
    page_of,
)
from coop.api.org_routes import Cursor, Limit, Since, Until
from coop.api.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PageOf,
    decode_key_cursor,
    encode_key_cursor,
    in_id_range,
)
from coop.api.problems import READ_PROBLEMS
from coop.votes import board as votes_board
from coop.votes import records as votes


class VoteOut(Struct):
    id: int
    title: str
    question: str
    kind: str
    purpose: str
    options: list[str]
    seats: int
    secret: bool
    status: str
    opens_at: datetime | None
    closes_at: datetime
    closed_at: datetime | None
    board_digest: str | None


class ResultsOut(Struct):
    vote: int
    board_digest: str | None
    result: dict[str, Any]
    """The count sheet, turnout, quorum and outcome, as in the results download."""


class BallotOut(Struct):
    """A ballot's weight is shown only where at least five ballots share it; otherwise `weight` is null
    and `weight_group` names its merged weight group (docs/votes.md, Weights)."""

    tracker: str
    choice: str
    weight: int | None
    weight_group: str | None = None


class WeightGroupOut(Struct):
    """A merged weight group: its weights, how many ballots it holds, and its total weight per choice."""

    name: str
    weights: list[int]
    ballots: int
    totals: dict[str, int]


class BoardOut(Struct):
    """One page of ballots: each one's tracker, choice and weight, in the published order. (Objects, not
    triples: Litestar describes a tuple in a way OpenAPI 3.1 does not allow.)"""

    vote: int
    board_digest: str | None
    ballots: list[BallotOut]
    weight_groups: list[WeightGroupOut] = []
    next: str | None = None
    """Pass as `cursor` to get the next page of ballots; null on the last page."""


def _vote(v: votes.VoteInfo) -> VoteOut:
    return VoteOut(
        id=v.id,
        title=v.title,
        question=v.question,
        kind=v.kind,
        purpose=v.purpose,
        options=list(v.options),
        seats=v.seats,
        secret=v.secret,
        status=v.status,
        opens_at=v.opens_at,
        closes_at=v.closes_at,
        closed_at=v.closed_at,
        board_digest=v.board_digest,
    )


async def _vote_or_404(request: Request[Any, Any, Any], vote_id: int) -> votes.VoteInfo:
    org = api_caller(request).org
    vote = await votes.get_vote(org.organisation_id, vote_id) if in_id_range(vote_id) else None
    if vote is None:
        raise NotFoundException()
    return vote


async def _closed_vote(request: Request[Any, Any, Any], vote_id: int) -> votes.VoteInfo:
    vote = await _vote_or_404(request, vote_id)
    if vote.status != "closed" or vote.result is None:
        raise NotFoundException(detail="This vote has no results yet.")
    return vote


class VoteRoutes(Controller):
    path = "/orgs/{org_slug:str}/votes"
    tags = ["Votes"]

    @get("/", responses=READ_PROBLEMS, operation_id="listVotes", summary="Votes, oldest first")
    async def list_votes(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
        vote_state: Annotated[
            Literal["draft", "open", "closed"] | None, QueryParameter(name="state", description="Vote state")
        ] = None,
        closes_since: Since = None,
        closes_until: Until = None,
    ) -> PageOf[VoteOut]:
        org_id = api_caller(request).org.organisation_id
        filters = Filters(vote_state, closes_since, closes_until)
        item = lambda row: _vote(votes.vote_from_row(row))  # noqa: E731
        return await page_of(VOTES, org_id, item, cursor=cursor, limit=limit, filters=filters)

    @get("/{vote_id:int}", responses=READ_PROBLEMS, operation_id="getVote", summary="One vote")
    async def vote(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], vote_id: FromPath[int]
    ) -> VoteOut:
        return _vote(await _vote_or_404(request, vote_id))

    @get("/{vote_id:int}/results", responses=READ_PROBLEMS, operation_id="getVoteResults", summary="Results")
    async def results(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], vote_id: FromPath[int]
    ) -> ResultsOut:
        vote = await _closed_vote(request, vote_id)
        assert vote.result is not None
        return ResultsOut(vote=vote.id, board_digest=vote.board_digest, result=vote.result)

    @get(
        "/{vote_id:int}/board",
        responses=READ_PROBLEMS,
        operation_id="getVoteBoard",
        summary="The published bulletin board of a closed vote, a page at a time",
        description=(
            "Ballots in the board's order (by tracker), `limit` at a time: pass `next` back as `cursor` for "
            "the following page. Every page carries the board digest and the merged weight groups. The whole "
            "board as one file, as the digest covers it, is the vote's `board.json` download on the site."
        ),
    )
    async def board(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        vote_id: FromPath[int],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> BoardOut:
        after = decode_key_cursor(cursor)
        vote = await _closed_vote(request, vote_id)
        page = await votes_board.published_page(vote.id, after, max(1, min(limit, MAX_LIMIT)))
        return BoardOut(
            vote=vote.id,
            board_digest=vote.board_digest,
            ballots=[
                BallotOut(
                    tracker=str(t),
                    choice=str(c),
                    weight=w if isinstance(w, int) else None,
                    weight_group=w if isinstance(w, str) else None,
                )
                for t, c, w in page.ballots
            ],
            weight_groups=[
                WeightGroupOut(g["name"], g["weights"], g["ballots"], {c: n for c, n in g["totals"]})
                for g in page.weight_groups
            ],
            next=encode_key_cursor(str(page.ballots[-1][0])) if page.more and page.ballots else None,
        )
