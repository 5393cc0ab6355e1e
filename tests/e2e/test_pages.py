"""Every page the app serves to each kind of person, checked in Chromium: axe-core at 1280 and 320 px,
reflow, page basics, skip link, consistent help (A1, A9, A13, A17), with no CSP violation (S19)."""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import PageFacts, axe_violations, check_page, page_problems
from tests.e2e.conftest import Contexts, Server

pytestmark = pytest.mark.e2e

# The secretary reaches about 110 pages on the bare demo (with the board, constitution, API reference,
# reversals and audit check pages); journeys that add records add a few more, and each organisation a
# journey founds with her in it about 60 more (the limit only catches links that make new addresses).
MAX_PAGES = 300
MAX_PER_ROUTE = 3  # records of one kind share a template: check a few members, not the whole register
ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
UUID_ROUTE = "{id}"
FILE_NAME = re.compile(r"\.[A-Za-z0-9]{2,4}$")

SIGNED_OUT_PAGES = [
    "/",
    "/sign-in",
    "/password-reset",
    "/password-reset/no-such-link",
    "/start",  # visitors are asked to create an account (or sign in) first
    "/sign-up",
    "/sign-up/verify/no-such-link",
    "/help",
    "/accessibility",
    "/o/riverside/join",  # public: where people apply to join an organisation
]

# People and the pages each must reach by following links (so a broken crawl cannot pass by visiting nothing).
PEOPLE: dict[str, tuple[str, set[str], set[str]]] = {
    "secretary": (
        "helen@riverside.example",
        {
            "/",
            "/account",
            "/account/password",
            "/account/api-tokens",
            "/api/v1/reference",
            "/help",
            "/accessibility",
            "/o/riverside/",
            "/o/riverside/members",
            "/o/riverside/members/{id}",
            "/o/riverside/audit",
            "/o/riverside/board",
            "/o/riverside/board/appoint",
            "/o/riverside/board/{id}/end",
            "/o/riverside/documents/community-interest-report",
            "/o/riverside/community-interest-report",
            "/o/riverside/votes/teller-passphrase",
        },
        {"/admin/outbox"},
    ),
    "member": (
        "jamie@riverside.example",
        {
            "/",
            "/account",
            "/account/password",
            "/help",
            "/accessibility",
            "/o/riverside/",
            "/o/riverside/members",
            "/o/riverside/members/{id}",
            "/o/riverside/board",
            "/o/riverside/board/print",
            "/o/riverside/votes/teller-passphrase",
        },
        {"/o/riverside/audit", "/admin/outbox", "/o/northfield/", "/o/riverside/board/appoint"},
    ),
    "site admin": (
        "admin@coop.example",
        {
            "/",
            "/account",
            "/account/password",
            "/help",
            "/accessibility",
            "/admin/outbox",
            "/admin/outbox/{id}",
        },
        {"/o/riverside/"},
    ),
}


def route_of(path: str) -> str:
    """The page a URL shows, whichever record: ids become {id} and the query string is dropped."""
    return "/".join(UUID_ROUTE if ID_SEGMENT.match(part) else part for part in urlsplit(path).path.split("/"))


def same_origin_links(page: Page, server: Server) -> list[str]:
    links = []
    # Links with `download` or to a file name (results.csv, data.json) fetch a file, not a page.
    for href in page.eval_on_selector_all("a[href]:not([download])", "(links) => links.map((a) => a.href)"):
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != server.base_url or FILE_NAME.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/static/") or "sign-out" in path:
            continue
        links.append(path)
    return links


def crawl(page: Page, server: Server) -> list[PageFacts]:
    """Breadth-first from the home page over same-origin links, checking each page once."""
    queue, seen, facts, problems = deque(["/"]), {"/"}, [], []
    per_route: Counter[str] = Counter()
    while queue:
        path = queue.popleft()
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, f"{path} answered {response.status}"
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("text/html"):
            problems.append(f"{path} is served as {content_type!r}, so the browser shows it as text")
            continue
        problems += page_problems(page)
        facts.append(PageFacts(url=page.url, title=page.title()))
        for link in same_origin_links(page, server):
            if link not in seen:
                seen.add(link)
                per_route[route_of(link)] += 1
                if per_route[route_of(link)] <= MAX_PER_ROUTE:
                    queue.append(link)
        assert len(facts) <= MAX_PAGES, f"more than {MAX_PAGES} pages: is a link generating new addresses?"
    assert not problems, f"{len(problems)} of {len(facts)} pages have problems:\n\n" + "\n\n".join(problems)
    return facts


def assert_titles_unique(facts: list[PageFacts]) -> None:
    """A17: a different page has a different title (records of one kind share a page, so their route)."""
    routes_by_title: dict[str, set[str]] = {}
    for fact in facts:
        routes_by_title.setdefault(fact.title, set()).add(route_of(urlsplit(fact.url).path))
    shared = {title: routes for title, routes in routes_by_title.items() if len(routes) > 1}
    assert not shared, f"pages sharing a title: {shared}"


@pytest.mark.parametrize("role", list(PEOPLE))
def test_every_page_a_person_can_reach_is_accessible(
    role: str, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any], server: Server
) -> None:
    email, must_reach, must_not_reach = PEOPLE[role]
    if role == "site admin":
        # Put an email in the outbox so the crawl reaches a message page.
        page = new_page()
        page.goto("/password-reset")
        page.locator("#email").fill("grace@riverside.example")
        page.get_by_role("button", name="Send the link").click()
        expect(page.locator("h1")).to_have_text("Check your email")
        check_page(page)
    page = new_page(storage_state=signed_in_states(email))
    facts = crawl(page, server)
    reached = {route_of(fact.url.removeprefix(server.base_url)) for fact in facts}
    assert must_reach <= reached, f"the crawl did not reach {must_reach - reached}"
    assert not (must_not_reach & reached), f"{role} reached {must_not_reach & reached}"
    assert_titles_unique(facts)


def test_signed_out_pages_are_accessible(new_page: Callable[..., Page], server: Server) -> None:
    page = new_page()
    facts, problems = [], []
    for path, status in [*((path, 200) for path in SIGNED_OUT_PAGES), ("/no-such-page", 404)]:
        response = page.goto(path)
        assert response is not None, path
        assert response.status == status, f"{path} answered {response.status}"
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("text/html"):
            problems.append(f"{path} is served as {content_type!r}, so the browser shows it as text")
            continue
        problems += page_problems(page)
        facts.append(PageFacts(url=page.url, title=page.title()))
    assert not problems, f"{len(problems)} signed-out pages have problems:\n\n" + "\n\n".join(problems)
    expect(page.locator("h1")).to_have_text("Page not found")
    # Signed-out visitors are sent to sign in, and come back afterwards.
    page.goto("/o/riverside/members")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/o/riverside/members$"))
    assert_titles_unique(facts)
    titles = [fact.title for fact in facts]
    assert len(set(titles)) == len(titles), f"signed-out pages sharing a title: {titles}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_csp_watch_and_axe_catch_problems(javascript: bool, contexts: Contexts) -> None:
    """The detectors themselves: an inline style breaks the CSP (seen by the page's listener when
    JavaScript runs, and in the console either way), and an image without alt fails axe."""
    page = contexts.new(javascript=javascript)
    page.goto("/help")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            "() => { const s = document.createElement('style'); s.textContent = 'body { color: red }';"
            " document.head.append(s); }"
        )
    page.evaluate("() => document.body.append(Object.assign(document.createElement('img'), {src: 'data:,'}))")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
    caught = contexts.problems()
    assert any(p.startswith("console error: Applying inline style violates") for p in caught), caught
    if javascript:
        assert any(p.startswith("CSP: style-src") for p in caught), caught
    for _, watch in contexts.opened:
        watch.problems.clear()  # the violations above were made on purpose
