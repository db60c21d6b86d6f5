"""The demo's cooperation indicators: a set signed off by both sides, four past quarters with a
rising grade and motivations, and an open survey the project leader has not answered yet."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from partnership.models import Notification, Partnership
from partnership.periods import QUARTERLY, Period
from sti import selectors
from sti.models import (
    Indicator,
    IndicatorSet,
    Rating,
    Response,
    SignOff,
    STISettings,
    Survey,
    SurveyState,
)
from sti.results import ResultsSealed, compute_results, results_for
from sti.services_surveys import motivation_required


def _seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def cleaning(demo_db):
    return Partnership.objects.get(title="Schoonmaak Sint-Lucas")


def _closed(partnership) -> list[Survey]:
    return list(
        Survey.objects.filter(partnership=partnership, state=SurveyState.CLOSED).order_by(
            "period_start"
        )
    )


def _respondent_emails(partnership) -> set[str]:
    return {p.user.email for p in selectors.respondents(partnership=partnership)}


def test_demo_set_is_signed_off_by_both_sides_and_in_use(cleaning):
    current = selectors.current_set(partnership=cleaning)

    assert current is not None and current.version == 1
    assert IndicatorSet.objects.filter(partnership=cleaning).count() == 1
    sign_offs = {(s.side, s.user.email) for s in SignOff.objects.filter(indicator_set=current)}
    assert sign_offs == {("client", "cm@stlucas.demo"), ("supplier", "pl@cleancare.demo")}
    indicators = {i.library_key: i for i in selectors.indicators_of(indicator_set=current)}
    assert set(indicators) == {
        "proactivity",
        "openness",
        "reachability",
        "reliability",
        "keeping_agreements",
        "knowledge_sharing",
    }
    assert all(len(i.meaning) > 60 for i in indicators.values()), "each says what it means here"
    assert indicators["reachability"].rated_side == "supplier"
    assert [i.rated_side for i in indicators.values()].count("both") == 5
    first = _closed(cleaning)[0]
    assert current.adopted_at < first.opens_at, "adopted before the first survey ran"
    assert max(s.signed_at for s in current.sign_offs.all()) <= current.adopted_at


def test_demo_grade_to_supplier_rises_over_four_closed_quarters(cleaning):
    closed = _closed(cleaning)

    assert len(closed) == 4
    for before, after in zip(closed, closed[1:], strict=False):
        assert after.period_start == before.period.next().start, "consecutive quarters"
    grades = [s.grade_to_supplier for s in closed]
    assert Decimal("5.0") <= grades[0] <= Decimal("5.6")
    assert Decimal("6.9") <= grades[-1] <= Decimal("7.5")
    assert all(a < b for a, b in zip(grades, grades[1:], strict=False)), grades
    to_client = [s.grade_to_client for s in closed]
    assert all(Decimal(5) <= g <= Decimal(8) for g in to_client), to_client
    assert to_client != grades, "the two directions tell their own story"
    assert to_client[-1] > to_client[0]


def test_demo_kept_grades_match_the_answers_of_every_respondent(cleaning):
    expected = _respondent_emails(cleaning)
    assert {"fm@stlucas.demo", "pl@cleancare.demo"} <= expected
    assert "board@stlucas.demo" not in expected, "an org viewer reads but does not rate"

    for survey in _closed(cleaning):
        submitted = Response.objects.filter(survey=survey, submitted_at__isnull=False)
        assert {r.respondent.email for r in submitted} == expected, survey
        results = compute_results(survey=survey)
        assert (results.grade_to_supplier, results.grade_to_client) == (
            survey.grade_to_supplier,
            survey.grade_to_client,
        )


def test_demo_past_surveys_ran_after_their_quarter(cleaning):
    now = timezone.now()
    for survey in _closed(cleaning):
        opens = timezone.localtime(survey.opens_at)
        assert survey.period.end < opens.date() <= survey.period.end + datetime.timedelta(days=5)
        assert opens.weekday() < 5, "opens on a working day"
        assert survey.opened_at == survey.opens_at
        assert survey.closes_at - survey.opens_at == datetime.timedelta(days=14)
        assert survey.closed_at == survey.closes_at < now
        for response in survey.responses.all():
            assert survey.opens_at < response.submitted_at <= survey.closes_at
        assert survey.history.order_by("-history_date").first().history_date < now


def test_demo_motivations_explain_low_and_high_scores(cleaning):
    ratings = Rating.objects.filter(
        response__survey__partnership=cleaning, response__survey__state=SurveyState.CLOSED
    )

    extremes = [r for r in ratings if motivation_required(r.score)]
    assert len(extremes) >= 15
    assert all(r.motivation.strip() for r in extremes)
    assert {r.score for r in extremes} & {9, 10}, "praise is explained, not only complaints"
    first, *_, last = _closed(cleaning)
    reachability_then = next(
        r for r in compute_results(survey=first).indicators if r.indicator.name == "Bereikbaarheid"
    )
    assert reachability_then.to_supplier.mean < 4
    assert len(reachability_then.motivations_about("supplier")) >= 3
    assert reachability_then.gap_supplier > 2, "the supplier thought better of itself"
    texts = " ".join(m.text for r in compute_results(survey=last).indicators for m in r.motivations)
    assert "voorstel" in texts, "the last quarter praises the supplier's own proposals"


def test_demo_open_survey_is_partly_answered(cleaning):
    open_survey = selectors.open_survey(partnership=cleaning)

    assert open_survey is not None
    assert open_survey.period == Period.containing(timezone.localdate(), QUARTERLY).previous()
    assert open_survey.period_start > _closed(cleaning)[-1].period_start
    assert open_survey.closes_at > timezone.now() + datetime.timedelta(days=9)
    assert open_survey.opens_at < timezone.now()
    rate = selectors.response_rate(survey=open_survey)
    assert 0 < rate["total"]["submitted"] < rate["total"]["eligible"]
    assert rate["client"]["submitted"] >= 1 and rate["supplier"]["submitted"] >= 1
    responses = Response.objects.filter(survey=open_survey)
    assert responses.filter(submitted_at__isnull=True).count() == 1, "one draft"
    answered = {r.respondent.email for r in responses}
    assert "pl@cleancare.demo" not in answered
    assert "fm@stlucas.demo" not in answered
    with pytest.raises(ResultsSealed):
        results_for(survey=open_survey, access=None)


def test_demo_notices_only_the_open_survey(cleaning):
    notices = Notification.objects.filter(partnership=cleaning, kind__startswith="sti.")

    open_url = selectors.survey_url(selectors.open_survey(partnership=cleaning))
    assert {n.url for n in notices} == {open_url}, "no stale notices of long-closed rounds"
    assert notices.filter(user__email="pl@cleancare.demo", kind="sti.survey_opened").exists()


def _snapshot(partnership) -> dict:
    surveys = Survey.objects.filter(partnership=partnership)
    return {
        "sets": IndicatorSet.objects.filter(partnership=partnership).count(),
        "indicators": Indicator.objects.filter(indicator_set__partnership=partnership).count(),
        "sign_offs": SignOff.objects.filter(indicator_set__partnership=partnership).count(),
        "settings": STISettings.objects.filter(partnership=partnership).count(),
        "surveys": sorted(
            surveys.values_list("period_start", "state", "grade_to_supplier", "opens_at")
        ),
        "responses": Response.objects.filter(survey__partnership=partnership).count(),
        "ratings": Rating.objects.filter(response__survey__partnership=partnership).count(),
        "notices": Notification.objects.filter(partnership=partnership).count(),
        "history": Survey.history.filter(partnership_id=partnership.pk).count(),
    }


def test_seeding_the_demo_twice_changes_nothing(cleaning):
    before = _snapshot(cleaning)
    assert before["surveys"] and before["ratings"]

    _seed()

    assert _snapshot(cleaning) == before
