"""The demo facility manager signs in, opens the cleaning partnership and switches to English."""

import pytest

from accounts.models import User
from tests.demo_db import SIGN_IN_PASSWORD

DEMO_EMAIL = "fm@stlucas.demo"
DEMO_PASSWORD = SIGN_IN_PASSWORD  # test-only: the demo password is refused with DEBUG off
DEMO_PARTNERSHIP = "Schoonmaak Sint-Lucas"
DEMO_EMERGENCY = "+31 88 123 4567"


@pytest.fixture
def demo(demo_live_db, live_server):
    return User.objects.get(email=DEMO_EMAIL)


def _assert_assets_loaded(page) -> None:
    """Bootstrap's CSS and our scripts arrived and ran under the Content-Security-Policy."""
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"


@pytest.mark.browser
def test_facility_manager_signs_in_opens_partnership_and_switches_to_english(browser_page, demo):
    page = browser_page.page

    page.goto(browser_page.url("/accounts/login/"))
    assert page.get_attribute("html", "lang") == "nl"  # the default, and the browser's language
    page.fill("input[name=login]", DEMO_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
        "[type=submit]"
    ).click()

    page.wait_for_url(browser_page.url("/"))
    card = page.get_by_role("link", name=DEMO_PARTNERSHIP, exact=True)
    assert card.count() >= 1, "the dashboard lists the demo partnership"
    _assert_assets_loaded(page)

    card.first.click()
    page.wait_for_url("**/partnerships/*/")
    assert DEMO_EMERGENCY in page.get_by_test_id("emergency-number").inner_text()
    assert page.get_attribute("html", "lang") == "nl"
    # In Dutch the tab reads "Overzicht"; only the switch below makes it "Overview".
    assert page.get_by_role("link", name="Overzicht", exact=True).first.is_visible()
    assert page.get_by_role("link", name="Overview", exact=True).count() == 0
    overview_url = page.url

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.url == overview_url, "the switch returns to the page it was made on"
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("link", name="Dashboard", exact=True).first.is_visible()
    assert page.get_by_role("link", name="Overview", exact=True).first.is_visible()
    assert DEMO_EMERGENCY in page.get_by_test_id("emergency-number").inner_text()

    page.reload()  # the choice is remembered, although the browser still asks for Dutch
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("link", name="Overview", exact=True).first.is_visible()
    page.goto(browser_page.url("/"))
    assert page.get_attribute("html", "lang") == "en"
    _assert_assets_loaded(page)

    demo.refresh_from_db()
    assert demo.language == "en", "a signed-in user's choice is kept on their profile"
    browser_page.assert_no_problems()


@pytest.mark.browser
def test_csp_blocks_inline_script_and_the_browser_check_notices(browser_page):
    """The console check above is not blind: an inline script is refused and reported."""
    page = browser_page.page
    page.goto(browser_page.url("/accounts/login/"))
    browser_page.assert_no_problems()
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.head.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined")
    assert any("Content Security Policy" in p for p in browser_page.problems), browser_page.problems
