"""How a thread is handled between the sides: waiting for the other side and the answer that
ends the wait, who can own a thread, the bell read with the thread, and versions that differ."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from messaging import selectors, services
from messaging.models import Thread
from partnership.models import Notification
from tests.messaging.factories import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(world):
    return services.thread_create(
        actor=world.member, partnership=world.partnership, subject="Lift 3", body="Vies."
    )


def test_waiting_names_the_other_side_and_its_answer_reopens_the_thread(world, thread):
    services.thread_update(actor=world.member, thread=thread, status="waiting")
    thread.refresh_from_db()
    assert (thread.status, thread.waiting_for) == ("waiting", "supplier")
    with translation.override("en"):
        assert thread.status_label == "Waiting for the supplier"

    services.message_post(actor=world.manager, thread=thread, body="Nog iets?")
    thread.refresh_from_db()
    assert thread.status == "waiting"  # the client's own follow-up does not end the wait

    services.message_post(actor=world.supplier_lead, thread=thread, body="Opgelost vandaag.")
    thread.refresh_from_db()
    assert (thread.status, thread.waiting_for) == ("open", "")


def test_the_supplier_waits_for_the_client(world, thread):
    services.thread_update(actor=world.supplier_lead, thread=thread, status="waiting")
    thread.refresh_from_db()
    assert thread.waiting_for == "client"
    services.thread_update(actor=world.supplier_lead, thread=thread, status="resolved")
    thread.refresh_from_db()
    assert (thread.status, thread.waiting_for) == ("resolved", "")


def test_an_internal_thread_cannot_wait_for_the_other_side(world):
    internal = services.thread_create(
        actor=world.member,
        partnership=world.partnership,
        subject="Intern",
        body="Onder ons.",
        internal=True,
    )
    with pytest.raises(ValidationError) as exc:
        services.thread_update(actor=world.member, thread=internal, status="waiting")
    assert "status" in exc.value.message_dict
    internal.refresh_from_db()
    assert internal.status == "open"


def test_the_database_refuses_a_wait_without_a_side(world, thread):
    with pytest.raises(IntegrityError), transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(status="waiting", waiting_for="")


def test_the_status_form_offers_waiting_with_the_side_and_not_on_internal_threads(world, thread):
    from messaging.forms import ThreadUpdateForm

    with translation.override("nl"):
        form = ThreadUpdateForm(thread=thread, side="client")
        assert dict(form.fields["status"].choices)["waiting"] == "Wacht op de leverancier"
    internal = services.thread_create(
        actor=world.member, partnership=world.partnership, subject="I", body="x", internal=True
    )
    choices = dict(ThreadUpdateForm(thread=internal, side="client").fields["status"].choices)
    assert "waiting" not in choices


def test_a_read_only_viewer_cannot_own_a_thread(world, thread):
    allowed = set(selectors.assignable_users(partnership=world.partnership))
    assert world.member in allowed and world.supplier_lead in allowed
    assert world.viewer not in allowed and world.facilitator not in allowed
    with pytest.raises(ValidationError) as exc:
        services.thread_update(actor=world.member, thread=thread, assignee=world.viewer)
    assert "assignee" in exc.value.message_dict


def test_reading_the_thread_reads_its_notifications_too(world, thread, client):
    other = services.thread_create(
        actor=world.member, partnership=world.partnership, subject="Andere", body="y"
    )
    bell = Notification.objects.filter(user=world.supplier_lead, read_at__isnull=True)
    assert bell.count() == 2
    client.force_login(world.supplier_lead)
    client.get(selectors.thread_url(thread))
    assert list(bell.values_list("url", flat=True)) == [selectors.thread_url(other)]
    client.post(reverse("messaging:mark_all_read", kwargs={"partnership_id": world.partnership.pk}))
    assert not bell.exists()


def test_the_same_file_again_is_not_a_new_version(world):
    document = services.document_create(
        actor=world.member, partnership=world.partnership, title="Handzeep", file=pdf()
    )
    with pytest.raises(ValidationError) as exc:
        services.document_version_add(actor=world.supplier_lead, document=document, file=pdf())
    assert "file" in exc.value.message_dict
    assert document.versions.count() == 1


def test_a_version_downloads_under_a_name_with_its_number(world, client):
    document = services.document_create(
        actor=world.member, partnership=world.partnership, title="Handzeep", file=pdf("hz.pdf")
    )
    services.document_version_add(
        actor=world.member, document=document, file=pdf("hz.pdf", b"%PDF-1.4 two")
    )
    latest = document.versions.order_by("-number").first()
    client.force_login(world.supplier_lead)
    response = client.get(
        reverse(
            "messaging:version_download",
            kwargs={
                "partnership_id": world.partnership.pk,
                "document_id": document.pk,
                "version_id": latest.pk,
            },
        )
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="hz-v2.pdf"'


def test_the_cross_partnership_inbox_filters_on_one_partnership(world, client):
    from tests import factories as f

    f.ParticipantFactory(
        partnership=world.other_partnership, user=world.supplier_lead, side="supplier"
    )
    services.thread_create(
        actor=world.member, partnership=world.partnership, subject="Ziekenhuis Z1", body="x"
    )
    services.thread_create(
        actor=world.supplier_lead,
        partnership=world.other_partnership,
        subject="Universiteit U1",
        body="y",
    )
    client.force_login(world.supplier_lead)
    everything = client.get(reverse("hub:inbox")).content.decode()
    assert "Ziekenhuis Z1" in everything and "Universiteit U1" in everything
    one = client.get(reverse("hub:inbox"), {"partnership": str(world.other_partnership.pk)})
    body = one.content.decode()
    assert "Universiteit U1" in body and "Ziekenhuis Z1" not in body


def test_search_finds_words_as_read_and_shows_where(world, client):
    services.thread_create(
        actor=world.member,
        partnership=world.partnership,
        subject="Spoelruimte",
        body="De vloer is nog **niet** in orde <script>alert(1)</script> na de ronde.",
    )
    found = selectors.search(user=world.supplier_lead, q="niet in orde")["threads"]
    assert [t.subject for t in found] == ["Spoelruimte"]
    client.force_login(world.supplier_lead)
    page = client.get(reverse("hub:search"), {"q": "niet in orde"}).content.decode()
    assert "nog <mark>niet in orde</mark> na de ronde." in page
    assert "<script>alert" not in page


def test_the_snippet_escapes_what_it_shows():
    from messaging.templatetags.hub import snippet

    shown = snippet("a <b>bold</b> claim about x<y and more", "x<y", width=8)
    assert shown == "…m about <mark>x&lt;y</mark> and mor…"


def test_the_preview_renders_and_sanitises_like_a_sent_message(world, client):
    url = reverse("messaging:preview", kwargs={"partnership_id": world.partnership.pk})
    client.force_login(world.supplier_lead)
    page = client.post(url, {"body": "**Let op** <img src=x onerror=alert(1)>"}).content.decode()
    assert "<strong>Let op</strong>" in page and "onerror" not in page
    client.force_login(world.viewer)
    assert client.post(url, {"body": "x"}).status_code == 403  # only for those who write
    client.force_login(world.outsider)
    assert client.post(url, {"body": "x"}).status_code == 404


def test_the_side_waited_for_sees_that_state_and_can_hand_the_ball_back(world, thread):
    from messaging.forms import ThreadUpdateForm

    services.thread_update(actor=world.member, thread=thread, status="waiting")
    thread.refresh_from_db()
    with translation.override("en"):
        form = ThreadUpdateForm(thread=thread, side="supplier")
        choices = {value: str(label) for value, label in form.fields["status"].choices}
    assert choices[""] == "Waiting for the supplier (now)" and form.initial["status"] == ""
    assert choices["waiting"] == "Waiting for the client"

    services.thread_update(actor=world.supplier_lead, thread=thread, status="waiting")
    thread.refresh_from_db()
    assert (thread.status, thread.waiting_for) == ("waiting", "client")


def test_saving_the_handling_without_a_status_keeps_the_wait(world, thread, client):
    services.thread_update(actor=world.member, thread=thread, status="waiting")
    client.force_login(world.supplier_lead)
    url = reverse(
        "messaging:thread_update",
        kwargs={"partnership_id": world.partnership.pk, "thread_id": thread.pk},
    )
    response = client.post(url, {"status": "", "priority": "high", "assignee": ""})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert (thread.status, thread.waiting_for, thread.priority) == ("waiting", "supplier", "high")


def test_an_htmx_answer_that_reopens_the_thread_reloads_the_page(world, thread, client):
    services.thread_update(actor=world.member, thread=thread, status="waiting")
    client.force_login(world.supplier_lead)
    url = reverse(
        "messaging:thread_reply",
        kwargs={"partnership_id": world.partnership.pk, "thread_id": thread.pk},
    )
    reopened = client.post(url, {"body": "Gedaan."}, HTTP_HX_REQUEST="true")
    assert reopened.status_code == 204 and reopened["HX-Refresh"] == "true"
    plain = client.post(url, {"body": "En nog iets."}, HTTP_HX_REQUEST="true")
    assert plain.status_code == 200 and "HX-Refresh" not in plain  # nothing else changed


def test_linking_without_a_ticked_document_says_so(world, thread, client):
    services.document_create(
        actor=world.member, partnership=world.partnership, title="Handzeep", file=pdf()
    )
    client.force_login(world.member)
    url = reverse(
        "messaging:thread_documents",
        kwargs={"partnership_id": world.partnership.pk, "thread_id": thread.pk},
    )
    with translation.override("en"):
        page = client.post(url, {}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tick the documents to link." in page
    assert not thread.documents.exists()


def test_the_assignee_list_names_each_persons_side(world, thread):
    from messaging.forms import ThreadUpdateForm

    with translation.override("en"):
        form = ThreadUpdateForm(thread=thread, side="client")
        labels = [str(label) for _value, label in form.fields["assignee"].choices]
    assert f"{world.supplier_lead.display_name} (Supplier)" in labels
    assert f"{world.member.display_name} (Client)" in labels
