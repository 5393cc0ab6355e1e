"""The register of directors and the composition guard, over HTTP: who sees which particulars, appointments
and co-options within and outside the constitution, the class change that broke the board, endings that
are refused or accepted with an alert, a member ceasing, and an election that fills reserved seats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.members.helpers import member_id, member_row

SECRETARY = "helen@riverside.example"  # a family carer director and the secretary
MEMBER = "jamie@riverside.example"  # a budget holder, not a director


def directorship(name: str) -> dict[str, Any]:
    from coop.boards.tables import Directorship

    row = run(
        Directorship.select()
        .where((Directorship.member.name == name) & (Directorship.organisation.slug == "riverside"))
        .order_by(Directorship.id, ascending=False)
        .first()
    )
    assert row is not None, name
    return row


def holds_director_role(name: str) -> bool:
    from coop.members.tables import RoleGrant

    return bool(
        run(
            RoleGrant.exists().where(
                (RoleGrant.member == member_row(name)["id"])
                & (RoleGrant.role == "director")
                & RoleGrant.revoked_at.is_null()
            )
        )
    )


def end(client: Any, name: str, reason: str, note: str = "") -> Any:
    today = datetime.now(UTC).date()
    return post_form(
        client,
        f"/o/riverside/board/{directorship(name)['public_id']}/end",
        {
            "reason": reason,
            "on_day": str(today.day),
            "on_month": str(today.month),
            "on_year": str(today.year),
            "note": note,
        },
    )


def appoint(client: Any, name: str, route: str, **extra: str) -> Any:
    today = datetime.now(UTC).date()
    data = {
        "member": member_id(name),
        "route": route,
        "appointed_on_day": str(today.day),
        "appointed_on_month": str(today.month),
        "appointed_on_year": str(today.year),
        "service_address": "12 Mill Lane, Riverside",
        "country_of_residence": "England",
        "nationality": "British",
        "occupation": "Retired",
        "residential_address": "99 Secret Street, RV9 9ZZ",
        "date_of_birth_day": "3",
        "date_of_birth_month": "8",
        "date_of_birth_year": "1990",
        **extra,
    }
    return post_form(client, "/o/riverside/board/appoint", data)


def test_members_see_the_public_register_and_the_board_the_private_particulars(demo, client):
    sign_in(client, MEMBER)
    page = client.get("/o/riverside/board")
    assert page.status_code == 200 and page.headers["vary"] == "HX-Request"
    text = page_text(page.text)
    for name in ("Amara Okafor", "Daniel Price", "Helen Jones", "Priya Shah", "Tom Evans"):
        assert name in text
    assert "Peer support worker" in text and "July 1986" in text
    assert "4 Elm Road" not in text and "14 July 1986" not in text and "Usual residential" not in text
    assert "2 of at least 2 budget holders; 2 seats reserved" in text
    assert "1 of at most 1 professionals" in text
    assert "Appoint or co-opt" not in text
    assert client.get("/o/riverside/board/appoint").status_code == 403
    assert post_form(client, "/o/riverside/board/appoint", {}).status_code == 403
    fragment = client.get("/o/riverside/board", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "Amara Okafor" in fragment.text
    printable = client.get("/o/riverside/board/print")
    assert printable.status_code == 200 and "4 Elm Road" not in printable.text

    sign_in(client, SECRETARY)
    text = page_text(client.get("/o/riverside/board").text)
    assert "4 Elm Road" in text and "14 July 1986" in text


def test_the_class_change_that_broke_the_board_is_refused(demo, client):
    sign_in(client, SECRETARY)
    amara = member_id("Amara Okafor")
    response = post_form(client, f"/o/riverside/register/{amara}/class", {"member_class": "professional"})
    assert response.status_code == 422
    text = page_text(response.text)
    assert "Amara Okafor is a director, so their class cannot change" in text
    assert "1 budget holder; the constitution requires at least 2" in text
    assert member_row("Amara Okafor")["member_class"] == "budget_holder"
    # A member who is not a director still changes class freely.
    jamie = member_id("Jamie Carter")
    assert (
        post_form(
            client, f"/o/riverside/register/{jamie}/class", {"member_class": "family_carer"}
        ).status_code
        == 303
    )


def test_appointment_refused_outside_the_rules_then_accepted_within_them(demo, client):
    sign_in(client, SECRETARY)
    full = appoint(client, "Jamie Carter", "elected")
    assert full.status_code == 422
    assert "The board would have 6 directors; the constitution allows at most 5." in page_text(full.text)
    assert not holds_director_role("Jamie Carter")

    # Tom (the co-opted professional) resigns: the board keeps its rules, and a seat is free.
    assert end(client, "Tom Evans", "resigned").status_code == 303
    assert not holds_director_role("Tom Evans")
    assert directorship("Tom Evans")["ceased_reason"] == "resigned"  # still on the register

    accepted = appoint(client, "Jamie Carter", "co_opted", user_led_consent="yes")
    assert accepted.status_code == 303
    row = directorship("Jamie Carter")
    assert row["route"] == "co_opted" and row["seat"] == "" and row["ceased_on"] is None
    assert holds_director_role("Jamie Carter")
    page = page_text(client.get("/o/riverside/board?done=appointed").text)
    assert "Success" in page and "Tom Evans" in page and "Resigned" in page


def test_a_second_co_option_is_refused_with_the_rule(demo, client):
    sign_in(client, SECRETARY)
    assert end(client, "Daniel Price", "resigned").status_code == 303
    refused = appoint(client, "Sofia Rossi", "co_opted")
    assert refused.status_code == 422
    assert "1 co-opted director is allowed" not in refused.text  # the governance wording, not ours
    assert "2 co-opted directors; the constitution allows at most 1." in page_text(refused.text)
    assert appoint(client, "Sofia Rossi", "elected", user_led_consent="yes").status_code == 303


def test_a_resignation_that_breaks_the_board_is_accepted_with_an_alert(demo, client):
    sign_in(client, SECRETARY)
    response = end(client, "Priya Shah", "resigned", "Moving away")
    assert response.status_code == 303
    assert not holds_director_role("Priya Shah")
    text = page_text(client.get("/o/riverside/board").text)
    assert "The board does not meet its constitution" in text
    assert "The board has 1 family carer; the constitution requires at least 2." in text
    assert "Fill the 1 empty seat reserved for family carers" in text
    assert "The board may co-opt a director" not in text  # Tom already fills the one co-opted place
    assert "hold an election" in text
    overview = page_text(client.get("/o/riverside/").text)
    assert "The board does not meet its constitution" in overview


def test_a_removal_that_breaks_the_board_is_refused(demo, client):
    sign_in(client, SECRETARY)
    response = end(client, "Priya Shah", "removed")
    assert response.status_code == 422
    assert "The board would have 1 family carer; the constitution requires at least 2." in page_text(
        response.text
    )
    assert directorship("Priya Shah")["ceased_on"] is None and holds_director_role("Priya Shah")


def test_bad_input_is_a_message_by_the_field_never_a_500(demo, client):
    sign_in(client, SECRETARY)
    bad = post_form(
        client,
        "/o/riverside/board/appoint",
        {
            "member": "nonsense",
            "appointed_on_day": "31",
            "appointed_on_month": "2",
            "appointed_on_year": "x",
            "date_of_birth_year": "2020",
            "date_of_birth_month": "1",
            "date_of_birth_day": "1",
        },
    )
    assert bad.status_code == 422
    text = page_text(bad.text)
    assert "Choose how the director is appointed" in text and "must be a real date" in text
    assert "aged 16 or over" in text
    assert client.get("/o/riverside/board/not-a-uuid/end").status_code == 404
    assert (
        post_form(client, f"/o/riverside/board/{directorship('Priya Shah')['public_id']}/end", {}).status_code
        == 422
    )


def test_a_director_who_stops_being_a_member_leaves_the_board(demo, client):
    sign_in(client, SECRETARY)
    daniel = member_id("Daniel Price")
    assert post_form(client, f"/o/riverside/register/{daniel}/cease", {"reason": "died"}).status_code == 303
    text = page_text(client.get("/o/riverside/board").text)
    assert "Died" in text and "The board has 1 budget holder" in text
    row = directorship("Daniel Price")
    assert row["ceased_reason"] == "died" and row["ceased_on"] is not None


def hold_election(org: int, candidates: list[str], seats: int, ballots: dict[str, str]) -> int:
    """A board election run to its close through the votes service (the close seats the winners)."""
    from coop.audit.service import SYSTEM
    from coop.votes.casting import cast_ballot
    from coop.votes.closing import close_vote
    from coop.votes.lifecycle import NewVote, create_vote, open_vote

    now = datetime.now(UTC)
    new = NewVote(
        title="Election",
        question="Elect directors",
        kind="stv",
        purpose="board_election",
        options=candidates,
        seats=seats,
        secret=True,
        closes_at=now - timedelta(minutes=1),
    )
    vote = run(create_vote(org, new, actor=SYSTEM))
    run(open_vote(org, vote, now=now - timedelta(hours=2), actor=SYSTEM))
    for name, ranking in ballots.items():
        run(
            cast_ballot(
                org, vote, member_row(name)["id"], ranking, now=now - timedelta(hours=1), actor=SYSTEM
            )
        )
    run(close_vote(org, vote, now=now - timedelta(minutes=1), actor=SYSTEM))
    return vote


def counted_as_user_led(*names: str) -> None:
    """The members recorded (with consent) that they use support or care, so they count as user-led."""
    from coop.members.tables import SensitiveFact

    for name in names:
        run(SensitiveFact.insert(SensitiveFact(member=member_row(name)["id"], fact="carer")))


def test_a_sitting_director_elected_again_keeps_the_seat_they_won(demo, client):
    sign_in(client, SECRETARY)
    assert end(client, "Priya Shah", "resigned").status_code == 303
    counted_as_user_led("Kwame Mensah")
    org = member_row("Helen Jones")["organisation"]
    ballots = {"Jamie Carter": "0>1", "Sofia Rossi": "0>1", "Grace Lee": "0", "Kwame Mensah": "1>0"}
    hold_election(org, ["Helen Jones", "Kwame Mensah"], 1, ballots)
    # Helen won the one seat: she stays as she was, and nobody else is seated in her place.
    assert not holds_director_role("Kwame Mensah")
    assert directorship("Helen Jones")["ceased_on"] is None


def test_an_election_fills_reserved_seats_class_by_class_before_open_seats(demo, client):
    from coop.audit.service import SYSTEM
    from coop.votes.casting import cast_ballot
    from coop.votes.closing import close_vote
    from coop.votes.lifecycle import NewVote, create_vote, open_vote

    sign_in(client, SECRETARY)
    # Two directors leave: a budget holder's and a family carer's reserved seats are empty.
    assert end(client, "Daniel Price", "resigned").status_code == 303
    assert end(client, "Priya Shah", "resigned").status_code == 303
    org = member_row("Helen Jones")["organisation"]
    counted_as_user_led("Grace Lee", "Kwame Mensah")
    candidates = ["Ruth Adeyemi", "Grace Lee", "Sofia Rossi", "Kwame Mensah"]  # professional, 2 BH, carer
    now = datetime.now(UTC)
    vote = run(
        create_vote(
            org,
            NewVote(
                title="Election",
                question="Elect two",
                kind="stv",
                purpose="board_election",
                options=candidates,
                seats=2,
                secret=True,
                closes_at=now - timedelta(minutes=1),
            ),
            actor=SYSTEM,
        )
    )
    run(open_vote(org, vote, now=now - timedelta(hours=2), actor=SYSTEM))
    # Most put the professional first and a budget holder second: the count elects Ruth and Grace.
    rankings = ["0>1>3", "0>1>3", "0>1>3", "1>0>3", "1>2>3", "3>2"]
    for name, ranking in zip(
        ["Jamie Carter", "Sofia Rossi", "Grace Lee", "Kwame Mensah", "Ruth Adeyemi", "Margaret Hughes"],
        rankings,
        strict=True,
    ):
        run(
            cast_ballot(
                org, vote, member_row(name)["id"], ranking, now=now - timedelta(hours=1), actor=SYSTEM
            )
        )
    closed = run(close_vote(org, vote, now=now - timedelta(minutes=1), actor=SYSTEM))
    assert closed.result["sheet"]["elected"][:1] == ["Ruth Adeyemi"]

    # Seated: the best-placed budget holder and the family carer; Ruth would be a second professional.
    assert directorship("Grace Lee")["seat"] == "budget_holder"
    assert directorship("Kwame Mensah")["seat"] == "family_carer"
    assert directorship("Kwame Mensah")["elected_by_vote"] == vote
    assert holds_director_role("Grace Lee") and holds_director_role("Kwame Mensah")
    assert not holds_director_role("Ruth Adeyemi")
    text = page_text(client.get("/o/riverside/board").text)
    assert "The board does not meet its constitution" not in text
    # Closing again (or a later close path) never seats anyone twice.
    from coop.boards.elections import seat_election_winners

    assert run(seat_election_winners(org, vote, on=now.date(), actor=SYSTEM)) == 0


def test_the_register_is_paged_by_key(demo, client, monkeypatch):
    from coop.boards import service

    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    sign_in(client, MEMBER)

    def register_table(url: str) -> str:
        # Only the register's own table: the page also names directors retiring at the next AGM.
        html = client.get(url).text
        return page_text(html.split('id="directors"', 1)[1])

    first = register_table("/o/riverside/board")
    assert "Amara Okafor" in first and "Daniel Price" in first and "Helen Jones" not in first
    after = directorship("Daniel Price")["id"]
    assert f"/o/riverside/board?after={after}" in client.get("/o/riverside/board").text
    second = register_table(f"/o/riverside/board?after={after}")
    assert "Helen Jones" in second and "Priya Shah" in second and "Amara Okafor" not in second
    last = register_table(f"/o/riverside/board?after={directorship('Priya Shah')['id']}")
    assert "Tom Evans" in last and "Next page" not in last
