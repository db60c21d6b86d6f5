"""The STI pages: who may open them (200 / 403), the workshop, surveys, the questionnaire
and the results, all driven through the HTML."""

import datetime

import pytest
from django.urls import reverse

from sti.models import Indicator, IndicatorSet, Rating, Response, SignOff, Survey, SurveyState
from sti.results import compute_results
from tests import factories as f
from tests.sti import factories as sf

pytestmark = pytest.mark.django_db

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator"]
Q2 = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def english(world):
    """Pages are asserted in English; Dutch is the default language."""
    for who in PEOPLE:
        user = getattr(world, who)
        user.language = "en"
        user.save(update_fields=["language"])


def url(world, name, **kwargs):
    return reverse(f"sti:{name}", kwargs={"partnership_id": world.partnership.pk, **kwargs})


def page(client, user, path, status=200):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


@pytest.fixture
def adopted(world):
    return sf.adopted_set(world.partnership)


@pytest.fixture
def draft(world):
    return sf.draft_set(world.partnership, version=2)  # next to `adopted` when both are used


@pytest.fixture
def open_survey(world, adopted):
    return sf.survey(world.partnership, adopted, state=SurveyState.OPEN)


@pytest.fixture
def closed_survey(world, adopted):
    survey = sf.survey(world.partnership, adopted, state=SurveyState.CLOSED, period_start=Q2)
    sf.response(
        survey,
        world.manager,
        "client",
        {("Pro-activity", "supplier"): (4, "Reports came late"), ("Openness", "supplier"): 7},
    )
    sf.response(
        survey,
        world.supplier_lead,
        "supplier",
        {("Pro-activity", "client"): (9, "Always ahead"), ("Openness", "client"): 6},
    )
    return keep_grades(survey)


def keep_grades(survey):
    """What closing does: keep the grades on the survey (the factory builds it closed)."""
    results = compute_results(survey=survey)
    survey.grade_to_supplier = results.grade_to_supplier
    survey.grade_to_client = results.grade_to_client
    survey.save()
    return survey


# --- who may open what -----------------------------------------------------------------------


def read_pages(world, adopted, closed_survey):
    return [
        url(world, "home"),
        url(world, "sets"),
        url(world, "set", set_id=adopted.pk),
        url(world, "survey", survey_id=closed_survey.pk),
        url(world, "results", survey_id=closed_survey.pk),
    ]


@pytest.mark.parametrize("who", ["viewer", "facilitator", "member", "supplier_lead"])
def test_read_pages_open_to_every_insider(client, world, adopted, closed_survey, who):
    for path in read_pages(world, adopted, closed_survey):
        page(client, getattr(world, who), path)


def manage_pages(world, draft):
    indicator = draft.indicators.first()
    return [
        url(world, "settings"),
        url(world, "survey_new"),
        url(world, "indicator_add", set_id=draft.pk),
        url(world, "indicator_edit", set_id=draft.pk, indicator_id=indicator.pk),
    ]


@pytest.mark.parametrize("who", ["manager", "supplier_lead"])
def test_workshop_and_survey_pages_open_to_managers_of_either_side(client, world, draft, who):
    for path in manage_pages(world, draft):
        page(client, getattr(world, who), path)


@pytest.mark.parametrize("who", ["viewer", "facilitator", "member"])
def test_workshop_and_survey_pages_refuse_non_managers(client, world, draft, who):
    for path in manage_pages(world, draft):
        page(client, getattr(world, who), path, status=403)


@pytest.mark.parametrize("who", ["viewer", "facilitator", "member"])
def test_workshop_and_survey_buttons_refuse_non_managers(client, world, draft, open_survey, who):
    indicator = draft.indicators.first()
    client.force_login(getattr(world, who))
    for name, kwargs in [
        ("set_new", {}),
        ("set_sign_off", {"set_id": draft.pk}),
        ("set_discard", {"set_id": draft.pk}),
        ("indicator_remove", {"set_id": draft.pk, "indicator_id": indicator.pk}),
        ("indicator_move", {"set_id": draft.pk, "indicator_id": indicator.pk}),
        ("survey_close", {"survey_id": open_survey.pk}),
    ]:
        response = client.post(url(world, name, **kwargs), {"direction": "down"})
        assert response.status_code == 403, name
    assert Indicator.objects.filter(pk=indicator.pk, position=1).exists()
    assert not SignOff.objects.filter(indicator_set=draft).exists()
    open_survey.refresh_from_db()
    assert open_survey.is_open


def test_indicator_of_another_partnership_is_404_under_a_set_of_this_one(client, world):
    indicator = sf.draft_set(world.other_partnership).indicators.first()
    client.force_login(world.manager)
    own = sf.draft_set(world.partnership)  # an indicator must also sit in the set of the URL
    mixed = url(world, "indicator_edit", set_id=own.pk, indicator_id=indicator.pk)
    assert client.get(mixed).status_code == 404
    assert client.post(mixed, {"name": "Taken", "rated_side": "both"}).status_code == 404
    indicator.refresh_from_db()
    assert indicator.name == "Pro-activity"


@pytest.mark.parametrize("who", ["facilitator", "viewer"])
def test_questionnaire_refuses_those_who_do_not_rate(client, world, open_survey, who):
    page(client, getattr(world, who), url(world, "respond", survey_id=open_survey.pk), 403)


def test_questionnaire_tells_a_manager_outside_the_participants_why_not(client, world, open_survey):
    boss = f.member(world.hospital, "manager", email="boss@hospital.test", language="en")
    body = page(client, boss, url(world, "respond", survey_id=open_survey.pk), status=403)
    assert "Only participants of the two sides fill in the questionnaire." in body
    client.force_login(boss)
    response = client.post(
        url(world, "respond", survey_id=open_survey.pk),
        {"score-1-supplier": "7", "action": "submit"},
    )
    assert response.status_code == 403
    assert not Response.objects.filter(respondent=boss).exists()


# --- the workshop ----------------------------------------------------------------------------


def post(client, path, data=None, follow=False):
    return client.post(path, data or {}, follow=follow)


def test_workshop_end_to_end(client, world):
    client.force_login(world.manager)
    home = client.get(url(world, "home")).content.decode()
    assert "Start the indicator workshop" in home and url(world, "set_new") in home
    response = post(client, url(world, "set_new"))
    draft = IndicatorSet.objects.get(partnership=world.partnership)
    assert response["Location"] == url(world, "set", set_id=draft.pk)

    library_page = client.get(url(world, "indicator_add", set_id=draft.pk)).content.decode()
    assert "Pro-activity" in library_page and "Reports a risk before it becomes a complaint" in (
        library_page
    )
    response = post(
        client, url(world, "indicator_add", set_id=draft.pk), {"library_key": "openness"}
    )
    openness = draft.indicators.get(library_key="openness")
    assert response["Location"] == url(
        world, "indicator_edit", set_id=draft.pk, indicator_id=openness.pk
    )
    response = post(
        client,
        url(world, "indicator_edit", set_id=draft.pk, indicator_id=openness.pk),
        {
            "name": "Openness",
            "meaning": "We tell each other bad news within a day.",
            "behaviours": "Shares inspection results\nAdmits mistakes",
            "rated_side": "both",
        },
    )
    assert response.status_code == 302
    response = post(
        client,
        url(world, "indicator_add", set_id=draft.pk),
        {
            "name": "Reachability",
            "meaning": "The project leader answers within four hours.",
            "behaviours": "",
            "rated_side": "supplier",
        },
    )
    assert response["Location"] == url(world, "set", set_id=draft.pk)
    reach = draft.indicators.get(name="Reachability")
    post(
        client,
        url(world, "indicator_move", set_id=draft.pk, indicator_id=reach.pk),
        {"direction": "up"},
    )
    assert list(draft.indicators.order_by("position").values_list("name", flat=True)) == [
        "Reachability",
        "Openness",
    ]
    set_page = client.get(url(world, "set", set_id=draft.pk)).content.decode()
    assert "Admits mistakes" in set_page and "Only the supplier" in set_page
    assert "voids the sign-offs" in set_page

    response = post(client, url(world, "set_sign_off", set_id=draft.pk), follow=True)
    assert "Signed off for your side" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft and draft.sign_offs.get().side == "client"

    client.force_login(world.supplier_lead)
    response = post(client, url(world, "set_sign_off", set_id=draft.pk), follow=True)
    body = response.content.decode()
    assert "version 1 is now the set in use" in body and "In use" in body
    draft.refresh_from_db()
    assert draft.is_current
    home = client.get(url(world, "home")).content.decode()
    assert "Indicators in use" in home and "Reachability" in home
    assert "Start a new version" in client.get(url(world, "set", set_id=draft.pk)).content.decode()


def test_editing_a_draft_after_one_sign_off_voids_it(client, world, draft):
    client.force_login(world.manager)
    post(client, url(world, "set_sign_off", set_id=draft.pk))
    assert draft.sign_offs.count() == 1
    indicator = draft.indicators.first()
    response = post(
        client,
        url(world, "indicator_edit", set_id=draft.pk, indicator_id=indicator.pk),
        {"name": "Pro-activity", "meaning": "Something else now", "rated_side": "both"},
    )
    assert response.status_code == 302
    assert not draft.sign_offs.exists()
    body = client.get(url(world, "set", set_id=draft.pk)).content.decode()
    assert "Client: not signed off yet" in body


def test_indicator_form_shows_the_services_errors(client, world, draft):
    client.force_login(world.manager)
    response = post(
        client,
        url(world, "indicator_add", set_id=draft.pk),
        {"name": "openness", "meaning": "", "rated_side": "both"},
    )
    assert response.status_code == 200
    assert "This set already has an indicator with this name." in response.content.decode()
    assert draft.indicators.count() == 3


def test_sign_off_of_an_incomplete_draft_is_refused_with_a_message(client, world, draft):
    draft.indicators.update(meaning="")
    client.force_login(world.manager)
    body = post(client, url(world, "set_sign_off", set_id=draft.pk), follow=True).content.decode()
    assert "Write what these indicators mean here before signing off" in body
    assert not draft.sign_offs.exists()


def test_remove_and_discard(client, world, draft):
    client.force_login(world.supplier_lead)
    indicator = draft.indicators.first()
    post(client, url(world, "indicator_remove", set_id=draft.pk, indicator_id=indicator.pk))
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    response = post(client, url(world, "set_discard", set_id=draft.pk))
    assert response["Location"] == url(world, "home")
    assert not IndicatorSet.objects.filter(pk=draft.pk).exists()


def test_adopted_set_cannot_be_edited_but_starts_a_new_version(client, world, adopted):
    indicator = adopted.indicators.first()
    client.force_login(world.manager)
    response = post(
        client,
        url(world, "indicator_edit", set_id=adopted.pk, indicator_id=indicator.pk),
        {"name": "Changed", "rated_side": "both"},
    )
    assert response.status_code == 200
    assert "Start a new version instead." in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.name == "Pro-activity"
    response = post(client, url(world, "set_new"))
    new = IndicatorSet.objects.get(partnership=world.partnership, version=2)
    assert response["Location"] == url(world, "set", set_id=new.pk)
    assert new.indicators.count() == 3
    body = client.get(url(world, "set", set_id=adopted.pk)).content.decode()
    assert "Version 2 is being drafted" in body and "Start a new version" not in body


def test_empty_home_leads_managers_to_the_workshop_and_tells_others_who_starts(client, world):
    body = page(client, world.viewer, url(world, "home"))
    assert "A manager of either side starts the workshop." in body
    assert url(world, "set_new") not in body
    body = page(client, world.supplier_lead, url(world, "home"))
    assert "Start the indicator workshop" in body and url(world, "set_new") in body


def test_settings_switch_rater_names(client, world):
    client.force_login(world.supplier_lead)
    post(client, url(world, "settings"), {"show_rater_names": "on"})
    assert world.partnership.sti_settings.show_rater_names is True
    post(client, url(world, "settings"), {})
    world.partnership.sti_settings.refresh_from_db()
    assert world.partnership.sti_settings.show_rater_names is False


# --- surveys ---------------------------------------------------------------------------------


def local(dt: datetime.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def survey_form(quarter, open_now=False, days=14):
    from django.utils import timezone

    now = timezone.now()
    data = {
        "quarter": quarter,
        "opens_at": local(now + datetime.timedelta(hours=1)),
        "closes_at": local(now + datetime.timedelta(days=days)),
    }
    if open_now:
        data["open_now"] = "on"
    return data


def quarter_labels(today=None):
    from partnership.periods import QUARTERLY, Period

    current = Period.containing(today or datetime.date.today(), QUARTERLY)
    return current, current.previous()


def test_survey_new_defaults_to_the_previous_quarter(client, world, adopted):
    current, previous = quarter_labels()
    body = page(client, world.manager, url(world, "survey_new"))
    assert f'<option value="{previous.label}" selected>' in body
    assert f'<option value="{current.label}">' in body


def test_survey_planned_opened_and_closed_through_the_pages(client, world, adopted):
    _current, previous = quarter_labels()
    client.force_login(world.manager)
    response = post(client, url(world, "survey_new"), survey_form(previous.label))
    survey = Survey.objects.get(partnership=world.partnership)
    assert response["Location"] == url(world, "survey", survey_id=survey.pk)
    assert survey.state == SurveyState.SCHEDULED and survey.period_start == previous.start
    body = page(client, world.manager, url(world, "survey", survey_id=survey.pk))
    assert 'data-testid="survey-open"' in body
    post(client, url(world, "survey_open", survey_id=survey.pk))
    survey.refresh_from_db()
    assert survey.is_open
    body = page(client, world.manager, url(world, "survey", survey_id=survey.pk))
    assert 'data-testid="survey-close"' in body and 'data-testid="fill-in"' in body
    assert 'data-testid="response-rate"' in body and "0 of 3 submitted" in body
    body = page(client, world.viewer, url(world, "survey", survey_id=survey.pk))
    assert 'data-testid="survey-close"' not in body and 'data-testid="fill-in"' not in body
    client.force_login(world.manager)
    post(client, url(world, "survey_close", survey_id=survey.pk))
    survey.refresh_from_db()
    assert survey.is_closed
    body = page(client, world.manager, url(world, "survey", survey_id=survey.pk))
    assert url(world, "results", survey_id=survey.pk) in body


def test_survey_opened_right_away_from_the_form(client, world, adopted):
    current, _previous = quarter_labels()
    client.force_login(world.supplier_lead)
    post(client, url(world, "survey_new"), survey_form(current.label, open_now=True))
    assert Survey.objects.get(partnership=world.partnership).is_open


def test_survey_form_errors_and_nothing_half_made(client, world, adopted):
    current, previous = quarter_labels()
    sf.survey(world.partnership, adopted, period_start=previous.start)  # open
    client.force_login(world.manager)
    response = post(client, url(world, "survey_new"), survey_form(current.label, open_now=True))
    # Planning works, opening fails (another survey is open): neither happens.
    assert "Another survey of this partnership is still open." in response.content.decode()
    assert Survey.objects.filter(partnership=world.partnership).count() == 1
    data = survey_form(current.label, days=0)
    data["closes_at"] = data["opens_at"]
    response = post(client, url(world, "survey_new"), data)
    assert "The survey must close after it opens." in response.content.decode()


def test_survey_without_a_signed_off_set_explains_what_to_do(client, world, draft):
    _current, previous = quarter_labels()
    body = page(client, world.manager, url(world, "survey_new"))
    assert "no indicator set signed off by both sides" in body
    client.force_login(world.manager)
    response = post(client, url(world, "survey_new"), survey_form(previous.label))
    assert "Sign off an indicator set with both sides" in response.content.decode()
    assert not Survey.objects.exists()


# --- the questionnaire -----------------------------------------------------------------------


def indicator(survey, name):
    return survey.indicator_set.indicators.get(name=name)


def answers(survey, **overrides):
    """A complete client answer: the supplier on all three indicators."""
    data = {}
    for name, score in (("Pro-activity", 7), ("Openness", 8), ("Reachability", 6)):
        pk = indicator(survey, name).pk
        data[f"score-{pk}-supplier"] = str(score)
        data[f"motivation-{pk}-supplier"] = ""
    data.update(overrides)
    return data


def test_questionnaire_shows_the_other_side_then_own_side_optionally(client, world, open_survey):
    body = page(client, world.member, url(world, "respond", survey_id=open_survey.pk))
    reach = indicator(open_survey, "Reachability").pk
    pro = indicator(open_survey, "Pro-activity").pk
    assert 'data-testid="questionnaire"' in body
    assert f'name="score-{reach}-supplier"' in body and f'name="score-{pro}-client"' in body
    # Reachability rates only the supplier: a client rates it, but does not rate itself on it.
    assert f'name="score-{reach}-client"' not in body
    assert body.count(f'name="score-{pro}-supplier"') == 10
    assert 'name="action" value="draft"' in body and 'name="action" value="submit"' in body
    assert "What Pro-activity means here" in body
    assert '<details class="mb-3" data-testid="self-assessment">' in body  # collapsed


def test_questionnaire_draft_then_submit(client, world, open_survey):
    client.force_login(world.member)
    path = url(world, "respond", survey_id=open_survey.pk)
    pro = indicator(open_survey, "Pro-activity").pk
    response = post(client, path, {f"score-{pro}-supplier": "7", "action": "draft"})
    assert response["Location"] == path
    saved = Response.objects.get(survey=open_survey, respondent=world.member)
    assert not saved.is_submitted and saved.ratings.get().score == 7
    body = client.get(path).content.decode()
    assert "checked" in body.split(f'id="score-{pro}-supplier-7"')[1].split(">")[0]
    assert "checked" not in body.split(f'id="score-{pro}-supplier-8"')[1].split(">")[0]
    status = page(client, world.member, url(world, "survey", survey_id=open_survey.pk))
    assert "Draft saved" in status

    response = post(client, path, {**answers(open_survey), "action": "submit"})
    assert response["Location"] == url(world, "survey", survey_id=open_survey.pk)
    saved.refresh_from_db()
    assert saved.is_submitted and saved.ratings.count() == 3
    status = page(client, world.member, url(world, "survey", survey_id=open_survey.pk))
    assert "Submitted" in status and "1 of 3 submitted" in status


def test_questionnaire_motivation_error_shown_and_nothing_saved(client, world, open_survey):
    client.force_login(world.member)
    path = url(world, "respond", survey_id=open_survey.pk)
    pro = indicator(open_survey, "Pro-activity").pk
    data = answers(open_survey, **{f"score-{pro}-supplier": "3"})
    response = post(client, path, {**data, "action": "submit"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Explain a score of 5 or lower, or of 9 or higher." in body
    assert "nothing was saved" in body
    assert "checked" in body.split(f'id="score-{pro}-supplier-3"')[1].split(">")[0]
    assert not Rating.objects.filter(response__survey=open_survey).exists()
    assert not Response.objects.filter(survey=open_survey, submitted_at__isnull=False).exists()


def test_submit_without_every_score_names_the_missing_one(client, world, open_survey):
    client.force_login(world.supplier_lead)
    path = url(world, "respond", survey_id=open_survey.pk)
    pro = indicator(open_survey, "Pro-activity").pk
    response = post(client, path, {f"score-{pro}-client": "6", "action": "submit"})
    body = response.content.decode()
    assert "Give a score from 1 to 10." in body
    assert not Response.objects.filter(survey=open_survey, submitted_at__isnull=False).exists()


def test_answers_frozen_after_close(client, world, open_survey):
    client.force_login(world.member)
    path = url(world, "respond", survey_id=open_survey.pk)
    post(client, path, {**answers(open_survey), "action": "submit"})
    open_survey.state = SurveyState.CLOSED
    open_survey.save()
    pro = indicator(open_survey, "Pro-activity").pk
    response = post(client, path, {f"score-{pro}-supplier": "2", "action": "submit"}, follow=True)
    body = response.content.decode()
    assert "answers can no longer change" in body
    assert 'data-testid="questionnaire"' not in body and "Reachability" in body
    rating = Rating.objects.get(response__respondent=world.member, indicator_id=pro)
    assert rating.score == 7


# --- results ---------------------------------------------------------------------------------


def test_results_show_both_directions_after_close(client, world, closed_survey):
    body = page(client, world.viewer, url(world, "results", survey_id=closed_survey.pk))
    # Client → supplier: Pro-activity 4, Openness 7 -> 5.5; supplier → client: 9 and 6 -> 7.5.
    assert '<span class="sti-grade" data-testid="grade-to-supplier">5.5</span>' in body
    assert '<span class="sti-grade" data-testid="grade-to-client">7.5</span>' in body
    assert "Reports came late" in body and "Always ahead" in body
    assert body.count('role="img"') == 3
    assert "Rated by 1 from the client and 1 from the supplier." in body


def test_results_name_raters_only_as_the_setting_says(client, world, closed_survey):
    world.manager.full_name = "Hanna Client"
    world.manager.save()
    client_side = page(client, world.member, url(world, "results", survey_id=closed_survey.pk))
    supplier_side = page(
        client, world.supplier_lead, url(world, "results", survey_id=closed_survey.pk)
    )
    assert "Hanna Client" in client_side
    assert "Hanna Client" not in supplier_side and "anonymous" in supplier_side


@pytest.mark.parametrize("who", ["manager", "facilitator", "supplier_lead"])
def test_results_are_sealed_while_open(client, world, open_survey, who):
    sf.response(open_survey, world.member, "client", {("Openness", "supplier"): (3, "Secret XQ")})
    body = page(client, getattr(world, who), url(world, "results", survey_id=open_survey.pk), 403)
    assert "Results are sealed until the survey closes." in body
    assert "Secret XQ" not in body


def test_home_shows_the_open_survey_status_and_past_grades(client, world, closed_survey):
    open_ = sf.survey(world.partnership, closed_survey.indicator_set, period_start=Q2.replace(7))
    sf.response(open_, world.member, "client", {("Openness", "supplier"): 8}, submitted=False)
    body = page(client, world.member, url(world, "home"))
    assert 'data-testid="fill-in"' in body and "Draft saved" in body
    assert "2026-Q2" in body and "5.5" in body and "7.5" in body
    assert "0 of 3 submitted" in body
    body = page(client, world.viewer, url(world, "home"))
    assert 'data-testid="fill-in"' not in body


def test_overview_and_dashboard_show_the_latest_grades(client, world, closed_survey):
    Survey.objects.filter(pk=closed_survey.pk).update(
        grade_to_supplier="5.50", grade_to_client="7.50"
    )
    earlier = sf.survey(
        world.partnership,
        closed_survey.indicator_set,
        state=SurveyState.CLOSED,
        period_start=datetime.date(2026, 1, 1),
    )
    Survey.objects.filter(pk=earlier.pk).update(grade_to_supplier="5.00", grade_to_client="7.50")
    overview = page(client, world.manager, world.partnership.get_absolute_url())
    assert "Latest survey: 2026-Q2" in overview and "+0.5" in overview
    dashboard = page(client, world.manager, "/")
    assert 'data-testid="sti-card"' in dashboard and "rising" in dashboard
    assert "unchanged" in dashboard


def test_card_without_results_says_so(client, world):
    assert "No survey results yet" in page(client, world.manager, "/")


def test_grades_read_in_the_users_language(client, world, closed_survey):
    world.viewer.language = "nl"
    world.viewer.save(update_fields=["language"])
    body = page(client, world.viewer, url(world, "results", survey_id=closed_survey.pk))
    assert '<span class="sti-grade" data-testid="grade-to-supplier">5,5</span>' in body
    assert '<span class="sti-grade" data-testid="grade-to-client">7,5</span>' in body
