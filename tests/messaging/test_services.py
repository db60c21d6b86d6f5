"""The hub's services: threads, messages, edits, documents with versions, read state,
preferences and who hears about what, by their choice."""

import contextlib
import datetime
import hashlib
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from messaging import selectors, services, services_reading
from messaging.models import (
    DigestItem,
    Document,
    DocumentVersion,
    HubPreference,
    Message,
    MessageRevision,
    ReadState,
    Thread,
)
from partnership.models import Notification
from tests import factories as f

from .factories import PDF, T0, pdf, png

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def at(when):
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def _thread(world, actor=None, **kwargs) -> Thread:
    values = {"subject": "Ramen hoofdingang vies", "body": "Graag vandaag nog.", **kwargs}
    return services.thread_create(
        actor=actor or world.manager, partnership=world.partnership, **values
    )


# --- thread_create -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"body": "  \n "}, "body"),
        ({"category": "gossip"}, "category"),
        ({"priority": "whenever"}, "priority"),
    ],
)
def test_thread_create_refuses_bad_input_and_stores_nothing(world, values, field):
    with pytest.raises(ValidationError) as exc:
        _thread(world, **values)

    assert field in exc.value.message_dict
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_thread_create_refuses_an_assignee_who_may_not_see_it(world):
    with pytest.raises(ValidationError) as exc:
        _thread(world, assignee=world.outsider)
    assert "assignee" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _thread(world, assignee=world.facilitator)
    with pytest.raises(ValidationError):
        _thread(world, internal=True, assignee=world.supplier_lead)  # client-internal
    assert not Thread.objects.exists()

    thread = _thread(world, internal=True, assignee=world.member)
    assert thread.assignee == world.member


@pytest.mark.parametrize("who", ["viewer", "facilitator"])
def test_readers_may_not_open_a_thread(world, who):
    with pytest.raises(PermissionDenied):
        _thread(world, actor=getattr(world, who))
    assert not Thread.objects.exists()


def test_an_internal_thread_belongs_to_the_openers_side(world):
    client = _thread(world, internal=True)
    supplier = _thread(world, actor=world.supplier_lead, internal=True)
    shared = _thread(world, actor=world.supplier_lead)

    assert (client.visibility, client.side) == ("client_internal", "client")
    assert (supplier.visibility, supplier.side) == ("supplier_internal", "supplier")
    assert (shared.visibility, shared.side) == ("shared", "supplier")
    message = client.messages.get()
    assert (message.author, message.author_side) == (world.manager, "client")
    assert ReadState.objects.filter(user=world.manager, thread=client).exists()


# --- message_post / message_edit -----------------------------------------------------------


def test_message_post_refuses_a_closed_thread(world):
    thread = _thread(world)
    services.thread_update(actor=world.manager, thread=thread, status="closed")

    with pytest.raises(ValidationError) as exc:
        services.message_post(actor=world.supplier_lead, thread=thread, body="Nog één ding")

    assert "body" in exc.value.message_dict
    assert thread.messages.count() == 1


def test_message_post_on_a_resolved_thread_reopens_it(world):
    thread = _thread(world, category="complaint")
    services.thread_update(actor=world.manager, thread=thread, status="resolved")

    services.message_post(actor=world.supplier_lead, thread=thread, body="Toch nog niet goed")

    thread.refresh_from_db()
    assert thread.status == "open" and thread.resolved_at is None


def test_message_post_keeps_a_percent_sign_in_the_text(world):
    thread = _thread(world, body="Nu 100% schoon, %(author)s en %s blijven tekst")

    notice = Notification.objects.get(user=world.supplier_lead)
    assert "100% schoon, %(author)s en %s" in notice.display_body
    message = services.message_post(actor=world.supplier_lead, thread=thread, body="90% klaar")
    assert message.body == "90% klaar"


def test_readers_and_the_other_side_cannot_write_in_a_thread(world):
    thread = _thread(world)
    internal = _thread(world, internal=True)

    with pytest.raises(PermissionDenied):
        services.message_post(actor=world.viewer, thread=thread, body="x")
    with pytest.raises(PermissionDenied):
        services.message_post(actor=world.facilitator, thread=thread, body="x")
    with pytest.raises(Thread.DoesNotExist):
        services.message_post(actor=world.supplier_lead, thread=internal, body="x")
    assert Message.objects.count() == 2


def test_posting_marks_read_for_the_author_and_unread_for_the_others(world):
    thread = _thread(world)
    assert selectors.unread_count(user=world.manager) == 0
    assert selectors.unread_count(user=world.supplier_lead) == 1

    services_reading.thread_mark_read(user=world.supplier_lead, thread=thread)
    assert selectors.unread_count(user=world.supplier_lead) == 0
    services.message_post(actor=world.supplier_lead, thread=thread, body="Komt goed")

    assert selectors.unread_count(user=world.supplier_lead) == 0
    assert selectors.unread_count(user=world.manager) == 1
    assert selectors.unread_count(user=world.viewer) == 1


def test_message_edit_keeps_the_earlier_text(world):
    with at(T0):
        thread = _thread(world, body="Eerste versie")
    message = thread.messages.get()

    with at(T0 + datetime.timedelta(minutes=5)):
        services.message_edit(actor=world.manager, message=message, body="**Tweede** versie")

    message.refresh_from_db()
    assert message.body == "**Tweede** versie"
    assert "<strong>Tweede</strong>" in message.body_html
    assert message.edited_at == T0 + datetime.timedelta(minutes=5)
    assert list(MessageRevision.objects.values_list("body", flat=True)) == ["Eerste versie"]


def test_message_edit_is_refused_after_the_window(world, settings):
    settings.HUB_EDIT_MINUTES = 15
    with at(T0):
        thread = _thread(world, body="Eerste versie")
    message = thread.messages.get()

    with at(T0 + datetime.timedelta(minutes=16)), pytest.raises(ValidationError) as exc:
        services.message_edit(actor=world.manager, message=message, body="Te laat")

    assert "body" in exc.value.message_dict
    message.refresh_from_db()
    assert message.body == "Eerste versie" and message.edited_at is None
    assert not MessageRevision.objects.exists()


def test_only_the_author_may_edit_a_message(world):
    thread = _thread(world)
    message = thread.messages.get()

    with pytest.raises(PermissionDenied):
        services.message_edit(actor=world.member, message=message, body="Niet van mij")
    with pytest.raises(PermissionDenied):
        services.message_edit(actor=world.supplier_lead, message=message, body="Ook niet")
    message.refresh_from_db()
    assert message.edited_at is None


# --- thread_update -------------------------------------------------------------------------


def test_thread_update_changes_handling_but_not_visibility(world):
    thread = _thread(world, internal=True)

    services.thread_update(
        actor=world.member,
        thread=thread,
        status="closed",
        priority="urgent",
        category="complaint",
        subject=" Nieuw onderwerp ",
        assignee=world.member,
    )

    thread.refresh_from_db()
    assert (thread.status, thread.priority, thread.category, thread.subject) == (
        "closed",
        "urgent",
        "complaint",
        "Nieuw onderwerp",
    )
    assert thread.assignee == world.member and thread.visibility == "client_internal"
    with pytest.raises(ValidationError) as exc:
        services.thread_update(actor=world.member, thread=thread, status="gone", subject=" ")
    assert {"status", "subject"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        services.thread_update(actor=world.member, thread=thread, assignee=world.supplier_lead)
    with pytest.raises(Thread.DoesNotExist):
        services.thread_update(actor=world.supplier_lead, thread=thread, status="closed")
    thread.refresh_from_db()
    assert thread.status == "closed" and thread.assignee == world.member


# --- documents -----------------------------------------------------------------------------


def test_document_versions_are_numbered_with_checksum_size_and_uploader(world):
    first = PDF
    second = PDF + b"% tweede versie\n"
    document = services.document_create(
        actor=world.supplier_lead,
        partnership=world.partnership,
        title="Werkinstructie OK",
        category="work_instruction",
        file=pdf("wi.pdf", first),
    )
    version2 = services.document_version_add(
        actor=world.member, document=document, file=pdf("wi-v2.pdf", second), note="Controle"
    )
    version3 = services.document_version_add(
        actor=world.supplier_lead, document=document, file=png("wi.png")
    )

    versions = list(selectors.document_versions(document=document).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.uploaded_by for v in versions] == [
        world.supplier_lead,
        world.member,
        world.supplier_lead,
    ]
    assert versions[0].sha256 == hashlib.sha256(first).hexdigest()
    assert version2.sha256 == hashlib.sha256(second).hexdigest()
    assert (versions[0].size, version2.size) == (len(first), len(second))
    assert (version2.original_name, version2.note) == ("wi-v2.pdf", "Controle")
    assert version3.content_type == "image/png"
    with version2.file.open("rb") as handle:
        assert handle.read() == second
    assert "wi-v2" not in version2.file.name, "stored under a random name"
    document.refresh_from_db()
    assert document.updated_at == version3.uploaded_at
    row = selectors.documents(partnership=world.partnership).get()
    assert (row.version_count, row.latest_number, row.latest_version_id) == (3, 3, version3.pk)


def test_document_titles_are_unique_until_archived(world):
    document = services.document_create(
        actor=world.member, partnership=world.partnership, title="Contract", file=pdf()
    )
    with pytest.raises(ValidationError) as exc:
        services.document_create(
            actor=world.member, partnership=world.partnership, title="Contract", file=pdf()
        )
    assert "title" in exc.value.message_dict
    assert Document.objects.count() == 1 and DocumentVersion.objects.count() == 1

    services.document_archive(actor=world.member, document=document)
    services.document_create(
        actor=world.member, partnership=world.partnership, title="Contract", file=pdf()
    )
    assert Document.objects.filter(archived_at__isnull=True).count() == 1
    assert not selectors.documents(partnership=world.partnership).filter(pk=document.pk).exists()
    with pytest.raises(ValidationError):
        services.document_version_add(actor=world.member, document=document, file=pdf())
    with pytest.raises(ValidationError) as exc:
        services.document_archive(actor=world.member, document=document, archived=False)
    assert "title" in exc.value.message_dict


def test_only_the_creator_or_a_manager_archives_a_document(world):
    document = services.document_create(
        actor=world.supplier_lead, partnership=world.partnership, title="Blad", file=pdf()
    )

    with pytest.raises(PermissionDenied):
        services.document_archive(actor=world.member, document=document)
    with pytest.raises(PermissionDenied):
        services.document_create(
            actor=world.viewer, partnership=world.partnership, title="X", file=pdf()
        )
    services.document_archive(actor=world.manager, document=document)
    document.refresh_from_db()
    assert document.archived_at is not None
    assert DocumentVersion.objects.filter(document=document).count() == 1, "nothing deleted"


def test_a_new_version_tells_both_sides_in_the_app_only(world):
    document = services.document_create(
        actor=world.supplier_lead, partnership=world.partnership, title="Blad", file=pdf()
    )
    services.document_version_add(
        actor=world.supplier_lead, document=document, file=pdf(content=b"%PDF-1.4 second")
    )

    told = set(
        Notification.objects.filter(kind="hub.document").values_list("user__email", flat=True)
    )
    assert told == {"manager@hospital.test", "member@hospital.test", "viewer@hospital.test"}


# --- read state and preferences ------------------------------------------------------------


def test_mark_all_read_per_partnership_and_everywhere(world):
    # The lead manages the cleaner, so also sees the university's partnership.
    _thread(world)
    _thread(world, subject="Tweede")
    services.thread_create(
        actor=f.participant(world.other_partnership, "client", role="admin", email="u@uni.test"),
        partnership=world.other_partnership,
        subject="Elders",
        body="Vraag",
    )
    assert selectors.unread_count(user=world.supplier_lead) == 3

    assert (
        services_reading.threads_mark_read(user=world.supplier_lead, partnership=world.partnership)
        == 2
    )
    assert selectors.unread_count(user=world.supplier_lead) == 1
    assert services_reading.threads_mark_read(user=world.supplier_lead) == 1
    assert selectors.unread_count(user=world.supplier_lead) == 0


def test_preferences_are_kept_per_category(world):
    services_reading.preferences_set(
        user=world.member, choices={"complaint": "digest", "idea": "in_app"}
    )
    services_reading.preferences_set(user=world.member, choices={"complaint": "immediate"})

    chosen = selectors.preferences_for(world.member)
    assert chosen["complaint"] == "immediate" and chosen["idea"] == "in_app"
    assert chosen["question"] == "immediate", "no row: e-mail right away"
    with pytest.raises(ValidationError) as exc:
        services_reading.preferences_set(
            user=world.member, choices={"idea": "pigeon", "gossip": "digest"}
        )
    assert set(exc.value.message_dict) == {"idea", "gossip"}
    assert HubPreference.objects.get(user=world.member, category="idea").delivery == "in_app"


# --- notifications -------------------------------------------------------------------------


def test_each_recipient_hears_as_they_chose(world, django_capture_on_commit_callbacks):
    services_reading.preferences_set(user=world.member, choices={"complaint": "digest"})
    services_reading.preferences_set(user=world.viewer, choices={"complaint": "in_app"})
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        thread = _thread(world, category="complaint")

    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["lead@cleaner.test"], "digest and in-app choosers get no mail now"
    notified = set(
        Notification.objects.filter(kind="hub.thread").values_list("user__email", flat=True)
    )
    assert notified == {"lead@cleaner.test", "member@hospital.test", "viewer@hospital.test"}
    assert list(DigestItem.objects.values_list("user__email", "thread")) == [
        ("member@hospital.test", thread.pk)
    ]
    assert world.facilitator.email not in notified, "the facilitator is not pinged"


def test_a_reply_notifies_only_the_people_involved(world, django_capture_on_commit_callbacks):
    thread = _thread(world, assignee=world.supplier_lead)
    mail.outbox.clear()
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(actor=world.supplier_lead, thread=thread, body="We komen eraan")

    assert [m.to for m in mail.outbox] == [["manager@hospital.test"]]
    assert "We komen eraan" in mail.outbox[0].body
    assert set(Notification.objects.values_list("user__email", flat=True)) == {
        "manager@hospital.test"
    }


def test_internal_threads_notify_only_their_own_side(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _thread(world, actor=world.supplier_lead, internal=True)
        _thread(world, internal=True)

    # The lead is the only supplier participant and wrote the supplier's internal thread.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member@hospital.test",
        "viewer@hospital.test",
    ]
    assert not Notification.objects.filter(user=world.supplier_lead).exists()
    assert not Notification.objects.filter(user=world.facilitator).exists()


def test_notification_mail_is_in_the_recipients_language(world, django_capture_on_commit_callbacks):
    world.supplier_lead.language = "en"
    world.supplier_lead.save(update_fields=["language"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _thread(world, category="complaint")

    (message,) = [m for m in mail.outbox if m.to == ["lead@cleaner.test"]]
    assert "New Complaint in Hospital cleaning: Ramen hoofdingang vies" in message.subject
