"""States that agree: what one page says about a survey, a round, a change or a date is what the
others say. Each test would have caught a disagreement seen in use."""

from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from partnership.history import _display
from partnership.models import Partnership, Phase
from partnership.phases import checklist_for
from reviews.models import ReviewRound, RoundState
from sti import panels, services_surveys
from sti.models import Survey
from sti.results import shown_change
from tests.reviews import factories as rf


def test_a_survey_closed_by_hand_closes_its_round_everywhere(client, world):
    review_round = rf.review_round(world.partnership, RoundState.OPEN)
    services_surveys.survey_close(survey=review_round.survey, actor=world.manager)
    review_round.refresh_from_db()
    assert review_round.state == RoundState.CLOSED and review_round.closed_at is not None
    # The facilitator's workspace no longer lists it as an open questionnaire; it waits for
    # its session instead.
    client.force_login(world.facilitator)
    page = client.get(reverse("reviews_global:workspace"))
    assert page.context["open_rounds"] == []
    assert [r.pk for r in page.context["waiting"]] == [review_round.pk]
    # The history shows the survey's moments as dates people read, in their time zone.
    client.force_login(world.manager)
    history = client.get(reverse("partnership:history", args=[world.partnership.pk]))
    html = history.content.decode()
    assert "+00:00" not in html and ".950373" not in html
    closed_at = Survey.objects.get(pk=review_round.survey_id).closed_at
    with translation.override("nl"):
        shown = _display(Survey._meta.get_field("closed_at"), closed_at)
        local = timezone.localtime(closed_at)
        assert shown == formats.date_format(local, "DATETIME_FORMAT")
        assert str(local.year) in shown and "+" not in shown and "." not in shown
        assert _display(Survey._meta.get_field("grade_to_supplier"), Decimal("7.25")) == "7,25"
        assert _display(None, True) == "ja"


def test_a_survey_opened_by_hand_opens_its_scheduled_round(world):
    review_round = rf.review_round(world.partnership, RoundState.OPEN)
    services_surveys.survey_close(survey=review_round.survey, actor=world.manager)
    later = rf.review_round(world.partnership, RoundState.SCHEDULED, period=rf.Q2_2026.next())
    from reviews.services_planning import _link_survey

    survey = _link_survey(later)
    # Opening the survey by hand, inside the round's window, opens the round too.
    with rf.travel(later.opens_at + timedelta(minutes=5)):
        services_surveys.survey_open(survey=survey, actor=world.manager)
    later.refresh_from_db()
    assert later.state == RoundState.OPEN


def test_every_open_state_reads_as_a_state_not_the_verb():
    """The msgid "Open" alone is the button ("Openen"); every state or status called "open"
    takes a context, so in Dutch it reads "Open"."""
    found = []
    with translation.override("nl"):
        for model in apps.get_models():
            for field in model._meta.fields:
                for value, label in field.flatchoices or ():
                    if value == "open":
                        found.append((model.__name__, field.name, str(label)))
    assert found and all(label != "Openen" for *_, label in found), found
    assert ("Survey", "state", "Open") in found and ("ReviewRound", "state", "Open") in found
    with translation.override("nl"):
        badge = render_to_string("sti/_state.html", {"survey": Survey(state="open")})
    assert ">Open<" in badge


def test_a_change_is_the_change_between_the_figures_shown():
    # 7,24 and 7,26 are shown as 7,2 and 7,3: the change reads +0,1, never "= 0,0".
    assert shown_change(Decimal("7.26"), Decimal("7.24")) == Decimal("0.1")
    assert panels.trend(Decimal("7.26"), Decimal("7.24")) == "up"
    # 7,16 and 7,24 are both shown as 7,2: no change, even though 0,08 rounds to 0,1.
    assert shown_change(Decimal("7.24"), Decimal("7.16")) == Decimal("0.0")
    assert panels.trend(Decimal("7.24"), Decimal("7.16")) == "flat"
    summary = panels._summary(
        [
            {
                "id": 2,
                "period_start": None,
                "grade_to_supplier": Decimal("7.26"),
                "grade_to_client": Decimal("6.94"),
            },
            {
                "id": 1,
                "period_start": None,
                "grade_to_supplier": Decimal("7.24"),
                "grade_to_client": Decimal("7.04"),
            },  # 7,0 → 6,9 below
        ]
    )
    with translation.override("nl"):
        up = render_to_string(
            "sti/_change.html",
            {
                "change": summary["grade_to_supplier_change"],
                "trend": summary["grade_to_supplier_trend"],
            },
        )
        down = render_to_string(
            "sti/_change.html",
            {
                "change": summary["grade_to_client_change"],
                "trend": summary["grade_to_client_trend"],
            },
        )
    assert "+0,1" in up and "▲" in up
    assert "-0,1" in down and "▼" in down


def test_rounds_running_is_ticked_once_a_round_has_opened(world):
    Partnership.objects.filter(pk=world.partnership.pk).update(phase=Phase.ACTIVE)
    world.partnership.refresh_from_db()

    def ticked() -> bool:
        entries = {e.key: e for e in checklist_for(world.partnership)}
        assert not entries["active.rounds"].manual  # derived, so nobody forgets to tick it
        return entries["active.rounds"].done

    rf.review_round(world.partnership, RoundState.SCHEDULED)
    assert not ticked()
    ReviewRound.objects.all().delete()
    rf.review_round(world.partnership, RoundState.PUBLISHED, facilitator=world.facilitator)
    assert ticked()
