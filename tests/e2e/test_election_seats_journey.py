"""A board election that fills a reserved seat, in the browser, JavaScript on and off (A16), by keyboard
only (A3: Tab, type, Space, arrows, Enter; no mouse), with axe and the page checks (A1) on every page with
JavaScript on, and on the result and the register with it off (the server sends the same pages either way;
checking each twice would double the journey's time).

In an organisation of its own (made with `coop create-org`), a budget-holder director resigns and the
board breaks its constitution; the secretary calls for nominations for the seat; a family carer and a
budget holder stand with statements and easy-read versions; the last day to stand passes; the secretary
makes a ranked ballot and opens it; three members vote; the vote closes at its time. The count elects the
family carer, but the only seat is the one reserved for budget holders: the result page says so, and the
register of directors shows the budget holder in that seat and a board that keeps its constitution.

The clock moves the way the other browser tests move it: the last day to stand is set to yesterday on the
server's database, and the vote is closed through the service at its closing time."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.checks import check_error_summary, check_page
from tests.e2e.checks import tab_to as tab_from_here
from tests.e2e.conftest import Server
from tests.e2e.founding import Founder, execute, found
from tests.e2e.test_board_journeys import fill_date
from tests.e2e.test_membership_journeys import NewPage, States, arrive, banner, choose, tick
from tests.e2e.test_vote_journeys import app_database, continue_, off_the_browser_loop, skip_to_main
from tests.e2e.test_vote_journeys import choose_radio as choose_candidate

pytestmark = pytest.mark.e2e

__all__ = ["app_database"]  # a fixture this module uses, imported from the vote journeys

HELEN = "helen@riverside.example"
KWAME = "kwame@riverside.example"
JAMIE = "jamie@riverside.example"
PRIYA = "priya@riverside.example"
# The budget holders who are members but not directors: the run elects the first who is not yet one.
BUDGET_HOLDERS = {"Grace Lee": "grace@riverside.example", "Amara Okafor": "amara@riverside.example"}
DANIEL = "daniel@riverside.example"
OTHER_FOUNDERS = (
    Founder("Kwame Mensah", KWAME, "family_carer", director=True),
    Founder("Jamie Carter", JAMIE, "budget_holder", director=True),
    Founder("Sofia Rossi", "sofia@riverside.example", "budget_holder", director=True),
    Founder("Ruth Adeyemi", "ruth@riverside.example", "professional", director=True),
    Founder("Grace Lee", "grace@riverside.example", "budget_holder"),
    Founder("Amara Okafor", "amara@riverside.example", "budget_holder"),
    Founder("Priya Shah", PRIYA, "family_carer"),
)
LONDON = ZoneInfo("Europe/London")
# Each run's organisation (slug, name, its secretary), by JavaScript on or off. The names differ, as every
# page title must; so do the secretaries, so that the page crawl (tests/e2e/test_pages.py), signed in as
# Helen, meets one of them, not both.
ORGANISATIONS = {
    True: ("millbrook", "Millbrook Support CIC", Founder("Helen Jones", HELEN, "family_carer", True, True)),
    False: (
        "millbrook-trust",
        "Millbrook Trust CIC",
        Founder("Daniel Price", DANIEL, "family_carer", True, True),
    ),
}


def tab_to(page: Page, target: Locator) -> None:
    """Tab to `target`; for a target in the main content, first past the header by the skip link, as a
    keyboard user does (and in half the key presses)."""
    page.wait_for_load_state("load")
    in_main = "(el) => !!el.closest('main')"
    if target.first.evaluate(in_main) and not page.evaluate(
        "document.querySelector('main').contains(document.activeElement)"
    ):
        skip_to_main(page)
    tab_from_here(page, target)


def press(page: Page, name: str) -> None:
    tab_to(page, page.get_by_role("button", name=name, exact=True))
    page.keyboard.press("Enter")


def follow_link(page: Page, name: str) -> None:
    tab_to(page, page.get_by_role("link", name=name, exact=True))
    page.keyboard.press("Enter")


def fill_by_keyboard(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def millbrook(server: Server, javascript: bool) -> str:
    """An organisation for each run, so that neither run depends on what the other left: an election that
    closes after 23:00 appoints its winner from tomorrow, who cannot resign today."""
    slug, name, secretary = ORGANISATIONS[javascript]
    return found(server, name, slug, (secretary, *OTHER_FOUNDERS))


def register_rows(page: Page) -> list[str]:
    rows = page.locator("#directors tbody tr")
    return [rows.nth(i).inner_text() for i in range(rows.count())]


def a_budget_holder_resigns(helen: Page, slug: str, *, check: bool) -> str:
    """The newest budget-holder director other than Jamie resigns: accepted, with the alert and what to do
    next. Returns their name."""
    helen.goto(f"/o/{slug}/board")
    arrive(helen, "Register of directors", check=check)
    row = (
        helen.locator("#directors tbody tr", has_text="Budget holder")
        .filter(has=helen.get_by_role("link", name="End"))
        .filter(has_not_text="Jamie Carter")
        .last
    )
    name = row.locator("th").inner_text().strip()
    tab_to(helen, row.get_by_role("link"))
    helen.keyboard.press("Enter")
    expect(helen.locator("h1")).to_contain_text("directorship")
    helen.wait_for_load_state("load")
    if check:
        check_page(helen)
    choose(helen, "reason", "resigned")
    fill_date(helen, "on", datetime.now(UTC))
    press(helen, "End directorship")
    expect(helen.locator(".govuk-notification-banner--success")).to_contain_text("The directorship has ended")
    helen.wait_for_load_state("load")
    alert = helen.locator(".govuk-notification-banner", has_text="The board does not meet its constitution")
    expect(alert).to_contain_text("Fill the 1 empty seat reserved for budget holders")
    if check:
        check_page(helen)
    return name


def call_for_nominations(helen: Page, title: str, *, javascript: bool) -> str:
    follow_link(helen, "Board elections")
    arrive(helen, "Board elections", check=javascript)
    follow_link(helen, "Call for nominations")
    arrive(helen, "Call for nominations", check=javascript)
    press(helen, "Call for nominations")
    messages = check_error_summary(helen, javascript=javascript)
    assert "Enter a title, like Election of directors 2027" in messages
    if javascript:
        check_page(helen)
    fill_by_keyboard(helen, helen.locator("#title"), title)
    fill_by_keyboard(helen, helen.locator("#seats"), "1")
    fill_date(helen, "close", datetime.now(UTC))
    press(helen, "Call for nominations")
    arrive(helen, title, check=javascript)
    banner(helen, "Nominations are open")
    return helen.url.split("?")[0]


def counted_as_user_led(page: Page, slug: str, *, check: bool) -> None:
    """The member records, with consent, that they use support: counted toward the user-led share."""
    page.goto(f"/o/{slug}/me/about-you")
    arrive(page, "Facts about you for the user-led count", check=check)
    tick(page, "I use care or support")
    name = next(name for at, name, _ in ORGANISATIONS.values() if at == slug)
    tick(page, f"I give my explicit consent for {name} to keep these facts about me")
    press(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_be_visible()


def stand(page: Page, election_url: str, title: str, statement: str, easy_read: str, *, check: bool) -> None:
    page.goto(election_url.split("/board/")[0] + "/board/elections")
    arrive(page, "Board elections", check=False)
    follow_link(page, title)
    arrive(page, title, check=check)
    assert page.url == election_url
    fill_by_keyboard(page, page.locator("#statement"), statement)
    fill_by_keyboard(page, page.locator("#easy_read"), easy_read)
    press(page, "Stand for election")
    banner(page, "You are standing in this election")
    if check:
        check_page(page)


def nominations_close(server: Server, title: str) -> None:
    """The last day to stand passes: it becomes yesterday (the app reads the date from its clock)."""
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    changed = execute(
        server, "UPDATE board_election SET nominations_close_on = ? WHERE title = ?", yesterday, title
    )
    assert changed == 1


def make_the_ballot(helen: Page, *, javascript: bool) -> tuple[int, datetime]:
    """Ranked, closing in an hour (today where possible); opened. Returns the vote's id and closing time."""
    helen.reload()
    expect(helen.get_by_role("heading", name="Make the ballot")).to_be_visible()
    choose(helen, "kind", "ranked")
    press(helen, "Make the ballot")
    assert check_error_summary(helen, javascript=javascript) == [
        "Enter when voting closes as a date and time, like 08/12/2026 17:00"
    ]
    if javascript:
        check_page(helen)
    closes = (datetime.now(LONDON) + timedelta(hours=1)).replace(second=0, microsecond=0)
    fill_by_keyboard(helen, helen.locator("#closes_at"), closes.strftime("%d/%m/%Y %H:%M"))
    press(helen, "Make the ballot")
    expect(helen.get_by_role("heading", name="Run this vote")).to_be_visible()
    if javascript:
        check_page(helen)
    vote_id = int(helen.url.rstrip("/").rsplit("/", 1)[1])
    press(helen, "Open the vote")
    expect(helen.get_by_role("button", name="Close the vote and count")).to_be_visible()
    if javascript:
        check_page(helen)
    return vote_id, closes


def vote(page: Page, slug: str, vote_id: int, ranking: list[str], *, check: bool) -> None:
    """Rank the candidates in order, then stop; check the answers; cast."""
    page.goto(f"/o/{slug}/votes/{vote_id}")
    continue_(page, "Vote now")
    for place, name in enumerate(ranking, start=1):
        expect(page.locator("h1")).to_contain_text("choice?")
        if check and place == 1:
            check_page(page)
        asked = page.locator("h1").inner_text()
        choose_candidate(page, name)
        continue_(page)
        # Wait for the next page (a form post without JavaScript navigates) before reading its heading.
        expect(page.locator("h1")).not_to_have_text(asked)
    if page.locator("h1").inner_text().strip() != "Check your vote before you cast it":
        choose_candidate(page, "I do not want to rank any more")
        continue_(page)
    expect(page.locator("h1")).to_have_text("Check your vote before you cast it")
    if check:
        check_page(page)
    continue_(page, "Cast my vote")
    expect(page.locator("h1")).to_have_text("Your vote has been cast")
    if check:
        check_page(page)


def close_at_its_time(slug: str, vote_id: int, closes: datetime) -> None:
    """Close the vote as the clock would at its closing time (an early close needs everyone to vote)."""
    from coop.audit.service import SYSTEM
    from coop.votes.closing import close_vote
    from tests.conftest import run
    from tests.coop.votes.helpers import org_id

    off_the_browser_loop(
        lambda: run(close_vote(org_id(slug), vote_id, now=closes + timedelta(seconds=1), actor=SYSTEM))
    )


def test_an_election_fills_the_seat_reserved_for_budget_holders(
    javascript: bool,
    millbrook: str,
    app_database: None,
    server: Server,
    new_page: NewPage,
    signed_in_states: States,
) -> None:
    title = f"Election to the budget holders' seat {secrets.token_hex(3).upper()}"
    # The secretary (Helen in one run, Daniel in the other): named `helen` throughout.
    helen = new_page(
        javascript=javascript, storage_state=signed_in_states(ORGANISATIONS[javascript][2].email)
    )
    resigned = a_budget_holder_resigns(helen, millbrook, check=javascript)
    already = "\n".join(register_rows(helen))
    candidate = next(name for name in BUDGET_HOLDERS if name not in already)
    election_url = call_for_nominations(helen, title, javascript=javascript)

    # A family carer and a budget holder stand, each with a statement and an easy-read version.
    priya = new_page(javascript=javascript, storage_state=signed_in_states(PRIYA))
    stand(
        priya,
        election_url,
        title,
        "I care for my brother and I chair our carers' forum.",
        "I look after my brother.\nI want carers to be heard.",
        check=javascript,
    )
    holder = new_page(javascript=javascript, storage_state=signed_in_states(BUDGET_HOLDERS[candidate]))
    counted_as_user_led(holder, millbrook, check=javascript)
    stand(
        holder,
        election_url,
        title,
        "I have held a personal budget for six years.",
        "I use a personal budget.\nI know how it feels.",
        check=False,
    )
    helen.goto(election_url)
    main = helen.locator("main")
    expect(main).to_contain_text("I chair our carers' forum.")
    tab_to(helen, helen.locator("summary", has_text=f"Easy read: {candidate}"))
    helen.keyboard.press("Enter")
    expect(main.locator("details[open]")).to_contain_text("I know how it feels.")

    nominations_close(server, title)
    vote_id, closes = make_the_ballot(helen, javascript=javascript)

    # Three members vote: the count elects the family carer, two first preferences to one.
    vote(helen, millbrook, vote_id, ["Priya Shah", candidate], check=javascript)
    kwame = new_page(javascript=javascript, storage_state=signed_in_states(KWAME))
    vote(kwame, millbrook, vote_id, ["Priya Shah"], check=False)
    jamie = new_page(javascript=javascript, storage_state=signed_in_states(JAMIE))
    vote(jamie, millbrook, vote_id, [candidate], check=False)
    close_at_its_time(millbrook, vote_id, closes)

    jamie.goto(f"/o/{millbrook}/votes/{vote_id}")
    follow_link(jamie, "See the result")
    arrive(jamie, f"Result: {title}")
    seats = jamie.locator("#seats")
    expect(seats).to_contain_text(f"{candidate} takes the seat reserved for budget holders")
    expect(seats).to_contain_text("Priya Shah is not seated")

    jamie.goto(f"/o/{millbrook}/")
    follow_link(jamie, "Board")
    arrive(jamie, "Register of directors")
    row = jamie.locator("#directors tbody tr", has_text=candidate).last
    expect(row).to_contain_text("Reserved for budget holders")
    expect(row).to_contain_text("Elected")
    expect(row).to_contain_text(f"End {candidate}'s directorship")  # in office (a director sees the link)
    expect(jamie.locator("#directors tbody tr", has_text=resigned).last).to_contain_text("Resigned")
    expect(jamie.locator("#directors tbody tr", has_text="Priya Shah")).to_have_count(0)
    main = jamie.locator("main")
    expect(main).to_contain_text("2 of at least 2 budget holders; 2 seats reserved")
    expect(main).not_to_contain_text("Not met")
    expect(main).not_to_contain_text("The board does not meet its constitution")
