"""Query budgets: the STI pages cost the same number of queries whatever they show."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sti.models import SurveyState
from sti.results import compute_results
from tests import factories as f
from tests.sti import factories as sf

pytestmark = pytest.mark.django_db

Q1, Q2 = datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)


def queries(client, user, path) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def close(survey):
    results = compute_results(survey=survey)
    survey.grade_to_supplier = results.grade_to_supplier
    survey.grade_to_client = results.grade_to_client
    survey.save()
    return survey


def answer_all(survey, user, side, score):
    """Scores and motivations on every indicator: the other side's and one's own."""
    scores = {}
    for indicator in survey.indicator_set.indicators.all():
        for rated in ("client", "supplier"):
            scores[(indicator.name, rated)] = (score, f"Because {score}")
    return sf.response(survey, user, side, scores)


def rated_partnership(partnership, *, raters: int, indicators: int):
    """A previous closed survey and a closed one with `raters` per side on `indicators`."""
    indicator_set = sf.adopted_set(
        partnership, indicators=[(f"Indicator {i}", "both") for i in range(indicators)]
    )
    earlier = sf.survey(partnership, indicator_set, state=SurveyState.CLOSED, period_start=Q1)
    latest = sf.survey(partnership, indicator_set, state=SurveyState.CLOSED, period_start=Q2)
    for side in ("client", "supplier"):
        for i in range(raters):
            user = f.participant(partnership, side, role="member")
            answer_all(latest, user, side, 3 + i % 7)
            if i == 0:
                answer_all(earlier, user, side, 6)
    close(earlier)
    close(latest)
    return latest


def reader(partnership):
    return f.participant(partnership, "client", role="viewer")


def results_path(survey):
    return reverse(
        "sti:results", kwargs={"partnership_id": survey.partnership_id, "survey_id": survey.pk}
    )


@pytest.mark.parametrize(("small", "large"), [((2, 6), (6, 6)), ((3, 6), (3, 10))])
def test_results_page_queries_do_not_grow_with_raters_or_indicators(client, world, small, large):
    """(raters per side, indicators): 4 vs 12 raters, then 6 vs 10 indicators."""
    a = rated_partnership(world.partnership, raters=small[0], indicators=small[1])
    b = rated_partnership(world.other_partnership, raters=large[0], indicators=large[1])
    count_a = queries(client, reader(world.partnership), results_path(a))
    count_b = queries(client, reader(world.other_partnership), results_path(b))
    assert count_a == count_b


def test_questionnaire_queries_do_not_grow_with_indicators(client, world):
    few = sf.adopted_set(world.partnership, indicators=[(f"I{i}", "both") for i in range(3)])
    many = sf.adopted_set(
        world.other_partnership, indicators=[(f"I{i}", "both") for i in range(10)]
    )
    paths = []
    for partnership, indicator_set in ((world.partnership, few), (world.other_partnership, many)):
        survey = sf.survey(partnership, indicator_set)
        user = f.participant(partnership, "client", role="member")
        answer_all(survey, user, "client", 7)
        path = reverse(
            "sti:respond", kwargs={"partnership_id": partnership.pk, "survey_id": survey.pk}
        )
        paths.append((user, path))
    assert queries(client, *paths[0]) == queries(client, *paths[1])


def add_closed_surveys(partnership, indicator_set, years):
    for year in years:
        for month in (1, 4, 7, 10):
            survey = sf.survey(
                partnership,
                indicator_set,
                state=SurveyState.CLOSED,
                period_start=datetime.date(year, month, 1),
            )
            survey.grade_to_supplier, survey.grade_to_client = 6, 7
            survey.save()


def test_home_page_queries_do_not_grow_with_surveys(client, world):
    indicator_set = sf.adopted_set(world.partnership)
    sf.survey(world.partnership, indicator_set, period_start=datetime.date(2026, 7, 1))
    add_closed_surveys(world.partnership, indicator_set, [2025])
    path = reverse("sti:home", kwargs={"partnership_id": world.partnership.pk})
    before = queries(client, world.member, path)
    add_closed_surveys(world.partnership, indicator_set, [2022, 2023, 2024])
    assert queries(client, world.member, path) == before


def test_dashboard_and_overview_queries_do_not_grow_with_surveys(client, world):
    indicator_set = sf.adopted_set(world.partnership)
    other_set = sf.adopted_set(world.other_partnership)
    add_closed_surveys(world.partnership, indicator_set, [2025])
    overview = world.partnership.get_absolute_url()
    dashboard_before = queries(client, world.supplier_lead, "/")
    overview_before = queries(client, world.manager, overview)
    add_closed_surveys(world.partnership, indicator_set, [2022, 2023, 2024])
    add_closed_surveys(world.other_partnership, other_set, [2024, 2025])
    assert queries(client, world.supplier_lead, "/") == dashboard_before
    assert queries(client, world.manager, overview) == overview_before
