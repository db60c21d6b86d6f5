"""Surveys (create, open, close) and the questionnaire (draft, submit, edit until close)."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from partnership.models import Notification
from partnership.periods import QUARTERLY, Period
from sti import selectors, services, services_surveys
from sti.models import Rating, Response, Survey, SurveyState
from sti.services_surveys import motivation_required, response_save, survey_close, survey_open
from tests import factories as f
from tests.sti import factories as sf

pytestmark = pytest.mark.django_db

Q3 = datetime.date(2026, 7, 1)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (Dutch is the default language)."""
    with translation.override("en"):
        yield


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    with translation.override("en"):
        return [str(m) for m in exc.value.messages]


def errors(exc: pytest.ExceptionInfo) -> dict:
    with translation.override("en"):
        return exc.value.message_dict


def window(days_from_now=1, days=14):
    opens = timezone.now() + datetime.timedelta(days=days_from_now)
    return opens, opens + datetime.timedelta(days=days)


def create(world, period=Q3, actor="manager", days_from_now=1):
    opens, closes = window(days_from_now)
    return services_surveys.survey_create(
        actor=getattr(world, actor) if actor else None,
        partnership=world.partnership,
        period=period,
        opens_at=opens,
        closes_at=closes,
    )


@pytest.fixture
def indicator_set(world):
    """Pro-activity (both), Openness (both), Reachability (supplier only)."""
    return sf.adopted_set(world.partnership)


@pytest.fixture
def ind(indicator_set):
    return {i.name: i for i in indicator_set.indicators.all()}


@pytest.fixture
def open_survey(world, indicator_set):
    return sf.survey(world.partnership, indicator_set, state=SurveyState.OPEN)


def answer(indicator, side, score, motivation=""):
    return {"indicator": indicator.pk, "rated_side": side, "score": score, "motivation": motivation}


def client_answers(ind, score=7, motivation=""):
    """A client respondent's complete rating of the supplier."""
    return [
        answer(ind[name], "supplier", score, motivation)
        for name in ("Pro-activity", "Openness", "Reachability")
    ]


def stored(response) -> dict:
    """What the database holds: (indicator name, rated side) -> (score, motivation)."""
    return {
        (r.indicator.name, r.rated_side): (r.score, r.motivation)
        for r in Rating.objects.filter(response_id=response.pk).select_related("indicator")
    }


# --- creating -----------------------------------------------------------------------------------


def test_a_survey_needs_a_set_in_use(world):
    sf.draft_set(world.partnership)
    with pytest.raises(ValidationError) as exc:
        create(world)
    assert errors(exc) == {
        "period": ["Sign off an indicator set with both sides before planning a survey."]
    }
    assert not Survey.objects.exists()


def test_manager_plans_a_survey_for_a_quarter(world, indicator_set):
    survey = create(world, period=datetime.date(2026, 8, 15), actor="supplier_lead")
    assert survey.period_start == Q3 and survey.period.label == "2026-Q3"
    assert survey.state == SurveyState.SCHEDULED and survey.opened_at is None
    assert survey.indicator_set == indicator_set
    assert survey.created_by == world.supplier_lead
    also = create(world, period=Period(datetime.date(2026, 10, 1), QUARTERLY))
    assert also.period_start == datetime.date(2026, 10, 1)


def test_one_survey_per_quarter(world, indicator_set):
    create(world)
    with pytest.raises(ValidationError) as exc:
        create(world, period=datetime.date(2026, 9, 30))
    assert errors(exc) == {"period": ["There is already a survey for 2026-Q3."]}
    assert Survey.objects.count() == 1
    other = sf.adopted_set(world.other_partnership)
    assert other  # another partnership may survey the same quarter
    services_surveys.survey_create(
        actor=None,
        partnership=world.other_partnership,
        period=Q3,
        opens_at=window()[0],
        closes_at=window()[1],
    )


@pytest.mark.parametrize("hours", [0, -1])
def test_a_survey_closes_after_it_opens(world, indicator_set, hours):
    opens = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services_surveys.survey_create(
            actor=world.manager,
            partnership=world.partnership,
            period=Q3,
            opens_at=opens,
            closes_at=opens + datetime.timedelta(hours=hours),
        )
    assert errors(exc) == {"closes_at": ["The survey must close after it opens."]}
    assert not Survey.objects.exists()


def test_a_survey_needs_both_times(world, indicator_set):
    with pytest.raises(ValidationError) as exc:
        services_surveys.survey_create(
            actor=world.manager,
            partnership=world.partnership,
            period=Q3,
            opens_at=None,
            closes_at=None,
        )
    assert set(errors(exc)) == {"opens_at", "closes_at"}
    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    "period",
    [
        Period(datetime.date(2026, 8, 1), "monthly"),
        "2026-Q3",
        "2026-09-30",
        datetime.date(2026, 7, 1),
    ],
)
def test_any_way_of_naming_the_quarter_plans_that_quarter(world, indicator_set, period):
    assert create(world, period=period).period_start == Q3


def test_a_quarter_that_is_no_quarter_is_a_field_error(world, indicator_set):
    with pytest.raises(ValidationError) as exc:
        create(world, period="2026-Q5")
    assert errors(exc) == {"period": ["Enter a quarter such as 2026-Q3."]}


def test_the_clock_plans_surveys_without_an_actor(world, indicator_set):
    survey = create(world, actor=None)
    assert survey.created_by is None


@pytest.mark.parametrize("who", ["member", "viewer", "facilitator", "outsider"])
def test_only_managers_plan_open_and_close_surveys(world, indicator_set, who):
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied):
        create(world, actor=who)
    scheduled = sf.survey(world.partnership, indicator_set, state=SurveyState.SCHEDULED)
    with pytest.raises(PermissionDenied):
        survey_open(survey=scheduled, actor=actor)
    opened = sf.survey(
        world.partnership,
        indicator_set,
        state=SurveyState.OPEN,
        period_start=datetime.date(2026, 4, 1),
    )
    with pytest.raises(PermissionDenied):
        survey_close(survey=opened, actor=actor)
    assert list(Survey.objects.order_by("period_start").values_list("state", flat=True)) == [
        "open",
        "scheduled",
    ]


# --- opening ------------------------------------------------------------------------------------


def test_opening_notifies_the_respondents_of_both_sides_in_their_language(
    world, indicator_set, django_capture_on_commit_callbacks
):
    world.member.language = "en"
    world.member.save(update_fields=["language"])
    world.supplier_lead.language = "nl"
    world.supplier_lead.save(update_fields=["language"])
    survey = create(world)
    with django_capture_on_commit_callbacks(execute=True):
        survey = survey_open(survey=survey, actor=world.manager)
    notes = Notification.objects.filter(kind="sti.survey_opened")
    assert {n.user for n in notes} == {world.manager, world.member, world.supplier_lead}
    english = notes.get(user=world.member)
    with translation.override("en"):
        assert english.display_title == "The cooperation survey for 2026-Q3 is open"
        closes = formats.localize(timezone.localtime(survey.closes_at))
        assert english.display_body == (
            f"Rate the cooperation before {closes}. Your answers stay sealed until it closes."
        )
    assert english.url == selectors.survey_url(survey)
    with translation.override("nl"):
        dutch = gettext("The cooperation survey for %(period)s is open") % {"period": "2026-Q3"}
    mailed = {m.to[0]: m.subject for m in mail.outbox}
    assert mailed == {
        world.member.email: f"[Tandem] {english.display_title}",
        world.supplier_lead.email: f"[Tandem] {dutch}",
        world.manager.email: f"[Tandem] {dutch}",  # no choice: the default, Dutch
    }


def test_opening_moves_the_state_and_the_opening_time(world, indicator_set):
    survey = create(world, days_from_now=3)
    before = timezone.now()
    survey_open(survey=survey, actor=world.supplier_lead)
    survey.refresh_from_db()
    assert survey.state == SurveyState.OPEN and survey.is_open
    assert before <= survey.opened_at <= timezone.now()
    assert survey.opens_at == survey.opened_at  # opened early by hand: it opened now
    assert selectors.open_survey(partnership=world.partnership) == survey


def test_opening_uses_the_set_in_use_at_that_moment(world, indicator_set):
    survey = create(world)
    v2 = services.indicator_set_draft(actor=world.manager, partnership=world.partnership)
    services.indicator_add(actor=world.manager, indicator_set=v2, name="Flexibility", meaning="x")
    services.indicator_set_sign_off(actor=world.manager, indicator_set=v2)
    services.indicator_set_sign_off(actor=world.supplier_lead, indicator_set=v2)
    survey_open(survey=survey, actor=world.manager)
    survey.refresh_from_db()
    assert survey.indicator_set == v2


def test_opening_twice_is_refused(world, indicator_set):
    survey = create(world)
    stale = Survey.objects.get(pk=survey.pk)
    survey_open(survey=survey, actor=world.manager)
    with pytest.raises(ValidationError) as exc:
        survey_open(survey=stale, actor=world.manager)
    assert messages(exc) == ["Only a scheduled survey can be opened."]
    assert Notification.objects.filter(kind="sti.survey_opened").count() == 3  # sent once


def test_a_closed_survey_does_not_reopen(world, indicator_set):
    closed = sf.survey(world.partnership, indicator_set, state=SurveyState.CLOSED)
    with pytest.raises(ValidationError):
        survey_open(survey=closed, actor=world.manager)
    closed.refresh_from_db()
    assert closed.state == SurveyState.CLOSED


def test_closing_a_scheduled_survey_is_refused(world, indicator_set):
    survey = create(world)
    with pytest.raises(ValidationError) as exc:
        survey_close(survey=survey, actor=world.manager)
    assert messages(exc) == ["Only an open survey can be closed."]
    survey.refresh_from_db()
    assert survey.state == SurveyState.SCHEDULED and survey.closed_at is None


def test_only_one_open_survey_per_partnership(world, indicator_set):
    first = create(world, period=datetime.date(2026, 4, 1))
    second = create(world, period=Q3)
    survey_open(survey=first, actor=world.manager)
    with pytest.raises(ValidationError) as exc:
        survey_open(survey=second, actor=world.manager)
    assert messages(exc) == ["Another survey of this partnership is still open."]
    second.refresh_from_db()
    assert second.state == SurveyState.SCHEDULED and second.opened_at is None
    assert Notification.objects.filter(kind="sti.survey_opened").count() == 3


def test_a_survey_whose_closing_time_passed_cannot_open(world, indicator_set):
    survey = sf.survey(world.partnership, indicator_set, state=SurveyState.SCHEDULED)
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=20),
        closes_at=timezone.now() - datetime.timedelta(days=6),
    )
    with pytest.raises(ValidationError) as exc:
        survey_open(survey=survey, actor=world.manager)
    assert "closes_at" in exc.value.message_dict
    survey.refresh_from_db()
    assert survey.state == SurveyState.SCHEDULED
    assert not Notification.objects.exists()


def test_the_clock_opens_and_closes_without_an_actor(world, indicator_set, ind):
    survey = create(world, actor=None)
    survey_open(survey=survey)
    response_save(actor=world.member, survey=survey, answers=client_answers(ind), submit=True)
    survey_close(survey=survey)
    survey.refresh_from_db()
    assert survey.state == SurveyState.CLOSED
    assert survey.grade_to_supplier == 7


# --- closing ------------------------------------------------------------------------------------


def test_closing_keeps_the_grades_and_tells_every_participant(world, open_survey, ind):
    response_save(
        actor=world.member, survey=open_survey, answers=client_answers(ind, 8), submit=True
    )
    response_save(
        actor=world.manager,
        survey=open_survey,
        answers=client_answers(ind, 9, "Great"),
        submit=True,
    )
    response_save(
        actor=world.supplier_lead,
        survey=open_survey,
        answers=[answer(ind["Pro-activity"], "client", 6), answer(ind["Openness"], "client", 7)],
        submit=True,
    )
    survey_close(survey=open_survey, actor=world.supplier_lead)
    open_survey.refresh_from_db()
    assert open_survey.state == SurveyState.CLOSED and open_survey.closed_at is not None
    assert open_survey.grade_to_supplier == pytest.approx(8.5)
    assert open_survey.grade_to_client == pytest.approx(6.5)
    told = Notification.objects.filter(kind="sti.survey_closed")
    assert {n.user for n in told} == {
        world.manager,
        world.member,
        world.viewer,
        world.supplier_lead,
        world.facilitator,
    }
    assert told.get(user=world.facilitator).url == selectors.survey_url(open_survey)


def test_closing_without_answers_keeps_no_grades(world, open_survey):
    survey_close(survey=open_survey, actor=world.manager)
    open_survey.refresh_from_db()
    assert open_survey.is_closed
    assert (open_survey.grade_to_supplier, open_survey.grade_to_client) == (None, None)


def test_closing_an_already_closed_survey_is_refused(world, open_survey, ind):
    response_save(actor=world.member, survey=open_survey, answers=client_answers(ind), submit=True)
    stale = Survey.objects.get(pk=open_survey.pk)
    survey_close(survey=open_survey)
    open_survey.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        survey_close(survey=stale, actor=world.manager)
    assert messages(exc) == ["Only an open survey can be closed."]
    again = Survey.objects.get(pk=open_survey.pk)
    assert (again.closed_at, again.grade_to_supplier) == (
        open_survey.closed_at,
        open_survey.grade_to_supplier,
    )
    assert Notification.objects.filter(kind="sti.survey_closed").count() == 5


# --- who answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["facilitator", "viewer", "outsider"])
def test_only_respondents_answer(world, open_survey, ind, who):
    with pytest.raises(PermissionDenied):
        response_save(
            actor=getattr(world, who), survey=open_survey, answers=client_answers(ind), submit=True
        )
    assert not Response.objects.exists()


def test_a_manager_who_is_no_participant_does_not_answer(world, open_survey, ind):
    boss = f.member(world.hospital, "admin")
    with pytest.raises(PermissionDenied):
        response_save(actor=boss, survey=open_survey, answers=client_answers(ind))
    assert not Response.objects.exists()


def test_respondents_are_the_two_sides_without_viewers(world):
    people = {p.user for p in selectors.respondents(partnership=world.partnership)}
    assert people == {world.manager, world.member, world.supplier_lead}
    assert selectors.is_respondent(partnership=world.partnership, user=world.member)
    assert not selectors.is_respondent(partnership=world.partnership, user=world.facilitator)
    suppliers = selectors.respondents(partnership=world.partnership, side="supplier")
    assert [p.user for p in suppliers] == [world.supplier_lead]


# --- which answers -----------------------------------------------------------------------------


def test_client_rates_the_supplier_and_assesses_itself(world, open_survey, ind):
    answers = client_answers(ind) + [
        answer(ind["Pro-activity"], "client", 6),
        answer(ind["Openness"], "client", 8),
    ]
    response = response_save(actor=world.member, survey=open_survey, answers=answers, submit=True)
    assert response.side == "client" and response.is_submitted
    assert stored(response) == {
        ("Pro-activity", "supplier"): (7, ""),
        ("Openness", "supplier"): (7, ""),
        ("Reachability", "supplier"): (7, ""),
        ("Pro-activity", "client"): (6, ""),
        ("Openness", "client"): (8, ""),
    }


def test_supplier_rates_the_client_and_assesses_itself(world, open_survey, ind):
    answers = [
        answer(ind["Pro-activity"], "client", 7),
        answer(ind["Openness"], "client", 7),
        answer(ind["Reachability"], "supplier", 8),  # self-assessment on its own indicator
    ]
    response = response_save(
        actor=world.supplier_lead, survey=open_survey, answers=answers, submit=True
    )
    assert response.side == "supplier"
    assert stored(response)[("Reachability", "supplier")] == (8, "")


def test_answers_not_asked_of_the_respondent_are_refused(world, open_survey, ind):
    other_set = sf.adopted_set(world.other_partnership)
    foreign = other_set.indicators.first()
    bad = [
        answer(ind["Reachability"], "client", 7),  # the client is not rated on reachability
        answer(ind["Openness"], "facilitator", 7),
        {"indicator": foreign.pk, "rated_side": "supplier", "score": 7},
        {"indicator": "abc", "rated_side": "supplier", "score": 7},
    ]
    with pytest.raises(ValidationError) as exc:
        response_save(actor=world.member, survey=open_survey, answers=client_answers(ind) + bad)
    keys = set(errors(exc))
    assert keys == {
        f"score-{ind['Reachability'].pk}-client",
        f"score-{ind['Openness'].pk}-facilitator",
        f"score-{foreign.pk}-supplier",
        "score-abc-supplier",
    }
    assert errors(exc)[f"score-{foreign.pk}-supplier"] == [
        "This indicator is not asked of you in this survey."
    ]
    assert not Response.objects.exists()


def test_answers_may_name_indicator_objects(world, open_survey, ind):
    foreign = sf.adopted_set(world.other_partnership).indicators.first()
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.member,
            survey=open_survey,
            answers=[
                {"indicator": ind["Openness"], "rated_side": "supplier", "score": 7},
                {"indicator": foreign, "rated_side": "supplier", "score": 7},
            ],
        )
    assert set(errors(exc)) == {f"score-{foreign.pk}-supplier"}
    response = response_save(
        actor=world.member,
        survey=open_survey,
        answers=[{"indicator": ind["Openness"], "rated_side": "supplier", "score": 7}],
    )
    assert stored(response) == {("Openness", "supplier"): (7, "")}


def test_indicator_of_a_later_version_is_refused(world, open_survey, ind):
    v2 = services.indicator_set_draft(actor=world.manager, partnership=world.partnership)
    newer = v2.indicators.get(name="Openness")
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.member, survey=open_survey, answers=[answer(newer, "supplier", 7)]
        )
    assert f"score-{newer.pk}-supplier" in exc.value.message_dict


@pytest.mark.parametrize("score", [0, 11, -1, "abc", "7.5", 7.5, "1O"])
def test_score_must_be_one_to_ten(world, open_survey, ind, score):
    target = ind["Openness"]
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.member, survey=open_survey, answers=[answer(target, "supplier", score)]
        )
    assert errors(exc) == {f"score-{target.pk}-supplier": ["Give a score from 1 to 10."]}
    assert not Rating.objects.exists()


@pytest.mark.parametrize(("given", "kept"), [(1, 1), ("10", 10), (" 4 ", 4)])
def test_scores_from_one_to_ten_are_kept(world, open_survey, ind, given, kept):
    response = response_save(
        actor=world.member, survey=open_survey, answers=[answer(ind["Openness"], "supplier", given)]
    )
    assert stored(response) == {("Openness", "supplier"): (kept, "")}


# --- drafts and submitting ---------------------------------------------------------------------


def test_a_draft_keeps_partial_answers_without_the_motivation_rule(world, open_survey, ind):
    response = response_save(
        actor=world.member,
        survey=open_survey,
        answers=[answer(ind["Openness"], "supplier", 3), answer(ind["Pro-activity"], "client", 10)],
    )
    assert not response.is_submitted
    assert stored(response) == {
        ("Openness", "supplier"): (3, ""),
        ("Pro-activity", "client"): (10, ""),
    }
    # A later draft adds to it and keeps what was not sent again.
    response_save(
        actor=world.member,
        survey=open_survey,
        answers=[answer(ind["Reachability"], "supplier", "", "Still thinking")],
    )
    assert stored(response) == {
        ("Openness", "supplier"): (3, ""),
        ("Pro-activity", "client"): (10, ""),
        ("Reachability", "supplier"): (None, "Still thinking"),
    }
    assert Response.objects.get().submitted_at is None
    assert selectors.own_response(survey=open_survey, user=world.member) == response
    assert selectors.own_response(survey=open_survey, user=world.manager) is None


def test_clearing_an_answer_in_a_draft_removes_it(world, open_survey, ind):
    response = response_save(
        actor=world.member, survey=open_survey, answers=[answer(ind["Openness"], "supplier", 4)]
    )
    rating = Rating.objects.get()
    response_save(
        actor=world.member, survey=open_survey, answers=[answer(ind["Openness"], "supplier", "")]
    )
    assert stored(response) == {}
    assert [h.history_type for h in Rating.history.filter(id=rating.pk).order_by("history_id")] == [
        "+",
        "-",
    ]


def test_submitting_needs_every_score_for_the_other_side(world, open_survey, ind):
    answers = [answer(ind["Pro-activity"], "supplier", 7), answer(ind["Openness"], "supplier", 7)]
    with pytest.raises(ValidationError) as exc:
        response_save(actor=world.member, survey=open_survey, answers=answers, submit=True)
    assert errors(exc) == {
        f"score-{ind['Reachability'].pk}-supplier": ["Give a score from 1 to 10."]
    }
    assert not Response.objects.exists()
    assert not Rating.objects.exists()


def test_submitting_does_not_need_a_self_assessment(world, open_survey, ind):
    response = response_save(
        actor=world.member, survey=open_survey, answers=client_answers(ind), submit=True
    )
    assert response.is_submitted
    assert selectors.response_rate(survey=open_survey)["client"]["submitted"] == 1


def test_supplier_submitting_is_asked_only_what_rates_the_client(world, open_survey, ind):
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.supplier_lead,
            survey=open_survey,
            answers=[answer(ind["Pro-activity"], "client", 7)],
            submit=True,
        )
    # Reachability rates only the supplier, so only Openness is missing.
    assert set(errors(exc)) == {f"score-{ind['Openness'].pk}-client"}


@pytest.mark.parametrize("score", range(1, 11))
def test_motivation_required_for_five_and_lower_and_nine_and_higher(score):
    assert motivation_required(score) is (score <= 5 or score >= 9)


def test_no_score_needs_no_motivation():
    assert motivation_required(None) is False


@pytest.mark.parametrize(
    ("score", "needs_motivation"), [(5, True), (6, False), (8, False), (9, True)]
)
def test_submit_applies_the_motivation_rule_at_its_boundaries(
    world, open_survey, ind, score, needs_motivation
):
    target = ind["Openness"]
    answers = [
        answer(ind["Pro-activity"], "supplier", 7),
        answer(target, "supplier", score),
        answer(ind["Reachability"], "supplier", 7),
    ]
    key = f"motivation-{target.pk}-supplier"
    if needs_motivation:
        with pytest.raises(ValidationError) as exc:
            response_save(actor=world.member, survey=open_survey, answers=answers, submit=True)
        assert errors(exc) == {key: ["Explain a score of 5 or lower, or of 9 or higher."]}
        assert not Response.objects.exists()
        answers[1]["motivation"] = "  Because  "
    response = response_save(actor=world.member, survey=open_survey, answers=answers, submit=True)
    assert response.is_submitted
    assert stored(response)[("Openness", "supplier")] == (
        score,
        "Because" if needs_motivation else "",
    )


@pytest.mark.parametrize(
    ("score", "needs_motivation"), [(5, True), (6, False), (8, False), (9, True)]
)
def test_self_assessment_follows_the_motivation_rule_too(
    world, open_survey, ind, score, needs_motivation
):
    answers = client_answers(ind) + [answer(ind["Openness"], "client", score)]
    if needs_motivation:
        with pytest.raises(ValidationError) as exc:
            response_save(actor=world.member, survey=open_survey, answers=answers, submit=True)
        assert set(errors(exc)) == {f"motivation-{ind['Openness'].pk}-client"}
        assert not Response.objects.exists()
    else:
        assert response_save(
            actor=world.member, survey=open_survey, answers=answers, submit=True
        ).is_submitted


def test_a_motivation_of_only_spaces_is_no_motivation(world, open_survey, ind):
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.member,
            survey=open_survey,
            answers=client_answers(ind, 10, motivation="   \n"),
            submit=True,
        )
    assert len(errors(exc)) == 3


def test_submit_counts_answers_saved_earlier_in_a_draft(world, open_survey, ind):
    response_save(
        actor=world.member,
        survey=open_survey,
        answers=[answer(ind["Pro-activity"], "supplier", 2, "Never calls")],
    )
    response = response_save(
        actor=world.member,
        survey=open_survey,
        answers=[
            answer(ind["Openness"], "supplier", 7),
            answer(ind["Reachability"], "supplier", 6),
        ],
        submit=True,
    )
    assert response.is_submitted
    assert stored(response)[("Pro-activity", "supplier")] == (2, "Never calls")


def test_submit_checks_motivations_saved_earlier_in_a_draft(world, open_survey, ind):
    response_save(
        actor=world.member, survey=open_survey, answers=[answer(ind["Openness"], "client", 1)]
    )
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.member, survey=open_survey, answers=client_answers(ind), submit=True
        )
    assert set(errors(exc)) == {f"motivation-{ind['Openness'].pk}-client"}


def test_a_refused_submit_saves_nothing(world, open_survey, ind):
    draft = response_save(
        actor=world.member,
        survey=open_survey,
        answers=[answer(ind["Pro-activity"], "supplier", 7), answer(ind["Openness"], "client", 6)],
    )
    before = stored(draft)
    changes = [
        answer(ind["Pro-activity"], "supplier", 8),  # valid on its own
        answer(ind["Openness"], "client", ""),  # would delete
        answer(ind["Openness"], "supplier", 3),  # needs a motivation
        # Reachability is missing
    ]
    with pytest.raises(ValidationError) as exc:
        response_save(actor=world.member, survey=open_survey, answers=changes, submit=True)
    assert set(errors(exc)) == {
        f"motivation-{ind['Openness'].pk}-supplier",
        f"score-{ind['Reachability'].pk}-supplier",
    }
    assert stored(draft) == before
    assert Response.objects.get().submitted_at is None
    assert Rating.history.count() == 2  # the two draft answers, nothing since


def test_one_bad_score_in_a_draft_saves_none_of_the_others(world, open_survey, ind):
    with pytest.raises(ValidationError):
        response_save(
            actor=world.member,
            survey=open_survey,
            answers=[
                answer(ind["Pro-activity"], "supplier", 7),
                answer(ind["Openness"], "supplier", 12),
            ],
        )
    assert not Response.objects.exists() and not Rating.objects.exists()


# --- editing after submitting, and after close -------------------------------------------------


def test_a_submitted_response_stays_editable_and_submitted_while_open(world, open_survey, ind):
    response = response_save(
        actor=world.member, survey=open_survey, answers=client_answers(ind), submit=True
    )
    submitted_at = response.submitted_at
    rating = Rating.objects.get(indicator=ind["Openness"])
    response_save(
        actor=world.member, survey=open_survey, answers=[answer(ind["Openness"], "supplier", 8)]
    )
    response.refresh_from_db()
    assert response.submitted_at == submitted_at
    assert stored(response)[("Openness", "supplier")] == (8, "")
    history = Rating.history.filter(id=rating.pk).order_by("history_id")
    assert [(h.history_type, h.score) for h in history] == [("+", 7), ("~", 8)]
    assert Response.history.filter(id=response.pk).count() >= 2


def test_editing_a_submitted_response_rechecks_the_rules(world, open_survey, ind):
    response = response_save(
        actor=world.member, survey=open_survey, answers=client_answers(ind), submit=True
    )
    openness = ind["Openness"]
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.member, survey=open_survey, answers=[answer(openness, "supplier", 3)]
        )
    assert set(errors(exc)) == {f"motivation-{openness.pk}-supplier"}
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.member, survey=open_survey, answers=[answer(openness, "supplier", "")]
        )
    assert set(errors(exc)) == {f"score-{openness.pk}-supplier"}
    assert stored(response)[("Openness", "supplier")] == (7, "")
    response.refresh_from_db()
    assert response.is_submitted


def test_submitting_again_keeps_the_first_submission_time(world, open_survey, ind):
    first = response_save(
        actor=world.member, survey=open_survey, answers=client_answers(ind), submit=True
    )
    again = response_save(
        actor=world.member, survey=open_survey, answers=client_answers(ind, 6), submit=True
    )
    assert again.submitted_at == first.submitted_at
    assert Response.objects.count() == 1


@pytest.mark.parametrize("submit", [False, True])
def test_after_close_every_save_is_refused(world, open_survey, ind, submit):
    response = response_save(
        actor=world.member, survey=open_survey, answers=[answer(ind["Openness"], "supplier", 4)]
    )
    survey_close(survey=open_survey)
    with pytest.raises(ValidationError) as exc:
        response_save(
            actor=world.member, survey=open_survey, answers=client_answers(ind, 7), submit=submit
        )
    assert messages(exc) == ["This survey is not open; answers can no longer change."]
    response.refresh_from_db()
    assert response.submitted_at is None
    assert stored(response) == {("Openness", "supplier"): (4, "")}


def test_a_scheduled_survey_takes_no_answers(world, indicator_set, ind):
    survey = sf.survey(world.partnership, indicator_set, state=SurveyState.SCHEDULED)
    with pytest.raises(ValidationError):
        response_save(actor=world.member, survey=survey, answers=client_answers(ind))
    assert not Response.objects.exists()


def test_a_save_with_a_stale_open_survey_is_refused_after_close(world, open_survey, ind):
    stale = Survey.objects.get(pk=open_survey.pk)  # the page was loaded while it was open
    survey_close(survey=open_survey)
    assert stale.is_open
    with pytest.raises(ValidationError):
        response_save(actor=world.member, survey=stale, answers=client_answers(ind), submit=True)
    assert not Response.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_on_the_closing_lock_is_refused(world, ind):
    """The state is read under the survey's row lock, so a close in flight wins."""
    survey = sf.survey(world.partnership, ind["Openness"].indicator_set, state=SurveyState.OPEN)
    locked, done = threading.Event(), {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        saver_pid = cursor.fetchone()[0]

    def close_once_the_save_waits():
        from django.db import transaction

        try:
            with transaction.atomic():
                Survey.objects.select_for_update().get(pk=survey.pk)
                locked.set()
                # The barrier: close only once the save below is blocked on this row lock.
                done["save waited"] = _wait_until_blocked_on_a_lock(saver_pid)
                survey_close(survey=survey)
            done["closed"] = True
        finally:
            connection.close()

    closer = threading.Thread(target=close_once_the_save_waits)
    closer.start()
    assert locked.wait(5)
    assert Survey.objects.get(pk=survey.pk).is_open  # not committed yet
    try:
        with pytest.raises(ValidationError):
            response_save(
                actor=world.member, survey=survey, answers=client_answers(ind), submit=True
            )
    finally:
        closer.join(10)
    assert done == {"save waited": True, "closed": True}
    assert not Response.objects.exists()
    assert Survey.objects.get(pk=survey.pk).is_closed


def _wait_until_blocked_on_a_lock(pid: int, timeout: float = 10) -> bool:
    """True once PostgreSQL reports backend `pid` waiting for a lock (here: the survey's row)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
            time.sleep(0.01)
    return False


# --- response rate -----------------------------------------------------------------------------


def test_response_rate_counts_submissions_per_side_and_not_drafts(world, open_survey, ind):
    extra = f.participant(world.partnership, "supplier", role="member")
    response_save(actor=world.member, survey=open_survey, answers=client_answers(ind), submit=True)
    response_save(actor=world.manager, survey=open_survey, answers=client_answers(ind)[:1])  # draft
    response_save(
        actor=extra,
        survey=open_survey,
        answers=[answer(ind["Pro-activity"], "client", 7), answer(ind["Openness"], "client", 7)],
        submit=True,
    )
    rate = selectors.response_rate(survey=open_survey)
    assert rate == {
        "client": {"submitted": 1, "eligible": 2},
        "supplier": {"submitted": 1, "eligible": 2},
        "total": {"submitted": 2, "eligible": 4},
        "percent": 50,
    }


def test_response_rate_of_a_survey_nobody_answered(world, open_survey):
    rate = selectors.response_rate(survey=open_survey)
    assert rate["total"] == {"submitted": 0, "eligible": 3}
    assert rate["percent"] == 0
