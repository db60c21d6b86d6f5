"""The clock's queries do not grow with the number of partnerships: each day of a quarter costs
the same at 3 and at 12 partnerships due, and with small batches every batch costs the same."""

import datetime
from collections import defaultdict

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from kpis.models import KPI, Measurement
from partnership.models import Membership, Organization, Participant, Partnership
from reviews import agenda, clock, services, services_clock
from reviews.calendar import TIME_ZONE
from reviews.models import ActionItem, AgendaItem, ReviewRound, RoundReminder, RoundState
from sti.models import Indicator, IndicatorSet, Rating, Response, SignOff, Survey
from sti.results import compute_results

pytestmark = pytest.mark.django_db

YEAR = 2027


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, 7, 5, tzinfo=TIME_ZONE)


# The days of one quarter's round: planned, nothing, opened (and the next planned), reminded
# three days and one day before closing (the actions due soon), closed (the actions overdue).
DAYS = [
    ("plan", at(4, 1)),
    ("nothing", at(5, 15)),
    ("open", at(7, 1)),
    ("remind_3", at(7, 12)),
    ("remind_1", at(7, 14)),
    ("close", at(7, 15)),
]


def group(name: str, size: int, *, uniform: bool = False) -> list[Partnership]:
    """`size` partnerships built in bulk: each with two raters per side and a facilitator, an
    adopted set of two indicators, a KPI with values and an action due on 14 July; the first
    has no indicator set and no facilitator (its round runs without questionnaire), unless
    `uniform`."""
    supplier = Organization.objects.create(slug=f"{name}-s", name=f"{name} supplier")
    clients = Organization.objects.bulk_create(
        [Organization(slug=f"{name}-c{i}", name=f"{name} client {i}") for i in range(size)]
    )
    lead, cleaner, facilitator = User.objects.bulk_create(
        [
            User(email=f"{name}-{who}@s.test", language=lang)
            for who, lang in (("lead", "nl"), ("cleaner", "en"), ("fac", "en"))
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(organization=supplier, user=lead, role="manager"),
            Membership(organization=supplier, user=cleaner, role="member"),
        ]
    )
    managers = User.objects.bulk_create(
        [User(email=f"{name}-m{i}@c.test", language="en" if i % 2 else "nl") for i in range(size)]
    )
    members = User.objects.bulk_create([User(email=f"{name}-u{i}@c.test") for i in range(size)])
    Membership.objects.bulk_create(
        [Membership(organization=c, user=u, role="manager") for c, u in zip(clients, managers)]
        + [Membership(organization=c, user=u, role="member") for c, u in zip(clients, members)]
    )
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(client=c, supplier=supplier, title=f"{name} {i}", phase="active")
            for i, c in enumerate(clients)
        ]
    )
    participants, kpis, sets = [], [], []
    for i, p in enumerate(partnerships):
        people = [(managers[i], "client"), (members[i], "client"), (lead, "supplier")]
        odd = i == 0 and not uniform
        people += [(cleaner, "supplier")] + ([] if odd else [(facilitator, "facilitator")])
        participants += [Participant(partnership=p, user=u, side=side) for u, side in people]
        kpis.append(KPI(partnership=p, name="Complaints", direction="lower", target=5))
        if not odd:
            sets.append(IndicatorSet(partnership=p, version=1, adopted_at=at(1, 4)))
    Participant.objects.bulk_create(participants)
    KPI.objects.bulk_create(kpis)
    Measurement.objects.bulk_create(
        [Measurement(kpi=k, period_start=datetime.date(YEAR, 5, 1), value=9) for k in kpis]
    )
    IndicatorSet.objects.bulk_create(sets)
    Indicator.objects.bulk_create(
        [
            Indicator(indicator_set=s, position=n, name=name, rated_side=side)
            for s in sets
            for n, (name, side) in enumerate((("Openness", "both"), ("Reach", "supplier")))
        ]
    )
    SignOff.objects.bulk_create(
        [SignOff(indicator_set=s, side=side) for s in sets for side in ("client", "supplier")]
    )
    return partnerships


def answer_one_per_partnership() -> None:
    """The client manager of each open survey submits (in bulk, outside the counts)."""
    responses = []
    for survey in Survey.objects.filter(state="open").select_related("partnership"):
        manager = Participant.objects.filter(
            partnership=survey.partnership, user__email__contains="-m"
        ).values_list("user_id", flat=True)[0]
        responses.append(
            Response(
                survey=survey, respondent_id=manager, side="client", submitted_at=timezone.now()
            )
        )
    Response.objects.bulk_create(responses)
    Rating.objects.bulk_create(
        [
            Rating(response=r, indicator=i, rated_side="supplier", score=4 + r.pk % 5)
            for r in responses
            for i in Indicator.objects.filter(indicator_set__surveys=r.survey_id)
        ]
    )


def quarter(partnerships, django_capture_on_commit_callbacks) -> dict:
    """Run the quarter's ticks for these partnerships alone (the others have ended), each with
    an action due on 14 July: what each day did and its queries."""
    Partnership.objects.exclude(pk__in=[p.pk for p in partnerships]).update(phase="ended")
    Partnership.objects.filter(pk__in=[p.pk for p in partnerships]).update(phase="active")
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                partnership=p,
                title="Update the work instruction",
                owner=User.objects.get(email=f"{p.title.split()[0]}-u{i}@c.test"),
                owner_side="client",
                due_date=datetime.date(YEAR, 7, 14),
            )
            for i, p in enumerate(partnerships)
        ]
    )
    counts, done = {}, {}
    for name, moment in DAYS:
        with time_machine.travel(moment, tick=False):
            if name == "remind_3":
                answer_one_per_partnership()
            with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks():
                done[name] = clock.tick(now=moment)
        counts[name] = len(ctx.captured_queries)
    return counts, done


def test_each_day_of_a_quarter_costs_the_same_queries_at_3_and_at_12_partnerships(
    django_capture_on_commit_callbacks,
):
    small, large = group("small", 3), group("large", 12)

    few, done_few = quarter(small, django_capture_on_commit_callbacks)
    many, done_many = quarter(large, django_capture_on_commit_callbacks)

    # The work grew fourfold ...
    assert done_few["plan"]["planned"] == 3 and done_many["plan"]["planned"] == 12
    assert done_few["open"] == {**done_few["open"], "opened": 3, "planned": 3}
    assert done_many["open"] == {**done_many["open"], "opened": 12, "planned": 12}
    # Per round with a questionnaire: the three raters who did not submit.
    assert done_few["remind_3"]["reminded"] == 2 * 3
    assert done_many["remind_3"]["reminded"] == done_many["remind_1"]["reminded"] == 11 * 3
    assert done_many["remind_3"]["action_due_soon"] == 12
    assert done_many["close"]["closed"] == 12 and done_many["close"]["action_overdue"] == 12
    # ... and the queries did not.
    assert many == few
    assert few["nothing"] <= 8
    # What the closing did, for every round of the large group.
    rounds = ReviewRound.objects.filter(partnership__in=large, state=RoundState.CLOSED)
    assert rounds.count() == 12
    assert AgendaItem.objects.filter(round__in=rounds).values("round").distinct().count() == 12
    plan = RoundReminder.objects.filter(round__in=rounds, kind="plan_session")
    assert plan.count() == 11 + 2  # the facilitator, or both managers of the one without
    assert Survey.objects.filter(partnership__in=large, state="closed").count() == 11

    # The batch did what the one-round services do: the grades and the agenda are theirs.
    for review_round in rounds.select_related("survey", "partnership")[:2]:
        survey = review_round.survey
        if survey is not None:
            results = compute_results(survey=survey)
            assert survey.grade_to_supplier == results.grade_to_supplier is not None
            assert survey.grade_to_client == results.grade_to_client
        batch = list(review_round.agenda.values_list("kind", "title", "details", "kpi", "action"))
        AgendaItem.objects.filter(round=review_round).delete()
        with time_machine.travel(at(7, 15), tick=False):
            agenda.agenda_propose(review_round=review_round, now=at(7, 15))
        alone = list(review_round.agenda.values_list("kind", "title", "details", "kpi", "action"))
        assert batch == alone and len(batch) >= 3  # the KPI, the action and the hub at least


@pytest.fixture
def per_batch(monkeypatch):
    """Queries of each call of the clock's batch services, by service."""
    calls = defaultdict(list)

    def counting(name, service):
        def wrapper(*args, **kwargs):
            with CaptureQueriesContext(connection) as ctx:
                result = service(*args, **kwargs)
            calls[name].append(len(ctx.captured_queries))
            return result

        return wrapper

    for name in ("rounds_plan_many", "rounds_open_many", "rounds_remind_many", "rounds_close_many"):
        monkeypatch.setattr(services_clock, name, counting(name, getattr(services_clock, name)))
    monkeypatch.setattr(clock, "_remind_owners", counting("actions", clock._remind_owners))
    return calls


def test_every_batch_costs_the_same_queries_full_or_not(
    settings, per_batch, django_capture_on_commit_callbacks
):
    settings.REVIEW_CLOCK_BATCH_SIZE = 5
    quarter(group("batched", 12, uniform=True), django_capture_on_commit_callbacks)

    # 12 alike partnerships in batches of 5, 5 and 2 on each day of a step: every batch of a
    # step costs the same. (A batch with a round without questionnaire costs a few more: the
    # managers are told instead; the test above compares such mixed batches.)
    days = {
        "rounds_plan_many": 2,  # this quarter's rounds, then the next one's
        "rounds_open_many": 1,
        "rounds_remind_many": 2,  # 3 days and 1 day before closing
        "rounds_close_many": 1,
        "actions": 2,  # due soon, then overdue
    }
    assert {name: len(counts) for name, counts in per_batch.items()} == {
        name: 3 * n for name, n in days.items()
    }
    for name, counts in per_batch.items():
        assert len(set(counts)) == 1, (name, counts)


def test_a_batch_that_fails_is_done_round_by_round_and_one_failure_stops_no_other(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    partnerships = group("fallback", 3, uniform=True)

    def broken(**kwargs):
        raise RuntimeError("the batch broke")

    one_by_one = services.round_open
    first = min(p.pk for p in partnerships)

    def open_but_the_first(*, review_round, **kwargs):
        if review_round.partnership_id == first:
            raise RuntimeError("this round broke")
        return one_by_one(review_round=review_round, **kwargs)

    monkeypatch.setattr(services_clock, "rounds_open_many", broken)
    monkeypatch.setattr(services, "round_open", open_but_the_first)
    _counts, done = quarter(partnerships[:], django_capture_on_commit_callbacks)

    assert done["open"]["opened"] == 2
    opened = ReviewRound.objects.filter(partnership__in=partnerships, period_start__month=4)
    assert {r.partnership_id for r in opened if r.opened_at} == {p.pk for p in partnerships} - {
        first
    }
    assert "the batch broke" in caplog.text and "this round broke" in caplog.text
    assert done["close"]["closed"] == 2  # the other steps went on in batches
