"""The electorate frozen when a vote opens, written by one `INSERT … SELECT`: who is on the roll and with
what weight (current members of the classes that may vote, each with their class's weight; the directors
for a board decision), an empty roll leaves the vote a draft, and opening over HTTP sends the same
statements with 10 and with 1,000 more electors."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import run
from tests.coop.helpers import post_form, sign_in
from tests.coop.members.helpers import add_members
from tests.coop.votes.helpers import SECRETARY, now, org_id
from tests.coop.votes.test_query_counts import recorded_queries


def _draft(**fields: Any) -> int:
    from coop.audit.service import SYSTEM
    from coop.votes.lifecycle import NewVote, create_vote

    new = NewVote(
        title=fields.pop("title", "Roll test"),
        question="Shall we?",
        kind="motion",
        purpose=fields.pop("purpose", "ordinary_resolution"),
        closes_at=now() + timedelta(days=7),
        **fields,
    )
    return run(create_vote(org_id(), new, actor=SYSTEM))


def _open(vote_id: int) -> int:
    from coop.audit.service import SYSTEM
    from coop.votes.lifecycle import open_vote

    return run(open_vote(org_id(), vote_id, now=now(), actor=SYSTEM))


def _roll(vote_id: int) -> dict[int, int]:
    from coop.votes.tables import VoteRoll

    rows = run(VoteRoll.select(VoteRoll.member, VoteRoll.weight).where(VoteRoll.vote == vote_id))
    return {int(r["member"]): int(r["weight"]) for r in rows}


def _current(classes: set[str]) -> set[int]:
    """Current members of `classes` admitted by today, read from the register in Python."""
    from coop.members.tables import Member

    rows = run(
        Member.select(Member.id, Member.member_class, Member.ceased_on, Member.admitted_on).where(
            Member.organisation == org_id()
        )
    )
    today = now().date()
    return {
        int(r["id"])
        for r in rows
        if r["member_class"] in classes and r["ceased_on"] is None and r["admitted_on"] <= today
    }


def _adopt_weights() -> None:
    """A new constitution version: family carers may not vote, a professional's vote weighs 3."""
    from coop.organisations.tables import ConstitutionVersion

    latest = run(
        ConstitutionVersion.select()
        .where(ConstitutionVersion.organisation == org_id())
        .order_by(ConstitutionVersion.version, ascending=False)
        .first()
    )
    head, rest = latest["document"].split("[member_classes.family_carer]", 1)
    carer, professional = rest.split("[member_classes.professional]", 1)
    carer = carer.replace("can_vote = true", "can_vote = false", 1)
    professional = professional.replace("vote_weight = 1", "vote_weight = 3", 1)
    document = f"{head}[member_classes.family_carer]{carer}[member_classes.professional]{professional}"
    run(
        ConstitutionVersion.insert(
            ConstitutionVersion(
                organisation=org_id(),
                version=int(latest["version"]) + 1,
                model_name=latest["model_name"],
                document=document,
                adopted_on=now().date(),
            )
        )
    )


def _member(name: str, member_class: str, admitted_on: date, ceased_on: date | None = None) -> int:
    from coop.members.tables import Member

    row = Member(
        organisation=org_id(),
        name=name,
        member_class=member_class,
        admitted_on=admitted_on,
        ceased_on=ceased_on,
        contact_by="post",
    )
    return int(run(Member.insert(row).returning(Member.id))[0]["id"])


def test_the_roll_is_the_current_members_of_voting_classes_each_with_their_class_weight(demo):
    _adopt_weights()
    today = now().date()
    ceased = _member("Left Last Year", "budget_holder", date(2024, 1, 1), ceased_on=date(2025, 1, 1))
    tomorrow = _member("Joins Tomorrow", "professional", today + timedelta(days=1))
    professional = _member("New Professional", "professional", today)
    vote_id = _draft()
    assert _open(vote_id) == len(_roll(vote_id))
    roll = _roll(vote_id)
    assert set(roll) == _current({"budget_holder", "professional"})
    assert ceased not in roll and tomorrow not in roll and professional in roll
    assert not _current({"family_carer"}) & set(roll)
    professionals = _current({"professional"})
    assert professionals and all(roll[m] == (3 if m in professionals else 1) for m in roll)


def test_a_vote_open_to_named_classes_rolls_only_them(demo):
    vote_id = _draft(eligible_classes=("family_carer",))
    _open(vote_id)
    roll = _roll(vote_id)
    assert roll and set(roll) == _current({"family_carer"}) and set(roll.values()) == {1}


def test_a_board_decision_rolls_the_directors_in_office_one_vote_each(demo):
    from coop.members.tables import RoleGrant

    grants = run(
        RoleGrant.select(RoleGrant.member, RoleGrant.revoked_at).where(
            (RoleGrant.role == "director") & (RoleGrant.member.organisation == org_id())
        )
    )
    directors = {int(g["member"]) for g in grants if g["revoked_at"] is None}
    vote_id = _draft(purpose="board_decision")
    _open(vote_id)
    assert directors and _roll(vote_id) == dict.fromkeys(directors, 1)


def test_a_vote_nobody_could_vote_in_stays_a_draft_with_no_roll(demo):
    from coop.members.tables import Member
    from coop.votes.records import VoteStateError
    from coop.votes.tables import Vote

    run(
        Member.update({Member.ceased_on: now().date()}).where(
            (Member.organisation == org_id()) & (Member.member_class == "professional")
        )
    )
    vote_id = _draft(eligible_classes=("professional",))
    with pytest.raises(VoteStateError, match="Nobody could vote"):
        _open(vote_id)
    vote = run(Vote.select(Vote.status, Vote.seal_public_key).where(Vote.id == vote_id).first())
    assert vote == {"status": "draft", "seal_public_key": None} and _roll(vote_id) == {}


def test_opening_over_http_sends_the_same_statements_with_10_and_1000_more_electors(
    demo, client, monkeypatch
):
    """The secretary's POST: the roll is one INSERT … SELECT and one count, never a batch per 500."""
    sign_in(client, SECRETARY)

    def measure(extra: int) -> tuple[list[str], int]:
        add_members(org_id(), extra, prefix=f"Elector{extra}")
        vote_id = _draft(title=f"With {extra} more")
        client.get(f"/o/riverside/votes/{vote_id}")
        with recorded_queries(monkeypatch) as queries:
            response = post_form(client, f"/o/riverside/votes/{vote_id}/open")
        assert response.status_code == 303, response.text[:2000]
        return list(queries), len(_roll(vote_id))

    small, small_roll = measure(10)
    large, large_roll = measure(1000)
    assert large_roll == small_roll + 1000
    assert len(small) == len(large), large

    def shapes(queries: list[str]) -> list[str]:
        return [re.sub(r"\d+", "N", " ".join(q.split()[:4])) for q in queries]

    assert shapes(small) == shapes(large)
    assert sum("INSERT INTO vote_roll" in q for q in large) == 1


def test_opening_stores_the_roll_size_on_the_vote_and_the_backfill_fills_older_votes(demo):
    """The electorate is written on the vote in the opening's transaction, equal to the roll; votes opened
    before it was stored get it from the migration's backfill (drafts stay empty)."""
    import importlib.util
    from pathlib import Path

    from coop.db import current_engine
    from coop.votes.tables import Vote

    add_members(org_id(), 25, prefix="Counted")
    opened, draft = _draft(title="Opened"), _draft(title="Still a draft")
    on_roll = _open(opened)
    assert on_roll == len(_roll(opened)) > 25

    def electorate(vote_id: int) -> int | None:
        return run(Vote.select(Vote.electorate).where(Vote.id == vote_id).first())["electorate"]

    assert electorate(opened) == on_roll and electorate(draft) is None
    run(Vote.update({Vote.electorate: None}).where(Vote.id == opened))
    path = next((Path(__file__).parents[3] / "migrations").glob("coop_2026_12_07t18_06_01_*.py"))
    spec = importlib.util.spec_from_file_location("electorate_backfill", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    run(current_engine().run_ddl(module.BACKFILL))
    assert electorate(opened) == on_roll and electorate(draft) is None
