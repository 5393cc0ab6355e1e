"""Browser tests: the real app (`coop demo` + `coop serve`) on a loopback port, driven by Debian's Chromium.

The app keeps its production cookie settings (`Secure`, `__Host-` prefix): Chromium treats
http://127.0.0.1 as a secure context and accepts them, so the tests see what users get.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    sync_playwright,
)

from tests.e2e.checks import DESKTOP, WITHOUT_JAVASCRIPT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "correct horse battery staple"
HEALTH_TRIES = 600  # about a minute: a loaded CI machine can take a while to import and migrate
BIN = Path(sys.executable).parent

# Reports every CSP violation to Python as it happens (a binding, so it survives navigation and CSP).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__coopCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
}, true);
"""


@dataclass(frozen=True)
class Server:
    base_url: str
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=0.1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """`coop demo` into a temporary SQLite database, then `coop serve` until the session ends."""
    tmp = Path(tempfile.mkdtemp(prefix="coop-e2e-"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "COOP_DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite3'}",
        "COOP_DEMO_PASSWORD": DEMO_PASSWORD,
        "COOP_ARGON2_MEMORY_KIB": "8",
        "COOP_ARGON2_TIME_COST": "1",
        "COOP_TELLER_ARGON2_MEMORY_KIB": "8",
        "COOP_TELLER_ARGON2_TIME_COST": "1",
        "COOP_BASE_URL": base_url,
        "COOP_SECRET_KEY": "e2e secret key that is long enough to sign csrf tokens",
        "PICCOLO_CONF": "coop.piccolo_conf",
    }
    env.pop("COOP_SECURE_COOKIES", None)  # production cookies: see the module docstring
    env.pop("COOP_SMTP_HOST", None)  # emails go to the outbox, where the tests read them
    log = tmp / "server.log"
    demo = subprocess.run(
        [BIN / "coop", "demo"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert demo.returncode == 0, f"coop demo failed:\n{demo.stdout}\n{demo.stderr}"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [BIN / "coop", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(HEALTH_TRIES):
            if process.poll() is not None:
                pytest.fail(f"coop serve exited with {process.returncode}:\n{log.read_text()}")
            if _healthy(base_url + "/healthz"):
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)  # bounded pause between tries that also notices an early exit
        else:
            pytest.fail(f"coop serve did not answer /healthz after {HEALTH_TRIES} tries:\n{log.read_text()}")
        yield Server(base_url=base_url, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # Fail, never skip: CI installs Chromium (apt-get install chromium), and a skipped browser suite
    # would let accessibility regressions through unnoticed.
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium`")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Watch:
    """Problems a browser context reported: CSP violations, console errors, failed sub-resources."""

    problems: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        # "Failed to load resource" also fires for pages we fetch on purpose (a 404 page, a 422 form) and
        # for Chromium's own /favicon.ico request; sub-resources are checked through `on_response`.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_response(self, response: Response) -> None:
        # A 422 to htmx is a form answered with its errors (swapped in place), not a failed resource.
        answered_form = response.status == 422 and response.request.resource_type in ("xhr", "fetch")
        if response.request.resource_type != "document" and response.status >= 400 and not answered_form:
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def on_page_error(self, error: Exception) -> None:
        self.problems.append(f"uncaught script error: {error}")


@dataclass
class Contexts:
    browser: Browser
    server: Server
    opened: list[tuple[BrowserContext, Watch]] = field(default_factory=list)

    def new(
        self, *, javascript: bool = True, viewport: dict[str, int] | None = None, storage_state: Any = None
    ) -> Page:
        """A fresh browser context (its own cookies) with one page, watched for CSP and console errors."""
        context = self.browser.new_context(
            base_url=self.server.base_url,
            java_script_enabled=javascript,
            viewport=viewport or DESKTOP,
            locale="en-GB",
            storage_state=storage_state,
        )
        if not javascript:
            WITHOUT_JAVASCRIPT.add(context)
        watch = Watch()
        context.expose_binding("__coopCspViolation", lambda _, text: watch.problems.append(f"CSP: {text}"))
        context.add_init_script(CSP_LISTENER)
        context.on("console", watch.on_console)
        context.on("response", watch.on_response)
        context.on("weberror", lambda error: watch.on_page_error(error.error))
        context.set_default_timeout(10_000)
        self.opened.append((context, watch))
        return context.new_page()

    def problems(self) -> list[str]:
        return [problem for _, watch in self.opened for problem in watch.problems]

    def close(self) -> None:
        for context, _ in self.opened:
            context.close()


@pytest.fixture
def contexts(browser: Browser, server: Server) -> Iterator[Contexts]:
    """Opens browser contexts for a test, then asserts none saw a CSP violation or console error (S19)."""
    opened = Contexts(browser, server)
    try:
        yield opened
        problems = opened.problems()
        assert not problems, "the browser reported problems:\n" + "\n".join(problems)
    finally:
        opened.close()


@pytest.fixture
def new_page(contexts: Contexts) -> Callable[..., Page]:
    return contexts.new


@pytest.fixture(scope="session")
def signed_in_states(browser: Browser, server: Server) -> Callable[[str], Any]:
    """Sign a person in once per session and reuse the cookies. Sign-ins from one address are throttled
    (20 a minute), so tests that are not about signing in reuse a session instead of spending attempts."""
    cache: dict[str, Any] = {}

    def state_for(email: str) -> Any:
        if email not in cache:
            context = browser.new_context(base_url=server.base_url)
            try:
                page = context.new_page()
                page.goto("/sign-in")
                page.locator("#email").fill(email)
                page.locator("#password").fill(DEMO_PASSWORD)
                page.locator("form[action='/sign-in'] button[type=submit]").click()
                page.wait_for_url(server.base_url + "/")
                assert page.locator("h1").inner_text() == "Your organisations"
                cache[email] = context.storage_state()
            finally:
                context.close()
        return cache[email]

    return state_for
