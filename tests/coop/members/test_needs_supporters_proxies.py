"""Communication needs and sensitive facts (consent only, board only), supporters (assisted, no vote of
their own) and proxies (standing or for one meeting, revocable, within the constitution's limits)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import make_client, run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.members.helpers import link_in, member_id, member_row, outbox_to

SECRETARY = "helen@riverside.example"
JAMIE = "jamie@riverside.example"


def test_communication_needs_are_kept_only_with_consent(demo, client):
    from coop.members.tables import CommunicationNeed

    sign_in(client, JAMIE)
    jamie = member_row("Jamie Carter")
    page = client.get("/o/riverside/me/contact")
    assert page.status_code == 200 and "How do you need information from us?" in page.text
    no_consent = post_form(
        client,
        "/o/riverside/me/contact",
        {"contact_by": "email", "email": "jamie@riverside.example", "needs": ["audio", "bsl"]},
    )
    assert no_consent.status_code == 422 and "Confirm the member agrees" in no_consent.text
    live = run(
        CommunicationNeed.select(CommunicationNeed.need).where(
            (CommunicationNeed.member == jamie["id"]) & CommunicationNeed.ended_at.is_null()
        )
    )
    assert [n["need"] for n in live] == ["easy_read"]  # unchanged
    assert (
        post_form(
            client,
            "/o/riverside/me/contact",
            {
                "contact_by": "post",
                "email": "jamie@riverside.example",
                "address": "9 Elm Row\nRiverside",
                "needs": ["audio", "large_print"],
                "consent": "yes",
            },
        ).status_code
        == 303
    )
    live = run(
        CommunicationNeed.select(CommunicationNeed.need).where(
            (CommunicationNeed.member == jamie["id"]) & CommunicationNeed.ended_at.is_null()
        )
    )
    assert sorted(n["need"] for n in live) == ["audio", "large_print"]
    me = page_text(client.get("/o/riverside/me").text)
    assert "Audio, Large print" in me and "9 Elm Row" in me and "By post" in me


def test_sensitive_facts_need_explicit_consent_and_only_the_board_sees_them(demo, settings):
    with make_client(settings) as jamie, make_client(settings) as grace, make_client(settings) as helen:
        sign_in(jamie, JAMIE)
        no = post_form(jamie, "/o/riverside/me/about-you", {"facts": ["disabled"]})
        assert no.status_code == 422 and "Tick the box to agree" in no.text
        assert (
            post_form(
                jamie, "/o/riverside/me/about-you", {"facts": ["disabled", "uses_support"], "consent": "yes"}
            ).status_code
            == 303
        )
        jamie_id = member_id("Jamie Carter")
        sign_in(grace, "grace@riverside.example")
        other = grace.get(f"/o/riverside/members/{jamie_id}")
        assert (
            other.status_code == 200 and "disabled person" not in other.text and "Easy read" not in other.text
        )
        sign_in(helen, SECRETARY)
        board = page_text(helen.get(f"/o/riverside/members/{jamie_id}").text)
        assert "I am a disabled person" in board and "I use care or support" in board and "Easy read" in board
        # The audit log never carries the facts themselves.
        audit = helen.get("/o/riverside/audit").text
        assert "disabled" not in audit
        # Withdrawing consent: untick everything.
        assert post_form(jamie, "/o/riverside/me/about-you", {}).status_code == 303
        assert "I am a disabled person" not in helen.get(f"/o/riverside/members/{jamie_id}").text
        # Another organisation's board never sees them.
        lena_view = helen.get(f"/o/northfield/members/{jamie_id}")
        assert lena_view.status_code == 404


def test_secretary_records_needs_for_a_member_with_their_consent(demo, client):
    sign_in(client, SECRETARY)
    ben = member_id("Ben Williams")
    url = f"/o/riverside/register/{ben}/needs"
    assert post_form(client, url, {"needs": ["audio"], "facts_shown": "yes"}).status_code == 422
    assert (
        post_form(
            client, url, {"needs": ["audio"], "consent": "yes", "facts_shown": "yes", "facts": ["disabled"]}
        ).status_code
        == 422
    )  # facts without their consent
    assert (
        post_form(
            client,
            url,
            {
                "needs": ["audio", "post"],
                "consent": "yes",
                "facts_shown": "yes",
                "facts": ["disabled"],
                "facts_consent": "yes",
            },
        ).status_code
        == 303
    )
    page = page_text(client.get(f"/o/riverside/members/{ben}").text)
    assert "Audio" in page and "I am a disabled person (agreed" in page


def _supporter_browser(settings, client):
    """Jamie names Ali as supporter; Ali sets a password from the email and signs in."""
    sign_in(client, JAMIE)
    bad = post_form(client, "/o/riverside/me/supporters", {"supporter_name": "", "supporter_email": ""})
    assert bad.status_code == 422 and "Enter your supporter&#39;s name" in bad.text
    assert (
        post_form(
            client,
            "/o/riverside/me/supporters",
            {"supporter_name": "Ali Khan", "supporter_email": "ali@example.org"},
        ).status_code
        == 303
    )
    link = link_in(outbox_to("ali@example.org")[-1]["body"], "/password-reset/")
    ali = make_client(settings).__enter__()
    assert post_form(ali, link, {"password": "a long memorable passphrase"}).status_code == 303
    sign_in(ali, "ali@example.org", "a long memorable passphrase")
    return ali


def test_a_supporter_sees_what_the_member_sees_and_assisted_actions_are_recorded(demo, client, settings):
    from coop.members.tables import CommunicationNeed, MemberEvent

    ali = _supporter_browser(settings, client)
    try:
        jamie = member_row("Jamie Carter")
        base = f"/o/riverside/supporting/{jamie['public_id']}"
        page = ali.get(base)
        assert page.status_code == 200 and "You are helping Jamie Carter" in page.text
        assert "You do not have a vote of your own" in page.text
        assert 'href="/o/riverside/members"' not in page.text  # no organisation menu for a supporter
        assert ali.get(f"{base}/data").status_code == 200
        # Ali is not a member: no members' pages, no register, and not someone else's page.
        assert ali.get("/o/riverside/members").status_code == 404
        assert ali.get("/o/riverside/me").status_code == 404
        assert ali.get(f"/o/riverside/supporting/{member_id('Grace Lee')}").status_code == 404
        # Fill a form with Jamie: recorded as assisted.
        assert (
            post_form(
                ali,
                f"{base}/contact",
                {
                    "contact_by": "supporter",
                    "email": "jamie@riverside.example",
                    "needs": ["easy_read", "supporter"],
                    "consent": "yes",
                },
            ).status_code
            == 303
        )
        need = run(
            CommunicationNeed.select()
            .where((CommunicationNeed.member == jamie["id"]) & CommunicationNeed.ended_at.is_null())
            .first()
        )
        assert need["assisted_by"] is not None and need["recorded_by"] == need["assisted_by"]
        event = run(
            MemberEvent.select()
            .where((MemberEvent.member == jamie["id"]) & (MemberEvent.kind == "details_changed"))
            .order_by(MemberEvent.id, ascending=False)
            .first()
        )
        assert event["assisted_by"] is not None
        # A supporter cannot name further supporters.
        assert (
            post_form(
                ali, f"{base}/supporters", {"supporter_name": "X", "supporter_email": "x@example.org"}
            ).status_code
            == 404
        )
        # When Jamie's membership ends, Ali loses access at once.
        sign_in(client, SECRETARY)
        assert (
            post_form(
                client, f"/o/riverside/register/{jamie['public_id']}/cease", {"reason": "ceased"}
            ).status_code
            == 303
        )
        assert ali.get(base).status_code == 404
    finally:
        ali.__exit__(None, None, None)


def test_member_ends_a_supporter(demo, client, settings):
    ali = _supporter_browser(settings, client)
    try:
        jamie = member_row("Jamie Carter")
        from coop.members.tables import MemberSupporter

        supporter = run(MemberSupporter.select().where(MemberSupporter.member == jamie["id"]).first())
        assert post_form(client, f"/o/riverside/me/supporters/{supporter['id']}/end").status_code == 303
        assert ali.get(f"/o/riverside/supporting/{jamie['public_id']}").status_code == 404
    finally:
        ali.__exit__(None, None, None)


def _proxy(client, **values):
    base = {"proxy": member_id("Kwame Mensah"), "scope": "standing"}
    return post_form(client, "/o/riverside/me/proxies", {**base, **values})


def test_standing_proxy_appointed_and_revoked(demo, client):
    from coop.members.tables import ProxyAppointment

    sign_in(client, JAMIE)
    assert client.get("/o/riverside/me/proxies").status_code == 200
    empty = post_form(client, "/o/riverside/me/proxies", {})
    assert empty.status_code == 422 and "Choose who will be your proxy" in empty.text
    myself = _proxy(client, proxy=member_id("Jamie Carter"))
    assert myself.status_code == 422 and "someone other than yourself" in myself.text
    assert _proxy(client, instructions="Vote for the pool.").status_code == 303
    me = page_text(client.get("/o/riverside/me").text)
    assert "Kwame Mensah votes for you at every meeting until you cancel" in me
    row = run(ProxyAppointment.select().where(ProxyAppointment.proxy_name == "Kwame Mensah").first())
    assert row["standing"] and row["revoked_at"] is None
    assert post_form(client, f"/o/riverside/me/proxies/{row['public_id']}/revoke").status_code == 303
    assert (
        run(ProxyAppointment.select().where(ProxyAppointment.id == row["id"]).first())["revoked_at"]
        is not None
    )
    # Another member's proxy cannot be revoked by Jamie.
    margaret = run(ProxyAppointment.select().where(ProxyAppointment.proxy_name == "Helen Jones").first())
    assert post_form(client, f"/o/riverside/me/proxies/{margaret['public_id']}/revoke").status_code == 404


def test_proxy_for_one_meeting_respects_the_48_working_hour_deadline(demo, client):
    sign_in(client, JAMIE)
    soon = datetime.now(UTC) + timedelta(hours=3)
    late = _proxy(
        client,
        scope="meeting",
        meeting_name="Board meeting",
        meeting_day=str(soon.day),
        meeting_month=str(soon.month),
        meeting_year=str(soon.year),
        meeting_time=soon.strftime("%H:%M"),
    )
    assert late.status_code == 422 and "arrived after the deadline" in late.text
    missing = _proxy(client, scope="meeting")
    assert missing.status_code == 422 and "Enter which meeting" in missing.text
    later = datetime.now(UTC) + timedelta(days=10)
    assert (
        _proxy(
            client,
            scope="meeting",
            meeting_name="AGM 2026",
            meeting_day=str(later.day),
            meeting_month=str(later.month),
            meeting_year=str(later.year),
            meeting_time="18:30",
        ).status_code
        == 303
    )
    assert "votes for you at AGM 2026" in page_text(client.get("/o/riverside/me").text)


def test_one_person_holds_at_most_the_constitutions_number_of_proxies(demo, settings):
    # The CIC model allows at most 5. Helen already holds Margaret's; four more members appoint her.
    helen = member_id("Helen Jones")
    people = [
        "jamie@riverside.example",
        "sofia@riverside.example",
        "grace@riverside.example",
        "kwame@riverside.example",
        "ruth@riverside.example",
    ]
    for index, email in enumerate(people):
        with make_client(settings) as browser:
            sign_in(browser, email)
            response = _proxy(browser, proxy=helen)
            if index < 4:
                assert response.status_code == 303, response.text[:500]
            else:
                assert response.status_code == 422 and "at most 5" in response.text


def test_ceasing_ends_proxies_both_ways(demo, client):
    from coop.members.tables import ProxyAppointment

    sign_in(client, SECRETARY)
    margaret = member_id("Margaret Hughes")
    assert post_form(client, f"/o/riverside/register/{margaret}/cease", {"reason": "died"}).status_code == 303
    assert (
        run(ProxyAppointment.select().where(ProxyAppointment.proxy_name == "Helen Jones").first())[
            "revoked_at"
        ]
        is not None
    )
