"""The hub's HTML pages: inbox, new thread, thread page (htmx reply, handling, editing),
attachments, the cross-partnership inbox, search, preferences and the unread badges."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from messaging import selectors, services, services_reading
from messaging.models import Attachment, HubPreference, Message, MessageRevision, Thread
from messaging.templatetags.hub import duration
from tests import factories as f
from tests.messaging.factories import PDF, pdf

pytestmark = pytest.mark.django_db

WRITERS = ["manager", "member", "supplier_lead"]
READERS_ONLY = ["viewer", "facilitator"]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(name, world, **kwargs):
    return reverse(f"messaging:{name}", kwargs={"partnership_id": world.partnership.pk, **kwargs})


def open_thread(world, actor=None, *, internal=False, subject="Floor still wet", **kwargs):
    kwargs.setdefault("body", "The **floor** in ward 3 was wet at 9:00.")
    return services.thread_create(
        actor=actor or world.manager,
        partnership=world.partnership,
        subject=subject,
        internal=internal,
        **kwargs,
    )


def body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Inbox ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS + READERS_ONLY)
def test_every_reader_sees_the_inbox_only_writers_get_the_new_thread_button(client, world, who):
    open_thread(world)
    client.force_login(getattr(world, who))
    response = client.get(url("inbox", world), **EN)
    assert response.status_code == 200
    page = body(response)
    assert "Floor still wet" in page and "Who to call" in page
    assert ('data-testid="new-thread"' in page) == (who in WRITERS)


def test_inbox_shows_an_empty_state(client, world):
    client.force_login(world.viewer)
    assert 'data-testid="hub-empty"' in body(client.get(url("inbox", world)))


def test_inbox_lists_unread_first_and_filters(client, world):
    read = open_thread(world, world.supplier_lead, subject="Read one", category="invoice")
    services_reading.thread_mark_read(user=world.manager, thread=read)
    open_thread(world, world.supplier_lead, subject="Unread one", category="complaint")
    client.force_login(world.manager)
    page = body(client.get(url("inbox", world)))
    assert page.index("Unread one") < page.index("Read one")
    filtered = body(client.get(url("inbox", world) + "?category=invoice"))
    assert "Read one" in filtered and "Unread one" not in filtered


def test_inbox_assignee_filter_me(client, world):
    open_thread(world, subject="Mine", assignee=world.manager)
    open_thread(world, subject="Nobody's")
    client.force_login(world.manager)
    page = body(client.get(url("inbox", world) + "?assignee=me"))
    assert "Mine" in page and "Nobody&#x27;s" not in page


def test_inbox_side_column_shows_contacts_escalation_and_emergency_number(client, world):
    plan = world.partnership.communication_plan
    plan.emergency_number = "+31 20 555 0101"
    plan.emergency_instructions = "Water damage or a locked ward"
    plan.save()
    f.ContactFactory(partnership=world.partnership, side="supplier", name="Sam Supervisor")
    f.EscalationStepFactory(
        partnership=world.partnership, level=1, client_contact="Head FM", supplier_contact="Ops"
    )
    client.force_login(world.viewer)
    page = body(client.get(url("inbox", world), **EN))
    for text in ("+31 20 555 0101", "Water damage or a locked ward", "Sam Supervisor", "Head FM"):
        assert text in page


def test_inbox_shows_hub_figures_per_quarter(client, world):
    thread = open_thread(world, category="complaint")
    services.message_post(actor=world.supplier_lead, thread=thread, body="On our way")
    Thread.objects.filter(pk=thread.pk).update(
        first_response_at=thread.created_at + datetime.timedelta(hours=3)
    )
    client.force_login(world.manager)
    page = body(client.get(url("inbox", world), **EN))
    figures = page[page.index('data-testid="hub-figures"') :]
    assert "3 hours" in figures


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", ["20 minutes", "1 hour", "5.5 hours", "3 days"]),
        ("nl", ["20 minuten", "1 uur", "5,5 uur", "3 dagen"]),
    ],
)
def test_duration_is_said_in_minutes_hours_or_days(language, expected):
    with translation.override(language):
        assert duration(None) == "–"
        spans = [
            datetime.timedelta(minutes=20),
            datetime.timedelta(hours=1),
            datetime.timedelta(hours=5, minutes=30),
            datetime.timedelta(days=3),
        ]
        assert [duration(span) for span in spans] == expected


def test_mark_all_read_in_a_partnership(client, world):
    open_thread(world, world.supplier_lead)
    open_thread(world, world.supplier_lead, subject="Second")
    assert selectors.unread_count(user=world.viewer) == 2
    client.force_login(world.viewer)  # reading needs no write role
    response = client.post(url("mark_all_read", world))
    assert response.status_code == 302
    assert selectors.unread_count(user=world.viewer) == 0


# --- New thread ----------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", [("member", 200), ("viewer", 403), ("facilitator", 403)])
def test_new_thread_form_is_for_participants(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(url("thread_new", world)).status_code == status


def test_new_thread_form_names_my_side_and_opens_a_thread(client, world, settings):
    client.force_login(world.member)
    page = body(client.get(url("thread_new", world), **EN))
    assert "Internal to my side (Client)" in page
    response = client.post(
        url("thread_new", world),
        {
            "category": "complaint",
            "subject": "Toilets ward 2",
            "priority": "high",
            "assignee": world.supplier_lead.pk,
            "body": "Not cleaned *twice* this week.",
            "attachments": [pdf("photo-report.pdf"), pdf("second.pdf")],
        },
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == selectors.thread_url(thread)
    assert (thread.category, thread.priority, thread.assignee) == (
        "complaint",
        "high",
        world.supplier_lead,
    )
    assert thread.visibility == "shared"
    assert Attachment.objects.filter(message__thread=thread).count() == 2
    assert len(stored_files(settings)) == 2


def test_new_internal_thread(client, world):
    client.force_login(world.supplier_lead)
    client.post(
        url("thread_new", world),
        {"category": "question", "subject": "Staffing", "priority": "normal", "internal": "on",
         "body": "Who covers the night shift?"},
    )  # fmt: skip
    assert Thread.objects.get().visibility == "supplier_internal"


def test_an_exe_renamed_to_pdf_is_refused_next_to_the_field_and_nothing_is_stored(
    client, world, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.member)
    response = client.post(
        url("thread_new", world),
        {
            "category": "question",
            "subject": "Invoice",
            "priority": "normal",
            "body": "See attached",
            "attachments": [pdf("ok.pdf"), SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" * 64)],
        },
        **EN,
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "attachments" in form.errors and "invoice.pdf" in form.errors["attachments"][0]
    assert "is-invalid" in body(response)
    assert not Thread.objects.exists() and not Message.objects.exists()
    assert stored_files(settings) == []


def test_an_assignee_from_another_partnership_is_refused(client, world):
    stranger = f.participant(world.other_partnership, "client", role="member")
    client.force_login(world.member)
    response = client.post(
        url("thread_new", world),
        {"category": "question", "subject": "X", "priority": "normal", "assignee": stranger.pk,
         "body": "Y"},
    )  # fmt: skip
    assert response.status_code == 200 and "assignee" in response.context["form"].errors
    assert not Thread.objects.exists()


# --- The thread page -----------------------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS)
def test_writers_see_the_thread_with_reply_and_handling_forms(client, world, who):
    thread = open_thread(world)
    client.force_login(getattr(world, who))
    page = body(client.get(url("thread", world, thread_id=thread.pk)))
    assert "<strong>floor</strong>" in page
    update = url("thread_update", world, thread_id=thread.pk)
    assert 'id="reply-form"' in page and f'action="{update}"' in page


@pytest.mark.parametrize("who", READERS_ONLY)
def test_viewer_and_facilitator_read_a_shared_thread_without_forms(client, world, who):
    thread = open_thread(world)
    client.force_login(getattr(world, who))
    page = body(client.get(url("thread", world, thread_id=thread.pk), **EN))
    assert "Floor still wet" in page
    assert 'id="reply-form"' not in page and "Save handling" not in page
    response = client.post(url("thread_reply", world, thread_id=thread.pk), {"body": "Hi"})
    assert response.status_code == 403
    assert client.post(url("thread_update", world, thread_id=thread.pk)).status_code == 403


@pytest.mark.parametrize("who", ["supplier_lead", "facilitator"])
def test_an_internal_thread_is_404_for_the_other_side_and_the_facilitator(client, world, who):
    thread = open_thread(world, internal=True, attachments=[pdf("secret.pdf")])
    message = thread.messages.get()
    attachment = message.attachments.get()
    client.force_login(getattr(world, who))
    tid = {"thread_id": thread.pk}
    for path in (
        url("thread", world, **tid),
        url("message_edit", world, message_id=message.pk, **tid),
        url("thread_reply", world, **tid),
        url("thread_update", world, **tid),
        url("thread_documents", world, **tid),
        url("attachment", world, attachment_id=attachment.pk),
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"body": "x", "status": "closed"}).status_code == 404, path
    assert "Floor still wet" not in body(client.get(url("inbox", world)))


def test_an_internal_thread_is_readable_by_its_own_side(client, world):
    thread = open_thread(world, internal=True)
    client.force_login(world.viewer)
    response = client.get(url("thread", world, thread_id=thread.pk), **EN)
    assert response.status_code == 200 and 'data-testid="internal-badge"' in body(response)


def test_opening_a_thread_marks_it_read(client, world):
    thread = open_thread(world)
    assert selectors.unread_count(user=world.supplier_lead) == 1
    client.force_login(world.supplier_lead)
    client.get(url("thread", world, thread_id=thread.pk))
    assert selectors.unread_count(user=world.supplier_lead) == 0


def test_reply_without_javascript_redirects_to_the_message(client, world):
    thread = open_thread(world)
    client.force_login(world.supplier_lead)
    response = client.post(url("thread_reply", world, thread_id=thread.pk), {"body": "On it"})
    message = thread.messages.latest("pk")
    assert message.body == "On it"
    assert response["Location"].endswith(f"#message-{message.pk}")
    thread.refresh_from_db()
    assert thread.first_response_at is not None


def test_htmx_reply_returns_the_new_message_and_a_fresh_form(client, world):
    thread = open_thread(world)
    client.force_login(world.supplier_lead)
    response = client.post(
        url("thread_reply", world, thread_id=thread.pk),
        {"body": "We sent **Sam**", "attachments": [pdf("route.pdf")]},
        HTTP_HX_REQUEST="true",
    )
    page = body(response)
    assert response.status_code == 200 and "<html" not in page
    assert 'id="reply-form"' in page and 'hx-swap-oob="beforeend:#messages"' in page
    assert "<strong>Sam</strong>" in page and "route.pdf" in page
    assert "We sent" not in page.split("hx-swap-oob")[0]  # the form comes back empty
    assert thread.messages.count() == 2


def test_htmx_reply_error_comes_back_in_the_form(client, world):
    thread = open_thread(world)
    client.force_login(world.supplier_lead)
    response = client.post(
        url("thread_reply", world, thread_id=thread.pk),
        {"body": "Look", "attachments": [pdf("evil.pdf", b"MZ\x90\x00" * 32)]},
        HTTP_HX_REQUEST="true",
        **EN,
    )
    page = body(response)
    assert response.status_code == 200 and "hx-swap-oob" not in page
    assert "evil.pdf" in page and "invalid-feedback" in page
    assert thread.messages.count() == 1


def test_a_reply_on_a_closed_thread_is_refused_without_javascript(client, world):
    thread = open_thread(world)
    services.thread_update(actor=world.manager, thread=thread, status="closed")
    client.force_login(world.supplier_lead)
    response = client.post(url("thread_reply", world, thread_id=thread.pk), {"body": "Hm"}, **EN)
    assert response.status_code == 200 and "This thread is closed" in body(response)
    assert thread.messages.count() == 1


def test_handling_update_sets_status_priority_and_assignee(client, world):
    thread = open_thread(world, category="complaint")
    client.force_login(world.supplier_lead)
    response = client.post(
        url("thread_update", world, thread_id=thread.pk),
        {"status": "resolved", "priority": "urgent", "assignee": world.supplier_lead.pk},
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert (thread.status, thread.priority, thread.assignee) == (
        "resolved",
        "urgent",
        world.supplier_lead,
    )
    assert thread.resolved_at is not None
    page = body(client.get(url("thread", world, thread_id=thread.pk)))
    assert 'data-testid="time-to-resolve"' in page


def test_handling_update_refuses_an_assignee_who_cannot_see_an_internal_thread(client, world):
    thread = open_thread(world, internal=True)
    client.force_login(world.manager)
    response = client.post(
        url("thread_update", world, thread_id=thread.pk),
        {"status": "open", "priority": "normal", "assignee": world.supplier_lead.pk},
    )
    assert response.status_code == 200 and "assignee" in response.context["update_form"].errors
    thread.refresh_from_db()
    assert thread.assignee is None


def test_link_a_document_to_a_thread(client, world):
    document = services.document_create(
        actor=world.supplier_lead, partnership=world.partnership, title="Cleaning plan", file=pdf()
    )
    thread = open_thread(world)
    client.force_login(world.member)
    response = client.post(
        url("thread_documents", world, thread_id=thread.pk), {"documents": [document.pk]}
    )
    assert response.status_code == 302
    assert list(thread.documents.all()) == [document]
    assert "Cleaning plan" in body(client.get(url("thread", world, thread_id=thread.pk)))


# --- Editing -------------------------------------------------------------------------------


def test_the_author_edits_within_the_window_and_the_earlier_text_is_kept(client, world):
    thread = open_thread(world)
    message = thread.messages.get()
    client.force_login(world.manager)
    edit = url("message_edit", world, thread_id=thread.pk, message_id=message.pk)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"body": "The floor in ward 4, sorry."})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.body == "The floor in ward 4, sorry." and message.edited_at is not None
    assert MessageRevision.objects.filter(message=message).count() == 1
    page = body(client.get(url("thread", world, thread_id=thread.pk), **EN))
    assert 'data-testid="edited"' in page and "<details" in page and "ward 3" in page


def test_someone_else_cannot_edit_a_message(client, world):
    thread = open_thread(world)
    message = thread.messages.get()
    client.force_login(world.member)
    edit = url("message_edit", world, thread_id=thread.pk, message_id=message.pk)
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"body": "hijack"}).status_code == 403


def test_after_the_edit_window_the_message_stays_as_it_was(client, world, settings):
    thread = open_thread(world)
    message = thread.messages.get()
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=settings.HUB_EDIT_MINUTES + 1)
    )
    client.force_login(world.manager)
    page = body(client.get(url("thread", world, thread_id=thread.pk), **EN))
    assert "/edit/" not in page
    edit = url("message_edit", world, thread_id=thread.pk, message_id=message.pk)
    assert client.get(edit).status_code == 302
    response = client.post(edit, {"body": "too late"}, **EN)
    assert response.status_code == 200 and "can only be edited" in body(response)
    message.refresh_from_db()
    assert message.body.startswith("The **floor**")


def test_a_message_of_another_thread_is_404(client, world):
    first, second = open_thread(world), open_thread(world, subject="Other")
    client.force_login(world.manager)
    edit = url("message_edit", world, thread_id=first.pk, message_id=second.messages.get().pk)
    assert client.get(edit).status_code == 404


# --- Attachments ---------------------------------------------------------------------------


def test_attachment_download_for_readers_only(client, world):
    thread = open_thread(world, attachments=[pdf("report ward 3.pdf")])
    attachment = Attachment.objects.get(message__thread=thread)
    path = url("attachment", world, attachment_id=attachment.pk)
    client.force_login(world.facilitator)
    response = client.get(path)
    assert response.status_code == 200 and body(response) == PDF.decode()
    assert response["Content-Type"] == "application/pdf"
    assert "report_ward_3.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.outsider)
    assert client.get(path).status_code == 404


# --- Across partnerships -------------------------------------------------------------------


def test_global_inbox_lists_threads_of_every_partnership_with_their_title(client, world):
    open_thread(world, world.supplier_lead, subject="Hospital matter")
    lead_elsewhere = f.participant(world.other_partnership, "client", role="member")
    f.ParticipantFactory(partnership=world.partnership, user=lead_elsewhere, side="client")
    services.thread_create(
        actor=lead_elsewhere, partnership=world.other_partnership, subject="Campus matter", body="x"
    )
    client.force_login(lead_elsewhere)
    page = body(client.get(reverse("hub:inbox"), **EN))
    assert "Hospital matter" in page and "Campus matter" in page
    assert "Hospital cleaning" in page and "University cleaning" in page
    assert "Unread per partnership" in page


def test_global_inbox_shows_an_outsider_nothing(client, world):
    open_thread(world)
    client.force_login(world.outsider)
    page = body(client.get(reverse("hub:inbox")))
    assert "Floor still wet" not in page and 'data-testid="hub-empty"' in page


def test_global_inbox_filters_by_status(client, world):
    done = open_thread(world, subject="Done one")
    services.thread_update(actor=world.manager, thread=done, status="resolved")
    open_thread(world, subject="Open one")
    client.force_login(world.manager)
    page = body(client.get(reverse("hub:inbox") + "?status=active"))
    assert "Open one" in page and "Done one" not in page


def test_global_mark_all_read(client, world):
    open_thread(world, world.supplier_lead)
    client.force_login(world.member)
    assert selectors.unread_count(user=world.member) == 1
    assert client.get(reverse("hub:mark_all_read")).status_code == 405
    assert client.post(reverse("hub:mark_all_read")).status_code == 302
    assert selectors.unread_count(user=world.member) == 0


def test_search_finds_messages_and_documents_but_not_the_other_sides_internal_threads(
    client, world
):
    open_thread(world, subject="Shared thing", body="carpet shampoo schedule")
    open_thread(world, subject="Our carpet budget", internal=True, body="internal")
    services.document_create(
        actor=world.supplier_lead,
        partnership=world.partnership,
        title="Carpet work instruction",
        file=pdf(),
    )
    client.force_login(world.supplier_lead)
    page = body(client.get(reverse("hub:search") + "?q=carpet"))
    assert "Shared thing" in page and "Carpet work instruction" in page
    assert "Our carpet budget" not in page
    client.force_login(world.member)
    assert "Our carpet budget" in body(client.get(reverse("hub:search") + "?q=carpet"))


def test_search_says_when_the_query_is_too_short_and_ignores_a_bad_partnership(client, world):
    client.force_login(world.member)
    assert "Type at least" in body(client.get(reverse("hub:search") + "?q=a", **EN))
    response = client.get(reverse("hub:search") + "?q=floor&partnership=not-a-uuid")
    assert response.status_code == 200


def test_search_by_partnership(client, world):
    open_thread(world, subject="Floor polish")
    client.force_login(world.manager)
    own = body(client.get(f"{reverse('hub:search')}?q=polish&partnership={world.partnership.pk}"))
    other = body(
        client.get(f"{reverse('hub:search')}?q=polish&partnership={world.other_partnership.pk}")
    )
    assert "Floor polish" in own and "Floor polish" not in other


def test_preferences_are_saved(client, world):
    client.force_login(world.member)
    assert client.get(reverse("hub:preferences")).status_code == 200
    choices = dict.fromkeys(selectors.preferences_for(world.member), "immediate")
    choices.update(complaint="digest", invoice="in_app")
    assert client.post(reverse("hub:preferences"), choices).status_code == 302
    saved = dict(
        HubPreference.objects.filter(user=world.member).values_list("category", "delivery")
    )
    assert saved["complaint"] == "digest" and saved["invoice"] == "in_app"
    response = client.post(reverse("hub:preferences"), {**choices, "complaint": "pigeon"})
    assert response.status_code == 200 and "complaint" in response.context["form"].errors


def test_preferences_need_a_login(client):
    response = client.get(reverse("hub:preferences"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- Badges --------------------------------------------------------------------------------


def test_header_badge_counts_unread_threads(client, world):
    open_thread(world)
    open_thread(world, internal=True, subject="Internal")
    client.force_login(world.supplier_lead)
    page = body(client.get(reverse("partnership:dashboard")))
    assert 'data-testid="hub-unread">1<' in page
    client.force_login(world.member)
    assert 'data-testid="hub-unread">2<' in body(client.get(reverse("partnership:dashboard")))


def test_dashboard_card_and_overview_show_unread_and_open_counts(client, world):
    open_thread(world, category="complaint")
    open_thread(world, internal=True, subject="Internal")
    client.force_login(world.supplier_lead)
    dashboard = body(client.get(reverse("partnership:dashboard"), **EN))
    card = dashboard[dashboard.index('data-testid="hub-card"') :]
    assert "1 unread" in card and "1 open thread" in card and "1 open complaint" in card
    overview = body(
        client.get(reverse("partnership:overview", kwargs={"partnership_id": world.partnership.pk}))
    )
    panel = overview[overview.index('data-testid="hub-panel"') :]
    assert 'data-testid="hub-panel-unread">1<' in panel
