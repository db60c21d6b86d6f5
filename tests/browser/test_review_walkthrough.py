"""The demo facility manager closes the open review round of the cleaning partnership; the demo
facilitator then opens it from the facilitation workspace, plans the session (everyone gets a
calendar invitation), walks two agenda items in session mode with both sides' scores on screen,
writes minutes, records an action, marks the round as discussed and publishes the report, which
shows the minutes and the action on the page and in the PDF."""

import datetime
import hashlib
import io
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import User
from reviews.calendar import TIME_ZONE
from reviews.models import (
    ActionItem,
    ActionOrigin,
    AgendaItem,
    AgendaKind,
    ReviewRound,
    RoundState,
)
from tests.demo_db import SIGN_IN_PASSWORD

from .conftest import in_english

PASSWORD = SIGN_IN_PASSWORD  # test-only: the demo password is refused with DEBUG off
FACILITY_MANAGER, FACILITATOR = "fm@stlucas.demo", "facilitator@samenverder.demo"
OWNER = "pl@cleancare.demo"
PARTNERSHIP = "Schoonmaak Sint-Lucas"
PLACE = "Sint-Lucas, vergaderzaal Schelde (B 2.14)"
MINUTES = "Both sides explain their scores; the supplier reports weekly from now on."
ACTION = "Weekly quality report to the facility manager"
WAIT = 30_000  # ms; generous, for a busy machine (the steps are usually done in a second)


@pytest.fixture
def demo(demo_live_db, live_server):
    in_english(FACILITY_MANAGER, FACILITATOR)


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


def session_times() -> tuple[datetime.datetime, datetime.datetime]:
    """A session that began an hour ago (Amsterdam time) and is under way: a round can only be
    marked as discussed once its session has started. Start and end fall on one day."""
    starts_at = timezone.localtime(timezone=TIME_ZONE) - datetime.timedelta(hours=1)
    starts_at = starts_at.replace(second=0, microsecond=0)
    ends_at = min(starts_at + datetime.timedelta(hours=2), starts_at.replace(hour=23, minute=59))
    return starts_at, ends_at


def settle(page, quiet: float = 1.2, timeout: float = 10.0) -> None:
    """Wait until no request has been under way for `quiet` seconds (longer than the minutes'
    save delay), so leaving the page aborts nothing."""
    state = {"open": 0, "last": time.monotonic()}

    def started(_request):
        state["open"] += 1
        state["last"] = time.monotonic()

    def ended(_request):
        state["open"] -= 1
        state["last"] = time.monotonic()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    try:
        deadline = time.monotonic() + timeout
        while state["open"] > 0 or time.monotonic() - state["last"] < quiet:
            assert time.monotonic() < deadline, "the page kept sending requests"
            page.wait_for_timeout(100)
    finally:
        page.remove_listener("request", started)
        page.remove_listener("requestfinished", ended)
        page.remove_listener("requestfailed", ended)


def press_confirmed(page, testid, timeout: float = WAIT):
    """Press a button that asks for confirmation (`data-confirm`) and accept the question."""
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(timeout=timeout):
        page.get_by_test_id(testid).click(no_wait_after=True)


@pytest.mark.browser
def test_facilitator_runs_the_session_and_publishes(browser_page, demo):
    page = browser_page.page
    page.set_default_timeout(WAIT)
    review_round = ReviewRound.objects.get(partnership__title=PARTNERSHIP, state=RoundState.OPEN)
    label = review_round.label
    owner = User.objects.get(email=OWNER)

    # The facility manager closes the open round by hand.
    login(browser_page, FACILITY_MANAGER)
    page.get_by_role("link", name=PARTNERSHIP, exact=True).first.click()
    page.get_by_role("link", name="Review rounds", exact=True).last.click()
    page.get_by_test_id("rounds").get_by_role("link", name=label, exact=True).click()
    press_confirmed(page, "round-close")
    page.wait_for_selector("[data-testid=round-results]")
    review_round.refresh_from_db()
    assert review_round.state == RoundState.CLOSED
    assert AgendaItem.objects.filter(round=review_round).count() >= 2  # the proposed agenda

    # The facilitator finds it waiting for a session and plans the session.
    login(browser_page, FACILITATOR)
    page.get_by_role("link", name="My actions", exact=True).first.click()
    page.get_by_test_id("workspace-link").click()  # the workspace: linked from "My actions"
    page.wait_for_url(browser_page.url("/facilitation/"))
    waiting = (
        page.get_by_test_id("waiting")
        .get_by_role("listitem")
        .filter(has_text=f"{PARTNERSHIP} · {label}")
    )
    waiting.get_by_role("link", name=f"{PARTNERSHIP} · {label}").click()
    page.wait_for_url(browser_page.url(review_round.get_absolute_url()))
    page.get_by_test_id("plan-session").click()
    starts_at, ends_at = session_times()
    page.get_by_label("Date").fill(starts_at.date().isoformat())
    page.get_by_label("Starts at").fill(starts_at.strftime("%H:%M"))
    page.get_by_label("Ends at").fill(ends_at.strftime("%H:%M"))
    page.get_by_label("Place").fill(PLACE)
    mail.outbox.clear()
    page.get_by_role("button", name="Plan and send the invitation").click()
    page.wait_for_url(browser_page.url(review_round.get_absolute_url()))
    assert PLACE in page.get_by_test_id("round-session").inner_text()
    invitations = [
        message
        for message in mail.outbox
        if any(_filename(a).endswith(".ics") for a in message.attachments)
    ]
    assert invitations, [m.subject for m in mail.outbox]
    assert FACILITY_MANAGER in {to for m in invitations for to in m.to}
    invite = next(a for a in invitations[0].attachments if _filename(a).endswith(".ics"))
    event = Calendar.from_ical(invite.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == starts_at
    assert str(event.get("LOCATION")) == PLACE

    # Session mode: the first item, then "next" to the second, an indicator: both sides' scores.
    first_item, second_item = AgendaItem.objects.filter(round=review_round).order_by(
        "position", "pk"
    )[:2]
    assert second_item.kind == AgendaKind.INDICATOR, "the demo's agenda changed"
    page.get_by_test_id("session-mode").click()
    expect(page.get_by_test_id("item-count")).to_contain_text("Item 1 of", timeout=WAIT)
    expect(page.get_by_role("heading", level=1)).to_have_text(first_item.title, timeout=WAIT)
    agenda_nav = page.get_by_role("navigation", name="Agenda items")
    agenda_nav.get_by_text("Next →", exact=True).click()
    expect(page.get_by_test_id("item-count")).to_contain_text("Item 2 of", timeout=WAIT)
    expect(page.get_by_role("heading", level=1)).to_have_text(second_item.title, timeout=WAIT)
    sides = page.get_by_test_id("indicator-sides")
    expect(sides.get_by_test_id("score-supplier")).to_have_text(re.compile(r"\d"), timeout=WAIT)
    expect(sides.get_by_test_id("score-client")).to_have_text(re.compile(r"\d"), timeout=WAIT)

    # Minutes, saved in place by htmx as the facilitator types (no reload, no button needed).
    page.evaluate("window.__noReload = true")
    minutes = page.get_by_test_id("minutes-form").locator("textarea")
    minutes.fill(MINUTES)
    minutes.blur()
    expect(page.locator("#minutes-status")).to_contain_text("Saved at", timeout=WAIT)
    settle(page)  # every save has answered before the page moves on
    assert page.evaluate("window.__noReload") is True
    second_item.refresh_from_db()
    assert second_item.minutes == MINUTES

    # An action, recorded under this item.
    page.get_by_text("Record an action").click()
    form = page.get_by_test_id("action-form")
    form.get_by_label("Action").fill(ACTION)
    form.get_by_label("Owner").select_option(str(owner.pk))
    form.get_by_label("Due date").fill((starts_at.date() + datetime.timedelta(days=30)).isoformat())
    form.get_by_role("button", name="Record the action").click()
    page.wait_for_selector(f"[data-testid=actions] a:has-text('{ACTION}')")

    # Back to the round page (session mode leads only to the agenda): discussed, then published.
    agenda_nav.get_by_text("Agenda", exact=True).click()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=label).click()
    page.wait_for_url(browser_page.url(review_round.get_absolute_url()))
    press_confirmed(page, "round-finish")
    expect(page.get_by_test_id("round-publish")).to_be_visible(timeout=WAIT)
    # In tests Celery runs eagerly: the request also renders the frozen PDFs (a worker's job).
    press_confirmed(page, "round-publish", timeout=90_000)
    expect(page.get_by_test_id("round-timeline")).to_contain_text("Published", timeout=WAIT)

    # The report: frozen, with the minutes and the action, on the page and in the stored PDF.
    page.get_by_test_id("round-report").click()
    expect(page.get_by_test_id("report-frozen")).to_contain_text("Published", timeout=WAIT)
    main = page.locator("main").inner_text()
    assert MINUTES in main and ACTION in main
    sha256 = page.get_by_test_id("report-sha256").inner_text().strip()
    pdf = page.request.get(page.get_by_test_id("report-download").get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.body()).hexdigest() == sha256  # the frozen file, not a new render
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert ACTION in " ".join(text.split())

    review_round.refresh_from_db()
    assert review_round.state == RoundState.PUBLISHED
    assert review_round.session.held_at == starts_at
    action = ActionItem.objects.get(title=ACTION)
    assert (action.origin, action.round_id, action.agenda_item_id, action.owner_id) == (
        ActionOrigin.SESSION,
        review_round.pk,
        second_item.pk,
        owner.pk,
    )
    agreed = review_round.report_snapshot["actions"]["agreed"]
    assert [a["title"] for a in agreed] == [ACTION]  # frozen in the published report
    frozen = {i["title"]: i["minutes"] for i in review_round.report_snapshot["agenda"]["items"]}
    assert frozen[second_item.title] == MINUTES
    browser_page.assert_no_problems()


def _filename(attachment) -> str:
    if hasattr(attachment, "get_filename"):
        return attachment.get_filename() or ""
    return attachment[0] or ""
