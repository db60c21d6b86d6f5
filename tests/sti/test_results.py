"""Results of a closed survey: figures per indicator and direction, grades, gaps, changes, names.

The expected figures below are worked out by hand from the scores in the fixtures.
"""

import dataclasses
import datetime
from decimal import Decimal as D
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnership.access import access_for
from sti import services
from sti.models import SurveyState
from sti.results import (
    Figures,
    IndicatorResult,
    ResultsSealed,
    compute_results,
    grade_trend,
    results_for,
)
from sti.services_surveys import survey_close
from tests import factories as f
from tests.sti import factories as sf

pytestmark = pytest.mark.django_db

PRO, OPEN, REACH = "Pro-activity", "Openness", "Reachability"  # both, both, supplier only
SUP, CLI = "supplier", "client"
Q1, Q2, Q3, Q4 = (datetime.date(2026, m, 1) for m in (1, 4, 7, 10))


def fig(n, mean, median, lo, hi, spread) -> Figures:
    return Figures(n=n, mean=D(mean), median=D(median), min=lo, max=hi, spread=D(spread))


@pytest.fixture
def people(world):
    """Four client raters, three supplier raters, and a client participant who only drafted."""
    client = [world.manager, world.member] + [
        f.participant(world.partnership, "client", email=f"client{i}@hospital.test")
        for i in (3, 4, 5)
    ]
    supplier = [world.supplier_lead] + [
        f.participant(world.partnership, "supplier", email=f"sup{i}@cleaner.test") for i in (2, 3)
    ]
    return client, supplier


@pytest.fixture
def rated(world, people):
    """A closed survey with hand-picked scores (see the module docstring)."""
    (manager, member, c3, c4, c5), (lead, s2, s3) = people
    survey = sf.survey(world.partnership, sf.adopted_set(world.partnership), state="closed")
    # Client raters score the supplier (and themselves on openness)...
    to_supplier = [
        (manager, {(PRO, SUP): 7, (OPEN, SUP): 6, (REACH, SUP): (9, "Always there"),
                   (OPEN, CLI): (5, "We are slow")}),
        (member, {(PRO, SUP): 8, (OPEN, SUP): 7, (REACH, SUP): (5, "Hard at night"),
                  (OPEN, CLI): 6}),
        (c3, {(PRO, SUP): (4, "Late warnings"), (OPEN, SUP): 7, (REACH, SUP): 7}),
        (c4, {(PRO, SUP): 6, (OPEN, SUP): (9, "Very open"), (REACH, SUP): 8}),
    ]  # fmt: skip
    for user, scores in to_supplier:
        sf.response(survey, user, CLI, scores)
    # ...and supplier raters score the client (and themselves on pro-activity and reachability).
    to_client = [
        (lead, {(PRO, CLI): 6, (OPEN, CLI): 6, (PRO, SUP): 8,
                (REACH, SUP): (9, "We answer within the hour")}),
        (s2, {(PRO, CLI): 7, (OPEN, CLI): 7, (PRO, SUP): (9, "Proud"), (REACH, SUP): 9}),
        (s3, {(PRO, CLI): 7, (OPEN, CLI): (8, ""), (PRO, SUP): 7, (REACH, SUP): 8}),
    ]  # fmt: skip
    for user, scores in to_client:
        sf.response(survey, user, SUP, scores)
    # A draft is never read: its scores would drag every figure down.
    sf.response(
        survey,
        c5,
        "client",
        {(PRO, "supplier"): (1, "Terrible"), (OPEN, "supplier"): 1, (REACH, "supplier"): 1},
        submitted=False,
    )
    return survey


def by_name(results) -> dict:
    return {r.indicator.name: r for r in results.indicators}


# --- figures ------------------------------------------------------------------------------------


def test_figures_per_indicator_and_direction(rated):
    results = by_name(compute_results(survey=rated))
    assert list(results) == [PRO, OPEN, REACH]
    assert results[PRO].to_supplier == fig(4, "6.25", "6.50", 4, 8, "1.48")
    assert results[OPEN].to_supplier == fig(4, "7.25", "7.00", 6, 9, "1.09")
    assert results[REACH].to_supplier == fig(4, "7.25", "7.50", 5, 9, "1.48")
    assert results[PRO].to_client == fig(3, "6.67", "7.00", 6, 7, "0.47")
    assert results[OPEN].to_client == fig(3, "7.00", "7.00", 6, 8, "0.82")
    assert results[REACH].to_client is None  # the client is not rated on reachability


def test_self_assessments_and_perception_gaps(rated):
    results = by_name(compute_results(survey=rated))
    assert results[PRO].self_supplier == fig(3, "8.00", "8.00", 7, 9, "0.82")
    assert results[REACH].self_supplier == fig(3, "8.67", "9.00", 8, 9, "0.47")
    assert results[OPEN].self_client == fig(2, "5.50", "5.50", 5, 6, "0.50")
    assert results[PRO].self_client is None and results[OPEN].self_supplier is None
    assert results[REACH].self_client is None
    # Self-assessment minus the other side's view: positive means thinking better of oneself.
    assert results[PRO].gap_supplier == D("1.75")
    assert results[REACH].gap_supplier == D("1.42")
    assert results[OPEN].gap_client == D("-1.50")
    assert results[PRO].gap_client is None  # no self-assessment by the client on pro-activity
    assert results[REACH].gap_client is None


def test_grade_per_direction_is_the_mean_of_indicator_means(rated):
    results = compute_results(survey=rated)
    # (6.25 + 7.25 + 7.25) / 3 = 6.9166…
    assert results.grade_to_supplier == D("6.92")
    # (6.666… + 7) / 2 = 6.8333…; rounding the means first would give (6.67 + 7) / 2 = 6.835 → 6.84.
    assert results.grade_to_client == D("6.83")
    assert results.raters == {"client": 4, "supplier": 3}


def test_closing_keeps_the_same_grades(world, rated):
    rated.state = SurveyState.OPEN
    rated.save()
    survey_close(survey=rated)
    rated.refresh_from_db()
    assert (rated.grade_to_supplier, rated.grade_to_client) == (D("6.92"), D("6.83"))


def test_figures_round_half_up_to_two_decimals():
    figures = Figures.of([6, 6, 6, 7, 7, 7, 7, 7])
    assert figures == fig(8, "6.63", "7.00", 6, 7, "0.48")  # 6.625 → 6.63, not 6.62
    assert Figures.of([1, 2]) == fig(2, "1.50", "1.50", 1, 2, "0.50")
    assert Figures.of([10]) == fig(1, "10.00", "10.00", 10, 10, "0.00")
    assert Figures.of([]) is None


def test_gaps_and_changes_are_worked_out_before_rounding():
    # Self 8.666… against 7.333…: 1.333… → 1.33 (the rounded figures would give 8.67 - 7.33 = 1.34).
    result = IndicatorResult(
        indicator=None,
        to_supplier=Figures.of([7, 7, 8]),
        self_supplier=Figures.of([9, 9, 8]),
        previous_to_supplier=D("6.67"),
        previous_exact={SUP: Fraction(20, 3)},
    )
    assert result.gap_supplier == D("1.33")
    assert result.change_to_supplier == D("0.67")  # 7.333… - 6.666…, not 7.33 - 6.67 = 0.66
    # Figures built by hand (without the exact mean) still work from what they show.
    shown = IndicatorResult(
        indicator=None,
        to_client=fig(2, "7.00", "7.00", 6, 8, "1.00"),
        self_client=fig(2, "5.50", "5.50", 5, 6, "0.50"),
        previous_to_client=D("6.25"),
    )
    assert (shown.gap_client, shown.change_to_client) == (D("-1.50"), D("0.75"))


def test_figures_serialise_as_their_six_plain_numbers():
    assert dataclasses.asdict(Figures.of([6, 7, 7])) == {
        "n": 3,
        "mean": D("6.67"),
        "median": D("7.00"),
        "min": 6,
        "max": 7,
        "spread": D("0.47"),
    }


def test_divergence_is_the_larger_spread_of_the_two_directions(rated):
    results = by_name(compute_results(survey=rated))
    assert results[PRO].divergence == D("1.48")
    assert results[OPEN].divergence == D("1.09")


def test_drafts_count_nowhere(rated, people):
    results = compute_results(survey=rated)
    texts = [m.text for r in results.indicators for m in r.motivations]
    assert "Terrible" not in texts
    assert all(r.to_supplier.min > 1 for r in results.indicators)


def test_unanswered_scores_in_a_submitted_response_are_not_counted(world, people):
    survey = sf.survey(world.partnership, sf.adopted_set(world.partnership), state="closed")
    sf.response(
        survey, world.manager, "client", {(PRO, "supplier"): 8, (OPEN, "client"): (None, "?")}
    )
    results = by_name(compute_results(survey=survey))
    assert results[PRO].to_supplier == fig(1, "8.00", "8.00", 8, 8, "0.00")
    assert results[OPEN].self_client is None
    assert [m.text for m in results[OPEN].motivations_about("client")] == ["?"]


# --- one side silent, one-sided indicators -----------------------------------------------------


def test_a_side_that_did_not_answer_leaves_its_direction_empty(world, people):
    (manager, member, *_rest), (lead, *_others) = people
    survey = sf.survey(world.partnership, sf.adopted_set(world.partnership), state="open")
    sf.response(
        survey,
        manager,
        "client",
        {(PRO, "supplier"): 6, (OPEN, "supplier"): 7, (REACH, "supplier"): 8},
    )
    sf.response(
        survey,
        member,
        "client",
        {(PRO, "supplier"): 8, (OPEN, "supplier"): 7, (REACH, "supplier"): 8},
    )
    sf.response(
        survey, lead, "supplier", {(PRO, "client"): 2, (OPEN, "client"): 2}, submitted=False
    )
    survey_close(survey=survey)
    survey.refresh_from_db()
    results = compute_results(survey=survey)
    for result in results.indicators:
        assert result.to_client is None
        assert result.self_supplier is None and result.gap_supplier is None
        assert result.gap_client is None and result.change_to_client is None
    assert [r.to_supplier.mean for r in results.indicators] == [D("7.00"), D("7.00"), D("8.00")]
    assert results.grade_to_client is None
    assert results.grade_to_supplier == D("7.33")
    assert results.raters == {"client": 2, "supplier": 0}
    assert (survey.grade_to_supplier, survey.grade_to_client) == (D("7.33"), None)


def test_nobody_answered(world):
    survey = sf.survey(world.partnership, sf.adopted_set(world.partnership), state="closed")
    results = compute_results(survey=survey)
    assert (results.grade_to_supplier, results.grade_to_client) == (None, None)
    assert all(r.to_supplier is None and r.motivations == [] for r in results.indicators)
    assert results.raters == {"client": 0, "supplier": 0}


def test_indicators_rated_on_one_side_only(world, people):
    (manager, *_), (lead, *_) = people
    indicator_set = sf.adopted_set(
        world.partnership, indicators=(("Paying on time", "client"), ("Reachability", "supplier"))
    )
    survey = sf.survey(world.partnership, indicator_set, state="closed")
    sf.response(survey, manager, "client", {("Reachability", "supplier"): 6,
                                            ("Paying on time", "client"): 7})  # fmt: skip
    sf.response(survey, lead, "supplier", {("Paying on time", "client"): 4,
                                           ("Reachability", "supplier"): 8})  # fmt: skip
    results = {r.indicator.name: r for r in compute_results(survey=survey).indicators}
    paying, reach = results["Paying on time"], results["Reachability"]
    assert (paying.to_supplier, paying.self_supplier) == (None, None)
    assert (paying.to_client.mean, paying.self_client.mean, paying.gap_client) == (
        D("4.00"),
        D("7.00"),
        D("3.00"),
    )
    assert (reach.to_client, reach.self_client) == (None, None)
    assert (reach.to_supplier.mean, reach.gap_supplier) == (D("6.00"), D("2.00"))
    grades = compute_results(survey=survey)
    assert (grades.grade_to_supplier, grades.grade_to_client) == (D("6.00"), D("4.00"))


# --- change since the previous survey ------------------------------------------------------------


@pytest.fixture
def two_rounds(world, people):
    """Q1 closed on version 1; version 2 drops reachability and adds flexibility; Q3 on v2."""
    (manager, member, c3, *_), (lead, *_) = people
    v1 = sf.adopted_set(world.partnership)
    q1 = sf.survey(world.partnership, v1, state="open", period_start=Q1)
    sf.response(q1, manager, "client", {(PRO, "supplier"): 5, (OPEN, "supplier"): 6,
                                        (REACH, "supplier"): 4, (OPEN, "client"): 10})  # fmt: skip
    sf.response(
        q1, member, "client", {(PRO, "supplier"): 6, (OPEN, "supplier"): 6, (REACH, "supplier"): 5}
    )
    sf.response(q1, c3, "client", {(PRO, "supplier"): 1, (OPEN, "supplier"): 1}, submitted=False)
    sf.response(
        q1, lead, "supplier", {(PRO, "client"): 5, (OPEN, "client"): 7, (PRO, "supplier"): 10}
    )
    survey_close(survey=q1)

    v2 = services.indicator_set_draft(actor=world.manager, partnership=world.partnership)
    services.indicator_remove(actor=world.manager, indicator=v2.indicators.get(name=REACH))
    services.indicator_add(actor=world.manager, indicator_set=v2, name="Flexibility", meaning="x")
    services.indicator_set_sign_off(actor=world.manager, indicator_set=v2)
    services.indicator_set_sign_off(actor=world.supplier_lead, indicator_set=v2)

    sf.survey(world.partnership, v2, state="scheduled", period_start=Q2)  # never closed
    q3 = sf.survey(world.partnership, v2, state="open", period_start=Q3)
    flex = "Flexibility"
    sf.response(
        q3, manager, "client", {(PRO, "supplier"): 7, (OPEN, "supplier"): 6, (flex, "supplier"): 8}
    )
    sf.response(
        q3, member, "client", {(PRO, "supplier"): 8, (OPEN, "supplier"): 7, (flex, "supplier"): 8}
    )
    sf.response(
        q3, lead, "supplier", {(PRO, "client"): 6, (OPEN, "client"): 8, (flex, "client"): 7}
    )
    survey_close(survey=q3)
    sf.survey(world.partnership, v2, state="closed", period_start=Q4)  # later: not "previous"
    other = sf.adopted_set(world.other_partnership)
    sf.survey(world.other_partnership, other, state="closed", period_start=Q2)
    q1.refresh_from_db()
    q3.refresh_from_db()
    return q1, q3


def test_kept_grades_of_the_first_round(two_rounds):
    q1, _q3 = two_rounds
    # Drafts and self-assessments do not count: (5.5 + 6 + 4.5) / 3 and (5 + 7) / 2.
    assert (q1.grade_to_supplier, q1.grade_to_client) == (D("5.33"), D("6.00"))


def test_change_is_measured_against_the_previous_closed_survey_by_lineage(two_rounds):
    q1, q3 = two_rounds
    results = compute_results(survey=q3)
    assert results.previous == q1  # Q2 never closed, Q4 is later
    rows = by_name(results)
    assert list(rows) == [PRO, OPEN, "Flexibility"]
    assert (rows[PRO].previous_to_supplier, rows[PRO].change_to_supplier) == (D("5.50"), D("2.00"))
    assert (rows[OPEN].previous_to_supplier, rows[OPEN].change_to_supplier) == (
        D("6.00"),
        D("0.50"),
    )
    assert (rows[PRO].change_to_client, rows[OPEN].change_to_client) == (D("1.00"), D("1.00"))
    flex = rows["Flexibility"]
    assert (flex.previous_to_supplier, flex.change_to_supplier, flex.change_to_client) == (
        None,
        None,
        None,
    )
    # Grades: (7.5 + 6.5 + 8) / 3 = 7.33 against 5.33; (6 + 8 + 7) / 3 = 7 against 6.
    assert (results.grade_to_supplier, results.change_to_supplier) == (D("7.33"), D("2.00"))
    assert (results.grade_to_client, results.change_to_client) == (D("7.00"), D("1.00"))


def test_first_survey_has_no_change(two_rounds):
    q1, _q3 = two_rounds
    results = compute_results(survey=q1)
    assert results.previous is None
    assert results.change_to_supplier is None and results.change_to_client is None
    assert all(r.change_to_supplier is None for r in results.indicators)


def test_grade_trend_lists_closed_surveys_in_order(world, two_rounds):
    q1, q3 = two_rounds
    trend = grade_trend(partnership=world.partnership)
    assert [s.period_start for s in trend] == [Q1, Q3, Q4]
    assert grade_trend(partnership=world.partnership, until=q3) == [q1, q3]


# --- sealing and names ------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["scheduled", "open"])
@pytest.mark.parametrize("who", ["manager", "supplier_lead", "facilitator"])
def test_results_are_sealed_until_close(world, people, state, who):
    survey = sf.survey(world.partnership, sf.adopted_set(world.partnership), state=state)
    sf.response(survey, world.member, "client", {(PRO, "supplier"): 3})
    access = access_for(getattr(world, who), world.partnership)
    with pytest.raises(ResultsSealed) as exc:
        results_for(survey=survey, access=access)
    assert isinstance(exc.value, PermissionDenied)


def names_seen(world, survey, who) -> dict:
    """(motivation text) -> rater name as `who` reads it."""
    results = results_for(survey=survey, access=access_for(getattr(world, who), world.partnership))
    return {m.text: m.rater_name for r in results.indicators for m in r.motivations}


def test_own_side_and_facilitator_see_rater_names_the_other_side_does_not(world, rated, people):
    (manager, member, c3, c4, _c5), (lead, s2, _s3) = people
    client_texts = {
        "Always there": manager,
        "We are slow": manager,
        "Hard at night": member,
        "Late warnings": c3,
        "Very open": c4,
    }
    supplier_texts = {"We answer within the hour": lead, "Proud": s2}
    everyone = {t: u.display_name for t, u in {**client_texts, **supplier_texts}.items()}
    assert names_seen(world, rated, "facilitator") == everyone
    assert names_seen(world, rated, "member") == {
        **{t: u.display_name for t, u in client_texts.items()},
        **dict.fromkeys(supplier_texts, ""),
    }
    assert names_seen(world, rated, "supplier_lead") == {
        **dict.fromkeys(client_texts, ""),
        **{t: u.display_name for t, u in supplier_texts.items()},
    }
    services.sti_settings_update(
        actor=world.manager, partnership=world.partnership, show_rater_names=True
    )
    assert names_seen(world, rated, "member") == everyone
    assert names_seen(world, rated, "supplier_lead") == everyone


def test_results_for_gives_the_same_figures_to_everyone(world, rated):
    for who in ("member", "supplier_lead", "facilitator", "viewer"):
        results = results_for(
            survey=rated, access=access_for(getattr(world, who), world.partnership)
        )
        assert (results.grade_to_supplier, results.grade_to_client) == (D("6.92"), D("6.83"))


def test_motivations_are_grouped_per_indicator_and_rated_side(rated):
    results = by_name(compute_results(survey=rated))

    def about(name, side):
        return [(m.score, m.text, m.is_self) for m in results[name].motivations_about(side)]

    assert about(PRO, "supplier") == [(9, "Proud", True), (4, "Late warnings", False)]
    assert about(PRO, "client") == []
    assert about(OPEN, "supplier") == [(9, "Very open", False)]
    assert about(OPEN, "client") == [(5, "We are slow", True)]
    assert about(REACH, "supplier") == [
        (9, "Always there", False),
        (9, "We answer within the hour", True),
        (5, "Hard at night", False),
    ]
    motivation = results[OPEN].motivations_about("client")[0]
    assert (motivation.rater_side, motivation.rated_side) == ("client", "client")


def test_results_cost_the_same_queries_however_many_raters(world):
    def queries(raters: int) -> int:
        partnership = f.PartnershipFactory(client=world.hospital, supplier=world.cleaner)
        survey = sf.survey(partnership, sf.adopted_set(partnership), state="closed")
        for i in range(raters):
            user = f.participant(partnership, "client", email=f"r{raters}-{i}@hospital.test")
            sf.response(
                survey, user, "client", {(PRO, "supplier"): (3, "Why"), (OPEN, "client"): 9}
            )
        with CaptureQueriesContext(connection) as ctx:
            compute_results(survey=survey)
        return len(ctx.captured_queries)

    assert queries(1) == queries(6)
