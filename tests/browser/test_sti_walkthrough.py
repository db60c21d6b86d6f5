"""On a phone, the demo project leader fills in the open cooperation survey: a low score is refused
without a motivation, then submitted with one. The facility manager closes the survey and reads
the grades both ways and the project leader's motivation."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from partnership.models import Partnership
from sti import selectors
from sti.models import Rating, Survey
from tests.demo_db import SIGN_IN_PASSWORD

from .conftest import BrowserPage, in_english

PASSWORD = SIGN_IN_PASSWORD  # test-only: the demo password is refused with DEBUG off
PROJECT_LEADER, FACILITY_MANAGER = "pl@cleancare.demo", "fm@stlucas.demo"
PHONE = {"width": 390, "height": 844}
MOTIVATION = "Changes to the operating theatre schedule still reach us on the day itself."
MOTIVATION_ERROR = "Explain a score of 5 or lower, or of 9 or higher."


@pytest.fixture
def demo(demo_live_db, live_server):
    in_english(PROJECT_LEADER, FACILITY_MANAGER)
    return Partnership.objects.get(title="Schoonmaak Sint-Lucas")


@pytest.fixture
def phone(browser, live_server):
    """Like `browser_page`, in a phone-sized touch browser, watching for the same problems."""
    context = browser.new_context(
        locale="nl-NL",
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    bp = BrowserPage(page=page, base_url=live_server.url)
    page.on(
        "console",
        lambda m: m.type == "error" and bp.problems.append(f"console error: {m.text}"),
    )
    page.on("pageerror", lambda exc: bp.problems.append(f"uncaught exception: {exc}"))
    page.on("requestfailed", lambda req: bp.problems.append(f"request failed: {req.url}"))
    page.on(
        "response",
        lambda r: (
            r.url.startswith(live_server.url)
            and r.status >= 400
            and bp.problems.append(f"{r.status} for {r.url}")
        ),
    )
    yield bp
    context.close()


def login(bp, email):
    page = bp.page
    page.context.clear_cookies()
    page.goto(bp.url("/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
        "[type=submit]"
    ).tap()
    page.wait_for_url(bp.url("/"))


def assert_fits_the_phone(page) -> None:
    """Nothing scrolls sideways. A phone's Chrome widens the layout viewport (innerWidth) to fit
    content that sticks out, so the viewport must stay at the phone's width as well."""
    content, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    widest = max(content, window)
    assert widest <= PHONE["width"], f"{page.url} is {widest}px wide: it scrolls sideways"


def tap_score(form, name: str, score: int) -> None:
    """Tap the digit, as a thumb would: the label of the radio."""
    radio = form.locator(f"input[type=radio][name='{name}'][value='{score}']")
    form.locator(f"label[for='{radio.get_attribute('id')}']").tap()
    assert radio.is_checked()


def follow(page, target) -> None:
    """Tap a link or button and wait for the page it leads to."""
    with page.expect_navigation():
        target.tap()


def _grade(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), ROUND_HALF_UP))


def fill_in_as_project_leader(bp, partnership, survey, asked) -> None:
    page = bp.page
    follow(page, page.get_by_role("link", name=partnership.title, exact=True).first)
    follow(page, page.get_by_role("link", name="Cooperation", exact=True))
    assert_fits_the_phone(page)
    follow(page, page.locator(f"a[href$='/sti/surveys/{survey.pk}/']").first)
    follow(page, page.get_by_test_id("fill-in"))
    form = page.get_by_test_id("questionnaire")
    assert_fits_the_phone(page)

    low, *others = asked
    tap_score(form, f"score-{low.pk}-client", 4)
    for indicator in others:
        tap_score(form, f"score-{indicator.pk}-client", 7)
    follow(page, form.locator("button[name=action][value=submit]"))

    motivation = page.locator(f"textarea[name='motivation-{low.pk}-client']")
    # The message stands by the motivation it is about, and only there; the scores were kept.
    assert MOTIVATION_ERROR in motivation.locator("xpath=..").inner_text()
    assert page.get_by_text(MOTIVATION_ERROR).count() == 1
    assert form.locator(f"input[name='score-{low.pk}-client'][value='4']").is_checked()
    mine = Rating.objects.filter(
        response__survey=survey, response__respondent__email=PROJECT_LEADER
    )
    assert not mine.exists(), "nothing is saved while an answer is refused"
    assert_fits_the_phone(page)

    motivation.fill(MOTIVATION)
    follow(page, form.locator("button[name=action][value=submit]"))
    page.wait_for_url(re.compile(rf"/sti/surveys/{survey.pk}/$"))
    assert page.locator(".alert-success").first.is_visible()
    assert_fits_the_phone(page)


@pytest.mark.browser
def test_project_leader_fills_in_on_a_phone_and_manager_reads_results(phone, demo):
    page = phone.page
    survey = selectors.open_survey(partnership=demo)
    indicators = selectors.indicators_of(indicator_set=survey.indicator_set)
    asked = [i for i in indicators if i.rates("client")]
    assert len(asked) >= 5

    login(phone, PROJECT_LEADER)
    fill_in_as_project_leader(phone, demo, survey, asked)
    response = survey.responses.get(respondent__email=PROJECT_LEADER)
    assert response.is_submitted
    assert response.ratings.get(indicator=asked[0], rated_side="client").motivation == MOTIVATION

    login(phone, FACILITY_MANAGER)
    page.goto(phone.url(selectors.survey_url(survey)))
    page.once("dialog", lambda dialog: dialog.accept())
    follow(page, page.get_by_test_id("survey-close"))
    page.wait_for_selector(".alert-success")
    survey = Survey.objects.get(pk=survey.pk)
    assert survey.is_closed

    page.goto(phone.url(selectors.survey_url(survey)))
    follow(page, page.locator(f"a[href$='/sti/surveys/{survey.pk}/results/']").first)
    page.wait_for_url(re.compile(rf"/sti/surveys/{survey.pk}/results/$"))
    assert page.get_by_test_id("grade-to-supplier").inner_text().strip() == _grade(
        survey.grade_to_supplier
    )
    assert page.get_by_test_id("grade-to-client").inner_text().strip() == _grade(
        survey.grade_to_client
    )
    assert page.get_by_text(MOTIVATION).first.is_visible()
    assert page.locator("svg[role=img][aria-label]").count() >= 1
    assert_fits_the_phone(page)
    phone.assert_no_problems()
