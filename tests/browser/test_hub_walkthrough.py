"""The demo facility manager opens a complaint in the hub; the project leader previews and answers
it without a page reload and uploads a new version of a work instruction; the facility manager
sees the unread badge, the answer and the new version."""

import pytest

from messaging.models import Document, Thread
from tests.demo_db import SIGN_IN_PASSWORD

from .conftest import in_english

PASSWORD = SIGN_IN_PASSWORD  # test-only: the demo password is refused with DEBUG off
FACILITY_MANAGER, PROJECT_LEADER = "fm@stlucas.demo", "pl@cleancare.demo"
PARTNERSHIP = "Schoonmaak Sint-Lucas"
SUBJECT = "Spoelruimte afdeling C3 niet schoongemaakt"
ANSWER = "We sturen vanmiddag iemand langs en passen de **werkinstructie** aan."
INSTRUCTION = "Werkinstructie reiniging OK-complex"


@pytest.fixture
def demo(demo_live_db, live_server):
    in_english(FACILITY_MANAGER, PROJECT_LEADER)


def login(bp, email):
    page = bp.page
    page.context.clear_cookies()
    page.goto(bp.url("/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
        "[type=submit]"
    ).click()
    page.wait_for_url(bp.url("/"))


def open_hub(page):
    page.get_by_role("link", name=PARTNERSHIP, exact=True).first.click()
    page.get_by_role("link", name="Hub", exact=True).last.click()


@pytest.mark.browser
def test_complaint_answer_and_new_version(browser_page, demo, tmp_path):
    page = browser_page.page
    badge = page.locator("[data-testid=hub-unread]")

    # The facility manager clears the demo's unread threads, then opens a complaint.
    login(browser_page, FACILITY_MANAGER)
    page.goto(browser_page.url("/hub/"))
    page.get_by_role("button", name="Mark all read").click()
    assert badge.count() == 0
    page.goto(browser_page.url("/"))
    open_hub(page)
    page.get_by_test_id("new-thread").click()
    page.select_option("select[name=category]", "complaint")
    page.fill("input[name=subject]", SUBJECT)
    page.select_option("select[name=priority]", "high")
    page.fill("textarea[name=body]", "Vanochtend stond de spoelruimte van C3 nog vol.")
    page.get_by_role("button", name="Open thread").click()
    page.wait_for_selector(f"h1:has-text('{SUBJECT}')")
    thread = Thread.objects.get(subject=SUBJECT)
    assert (thread.category, thread.visibility, thread.first_response_at) == (
        "complaint",
        "shared",
        None,
    )

    # The project leader sees it as unread, answers in place and uploads a new version.
    login(browser_page, PROJECT_LEADER)
    assert int(badge.inner_text().split()[0]) >= 1
    open_hub(page)
    page.get_by_role("link", name=SUBJECT).click()
    page.evaluate("window.__noReload = true")
    page.fill("#reply-form textarea[name=body]", ANSWER)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("[data-testid=preview] strong:has-text('werkinstructie')")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_selector("#messages strong:has-text('werkinstructie')")  # the rendered Markdown
    assert page.evaluate("window.__noReload") is True  # swapped in by htmx, no reload
    assert page.input_value("#reply-form textarea[name=body]") == ""
    thread.refresh_from_db()
    assert thread.first_response_at is not None

    document = Document.objects.get(title=INSTRUCTION)
    versions_before = document.versions.count()
    new_file = tmp_path / "wi-ok-complex-v-nieuw.pdf"
    new_file.write_bytes(b"%PDF-1.4\n% new version of the instruction\n")
    page.get_by_role("link", name="Documents", exact=True).last.click()
    page.get_by_role("link", name=INSTRUCTION).click()
    page.set_input_files("input[name=file]", str(new_file))
    page.fill("input[name=note]", "Spoelruimtes toegevoegd")
    page.get_by_role("button", name="Upload version").click()
    page.wait_for_selector("text=Spoelruimtes toegevoegd")
    assert document.versions.count() == versions_before + 1

    # The facility manager sees the badge, the answer and the new version.
    login(browser_page, FACILITY_MANAGER)
    assert badge.inner_text().split()[0] == "1"
    open_hub(page)
    row = page.locator("[data-testid=thread-row]").first
    assert SUBJECT in row.inner_text() and "new" in row.inner_text()
    row.get_by_role("link", name=SUBJECT).click()
    assert "werkinstructie" in page.inner_text("main")
    assert badge.count() == 0  # read now
    page.get_by_role("link", name="Documents", exact=True).last.click()
    page.get_by_role("link", name=INSTRUCTION).click()
    newest = page.locator("[data-testid=version-row]").first
    assert str(versions_before + 1) in newest.inner_text()
    assert "Spoelruimtes toegevoegd" in newest.inner_text()
    browser_page.assert_no_problems()
