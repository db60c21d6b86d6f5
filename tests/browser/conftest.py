"""Real headless Chromium (Debian's, not a Playwright download) against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls from a
thread with a running loop unless told that this is safe; in tests it is.
"""

import os
from dataclasses import dataclass, field

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from django.test.utils import override_settings  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from pytest_django.live_server_helper import LiveServer  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started over plain HTTP.

    Its middleware is built once, when the server thread starts, so the per-test settings of
    tests/conftest.py come too late for SecurityMiddleware: with DEBUG off it would redirect every
    request to https://, which the live server does not speak.
    """
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class BrowserPage:
    """A page plus everything that went wrong in it: console errors (CSP violations among them),
    uncaught exceptions, and requests to our own server that failed or answered >= 400."""

    page: object
    base_url: str
    problems: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def assert_no_problems(self) -> None:
        assert not self.problems, "The browser reported:\n" + "\n".join(self.problems)


@pytest.fixture
def browser_page(browser, live_server):
    # A Dutch browser: Dutch is also the site default, so the switch to English must beat both.
    context = browser.new_context(locale="nl-NL", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    bp = BrowserPage(page=page, base_url=live_server.url)

    def on_console(message):
        if message.type == "error":
            bp.problems.append(f"console error: {message.text} ({message.location})")

    def on_response(response):
        if response.url.startswith(live_server.url) and response.status >= 400:
            bp.problems.append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: bp.problems.append(f"uncaught exception: {exc}"))
    page.on("requestfailed", lambda req: bp.problems.append(f"request failed: {req.url}"))
    page.on("response", on_response)
    yield bp
    context.close()


def in_english(*emails: str) -> None:
    """The demo personas a walkthrough signs in as read the app in English (the default is
    Dutch), so the test can name buttons by their English text."""
    from accounts.models import User

    assert User.objects.filter(email__in=emails).update(language="en") == len(emails)
