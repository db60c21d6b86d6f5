"""Response figures: the first answer by the other side, the time to resolve complaints and
incidents, and their medians per period, computed by hand here."""

import contextlib
import datetime
from unittest import mock

import pytest
from django.utils import timezone

from messaging import selectors, services
from messaging.models import Thread
from partnership.periods import QUARTERLY, Period

from .factories import T0, ThreadFactory, hours

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def at(when):
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def _open(world, *, actor=None, category="question", when=T0, internal=False) -> Thread:
    with at(when):
        return services.thread_create(
            actor=actor or world.manager,
            partnership=world.partnership,
            subject="Vloer OK niet gedweild",
            body="Graag oplossen.",
            category=category,
            internal=internal,
        )


def _post(thread, actor, when) -> None:
    with at(when):
        services.message_post(actor=actor, thread=thread, body="Bericht")


def test_first_response_is_the_first_message_by_the_other_side(world):
    thread = _open(world)
    _post(thread, world.member, T0 + hours(1))  # own side: not an answer
    _post(thread, world.manager, T0 + hours(2))
    thread.refresh_from_db()
    assert thread.first_response_at is None

    _post(thread, world.supplier_lead, T0 + hours(3))
    _post(thread, world.manager, T0 + hours(4))
    _post(thread, world.supplier_lead, T0 + hours(9))

    thread.refresh_from_db()
    assert thread.first_response_at == T0 + hours(3)
    assert thread.first_response_time == hours(3)
    assert thread.last_message_at == T0 + hours(9)


def test_first_response_of_a_supplier_thread_comes_from_the_client(world):
    thread = _open(world, actor=world.supplier_lead)
    _post(thread, world.supplier_lead, T0 + hours(1))
    _post(thread, world.member, T0 + hours(26))

    thread.refresh_from_db()
    assert thread.first_response_time == hours(26)


def test_an_internal_thread_never_gets_a_first_response(world):
    thread = _open(world, internal=True)
    _post(thread, world.member, T0 + hours(1))

    thread.refresh_from_db()
    assert thread.first_response_at is None
    figures = selectors.figures(
        partnership=world.partnership, start=T0 - hours(1), end=T0 + hours(48)
    )
    assert figures["threads"] == 0 and figures["unanswered"] == 0


def test_time_to_resolve_is_measured_for_complaints_and_incidents_only(world):
    complaint = _open(world, category="complaint")
    incident = _open(world, category="incident", when=T0 + hours(1))
    question = _open(world, category="question", when=T0 + hours(2))
    for thread, done in ((complaint, 10), (incident, 5), (question, 4)):
        with at(T0 + hours(done)):
            services.thread_update(actor=world.manager, thread=thread, status="resolved")

    for thread in (complaint, incident, question):
        thread.refresh_from_db()
    assert complaint.time_to_resolve == hours(10)
    assert incident.time_to_resolve == hours(4)
    assert question.resolved_at == T0 + hours(4)
    assert question.time_to_resolve is None
    figures = selectors.figures(partnership=world.partnership, start=T0, end=T0 + hours(24))
    assert figures["resolved"] == 2
    assert figures["median_time_to_resolve"] == hours(7)  # median of 10 h and 4 h
    assert (figures["threads"], figures["complaints"], figures["incidents"]) == (3, 1, 1)


def test_a_reply_on_a_resolved_thread_reopens_it_and_clears_resolved_at(world):
    thread = _open(world, category="complaint")
    with at(T0 + hours(2)):
        services.thread_update(actor=world.manager, thread=thread, status="resolved")
    thread.refresh_from_db()
    assert thread.resolved_at == T0 + hours(2)

    _post(thread, world.supplier_lead, T0 + hours(3))

    thread.refresh_from_db()
    assert (thread.status, thread.resolved_at, thread.time_to_resolve) == ("open", None, None)
    with at(T0 + hours(8)):
        services.thread_update(actor=world.manager, thread=thread, status="resolved")
    thread.refresh_from_db()
    assert thread.time_to_resolve == hours(8), "measured to the final resolution"


def test_reopening_by_status_clears_resolved_at(world):
    thread = _open(world, category="incident")
    with at(T0 + hours(1)):
        services.thread_update(actor=world.manager, thread=thread, status="closed")
    with at(T0 + hours(2)):
        services.thread_update(actor=world.manager, thread=thread, status="waiting")

    thread.refresh_from_db()
    assert thread.resolved_at is None


def test_median_first_response_over_a_period(world):
    p = world.partnership
    for responded in (1, 2, 10):
        ThreadFactory(partnership=p, first_response_at=T0 + hours(responded))
    ThreadFactory(partnership=p)  # unanswered
    ThreadFactory(partnership=p, created_at=T0 + datetime.timedelta(days=40))  # after the period
    ThreadFactory(partnership=p, visibility="client_internal", first_response_at=T0 + hours(0.1))
    ThreadFactory(partnership=world.other_partnership, first_response_at=T0 + hours(0.1))

    figures = selectors.figures(
        partnership=p, start=T0 - datetime.timedelta(days=1), end=T0 + datetime.timedelta(days=30)
    )

    assert figures["threads"] == 4
    assert figures["responded"] == 3 and figures["unanswered"] == 1
    assert figures["median_first_response"] == hours(2)
    empty = selectors.figures(partnership=p, start=T0 + hours(1), end=T0 + hours(2))
    assert empty["threads"] == 0 and empty["median_first_response"] is None


def _aware(y, m, d, h=9):
    return timezone.make_aware(datetime.datetime(y, m, d, h))


def test_figures_by_period_spreads_threads_over_quarters(world):
    p = world.partnership
    q1 = [  # (opened, first response after h, category, resolved after h)
        (_aware(2026, 1, 10), 2, "complaint", 20),
        (_aware(2026, 2, 3), 4, "complaint", 10),
        (_aware(2026, 3, 31, 23), 12, "incident", None),  # still in Q1 in Amsterdam time
        (_aware(2026, 3, 15), None, "question", None),
    ]
    q2 = [(_aware(2026, 4, 1, 0), 1, "complaint", 3)]
    q4 = [(_aware(2026, 11, 2), 5, "idea", None), (_aware(2026, 12, 1), 7, "question", None)]
    for opened, answer, category, resolve in q1 + q2 + q4:
        status = "resolved" if resolve else "open"
        ThreadFactory(
            partnership=p,
            created_at=opened,
            category=category,
            status=status,
            first_response_at=opened + hours(answer) if answer else None,
            resolved_at=opened + hours(resolve) if resolve else None,
        )
    ThreadFactory(partnership=p, created_at=_aware(2026, 2, 1), visibility="supplier_internal",
                  side="supplier", category="complaint")  # fmt: skip
    periods = [Period.containing(datetime.date(2026, m, 1), QUARTERLY) for m in (1, 4, 7, 10)]

    rows = selectors.figures_by_period(partnership=p, periods=periods)

    assert [r["period"] for r in rows] == periods
    assert [r["threads"] for r in rows] == [4, 1, 0, 2]
    assert [r["complaints"] for r in rows] == [2, 1, 0, 0]
    assert [r["incidents"] for r in rows] == [1, 0, 0, 0]
    assert [r["unanswered"] for r in rows] == [1, 0, 0, 0]
    assert rows[0]["median_first_response"] == hours(4)  # of 2, 4 and 12 hours
    assert rows[0]["median_time_to_resolve"] == hours(15)  # of 20 and 10 hours
    assert rows[1]["median_first_response"] == hours(1)
    assert rows[1]["median_time_to_resolve"] == hours(3)
    assert rows[2]["median_first_response"] is None
    assert rows[3]["median_first_response"] == hours(6)  # of 5 and 7 hours
    assert rows[3]["median_time_to_resolve"] is None
    single = selectors.figures(
        partnership=p,
        start=_aware(2026, 1, 1, 0),
        end=_aware(2026, 4, 1, 0),
    )
    assert single["threads"] == rows[0]["threads"]
    assert single["median_first_response"] == rows[0]["median_first_response"]


def test_the_database_and_the_row_by_row_figures_agree(world, monkeypatch):
    """PostgreSQL computes the figures in one query; the embedded SQLite run counts rows in
    Python. Both must give the same numbers (medians of odd and even counts, empty periods)."""
    from messaging import figures as hub_figures

    p = world.partnership
    for day, answer, category, resolve in [
        (5, 3, "complaint", 30),
        (6, 8, "complaint", 9),
        (7, None, "incident", None),
        (40, 1, "incident", 50),
        (41, 2, "question", None),
        (42, 6, "question", None),
        (43, 7, "idea", None),
    ]:
        opened = T0 + datetime.timedelta(days=day)
        ThreadFactory(
            partnership=p,
            created_at=opened,
            category=category,
            status="resolved" if resolve else "open",
            first_response_at=opened + hours(answer) if answer else None,
            resolved_at=opened + hours(resolve) if resolve else None,
        )
    start = T0.date().replace(day=1)
    periods = [Period.containing(start, "monthly")]
    for _ in range(3):
        periods.append(periods[-1].next())
    ranges = [
        (hub_figures._midnight(x.start), hub_figures._midnight(x.next().start)) for x in periods
    ]

    in_sql = hub_figures._figures_in_sql(p, ranges)
    from_rows = hub_figures._figures_from_rows(p, ranges)

    assert in_sql == from_rows
    assert [r["threads"] for r in in_sql] == [3, 4, 0, 0]
    assert in_sql[0]["median_first_response"] == hours(5.5)  # of 3 and 8 hours
