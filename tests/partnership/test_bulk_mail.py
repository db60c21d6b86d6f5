"""Bulk notifications: many notices in a fixed number of queries, each mail as if rendered alone."""

import pytest
from django.core import mail
from django.utils.translation import gettext_lazy as _

from partnership.bulk import rows_update
from partnership.emails import notification_render
from partnership.models import Notification, Partnership
from partnership.notifications import Notice, notify_many
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_notify_many_writes_every_notice_in_two_queries_and_renders_as_one_by_one(
    world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    world.manager.language = "en"
    world.manager.save(update_fields=["language"])
    people = [world.manager, world.member, world.supplier_lead]
    notices = [
        Notice(
            users=people,
            kind="test.bulk",
            title=_("Review round %(period)s was reopened"),
            body=_("Reason: %(reason)s") if n % 2 else "",
            params={"period": f"2026-Q{n}", "reason": "{{ not a template }} 100%"},
            url=f"/partnerships/{world.partnership.pk}/" if n < 3 else "",
            partnership=world.partnership if n != 2 else None,
        )
        for n in range(1, 5)
    ]
    # One insert of the notifications, one of their mail.
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(2):
        notifications = notify_many(notices)
    assert len(notifications) == 12 and len(callbacks) == 1  # one send for all the mail

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    sent = {(m.to[0], m.subject): m.body for m in mail.outbox}
    assert len(sent) == 12
    for notification in Notification.objects.filter(kind="test.bulk").select_related(
        "user", "partnership"
    ):
        subject, body = notification_render(notification)  # alone, without the shared shapes
        assert sent[(notification.user.email, subject)] == body
    assert any("{{ not a template }} 100%" in body for body in sent.values())
    assert any(s.startswith("[Tandem] Review round") for _to, s in sent)  # English
    assert any("heropend" in s for _to, s in sent)  # Dutch


def test_rows_update_writes_each_row_its_own_values_where_the_guard_holds(world):
    first, second = world.partnership, f.PartnershipFactory(title="Other")
    Partnership.objects.filter(pk__in=[first.pk, second.pk]).update(phase="active")
    Partnership.objects.filter(pk=second.pk).update(phase="pilot")  # moved on meanwhile
    first.title, first.phase = "First", "renewal"
    second.title, second.phase = "Second", "exit"

    assert rows_update(Partnership, [first, second], ["title", "phase"], phase="active") == 1

    rows = Partnership.objects.filter(pk__in=[first.pk, second.pk]).values_list("title", "phase")
    assert set(rows) == {("First", "renewal"), ("Other", "pilot")}
