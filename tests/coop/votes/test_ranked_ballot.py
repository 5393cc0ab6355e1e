"""The ranked ballot one question per page, without JavaScript: each preference, going back, changing a
preference on check your answers, stopping early, refusing an option twice, and a stale step."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs
from tests.coop.votes.helpers import MEMBER, TRACKER_RE, ballots, make_vote, now, rows

STATE_RE = re.compile(r'name="state" value="([^"]+)"')
OPTIONS = ("Ann", "Bo", "Cy", "Di")


def state_of(html: str) -> str:
    match = STATE_RE.search(html)
    assert match, html[:3000]
    return match.group(1)


def step(client, vote_id: int, page: str, position: int, **fields: str):
    """Submit one step of the ranked ballot, carrying the signed state the page gave."""
    data = {"state": state_of(page), "position": str(position), "action": "answer", **fields}
    return post_form(client, f"/o/riverside/votes/{vote_id}/ranking", data)


def h1(html: str) -> str:
    return page_text(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def summary(html: str) -> list[str]:
    """The check-your-answers rows, as "1st choice Cy"."""
    keys = re.findall(
        r'summary-list__key">([^<]+)</dt>\s*<dd class="govuk-summary-list__value">([^<]+)<', html
    )
    return [f"{k} {v}" for k, v in keys]


def start(client, **vote: object) -> tuple[int, str]:
    vote_id = make_vote(kind="stv", purpose="board_election", options=OPTIONS, seats=2, **vote)  # type: ignore[arg-type]
    sign_in(client, MEMBER)
    first = client.get(f"/o/riverside/votes/{vote_id}/ballot")
    assert first.status_code == 200 and h1(first.text) == "Who is your 1st choice?"
    return vote_id, first.text


def test_rank_every_option_then_check_then_cast_with_a_tracker(demo, client):
    vote_id, page = start(client)
    second = step(client, vote_id, page, 1, choice="2")
    assert second.status_code == 200 and h1(second.text) == "Who is your 2nd choice?"
    # Cy is taken: only the others are offered, and now the member may stop.
    assert 'value="2"' not in second.text.split('name="choice"', 1)[1].split("</fieldset>")[0]
    assert "Your choices so far: 1st Cy." in page_text(second.text)
    assert "I do not want to rank any more" in second.text
    third = step(client, vote_id, second.text, 2, choice="0")
    fourth = step(client, vote_id, third.text, 3, choice="3")
    assert h1(fourth.text) == "Who is your 4th choice?"
    check = step(client, vote_id, fourth.text, 4, choice="1")
    assert check.status_code == 200 and "Check your vote" in check.text
    assert summary(check.text) == ["1st choice Cy", "2nd choice Ann", "3rd choice Di", "4th choice Bo"]
    assert 'name="encoded" value="2&gt;0&gt;3&gt;1"' in check.text
    assert "Add a" not in check.text  # every option is ranked
    # Nothing is stored before the vote is cast.
    assert ballots() == [] and rows("vote_participation") == []
    receipt = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "2>0>3>1"})
    assert receipt.status_code == 200 and TRACKER_RE.search(receipt.text)
    assert [r["choice"] for r in ballots()] == ["2>0>3>1"]


def test_stop_after_some_preferences_and_add_one_more_from_check(demo, client):
    vote_id, page = start(client)
    second = step(client, vote_id, page, 1, choice="1")
    check = step(client, vote_id, second.text, 2, choice="stop")
    assert summary(check.text) == ["1st choice Bo"]
    assert 'name="encoded" value="1"' in check.text and "Add a 2nd choice" in check.text
    again = post_form(
        client,
        f"/o/riverside/votes/{vote_id}/ranking",
        {"state": state_of(check.text), "position": "2", "action": "show"},
    )
    assert h1(again.text) == "Who is your 2nd choice?"
    check = step(client, vote_id, again.text, 2, choice="3")
    third = check  # not at the end yet: the 3rd choice is asked next
    assert h1(third.text) == "Who is your 3rd choice?"
    check = step(client, vote_id, third.text, 3, choice="stop")
    assert summary(check.text) == ["1st choice Bo", "2nd choice Di"]


def test_back_keeps_the_earlier_answer_selected_and_a_new_answer_replaces_it(demo, client):
    vote_id, page = start(client)
    second = step(client, vote_id, page, 1, choice="0")
    third = step(client, vote_id, second.text, 2, choice="1")
    back = step(client, vote_id, third.text, 3, action="back")
    assert h1(back.text) == "Who is your 2nd choice?"
    assert 'id="choice" name="choice" type="radio" value="1" checked' in back.text
    back_again = step(client, vote_id, back.text, 2, action="back")
    assert h1(back_again.text) == "Who is your 1st choice?"
    assert 'value="0" checked' in back_again.text
    # Choosing Bo 1st where Bo was 2nd: Bo moves up and is not ranked twice.
    second = step(client, vote_id, back_again.text, 1, choice="1")
    assert h1(second.text) == "Who is your 2nd choice?"
    check = step(client, vote_id, second.text, 2, choice="stop")
    assert summary(check.text) == ["1st choice Bo"]


def test_change_one_preference_on_check_your_answers(demo, client):
    vote_id, page = start(client)
    page = step(client, vote_id, page, 1, choice="0").text
    page = step(client, vote_id, page, 2, choice="1").text
    check = step(client, vote_id, page, 3, choice="stop")
    assert summary(check.text) == ["1st choice Ann", "2nd choice Bo"]
    assert 'Change<span class="govuk-visually-hidden"> your 2nd choice</span>' in check.text
    change = post_form(
        client,
        f"/o/riverside/votes/{vote_id}/ranking",
        {"state": state_of(check.text), "position": "2", "mode": "change", "action": "show"},
    )
    assert h1(change.text) == "Who is your 2nd choice?" and 'value="1" checked' in change.text
    # Ann is 1st, so she is not offered for 2nd.
    assert ">Ann</label>" not in change.text
    changed = step(client, vote_id, change.text, 2, choice="2", mode="change")
    assert "Check your vote" in changed.text  # straight back to check your answers
    assert summary(changed.text) == ["1st choice Ann", "2nd choice Cy"]
    # Changing the 1st choice to the 2nd moves it up without ranking it twice.
    change = post_form(
        client,
        f"/o/riverside/votes/{vote_id}/ranking",
        {"state": state_of(changed.text), "position": "1", "mode": "change", "action": "show"},
    )
    changed = step(client, vote_id, change.text, 1, choice="2", mode="change")
    assert summary(changed.text) == ["1st choice Cy"]
    back = step(client, vote_id, change.text, 1, mode="change", action="back")
    assert summary(back.text) == ["1st choice Ann", "2nd choice Cy"]


def test_errors_no_answer_an_option_twice_and_a_tampered_state(demo, client):
    vote_id, page = start(client)
    empty = step(client, vote_id, page, 1)
    assert empty.status_code == 422 and "Select your 1st choice" in empty.text
    assert 'href="#choice"' in empty.text and 'aria-describedby="choice-hint choice-error"' in empty.text
    # Stopping before any preference is not a ballot.
    stop_first = step(client, vote_id, page, 1, choice="stop")
    assert stop_first.status_code == 422 and "Select your 1st choice" in stop_first.text
    second = step(client, vote_id, page, 1, choice="0")
    none = step(client, vote_id, second.text, 2)
    assert none.status_code == 422
    assert "Select your 2nd choice, or select that you do not want to rank any more" in none.text
    twice = step(client, vote_id, second.text, 2, choice="0")
    assert twice.status_code == 422
    assert "You have already chosen Ann as your 1st choice. Select a different one" in twice.text
    assert step(client, vote_id, second.text, 2, choice="9").status_code == 422
    # A state that was not signed for this vote and member is refused, and the ballot starts again.
    forged = post_form(
        client,
        f"/o/riverside/votes/{vote_id}/ranking",
        {"state": "1.0~" + "0" * 64, "position": "3", "action": "answer", "choice": "2"},
    )
    assert forged.status_code == 422 and "could not be read" in forged.text
    assert h1(forged.text) == "Who is your 1st choice?"
    other_vote = make_vote(kind="ranked", purpose="general", options=OPTIONS, title="Another vote")
    replayed = step(client, other_vote, second.text, 2, choice="1")
    assert replayed.status_code == 422 and "could not be read" in replayed.text
    skipped = step(client, vote_id, page, 3, choice="1")  # a position beyond the answers so far
    assert skipped.status_code == 422
    assert ballots() == []


def test_a_step_after_the_vote_closed_is_refused(demo, client, monkeypatch):
    from coop import clock

    vote_id, page = start(client, closes_in=timedelta(minutes=10))
    second = step(client, vote_id, page, 1, choice="0")
    third = step(client, vote_id, second.text, 2, choice="1")
    # The member leaves the page open past the closing time (within the session's idle time), then carries on.
    with clock.frozen_at(now() + timedelta(minutes=10, seconds=1)):
        stale = step(client, vote_id, third.text, 3, choice="stop")
        assert stale.status_code == 409 and "This vote has closed" in stale.text
        back = step(client, vote_id, third.text, 3, action="back")
        assert back.status_code == 409
        late = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "0>1"})
        assert late.status_code == 409 and "Your vote was not counted" in late.text
        assert ballots() == [] and rows("vote_participation") == []


def test_a_ranked_or_stv_vote_nobody_voted_in_closes_with_a_result_page(demo, client, monkeypatch):
    from coop import clock

    sign_in(client, MEMBER)
    for kind, seats in (("ranked", 1), ("stv", 2)):
        vote_id = make_vote(
            kind=kind, purpose="board_election", options=OPTIONS, seats=seats, closes_in=timedelta(minutes=10)
        )
        later = now() + timedelta(minutes=10, seconds=1)  # past the close, within the session's idle time
        with clock.frozen_at(later):
            run_jobs(demo, at=later)  # the worker closes it at its time
            results = client.get(f"/o/riverside/votes/{vote_id}/results")
        assert results.status_code == 200, results.text[:2000]
        assert "not enough members voted" in page_text(results.text)


def test_a_proxy_ranks_for_the_member_and_the_state_is_bound_to_whose_ballot_it_is(demo, client):
    from tests.coop.votes.test_proxy import _appoint

    grace = _appoint("Grace Lee", MEMBER)
    vote_id = make_vote(kind="ranked", purpose="general", options=OPTIONS)
    sign_in(client, MEMBER)
    first = client.get(f"/o/riverside/votes/{vote_id}/ballot", params={"for_member": grace})
    assert "voting as proxy for" in first.text and f'name="for_member" value="{grace}"' in first.text
    second = step(client, vote_id, first.text, 1, choice="3", for_member=grace)
    assert h1(second.text) == "Who is your 2nd choice?"
    assert f'name="for_member" value="{grace}"' in second.text
    check = step(client, vote_id, second.text, 2, choice="stop", for_member=grace)
    assert summary(check.text) == ["1st choice Di"] and f'value="{grace}"' in check.text
    # The proxy's state does not carry over to the proxy's own ballot, nor the other way round.
    own = step(client, vote_id, second.text, 2, choice="0")
    assert own.status_code == 422 and "could not be read" in own.text
    mine = client.get(f"/o/riverside/votes/{vote_id}/ballot")
    assert step(client, vote_id, mine.text, 1, choice="0", for_member=grace).status_code == 422
