"""Internal threads stay with their side: the other side and the facilitator never see them, not
in the inbox, search, counts, figures, document links or the digest."""

import datetime

import pytest
from django.core import mail

from messaging import selectors, services, services_reading
from messaging.digest import send_digests
from messaging.models import DigestItem, Thread
from partnership.access import access_for

from .factories import T0, hours, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(world):
    """A shared thread, an internal thread per side, all mentioning "vloer", and a document
    linked from all three."""
    document = services.document_create(
        actor=world.manager, partnership=world.partnership, title="Werkinstructie vloer", file=pdf()
    )

    def open_(actor, subject, internal):
        return services.thread_create(
            actor=actor,
            partnership=world.partnership,
            subject=subject,
            body="Over de vloer",
            category="complaint",
            internal=internal,
            documents=[document],
        )

    world.shared = open_(world.manager, "Gedeeld", False)
    world.client_internal = open_(world.member, "Klant intern", True)
    world.supplier_internal = open_(world.supplier_lead, "Leverancier intern", True)
    world.document = document
    return world


def _seen(user):
    return set(Thread.objects.visible_to(user).values_list("subject", flat=True))


ALL = {"Gedeeld", "Klant intern", "Leverancier intern"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("manager", {"Gedeeld", "Klant intern"}),
        ("member", {"Gedeeld", "Klant intern"}),
        ("viewer", {"Gedeeld", "Klant intern"}),
        ("supplier_lead", {"Gedeeld", "Leverancier intern"}),
        ("facilitator", {"Gedeeld"}),
        ("outsider", set()),
    ],
)
def test_visible_to_and_for_access_agree_on_internal_threads(hub, who, expected):
    user = getattr(hub, who)

    assert _seen(user) == expected
    if who != "outsider":
        access = access_for(user, hub.partnership)
        assert {t.subject for t in Thread.objects.for_access(access)} == expected
        assert {t.subject for t in selectors.inbox(access=access)} == expected
        assert {t.subject for t in selectors.inbox(access=access, visibility="internal")} == (
            expected - {"Gedeeld"}
        )
        linking = selectors.threads_linking(access=access, document=hub.document)
        assert {t.subject for t in linking} == expected
    assert {t.subject for t in selectors.inbox_across(user=user)} == expected
    found = selectors.search(user=user, q="vloer")
    assert {t.subject for t in found["threads"]} == expected
    assert {t.subject for t in selectors.search(user=user, q="intern")["threads"]} == (
        expected - {"Gedeeld"}
    )


def test_unread_counts_leave_out_the_other_sides_internal_threads(hub):
    for who, count in [("supplier_lead", 1), ("facilitator", 1), ("viewer", 2), ("manager", 1)]:
        user = getattr(hub, who)
        assert selectors.unread_count(user=user) == count, who
        by_partnership = selectors.unread_by_partnership(
            user=user, partnership_ids=[hub.partnership.pk, hub.other_partnership.pk]
        )
        assert by_partnership == {hub.partnership.pk: count}, who


def test_mark_all_read_touches_only_what_the_user_sees(hub):
    assert services_reading.threads_mark_read(user=hub.facilitator) == 1
    assert not hub.client_internal.reads.filter(user=hub.facilitator).exists()


def test_internal_threads_never_count_in_the_figures(hub):
    figures = selectors.figures(
        partnership=hub.partnership,
        start=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1),
        end=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )

    assert (figures["threads"], figures["complaints"], figures["unanswered"]) == (1, 1, 1)


def test_a_thread_of_the_other_side_is_absent_for_every_service(hub):
    thread = hub.client_internal
    message = thread.messages.get()

    with pytest.raises(Thread.DoesNotExist):
        services.thread_update(actor=hub.supplier_lead, thread=thread, status="closed")
    with pytest.raises(Thread.DoesNotExist):
        services.thread_link_documents(actor=hub.supplier_lead, thread=thread, documents=[])
    with pytest.raises(Thread.DoesNotExist):
        services.message_edit(actor=hub.supplier_lead, message=message, body="x")
    thread.refresh_from_db()
    assert thread.status == "open" and thread.documents.count() == 1


def test_attachments_follow_their_thread(hub):
    services.message_post(
        actor=hub.member, thread=hub.client_internal, body="Foto", attachments=[pdf("intern.pdf")]
    )
    services.message_post(
        actor=hub.manager, thread=hub.shared, body="Foto", attachments=[pdf("gedeeld.pdf")]
    )

    for who, names in [
        ("supplier_lead", {"gedeeld.pdf"}),
        ("facilitator", {"gedeeld.pdf"}),
        ("member", {"gedeeld.pdf", "intern.pdf"}),
    ]:
        access = access_for(getattr(hub, who), hub.partnership)
        found = selectors.attachments_for_access(access=access)
        assert {a.original_name for a in found} == names, who


def test_the_digest_checks_visibility_again(hub, django_capture_on_commit_callbacks):
    """Even an item that should never have been made does not carry an internal thread out."""
    for user in (hub.facilitator, hub.supplier_lead):
        DigestItem.objects.create(user=user, thread=hub.client_internal, created_at=T0)
    DigestItem.objects.create(user=hub.supplier_lead, thread=hub.supplier_internal, created_at=T0)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_digests(now=T0 + hours(1))

    assert sent == 1
    (message,) = mail.outbox
    assert message.to == ["lead@cleaner.test"]
    assert "Leverancier intern" in message.body
    assert "Klant intern" not in message.body


def test_nobody_on_the_other_side_is_told_about_an_internal_thread(hub):
    from partnership.models import Notification

    told = Notification.objects.filter(url=selectors.thread_url(hub.client_internal))
    assert set(told.values_list("user__email", flat=True)) == {
        "manager@hospital.test",
        "viewer@hospital.test",
    }
    assert (
        not DigestItem.objects.filter(thread=hub.client_internal)
        .exclude(user__in=[hub.manager, hub.viewer, hub.member])
        .exists()
    )
