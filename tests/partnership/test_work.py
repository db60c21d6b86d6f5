""" "My work": each person sees what waits for them, across partnerships, and nothing of anyone
else's; the list costs the same number of queries for one partnership or several; the dashboard,
/work/ and the header's badge show it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kpis.models import Dispute, Measurement
from messaging.models import Thread
from partnership.access import Action, access_for, partnerships_where
from partnership.models import Participant, Partnership, Side
from partnership.work import sources, work_count, work_for
from reviews.models import ReviewRound, RoundState
from sti.models import Response
from tests import factories as f
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.messaging.factories import ThreadFactory
from tests.reviews import factories as rf
from tests.sti import factories as sti_f

TODAY = timezone.localdate()


def fill(p: Partnership, w) -> None:
    """One of every kind of work in `p`, for the people of the world."""
    KPIFactory(partnership=p, name="Supplier reports", source="supplier")  # no value yet
    KPIFactory(partnership=p, name="Client measures", source="client", frequency="quarterly")
    reported = KPIFactory(partnership=p, name="Disputed", source="supplier")
    measurement = MeasurementFactory(kpi=reported, period_start=datetime.date(2026, 1, 1))
    Dispute.objects.create(
        partnership=p, measurement=measurement, raised_by=w.member, side="client", reason="?"
    )
    survey = sti_f.survey(p, sti_f.adopted_set(p))
    Response.objects.create(
        survey=survey, respondent=w.member, side="client", submitted_at=timezone.now()
    )
    ThreadFactory(
        partnership=p, subject="Waiting for the cleaner", status="waiting", waiting_for="supplier"
    )
    ThreadFactory(
        partnership=p,
        subject="Waiting for the hospital",
        status="waiting",
        waiting_for="client",
        visibility="shared",
    )
    rf.action(p, w.member, actor=w.manager, title="Soon", due=TODAY + datetime.timedelta(days=3))
    action = rf.action(p, w.member, actor=w.manager, title="Late", due=TODAY)
    type(action).objects.filter(pk=action.pk).update(due_date=TODAY - datetime.timedelta(days=2))
    rf.action(p, w.member, actor=w.manager, title="Later", due=TODAY + datetime.timedelta(days=60))
    now = timezone.now()
    ReviewRound.objects.create(
        partnership=p,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
        state=RoundState.CLOSED,
        opens_at=now - datetime.timedelta(days=20),
        closes_at=now - datetime.timedelta(days=6),
        opened_at=now - datetime.timedelta(days=20),
        closed_at=now - datetime.timedelta(days=6),
    )


def kinds(user) -> list[str]:
    return sorted(item.kind for item in work_for(user, today=TODAY))


def another_partnership_like(w) -> Partnership:
    """The world's people, in the same roles, in one more partnership."""
    p = f.PartnershipFactory(client=w.hospital, supplier=w.cleaner)
    for user, side in [
        (w.manager, Side.CLIENT),
        (w.member, Side.CLIENT),
        (w.viewer, Side.CLIENT),
        (w.supplier_lead, Side.SUPPLIER),
        (w.facilitator, Side.FACILITATOR),
    ]:
        Participant.objects.create(partnership=p, user=user, side=side)
    fill(p, w)
    return p


def test_each_person_sees_what_waits_for_their_side(world):
    fill(world.partnership, world)
    # The client's admin: the questionnaire, the client's KPI, the hub thread waiting for the
    # client. The dispute waits for the supplier; the actions are the member's.
    assert kinds(world.manager) == [
        "kpis.value",
        "messaging.thread",
        "sti.questionnaire",
    ]
    # The member submitted the questionnaire; owns two actions due (one overdue), not the
    # one due in 60 days.
    member = work_for(world.member, today=TODAY)
    assert sorted(i.kind for i in member) == [
        "kpis.value",
        "messaging.thread",
        "reviews.action",
        "reviews.action",
    ]
    actions = [i for i in member if i.kind == "reviews.action"]
    assert [(i.title, i.overdue) for i in actions] == [("Late", True), ("Soon", False)]
    # Overdue first, then by due date, undated last.
    flags = [i.overdue for i in member]
    assert flags == sorted(flags, reverse=True)
    assert member[-1].due is None and member[-1].kind == "messaging.thread"
    # The supplier: its KPI values (the disputed KPI has no value for the latest month
    # either), the questionnaire, the dispute and the thread waiting for it.
    assert kinds(world.supplier_lead) == [
        "kpis.dispute",
        "kpis.value",
        "kpis.value",
        "messaging.thread",
        "sti.questionnaire",
    ]
    # The facilitator plans the session; the viewer reads and has nothing to do; an outsider
    # sees nothing.
    assert kinds(world.facilitator) == ["reviews.session"]
    assert kinds(world.viewer) == [] and kinds(world.outsider) == []
    # Answering moves the work to the other side; a value entered is work done.
    Dispute.objects.get().comments.create(
        side="supplier", text="Checked", author=world.supplier_lead
    )
    assert "kpis.dispute" in kinds(world.manager)
    assert "kpis.dispute" not in kinds(world.supplier_lead)
    Thread.objects.filter(waiting_for="supplier").update(status="open", waiting_for="")
    assert "messaging.thread" not in kinds(world.supplier_lead)
    # The counts for the badge agree with the lists, for everyone.
    for user in (world.manager, world.member, world.supplier_lead, world.facilitator):
        fresh = type(user).objects.get(pk=user.pk)
        assert work_count(fresh, today=TODAY) == len(work_for(user, today=TODAY))
    # An ended partnership is an archive: nothing waits there any more.
    Partnership.objects.filter(pk=world.partnership.pk).update(phase="ended")
    assert kinds(world.member) == [] and kinds(world.supplier_lead) == []


@pytest.mark.parametrize(
    "start, end",
    [
        (TODAY + datetime.timedelta(days=40), TODAY + datetime.timedelta(days=800)),  # not started
        (datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)),  # it ended long ago
    ],
    ids=["not-started", "ended"],
)
def test_no_value_is_due_for_a_period_outside_the_contract(world, start, end):
    kpi = KPIFactory(partnership=world.partnership, name="Supplier reports", source="supplier")
    assert "kpis.value" in kinds(world.supplier_lead)
    kpi.partnership.contracts.all().delete()
    f.ContractFactory(partnership=kpi.partnership, start_date=start, end_date=end)
    assert "kpis.value" not in kinds(world.supplier_lead)


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_work_costs_the_same_for_one_partnership_or_three(world):
    fill(world.partnership, world)
    people = [world.manager, world.member, world.supplier_lead, world.facilitator]
    small = {u.pk: queries(lambda u=u: work_for(u, today=TODAY)) for u in people}
    few = {u.pk: len(work_for(u, today=TODAY)) for u in people}
    another_partnership_like(world)
    another_partnership_like(world)
    assert {u.pk: queries(lambda u=u: work_for(u, today=TODAY)) for u in people} == small
    assert {u.pk: len(work_for(u, today=TODAY)) for u in people} == {
        pk: 3 * n for pk, n in few.items()
    }
    fresh = [type(u).objects.get(pk=u.pk) for u in people]
    counts = [queries(lambda u=u: work_count(u, today=TODAY)) for u in fresh]
    assert max(counts) <= len(sources())  # one count per source, however many partnerships


def test_the_access_rule_in_sql_agrees_with_access_for(world):
    """`partnerships_where` is the rule of `PartnershipAccess.can`, for every person, side and
    action, in a live and in an ended partnership."""
    ended = f.PartnershipFactory(client=world.hospital, supplier=world.cleaner, phase="ended")
    Participant.objects.create(partnership=ended, user=world.member, side=Side.CLIENT)
    people = [
        world.manager,
        world.member,
        world.viewer,
        world.supplier_lead,
        world.facilitator,
        world.outsider,
    ]
    partnerships = [world.partnership, world.other_partnership, ended]
    for user in people:
        visible = set(Partnership.objects.visible_to(user).values_list("pk", flat=True))
        for side in Side.values:
            for action in Action:
                sql = set(partnerships_where(user, action, side).values_list("pk", flat=True))
                python = {
                    p.pk
                    for p in partnerships
                    if p.pk in visible
                    and access_for(user, p).side == side
                    and access_for(user, p).can(action)
                }
                assert sql == python, (user.email, side, action)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_dashboard_work_page_and_badge(client, world, language):
    fill(world.partnership, world)
    Measurement.objects.all().delete()
    type(world.member).objects.filter(pk__in=[world.member.pk, world.viewer.pk]).update(
        language=language
    )
    client.force_login(world.member)
    page = client.get(reverse("partnership:dashboard"))
    html = page.content.decode()
    assert 'data-testid="my-work"' in html and html.count('data-testid="work-item"') == 4
    overdue = {"nl": "Over de deadline", "en": "Overdue"}[language]
    assert overdue in html  # in words, not only by colour
    waits = {"nl": "taken wachten op je", "en": "tasks wait for you"}[language]
    assert f'data-testid="my-work-unread">4<span class="visually-hidden"> {waits}' in html
    full = client.get(reverse("partnership:my_work")).content.decode()
    assert full.count('data-testid="work-item"') == 4
    client.force_login(world.viewer)
    empty = client.get(reverse("partnership:my_work")).content.decode()
    assert {"nl": "Niets wacht op je.", "en": "Nothing is waiting for you."}[language] in empty
    assert 'data-testid="my-work-unread"' not in empty
