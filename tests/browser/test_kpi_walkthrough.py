"""The demo project leader reports a red value and records an inspection; the demo facility
manager sees the red status and disputes the value."""

import datetime

import pytest

from partnership.periods import Period
from tests.demo_db import SIGN_IN_PASSWORD

from .conftest import in_english

PASSWORD = SIGN_IN_PASSWORD  # test-only: the demo password is refused with DEBUG off


@pytest.fixture
def demo(demo_live_db, live_server):
    in_english("pl@cleancare.demo", "fm@stlucas.demo")


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


@pytest.mark.browser
def test_red_value_inspection_and_dispute(browser_page, demo):
    page = browser_page.page
    last = Period.containing(datetime.date.today(), "monthly").previous()

    login(browser_page, "pl@cleancare.demo")
    page.get_by_role("link", name="Schoonmaak Sint-Lucas", exact=True).first.click()
    page.get_by_role("link", name="KPIs", exact=True).click()
    page.get_by_role("link", name="Oplostijd incidenten").click()
    # a period that has not ended is refused
    running = Period.containing(datetime.date.today(), "monthly")
    page.fill("input[name=period]", running.label)
    page.fill("input[name=value]", "9")
    page.get_by_role("button", name="Save value").click()
    page.wait_for_selector("#measurement-entry .invalid-feedback")  # swapped in by htmx
    assert f"{running.label} has not ended yet" in page.inner_text("#measurement-entry")
    # the demo has a value for the last month: replacing it shows it and asks first
    stored = page.locator("#kpi-live tbody tr", has_text=last.label).first.inner_text()
    page.fill("input[name=period]", last.label)
    page.fill("input[name=value]", "9")
    page.fill("input[name=note]", "Two incidents at the emergency department")
    page.get_by_role("button", name="Save value").click()
    confirm = page.wait_for_selector("[data-testid=overwrite-confirm]")
    assert f"{last.label} already has a value" in confirm.inner_text()
    assert stored.split("\t")[1].split()[0] in confirm.inner_text()  # the stored value
    assert page.locator("#kpi-live tbody tr", has_text=last.label).first.inner_text() == stored
    page.get_by_role("button", name="Replace the value").click()
    page.wait_for_selector("#measurement-entry .alert-success")
    assert "Off target" in page.inner_text("#measurement-entry")
    row = page.locator("#kpi-live tbody tr", has_text=last.label).first.inner_text()
    assert "9" in row.split("\t")[1] and "Two incidents" in row  # the table shows it, no reload

    page.get_by_role("link", name="Inspections", exact=True).click()
    page.get_by_role("link", name="Record an inspection").click()
    page.select_option("select[name=areas-0-area_type]", "sanitary")
    page.fill("input[name=areas-0-lot_size]", "120")
    page.wait_for_selector(".plan-proposal:has-text('Inspect 20 rooms')")
    page.fill("input[name=areas-0-rooms_inspected]", "20")
    page.fill("input[name=areas-0-elements_checked]", "200")
    page.fill("input[name=areas-0-defects_dirt]", "1")
    page.get_by_role("button", name="Save inspection").click()
    page.wait_for_selector("text=Inspection recorded.")
    assert "Approved" in page.inner_text("main")

    login(browser_page, "fm@stlucas.demo")
    page.goto(page.url.split("/partnerships/")[0] + "/")
    page.get_by_role("link", name="Schoonmaak Sint-Lucas", exact=True).first.click()
    page.get_by_role("link", name="KPIs", exact=True).click()
    row = page.locator("tr", has=page.get_by_role("link", name="Oplostijd incidenten"))
    assert "Off target" in row.inner_text()
    row.get_by_role("link", name="Oplostijd incidenten").click()
    # the demo already disputes the latest value; the facility manager disputes the one before
    assert "Disputed" in page.locator("tbody tr", has_text=last.label).first.inner_text()
    history_row = page.locator("tbody tr", has_text=last.previous().label).first
    history_row.locator("summary").click()
    history_row.locator("textarea[name=reason]").fill("The incidents were solved within hours.")
    history_row.get_by_role("button", name="Raise dispute").click()
    page.wait_for_selector("text=Dispute raised.")
    assert "The incidents were solved within hours." in page.inner_text("main")
    browser_page.assert_no_problems()
