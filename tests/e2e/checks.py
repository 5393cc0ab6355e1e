"""Checks run on every page in the browser: axe-core (A1), reflow at 320 px (A9), page basics (A17),
consistent help (A13), and keyboard helpers that never touch the mouse (A3)."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}

# Contexts opened with JavaScript off. Chromium then runs no timers, and axe yields to the event loop
# with timers, so for those pages it gets timers that are microtasks (the page's own scripts never run).
WITHOUT_JAVASCRIPT: weakref.WeakSet[BrowserContext] = weakref.WeakSet()

SYNC_TIMERS = """() => {
  window.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.clearTimeout = () => {};
  window.requestAnimationFrame = (fn) => { Promise.resolve().then(() => fn(performance.now())); return 0; };
}"""

RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((result) => result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                                summary: (n.failureSummary || "").split("\\n").slice(0, 2).join(" ")})),
  })))"""

FIRST_FOCUSABLE = """() => {
  const candidates = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex], [contenteditable]");
  const first = [...candidates].find((el) => el.tabIndex >= 0 && !el.disabled
    && !el.closest("dialog:not([open]), [hidden], [inert]") && el.getClientRects().length > 0);
  return first ? first.outerHTML.slice(0, 160) : null;
}"""

HELP_LINKS = """() => {
  const items = [...document.querySelectorAll("header nav > ul > li")];
  const footer = [...document.querySelectorAll("footer a")];
  return {
    header: items.map((li) => li.querySelector("a")?.getAttribute("href") ?? "(form)"),
    footerFirst: footer.length ? [footer[0].textContent.trim(), footer[0].getAttribute("href")] : null,
  };
}"""

FOCUS_INDICATOR = r"""(el) => {
  // GOV.UK radios and checkboxes hide the native input and draw focus on the label's ::before box.
  const drawn = /govuk-(checkboxes|radios)__input/.test(el.className) && el.labels.length;
  const style = drawn ? getComputedStyle(el.labels[0], "::before") : getComputedStyle(el);
  // GOV.UK's transparent outline only shows in forced-colours mode; what most people see is the
  // shadow, a visible outline or the yellow focus background.
  const visible = (colour) => !/^(transparent|rgba\(.*,\s*0\))$/.test(colour);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
    && visible(style.outlineColor);
  const shadow = style.boxShadow !== "none";
  const yellow = style.backgroundColor === "rgb(255, 221, 0)";
  return outline || shadow || yellow;
}"""


@dataclass(frozen=True)
class PageFacts:
    url: str
    title: str


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now (injected with evaluate: CSP allows it)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
        if page.context in WITHOUT_JAVASCRIPT:
            page.evaluate(SYNC_TIMERS)
    result: list[dict[str, Any]] = page.evaluate(RUN_AXE, AXE_TAGS)
    return result


def describe_violations(violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"axe {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        lines.extend(f"    {n['target']}  {n['html']}\n      {n['summary']}" for n in v["nodes"])
    return lines


def accessibility_problems(page: Page, *, reflow: bool = True) -> list[str]:
    """A1 and A9: axe at 1280×800 and at 320×640, and no sideways scrolling at 320 px."""
    problems = [f"[1280px] {line}" for line in describe_violations(axe_violations(page))]
    if reflow:
        page.set_viewport_size(NARROW)
        try:
            problems += [f"[320px] {line}" for line in describe_violations(axe_violations(page))]
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > NARROW["width"]:
                problems.append(f"[320px] page scrolls sideways: scrollWidth {width} > 320 (WCAG 1.4.10)")
        finally:
            page.set_viewport_size(DESKTOP)
    return problems


def basics_problems(page: Page) -> list[str]:
    """A17 (language, one h1, a title, skip link first), A13 (help in the same place) and A11 (password
    fields a password manager can fill)."""
    problems = []
    lang = page.evaluate("document.documentElement.getAttribute('lang')")
    if lang != "en-GB":
        problems.append(f'<html lang="{lang}">, expected "en-GB"')
    h1s = page.locator("h1").count()
    if h1s != 1:
        problems.append(f"{h1s} <h1> elements, expected exactly 1")
    if not page.title().strip():
        problems.append("empty <title>")
    first = page.evaluate(FIRST_FOCUSABLE)
    if first is None or 'class="govuk-skip-link"' not in first or 'href="#main-content"' not in first:
        problems.append(f"the first focusable element is not the skip link: {first}")
    if page.locator("main#main-content").count() != 1:
        problems.append("the skip link's target main#main-content is missing")
    for field_id, autocomplete in page.eval_on_selector_all(
        "input[type=password]", "(inputs) => inputs.map((i) => [i.id, i.getAttribute('autocomplete')])"
    ):
        if autocomplete not in {"current-password", "new-password"}:  # password managers (A11, 3.3.8)
            problems.append(f'password field #{field_id} has autocomplete="{autocomplete}"')
    help_links = page.evaluate(HELP_LINKS)
    header = help_links["header"]
    # Signed in or not, Help is the last link before "Sign in" / the "Sign out" button.
    if len(header) < 2 or header[-2] != "/help":
        problems.append(f"the header's Help link is not second from the end: {header} (WCAG 3.2.6)")
    if help_links["footerFirst"] != ["Help and contact", "/help"]:
        first_link = help_links["footerFirst"]
        problems.append(f"the footer does not start with Help and contact: {first_link} (WCAG 3.2.6)")
    return problems


def page_problems(page: Page, *, reflow: bool = True) -> list[str]:
    """Every check that applies to any page, as one message per problem found. Waits for the page's load
    event first: a page checked before its stylesheet arrives measures unstyled links (axe target-size)."""
    page.wait_for_load_state("load")
    problems = basics_problems(page) + accessibility_problems(page, reflow=reflow)
    return [f"{page.url} ({page.title()!r}):\n" + "\n".join(problems)] if problems else []


def check_page(page: Page, *, reflow: bool = True) -> PageFacts:
    """Every check that applies to any page; one assertion listing everything wrong."""
    problems = page_problems(page, reflow=reflow)
    assert not problems, problems[0]
    return PageFacts(url=page.url, title=page.title())


def active_element(page: Page) -> str:
    """A short description of the focused element: tag, id and text."""
    result: str = page.evaluate(
        "() => { const e = document.activeElement;"
        " return `${e.tagName.toLowerCase()}#${e.id} ${(e.textContent || '').trim().slice(0, 60)}`; }"
    )
    return result


FOCUSED_HAS_INDICATOR = f"""() => {{
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  return ({FOCUS_INDICATOR})(el);
}}"""


def _lost_to_navigation(error: PlaywrightError) -> bool:
    """A check that a navigation cut short: the page it ran on is gone, so it tells nothing."""
    return "Execution context was destroyed" in str(error) or "navigat" in str(error)


def tab_to(page: Page, target: Locator, *, max_presses: int = 120) -> None:
    """Press Tab (only Tab) until `target` has focus, checking every stop shows a focus indicator (A3)."""
    # A page's text can be in place before its stylesheet has loaded; a focus style checked then is missing
    # only because the CSS is not there yet (it has happened on a busy CI machine).
    page.wait_for_load_state("load")
    target = target.first
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        # A form sent just before (a plain GET or POST) may still be loading its next page: wait for it
        # (and its stylesheet) if so, then read the focused element and check it in one step, so that no
        # check spans two pages.
        page.wait_for_load_state("load")
        try:
            indicated = page.evaluate(FOCUSED_HAS_INDICATOR)
            arrived = target.evaluate("(el) => el === document.activeElement")
        except PlaywrightError as error:
            if not _lost_to_navigation(error):
                raise
            page.wait_for_load_state("load")
            continue
        assert indicated is not False, f"no visible focus indicator on {active_element(page)}"
        if arrived:
            return
    raise AssertionError(f"Tab ×{max_presses} did not reach {target}; focus is on {active_element(page)}")


def follow_link(page: Page, name: str | re.Pattern[str]) -> None:
    """Tab to a link and press Enter."""
    tab_to(
        page,
        page.get_by_role("link", name=name, exact=True)
        if isinstance(name, str)
        else page.get_by_role("link", name=name),
    )
    page.keyboard.press("Enter")


def press_button(page: Page, button: str) -> None:
    """Tab to a button (or a link with the button role) and press Enter."""
    tab_to(page, page.get_by_role("button", name=button, exact=True))
    page.keyboard.press("Enter")


def choose_radio(page: Page, label: str) -> None:
    """Select a radio by keyboard: Tab into its group, then Space and arrow keys until it is selected."""
    target = page.get_by_label(label, exact=True)
    group = page.locator(f"input[type=radio][name='{target.get_attribute('name')}']")
    checked = group.locator("xpath=self::*[@checked]")
    tab_to(page, checked if checked.count() else group.first)
    page.keyboard.press("Space")
    for _ in range(group.count()):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    expect(target).to_be_checked()


def fill_by_keyboard(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


def sign_in_by_keyboard(page: Page, email: str, password: str) -> None:
    """From the sign-in page: Tab to each field, type, press Enter."""
    page.goto("/sign-in")
    fill_by_keyboard(page, page.locator("#email"), email)
    fill_by_keyboard(page, page.locator("#password"), password)
    page.keyboard.press("Enter")


def check_error_summary(page: Page, *, javascript: bool) -> list[str]:
    """A7: "Error: " title, the summary (focused when JavaScript runs), each link's text equal to the
    field's own message, and each link moving focus to its field. Returns the messages."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.locator(".govuk-error-summary__title")).to_have_text("There is a problem")
    if javascript:
        expect(summary).to_be_focused()  # GOV.UK Frontend's ErrorSummary moves focus to it
    links = summary.locator("a")
    assert links.count() >= 1, "an error summary with no links to the fields"
    messages = []
    for i in range(links.count()):
        link = links.nth(i)
        field_id = (link.get_attribute("href") or "").removeprefix("#")
        message = link.inner_text().strip()
        # A date's summary link goes to its day field; GOV.UK's date input keeps the message on the group.
        error_id = field_id.removesuffix("_day") if field_id.endswith("_day") else field_id
        expect(page.locator(f"#{error_id}-error")).to_have_text(
            re.compile(rf"^\s*Error:\s*{re.escape(message)}\s*$")
        )
        link.focus()
        page.keyboard.press("Enter")
        expect(page.locator(f"#{field_id}")).to_be_focused()
        messages.append(message)
    return messages


def outbox_row(admin: Page, address: str, subject: str) -> Locator:
    """The newest email to `address` about `subject` in the site admin's outbox. The server's background
    worker writes it a moment after the request that asked for it, so look again until it is there."""
    for _ in range(100):
        admin.goto("/admin/outbox")
        row = admin.locator("tbody tr", has_text=address).filter(has_text=subject).first
        if row.count():
            return row
        admin.wait_for_timeout(100)
    raise AssertionError(f"no email to {address} about {subject!r} in the outbox")
