"""What every vote page shares: where the pages live (a member's own, or their supporter's view), the
render helpers that add it, the clock tests set, reading a form's lists, and the vote or a 404."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.response import Template

from coop.guards import current_org
from coop.votes import ballots as choices
from coop.votes.records import VoteInfo, get_vote
from coop.web import form_errors_page as _form_errors_page
from coop.web import render as _render

BOARD = ("secretary", "admin")
VOTES_PATH = "/o/{org_slug:str}/votes"
# A named supporter helping a member vote sees the same pages here (coop/votes/assisted.py).
SUPPORTED_PATH = "/o/{org_slug:str}/supporting/{member_id:str}/votes"


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


async def form_lists(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [str(v) for v in form.getall(key)] for key in form}


async def vote_or_404(request: Request[Any, Any, Any], vote_id: int) -> VoteInfo:
    # Never closes a vote past its time: the worker does that (coop/votes/schedule.py); until it has,
    # pages show the vote as closed to voting and being counted.
    org = current_org(request)
    vote = await get_vote(org.organisation_id, vote_id)
    if vote is None:
        raise NotFoundException()
    return vote


def ballot_context(
    vote: VoteInfo, values: dict[str, list[str]], proxy_for: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "vote": vote,
        "values": values,
        "ordinals": [choices.ordinal(n) for n in range(1, len(vote.options) + 1)],
        "proxy_for": proxy_for,
    }
