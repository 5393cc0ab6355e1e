"""Changing the constitution at a general meeting: the secretary attaches the changed rules to an agenda
item's special resolution, and the new version is adopted in the same step as the show of hands that
passes it; not when it fails, not when the constitution changed since it was attached, and never for an
ordinary resolution, a board meeting or a change that needs more than a special resolution (a class that
can block it: a show of hands does not say how each class voted)."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.helpers import PASSWORD, page_text, post_form, sign_in
from tests.coop.meetings.helpers import MEMBER, SECRETARY, add_item, call_meeting, item_id
from tests.coop.members.helpers import member_id
from tests.coop.resolutions.test_amendments import changed
from tests.coop.setup.founding_answers import answers_toml

ITEM = "Change the rules"
COOP = "cooperative-society"
FOUNDERS = ("Lena Novak", "Omar Farouk", "Rosa Diaz")


def _found_coop(settings: Any) -> str:
    """A co-operative founded from its model (no class can block a change of rules); returns its slug,
    with Lena Novak, its secretary, able to sign in."""
    from datetime import date

    from coop.accounts.service import create_person
    from coop.audit.service import SYSTEM
    from coop.setup.service import found_from_text

    run(create_person("lena@founders.example", "Lena Novak", PASSWORD, settings=settings))
    founded = run(
        found_from_text("cooperative_society", answers_toml("cooperative_society"), SYSTEM, date(2026, 4, 1))
    )
    return str(founded.slug)


def coop_in_force(slug: str = COOP) -> tuple[int, str]:
    from coop.organisations.tables import ConstitutionVersion

    row = run(
        ConstitutionVersion.select(ConstitutionVersion.version, ConstitutionVersion.document)
        .where(ConstitutionVersion.organisation.slug == slug)
        .order_by(ConstitutionVersion.version, ascending=False)
        .first()
    )
    return int(row["version"]), str(row["document"])


def coop_changed(days: int) -> str:
    _, document = coop_in_force()
    assert "written_lapse_days = 28" in document
    return document.replace("written_lapse_days = 28", f"written_lapse_days = {days}")


def _url(meeting: str, title: str = ITEM, slug: str = COOP) -> str:
    return f"/o/{slug}/meetings/{meeting}/items/{item_id(meeting, title)}/amendment"


def _text(response: Any) -> str:
    return html.unescape(page_text(response.text))


def _general_meeting(client: Any, slug: str, *titles: str) -> str:
    day = datetime.now(UTC).date() + timedelta(days=1)
    data = {
        "kind": "general",
        "title": "Extraordinary general meeting",
        "starts_on_day": str(day.day),
        "starts_on_month": str(day.month),
        "starts_on_year": str(day.year),
        "time": "18:30",
        "place": "The Hub",
        "chair": member_id(FOUNDERS[0], slug),
    }
    response = post_form(client, f"/o/{slug}/meetings/new", data)
    assert response.status_code == 303, _text(response)[:2000]
    meeting = str(response.headers["location"]).rsplit("/", 1)[-1]
    for title in titles or (ITEM,):
        item = {"title": title, "resolution_kind": "special", "resolution_text": "That the rules be changed."}
        assert post_form(client, f"/o/{slug}/meetings/{meeting}/items", item).status_code == 303
    return meeting


def _present(client: Any, meeting: str) -> None:
    for name in FOUNDERS:
        data = {"member": member_id(name, COOP), "mode": "room", "proxy_name": ""}
        assert post_form(client, f"/o/{COOP}/meetings/{meeting}/attendance", data).status_code == 303


def _hands(client: Any, meeting: str, title: str, votes_for: int, against: int) -> Any:
    return post_form(
        client,
        f"/o/{COOP}/meetings/{meeting}/items/{item_id(meeting, title)}/resolution",
        {"votes_for": str(votes_for), "votes_against": str(against), "abstentions": "0", "casting_vote": ""},
    )


def _events(action: str) -> list[dict[str, Any]]:
    from coop.audit.tables import AuditEvent

    return run(AuditEvent.select().where(AuditEvent.action == action))


def test_a_special_resolution_passed_at_a_general_meeting_adopts_the_attached_change(
    settings, client
) -> None:
    slug = _found_coop(settings)
    assert slug == COOP
    sign_in(client, "lena@founders.example")
    version, _ = coop_in_force()
    meeting = _general_meeting(client, COOP)
    item_page = client.get(f"/o/{COOP}/meetings/{meeting}/items/{item_id(meeting, ITEM)}")
    assert 'id="constitution-change"' in item_page.text

    form = client.get(_url(meeting))
    assert form.status_code == 200 and f"rules in force (version {version})" in _text(form)
    checked = post_form(client, _url(meeting) + "/check", {"document": coop_changed(14)})
    assert checked.status_code == 200, _text(checked)[:3000]
    assert "28" in _text(checked) and "14" in _text(checked)
    assert coop_in_force()[0] == version  # checking changes nothing

    assert post_form(client, _url(meeting), {"document": coop_changed(14)}).status_code == 303
    attached = _text(client.get(_url(meeting)))
    assert f"these changes become version {version + 1}" in attached
    assert "14" in attached.split("What it changes")[1]
    again = post_form(client, _url(meeting), {"document": coop_changed(7)})
    assert again.status_code == 422 and "already attached" in _text(again)
    assert len(_events("meeting.amendment_attached")) == 1

    _present(client, meeting)
    assert _hands(client, meeting, ITEM, 3, 0).status_code == 303
    new_version, document = coop_in_force()
    assert new_version == version + 1 and "written_lapse_days = 14" in document
    assert f"version {version + 1} of the constitution" in _text(client.get(_url(meeting)))
    amended = _events("constitution.amended")
    assert len(amended) == 1 and json.loads(amended[0]["detail"])["meeting"] == meeting
    from coop.organisations.tables import ConstitutionVersion

    row = run(ConstitutionVersion.select().where(ConstitutionVersion.version == new_version).first())
    assert "Special resolution at the general meeting Extraordinary general meeting" in row["adopted_by"]


def test_a_failed_resolution_changes_nothing_and_a_stale_change_is_not_adopted(settings, client) -> None:
    _found_coop(settings)
    sign_in(client, "lena@founders.example")
    version, _ = coop_in_force()
    meeting = _general_meeting(client, COOP, "First change", "Second change", "Third change")
    for title, days in (("First change", 14), ("Second change", 21), ("Third change", 7)):
        assert post_form(client, _url(meeting, title), {"document": coop_changed(days)}).status_code == 303
    _present(client, meeting)

    assert _hands(client, meeting, "First change", 2, 1).status_code == 303  # 67%: fails
    assert coop_in_force()[0] == version
    assert "did not pass, so nothing changed" in _text(client.get(_url(meeting, "First change")))

    assert _hands(client, meeting, "Second change", 3, 0).status_code == 303
    assert coop_in_force()[0] == version + 1 and "written_lapse_days = 21" in coop_in_force()[1]
    # The third was written against the version before: it passes as a resolution but is not adopted.
    assert _hands(client, meeting, "Third change", 3, 0).status_code == 303
    assert coop_in_force()[0] == version + 1 and "written_lapse_days = 21" in coop_in_force()[1]
    stale = _events("constitution.amendment_not_adopted")
    assert len(stale) == 1
    assert json.loads(stale[0]["detail"]) == {"proposed_for": version, "in_force": version + 1}
    assert "were not adopted" in _text(client.get(_url(meeting, "Third change")))


def test_only_a_special_resolution_at_a_general_meeting_can_carry_a_change(demo, client) -> None:
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=1, title="General meeting")
    assert add_item(client, meeting, ITEM, "special", "That the constitution be changed.").status_code == 303
    # Every change to Riverside's articles can be blocked by its budget holders as a class.
    classes = post_form(client, _url(meeting, slug="riverside") + "/check", {"document": changed(14)})
    assert classes.status_code == 422
    assert "The budget holders can block this change as a class" in _text(classes)
    assert (
        add_item(client, meeting, "Accounts", "ordinary", "That the accounts be received.").status_code == 303
    )
    ordinary = post_form(client, _url(meeting, "Accounts", "riverside"), {"document": changed(14)})
    assert ordinary.status_code == 422 and "needs a special resolution" in _text(ordinary)
    same = post_form(client, _url(meeting, slug="riverside") + "/check", {"document": riverside_document()})
    assert same.status_code == 422 and "nothing would change" in _text(same)
    broken = post_form(client, _url(meeting, slug="riverside") + "/check", {"document": "not = [toml"})
    assert broken.status_code == 422 and "problems" in _text(broken)
    board = call_meeting(client, kind="board", days=2, title="Board meeting")
    assert add_item(client, board, ITEM, "board", "That we change it.").status_code == 303
    refused = post_form(client, _url(board, slug="riverside"), {"document": changed(14)})
    assert refused.status_code == 422 and "general meeting or AGM" in _text(refused)
    assert client.get(f"/o/riverside/meetings/{meeting}/items/not-an-id/amendment").status_code == 404
    assert _events("meeting.amendment_attached") == []

    sign_in(client, MEMBER)
    assert client.get(_url(meeting, slug="riverside")).status_code in (403, 404)
    assert post_form(client, _url(meeting, slug="riverside"), {"document": changed(14)}).status_code in (
        403,
        404,
    )


def riverside_document() -> str:
    from tests.coop.resolutions.test_amendments import in_force

    return in_force()[1]


def test_a_change_passed_by_an_online_vote_of_those_present_is_adopted_at_the_close(settings, client) -> None:
    from coop import clock
    from coop.audit.service import SYSTEM
    from coop.members.tables import Member
    from coop.votes.casting import cast_ballot
    from tests.coop.jobs.helpers import run_jobs
    from tests.coop.meetings.helpers import item_row

    _found_coop(settings)
    sign_in(client, "lena@founders.example")
    version, _ = coop_in_force()
    meeting = _general_meeting(client, COOP)
    assert post_form(client, _url(meeting), {"document": coop_changed(14)}).status_code == 303
    _present(client, meeting)
    current = {"item": item_id(meeting, ITEM)}
    assert post_form(client, f"/o/{COOP}/meetings/{meeting}/current", current).status_code == 303
    online = f"/o/{COOP}/meetings/{meeting}/items/{item_id(meeting, ITEM)}/online-vote"
    assert post_form(client, online, {"minutes": "10"}).status_code == 303
    vote_id = int(item_row(meeting, ITEM)["vote"])
    for name in FOUNDERS:
        member = run(Member.select(Member.id, Member.organisation).where(Member.name == name).first())
        cast = run(
            cast_ballot(member["organisation"], vote_id, member["id"], "for", now=clock.now(), actor=SYSTEM)
        )
        assert cast.status == "cast"
    assert coop_in_force()[0] == version  # nothing changes while the vote is open

    later = datetime.now(UTC) + timedelta(minutes=11)
    with clock.frozen_at(later):
        run_jobs(settings, at=later)
    assert item_row(meeting, ITEM)["result"] == "passed"
    new_version, document = coop_in_force()
    assert new_version == version + 1 and "written_lapse_days = 14" in document
    assert len(_events("constitution.amended")) == 1
