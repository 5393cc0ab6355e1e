"""A member votes in each kind of vote, by keyboard, with JavaScript on and off: opens the vote, reads the
easy read summary, answers, checks their answers, gets a receipt with a tracking code, finds it on the
bulletin board, is told they have already voted, and sees the result (chart and table) only after close.

Each journey makes its own vote through the app's service functions, on the e2e server's own SQLite
database, so it never uses up the demo's open vote that the crawl visits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.checks import DESKTOP, NARROW, check_error_summary, check_page, tab_to
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e
T = TypeVar("T")

MEMBER = "jamie@riverside.example"
TRACKER = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{1,4})+$")


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture(scope="module")
def app_database(server: Server) -> Iterator[None]:
    """Point this process's database engine at the e2e server's SQLite file, for set-up through the
    service layer (the server and this process share it as two SQLite clients)."""
    from coop.db import CoopSQLiteEngine, current_engine

    engine = current_engine()
    assert isinstance(engine, CoopSQLiteEngine)
    before = engine.path
    engine.path = str(server.log.parent / "e2e.sqlite3")
    try:
        yield
    finally:
        engine.path = before


@dataclass(frozen=True)
class Kind:
    kind: str
    purpose: str
    options: tuple[str, ...] = ()
    seats: int = 1


KINDS = {
    "motion": Kind("motion", "ordinary_resolution"),
    "single": Kind("single", "general", ("Monday", "Tuesday", "Wednesday")),
    "approval": Kind("approval", "general", ("Gardening", "Cooking", "Art"), seats=1),
    "ranked": Kind("ranked", "general", ("Ann", "Bo", "Cy", "Di")),
    "stv": Kind("stv", "board_election", ("Ann", "Bo", "Cy", "Di"), seats=2),
}


def off_the_browser_loop(work: Callable[[], T]) -> T:
    """Run database set-up in a thread of its own: Playwright's sync API keeps an event loop running in
    this one, and the service functions need their own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


# The full page checks (axe at 1280 and 320 px, reflow, the basics) run once on each new page layout,
# with JavaScript on: the shared pages in the motion journey, the ranked steps in the ranked one, and
# the results page for each layout of count (one round, rounds, STV with a quota).
CHECKED_PAGES = {
    "motion": {"check", "receipt", "board", "refused", "results"},
    "single": {"results"},
    "approval": set(),
    "ranked": {"steps", "check", "results"},
    "stv": {"results"},
}


@dataclass(frozen=True)
class Checks:
    pages: frozenset[str]

    def page(self, page: Page, name: str) -> None:
        if name in self.pages:
            check_page(page)


def make_vote(spec: Kind, title: str) -> int:
    from tests.coop.votes.helpers import make_vote as create_and_open

    return off_the_browser_loop(
        lambda: create_and_open(
            kind=spec.kind, purpose=spec.purpose, options=spec.options, seats=spec.seats, title=title
        )
    )


def close_after_its_time(vote_id: int) -> None:
    """Close the vote as the clock would at its closing time (an early close needs everyone to vote)."""
    from coop.votes.records import get_vote
    from tests.conftest import run
    from tests.coop.votes.helpers import close, org_id

    def work() -> None:
        vote = run(get_vote(org_id(), vote_id))
        assert vote is not None
        close(vote_id, when=vote.closes_at + timedelta(seconds=1))

    off_the_browser_loop(work)


def skip_to_main(page: Page) -> None:
    """Tab to the skip link and follow it, as a keyboard user does to pass the header on each page."""
    page.keyboard.press("Tab")
    expect(page.locator(".govuk-skip-link")).to_be_focused()
    page.keyboard.press("Enter")


def tab_within_main(page: Page, target: Locator) -> None:
    """Tab to `target`, starting from the top of the page's main content when focus is not there yet."""
    # After a keyboard submit nothing waits for the new page's scripts; GOV.UK Frontend's set-up (the
    # skip link, the error summary's focus) must have run before the keys that depend on it.
    page.wait_for_load_state("load")
    if not page.evaluate("document.querySelector('main').contains(document.activeElement)"):
        skip_to_main(page)
    tab_to(page, target)


def press(page: Page, target: Locator, key: str = "Enter") -> None:
    tab_within_main(page, target)
    page.keyboard.press(key)


def continue_(page: Page, name: str = "Continue") -> None:
    press(page, page.get_by_role("button", name=name, exact=True))


def choose_radio(page: Page, label: str) -> None:
    """Tab into the radio group, then arrow keys until `label` is chosen (as a keyboard user does)."""
    radios = page.locator("input[type=radio][name=choice]")
    checked = page.locator("input[type=radio][name=choice]:checked")
    tab_within_main(page, checked if checked.count() else radios.first)
    wanted = page.get_by_label(label, exact=True)
    for _ in range(radios.count()):
        if wanted.is_checked():
            return
        page.keyboard.press("ArrowDown")
    expect(wanted).to_be_checked()


def h1(page: Page) -> str:
    return page.locator("h1").inner_text().strip()


def answers(page: Page) -> list[str]:
    rows = page.locator(".govuk-summary-list__row")
    return [
        f"{rows.nth(i).locator('dt').inner_text().strip()}: "
        f"{rows.nth(i).locator('.govuk-summary-list__value').inner_text().strip()}"
        for i in range(rows.count())
    ]


def open_the_vote(page: Page, title: str, easy_read: str) -> str:
    """From the list of votes to the vote's page, reading the easy read summary; returns its address."""
    page.goto("/o/riverside/votes")
    press(page, page.get_by_role("link", name=title, exact=True))
    expect(page.locator("h1")).to_contain_text(title)
    summary = page.locator("section.coop-easy-read")
    expect(summary.get_by_role("heading", name="In easy read")).to_be_visible()
    expect(summary).to_contain_text(easy_read)
    url = page.url
    press(page, page.get_by_role("button", name="Vote now"))
    page.wait_for_url(f"{url}/ballot")
    return url


def cast_and_keep_the_tracker(page: Page, checks: Checks) -> tuple[str, str]:
    """Cast; returns the tracking code (for after close) and the sealed ballot's fingerprint (while open)."""
    expect(page.locator("h1")).to_have_text("Check your vote before you cast it")
    checks.page(page, "check")
    continue_(page, "Cast my vote")
    expect(page.locator("h1")).to_have_text("Your vote has been cast")
    tracker = page.locator(".govuk-panel .coop-tracker").inner_text().strip()
    fingerprint = page.locator(".coop-fingerprint").inner_text().strip()
    assert TRACKER.match(tracker) and TRACKER.match(fingerprint), (tracker, fingerprint)
    checks.page(page, "receipt")
    return tracker, fingerprint


def look_up(page: Page, tracker: str, *, expected: str, checks: Checks) -> None:
    """On the bulletin board, type the tracking code into the form and press Enter."""
    expect(page.locator("h1")).to_have_text("Bulletin board")
    field = page.locator("#tracker")
    tab_within_main(page, field)
    page.keyboard.type(tracker.lower().replace("-", ""))  # case and dashes do not matter
    page.keyboard.press("Enter")
    expect(page.locator("#lookup-result")).to_contain_text(expected)
    checks.page(page, "board")


def vote_in(page: Page, kind: str, *, javascript: bool, checks: Checks) -> list[str]:
    """Answer the ballot by keyboard; returns what check your answers shows."""
    if kind == "motion":
        expect(page.locator("h1")).to_contain_text("how do you vote?")
        continue_(page)  # nothing chosen yet
        assert check_error_summary(page, javascript=javascript) == ["Select for, against or abstain"]
        choose_radio(page, "For")
        continue_(page)
    elif kind == "single":
        choose_radio(page, "Tuesday")
        continue_(page)
    elif kind == "approval":
        for label in ("Gardening", "Art"):
            press(page, page.get_by_label(label, exact=True), "Space")
        continue_(page)
    else:
        vote_ranked(page, javascript=javascript, checks=checks)
    expect(page.locator("h1")).to_have_text("Check your vote before you cast it")
    return answers(page)


def vote_ranked(page: Page, *, javascript: bool, checks: Checks) -> None:
    """The ranked ballot, one preference per page: forward, an error, back, change, stop."""
    expect(page.locator("h1")).to_have_text("Who is your 1st choice?")
    expect(page.get_by_label("I do not want to rank any more")).to_have_count(0)
    checks.page(page, "steps")
    choose_radio(page, "Cy")
    continue_(page)
    expect(page.locator("h1")).to_have_text("Who is your 2nd choice?")
    expect(page.locator("#choice-hint")).to_contain_text("Your choices so far: 1st Cy.")
    expect(page.get_by_label("Cy", exact=True)).to_have_count(0)  # not offered twice
    continue_(page)  # nothing chosen
    assert check_error_summary(page, javascript=javascript) == [
        "Select your 2nd choice, or select that you do not want to rank any more"
    ]
    checks.page(page, "steps")
    choose_radio(page, "Ann")
    continue_(page)
    expect(page.locator("h1")).to_have_text("Who is your 3rd choice?")
    continue_(page, "Back to your 2nd choice")
    expect(page.locator("h1")).to_have_text("Who is your 2nd choice?")
    expect(page.get_by_label("Ann", exact=True)).to_be_checked()
    choose_radio(page, "Di")
    continue_(page)
    expect(page.locator("h1")).to_have_text("Who is your 3rd choice?")
    choose_radio(page, "I do not want to rank any more")
    continue_(page)
    expect(page.locator("h1")).to_have_text("Check your vote before you cast it")
    assert answers(page) == ["1st choice: Cy", "2nd choice: Di"]
    # Change the 1st choice to Di: Di moves up and is not ranked twice.
    continue_(page, "Change your 1st choice")
    expect(page.locator("h1")).to_have_text("Who is your 1st choice?")
    expect(page.get_by_label("Cy", exact=True)).to_be_checked()
    choose_radio(page, "Di")
    continue_(page)
    expect(page.locator("h1")).to_have_text("Check your vote before you cast it")
    assert answers(page) == ["1st choice: Di"]
    continue_(page, "Add a 2nd choice")
    expect(page.locator("h1")).to_have_text("Who is your 2nd choice?")
    choose_radio(page, "Bo")
    continue_(page)
    expect(page.locator("h1")).to_have_text("Who is your 3rd choice?")
    choose_radio(page, "I do not want to rank any more")
    continue_(page)


EXPECTED = {
    "motion": (["Your vote: For"], "For"),
    "single": (["Your vote: Tuesday"], "Tuesday"),
    "approval": (["Your vote: Gardening, Art"], "Gardening, Art"),
    "ranked": (["1st choice: Di", "2nd choice: Bo"], "1st Di, 2nd Bo"),
    "stv": (["1st choice: Di", "2nd choice: Bo"], "1st Di, 2nd Bo"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_member_votes_checks_their_tracker_and_sees_the_result_after_close(
    kind: str,
    javascript: bool,
    app_database: None,
    new_page: Callable[..., Page],
    signed_in_states: Callable[[str], Any],
) -> None:
    title = f"Journey {kind} vote ({'with' if javascript else 'without'} JavaScript)"
    vote_id = make_vote(KINDS[kind], title)
    checks = Checks(frozenset(CHECKED_PAGES[kind] if javascript else ()))
    page = new_page(javascript=javascript, storage_state=signed_in_states(MEMBER))
    vote_url = open_the_vote(page, title, "We could share PAs.")
    shown, counted_as = EXPECTED[kind]
    assert vote_in(page, kind, javascript=javascript, checks=checks) == shown
    tracker, fingerprint = cast_and_keep_the_tracker(page, checks)
    press(page, page.get_by_role("link", name="bulletin board", exact=True))
    look_up(page, fingerprint, expected="is recorded", checks=checks)  # while open: the sealed ballot

    # Trying again: the ballot says they have already voted, and nothing more is counted.
    page.goto(f"{vote_url}/ballot")
    expect(page.locator("h1")).to_have_text("You have already voted")
    checks.page(page, "refused")
    page.goto(vote_url)
    expect(page.locator(".govuk-inset-text").first).to_contain_text("You have voted")

    # No result until the vote closes.
    page.goto(f"{vote_url}/results")
    expect(page.locator("h1")).to_have_text("There are no results yet")
    close_after_its_time(vote_id)
    page.goto(vote_url)
    press(page, page.get_by_role("link", name="See the result", exact=True))
    expect(page.locator("h1")).to_have_text(f"Result: {title}")
    expect(page.locator("figure.coop-figure svg[role=img]")).to_be_visible()
    assert chart_matches_table(page)
    checks.page(page, "results")
    page.goto(f"{vote_url}/board")
    look_up(page, tracker, expected=f"was counted as: {counted_as}", checks=Checks(frozenset()))


def chart_matches_table(page: Page) -> dict[str, str]:
    """The chart's numbers (from its description, as a screen reader hears it) against the data table's
    last column, option by option; returns the chart's numbers."""
    description = page.locator("#chart-desc").text_content() or ""
    charted = dict(part.rsplit(": ", 1) for part in description.split("; "))
    rows: list[list[str]] = page.eval_on_selector_all(
        "table.govuk-table:first-of-type tbody tr",
        "(trs) => trs.map((tr) => [tr.querySelector('th').firstChild.textContent.trim(),"
        " [...tr.querySelectorAll('td')].at(-1).textContent.trim()])",
    )
    table = dict((name, votes) for name, votes in rows)
    assert charted and all(table.get(name) == votes for name, votes in charted.items()), (charted, table)
    return charted


def chart_text_sizes(page: Page) -> list[float]:
    """The rendered height of each label in the results chart, in CSS pixels."""
    sizes: list[float] = page.eval_on_selector_all(
        "figure.coop-figure svg text", "(texts) => texts.map((t) => t.getBoundingClientRect().height)"
    )
    return sizes


def test_the_results_chart_text_is_at_least_the_body_size_at_320_and_1280_px(
    app_database: None, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    vote_id = make_vote(KINDS["single"], "Journey chart text size")
    close_after_its_time(vote_id)
    page = new_page(storage_state=signed_in_states(MEMBER))
    page.goto(f"/o/riverside/votes/{vote_id}/results")
    body = float(page.eval_on_selector("p.govuk-body", "(p) => parseFloat(getComputedStyle(p).fontSize)"))
    for viewport in (NARROW, DESKTOP):
        page.set_viewport_size(viewport)
        sizes = chart_text_sizes(page)
        assert sizes, "the chart has no text"
        # A glyph box is at least the font size for the line; allow a pixel for rounding (WCAG 1.4.4).
        assert min(sizes) >= body - 1, (viewport, body, sizes)
