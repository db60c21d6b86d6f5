"""The hub API: threads, messages and attachments under one partnership.

Every endpoint is tried by an insider with the role and an insider without it (2xx / 403) and
anonymously (401). Internal threads are tried by the other side and the facilitator on every
thread route (404, and absent from the list and its counts). The outsider's 404 on every route and
method, and foreign ids in the URL, are proven by `tests/isolation`, which walks every route.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from messaging import services, services_reading
from messaging.models import Message, MessageRevision, ReadState, Thread
from tests import factories as f
from tests.api import paths
from tests.messaging.api_support import NOT_WRITERS, READERS, WRITERS
from tests.places.factories import room

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OTHER_SIDE = ["supplier_lead", "facilitator"]  # never see the client's internal threads
PDF = b"%PDF-1.4 attached bytes"


def threads(p) -> str:
    return f"{paths.partnership(p)}threads/"


def thread_url(p, thread) -> str:
    return f"{threads(p)}{thread.pk}/"


def messages(p, thread) -> str:
    return f"{thread_url(p, thread)}messages/"


def message_url(p, thread, message) -> str:
    return f"{messages(p, thread)}{message.pk}/"


def attachment_url(p, thread, attachment) -> str:
    return f"{thread_url(p, thread)}attachments/{attachment.pk}/"


def _open(world, actor=None, **kwargs):
    kwargs = {"subject": "Dirty floors", "body": "Ward 3 was not cleaned.", **kwargs}
    return services.thread_create(
        actor=actor or world.manager, partnership=world.partnership, **kwargs
    )


@pytest.fixture
def shared(world):
    return _open(world, category="complaint", attachments=[SimpleUploadedFile("a.pdf", PDF)])


@pytest.fixture
def internal(world):
    """Internal to the client side, with an attachment."""
    return _open(
        world,
        actor=world.member,
        subject="Internal IN4471",
        body="Only for us",
        internal=True,
        attachments=[SimpleUploadedFile("internal.pdf", PDF)],
    )


# --- Threads: who may do what ------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_readers_list_and_read_threads(as_user, world, shared, who):
    api = as_user(getattr(world, who))
    listed = api.get(threads(world.partnership))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [shared.pk]
    assert api.get(thread_url(world.partnership, shared)).status_code == 200


def test_anonymous_gets_401(as_user, world, shared):
    anonymous = as_user(None)
    assert anonymous.get(threads(world.partnership)).status_code == 401
    assert anonymous.get(messages(world.partnership, shared)).status_code == 401


def test_thread_of_another_partnership_answers_404(as_user, world):
    lead = world.supplier_lead
    f.ParticipantFactory(partnership=world.other_partnership, user=lead, side="supplier")
    foreign = services.thread_create(
        actor=lead, partnership=world.other_partnership, subject="Elsewhere", body="x"
    )
    api = as_user(lead)
    assert api.get(thread_url(world.partnership, foreign)).status_code == 404
    assert api.get(messages(world.partnership, foreign)).status_code == 404


@pytest.mark.parametrize("who", WRITERS)
def test_participants_open_threads(as_user, world, who):
    response = as_user(getattr(world, who)).post(
        threads(world.partnership),
        {"subject": "Keys", "body": "Where are the **keys**?", "category": "question"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["subject"] == "Keys"
    assert body["visibility"] == "shared"
    assert body["message_count"] == 1
    assert body["is_unread"] is False
    thread = Thread.objects.get(pk=body["id"])
    assert thread.messages.get().body_html == "<p>Where are the <strong>keys</strong>?</p>"


@pytest.mark.parametrize("who", NOT_WRITERS)
def test_viewer_and_facilitator_may_not_write(as_user, world, shared, who):
    api = as_user(getattr(world, who))
    created = api.post(threads(world.partnership), {"subject": "x", "body": "y"}, format="json")
    assert created.status_code == 403
    patched = api.patch(thread_url(world.partnership, shared), {"status": "closed"}, format="json")
    assert patched.status_code == 403
    posted = api.post(messages(world.partnership, shared), {"body": "hi"}, format="json")
    assert posted.status_code == 403
    assert Thread.objects.count() == 1 and Message.objects.count() == 1


@pytest.mark.parametrize("who", NOT_WRITERS)
def test_any_reader_keeps_their_own_read_state(as_user, world, shared, who):
    user = getattr(world, who)
    api = as_user(user)
    row = api.get(threads(world.partnership)).json()["results"][0]
    assert row["is_unread"] is True
    response = api.post(f"{thread_url(world.partnership, shared)}read/")
    assert response.status_code == 200
    assert response.json()["is_unread"] is False
    assert ReadState.objects.filter(user=user, thread=shared).exists()


def test_mark_all_read(as_user, world, shared):
    _open(world, subject="Second")
    api = as_user(world.supplier_lead)
    response = api.post(f"{threads(world.partnership)}mark-all-read/")
    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    rows = api.get(threads(world.partnership)).json()["results"]
    assert [row["is_unread"] for row in rows] == [False, False]


# --- Internal threads ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", OTHER_SIDE)
def test_internal_thread_is_404_on_every_route_for_the_other_side(as_user, world, internal, who):
    api = as_user(getattr(world, who))
    p = world.partnership
    message = internal.messages.get()
    attachment = message.attachments.get()
    assert api.get(thread_url(p, internal)).status_code == 404
    assert api.get(messages(p, internal)).status_code == 404
    assert api.get(message_url(p, internal, message)).status_code == 404
    assert api.get(attachment_url(p, internal, attachment)).status_code == 404
    assert api.post(f"{thread_url(p, internal)}read/").status_code == 404
    assert api.patch(thread_url(p, internal), {"status": "closed"}, format="json").status_code == (
        404
    )
    assert api.post(messages(p, internal), {"body": "x"}, format="json").status_code == 404
    internal.refresh_from_db()
    assert internal.status == "open" and internal.messages.count() == 1


@pytest.mark.parametrize("who", OTHER_SIDE)
def test_internal_thread_is_absent_from_list_and_counts_of_the_other_side(
    as_user, world, shared, internal, who
):
    api = as_user(getattr(world, who))
    body = api.get(threads(world.partnership), {"q": "IN4471"}).json()
    assert body["count"] == 0
    body = api.get(threads(world.partnership)).json()
    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [shared.pk]
    assert "IN4471" not in str(body)
    marked = api.post(f"{threads(world.partnership)}mark-all-read/").json()
    assert marked == {"marked": 1}
    assert not ReadState.objects.filter(user=getattr(world, who), thread=internal).exists()


def test_own_side_sees_the_internal_thread(as_user, world, shared, internal):
    api = as_user(world.manager)
    body = api.get(threads(world.partnership), {"visibility": "internal"}).json()
    assert [row["id"] for row in body["results"]] == [internal.pk]
    assert body["results"][0]["visibility"] == "client_internal"
    attachment = internal.messages.get().attachments.get()
    download = api.get(attachment_url(world.partnership, internal, attachment))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_visibility_is_read_only(as_user, world, internal):
    response = as_user(world.manager).patch(
        thread_url(world.partnership, internal),
        {"visibility": "shared", "priority": "high"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["visibility"]
    internal.refresh_from_db()
    assert (internal.visibility, internal.priority) == ("client_internal", "normal")


def test_internal_thread_by_the_supplier_is_hidden_from_the_client(as_user, world):
    hidden = _open(world, actor=world.supplier_lead, subject="Supplier only", internal=True)
    api = as_user(world.manager)
    assert api.get(thread_url(world.partnership, hidden)).status_code == 404
    assert api.get(threads(world.partnership)).json()["count"] == 0
    assert as_user(world.supplier_lead).get(threads(world.partnership)).json()["count"] == 1


# --- Threads: list, create, change -------------------------------------------------------------


def test_list_is_unread_first_with_counts(as_user, world):
    old = _open(world, subject="Old")
    newer = _open(world, subject="Newer")
    services.message_post(actor=world.supplier_lead, thread=newer, body="Answer")
    services.message_post(actor=world.manager, thread=old, body="Bump")  # old is now newest...
    services_reading.thread_mark_read(user=world.supplier_lead, thread=old)  # ...but read
    rows = as_user(world.supplier_lead).get(threads(world.partnership)).json()["results"]
    assert [(r["subject"], r["is_unread"], r["message_count"]) for r in rows] == [
        ("Old", False, 2),
        ("Newer", False, 2),
    ]
    rows = as_user(world.member).get(threads(world.partnership)).json()["results"]
    assert [(r["subject"], r["is_unread"]) for r in rows] == [("Old", True), ("Newer", True)]
    services_reading.thread_mark_read(user=world.member, thread=old)
    rows = as_user(world.member).get(threads(world.partnership)).json()["results"]
    assert [(r["subject"], r["is_unread"]) for r in rows] == [("Newer", True), ("Old", False)]


def test_list_filters(as_user, world):
    complaint = _open(world, subject="Smell in ward", category="complaint", assignee=world.member)
    question = _open(world, subject="Keys", category="question")
    services.thread_update(actor=world.manager, thread=question, status="resolved")
    api = as_user(world.member)

    def ids(**params):
        response = api.get(threads(world.partnership), params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(category="complaint") == [complaint.pk]
    assert ids(status="active") == [complaint.pk]
    assert ids(status="resolved") == [question.pk]
    assert ids(assignee="me") == [complaint.pk]
    assert ids(assignee="none") == [question.pk]
    assert ids(assignee=str(world.member.pk)) == [complaint.pk]
    assert ids(q="smell") == [complaint.pk]
    assert set(ids(visibility="shared")) == {complaint.pk, question.pk}


@pytest.mark.parametrize(
    "params",
    [{"category": "gossip"}, {"status": "lost"}, {"assignee": "x'--"}, {"visibility": "x"}],
)
def test_bad_filters_answer_400(as_user, world, params):
    response = as_user(world.member).get(threads(world.partnership), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_create_with_assignee_and_documents(as_user, world):
    document = services.document_create(
        actor=world.manager,
        partnership=world.partnership,
        title="Cleaning plan",
        file=SimpleUploadedFile("plan.pdf", PDF),
    )
    response = as_user(world.manager).post(
        threads(world.partnership),
        {
            "subject": "Plan",
            "body": "See the plan",
            "priority": "high",
            "assignee": world.supplier_lead.pk,
            "documents": [document.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["assignee"]["id"] == world.supplier_lead.pk
    assert body["priority"] == "high"
    assert [d["id"] for d in body["documents"]] == [document.pk]


def test_create_refuses_foreign_ids(as_user, world):
    lead = world.supplier_lead
    f.ParticipantFactory(partnership=world.other_partnership, user=lead, side="supplier")
    foreign_doc = services.document_create(
        actor=lead,
        partnership=world.other_partnership,
        title="Elsewhere",
        file=SimpleUploadedFile("e.pdf", PDF),
    )
    api = as_user(world.manager)
    body = {"subject": "x", "body": "y"}
    response = api.post(
        threads(world.partnership), {**body, "documents": [foreign_doc.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "documents" in response.json()
    response = api.post(
        threads(world.partnership), {**body, "assignee": world.outsider.pk}, format="json"
    )
    assert response.status_code == 400
    assert "assignee" in response.json()
    # The facilitator takes part but handles no requests.
    response = api.post(
        threads(world.partnership), {**body, "assignee": world.facilitator.pk}, format="json"
    )
    assert response.status_code == 400
    assert Thread.objects.filter(partnership=world.partnership).count() == 0


def test_internal_thread_refuses_an_assignee_of_the_other_side(as_user, world):
    response = as_user(world.manager).post(
        threads(world.partnership),
        {"subject": "x", "body": "y", "internal": True, "assignee": world.supplier_lead.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "assignee" in response.json()


def test_create_needs_subject_and_body(as_user, world):
    response = as_user(world.manager).post(
        threads(world.partnership), {"subject": " ", "body": ""}, format="json"
    )
    assert response.status_code == 400
    assert {"subject", "body"} <= set(response.json())


def test_create_multipart_with_attachments(as_user, world):
    api = as_user(world.supplier_lead)
    response = api.post(
        threads(world.partnership),
        {
            "subject": "Photos",
            "body": "Two files",
            "attachments": [
                SimpleUploadedFile("one.pdf", PDF),
                SimpleUploadedFile("notes.txt", b"plain notes"),
            ],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    thread = Thread.objects.get(pk=response.json()["id"])
    listed = api.get(messages(world.partnership, thread)).json()["results"]
    files = listed[0]["attachments"]
    assert [a["original_name"] for a in files] == ["one.pdf", "notes.txt"]
    download = api.get(files[1]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"plain notes"


def test_partial_update_status_and_assignee(as_user, world, shared):
    api = as_user(world.supplier_lead)
    url = thread_url(world.partnership, shared)
    response = api.patch(url, {"status": "resolved", "assignee": world.member.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_at"] is not None
    assert response.json()["assignee"]["id"] == world.member.pk
    response = api.patch(url, {"assignee": None}, format="json")
    assert response.json()["assignee"] is None
    response = api.patch(url, {"status": "sleeping"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_unknown_thread_ids_answer_404(as_user, world):
    api = as_user(world.manager)
    assert api.get(f"{threads(world.partnership)}999999/").status_code == 404
    assert api.get(f"{threads(world.partnership)}999999/messages/").status_code == 404
    assert api.get(f"{threads(world.partnership)}abc/").status_code == 404


def test_thread_list_runs_the_same_queries_for_5_and_30(as_user, world):
    api = as_user(world.supplier_lead)
    document = services.document_create(
        actor=world.manager,
        partnership=world.partnership,
        title="Linked",
        file=SimpleUploadedFile("l.pdf", PDF),
    )
    people = [world.manager, world.member, world.supplier_lead]

    def add(n, start):
        for i in range(start, start + n):
            internal = i % 5 == 0 and people[i % 3] != world.supplier_lead
            _open(
                world,
                actor=people[i % 3],
                subject=f"Thread {i}",
                assignee=None if internal else people[(i + 1) % 3],
                documents=[document] if i % 2 else [],
                internal=internal,
                room=room(world.partnership, f"Q.{i}") if i % 2 == 0 else None,
            )

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(threads(world.partnership))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    add(5, 1)
    few, few_count = measure()
    add(25, 6)
    many, many_count = measure()
    assert many_count > few_count >= 4
    assert few == many


# --- Messages ------------------------------------------------------------------------------------


def test_messages_list_is_chronological_with_attachments(as_user, world, shared):
    services.message_post(actor=world.supplier_lead, thread=shared, body="We *will* check")
    response = as_user(world.viewer).get(messages(world.partnership, shared))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert response.json()["count"] == 2
    assert [r["body"] for r in rows] == ["Ward 3 was not cleaned.", "We *will* check"]
    assert rows[1]["body_html"] == "<p>We <em>will</em> check</p>"
    assert rows[1]["author_side"] == "supplier"
    assert rows[0]["edited_at"] is None and rows[0]["revision_count"] == 0
    attachment = shared.messages.first().attachments.get()
    assert rows[0]["attachments"][0]["download_url"] == attachment_url(
        world.partnership, shared, attachment
    )


def test_messages_list_runs_the_same_queries_for_5_and_30(as_user, world, shared):
    api = as_user(world.member)

    def add(n):
        for i in range(n):
            services.message_post(
                actor=[world.manager, world.supplier_lead][i % 2],
                thread=shared,
                body=f"Message {i}",
                attachments=[SimpleUploadedFile("m.txt", b"x")] if i % 3 == 0 else [],
            )

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(messages(world.partnership, shared))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(4)
    few = measure()
    add(25)
    assert measure() == few


@pytest.mark.parametrize("who", WRITERS)
def test_participants_write_messages(as_user, world, shared, who):
    response = as_user(getattr(world, who)).post(
        messages(world.partnership, shared), {"body": "On it"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["body_html"] == "<p>On it</p>"
    assert shared.messages.count() == 2


def test_message_multipart_with_attachment(as_user, world, shared):
    api = as_user(world.supplier_lead)
    response = api.post(
        messages(world.partnership, shared),
        {"body": "Photo attached", "attachments": [SimpleUploadedFile("r.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["attachments"][0]["original_name"] == "r.pdf"


def test_closed_thread_refuses_messages(as_user, world, shared):
    services.thread_update(actor=world.manager, thread=shared, status="closed")
    response = as_user(world.supplier_lead).post(
        messages(world.partnership, shared), {"body": "late"}, format="json"
    )
    assert response.status_code == 400
    assert "body" in response.json()


def test_message_edit_keeps_a_revision(as_user, world, shared):
    message = shared.messages.get()
    response = as_user(world.manager).patch(
        message_url(world.partnership, shared, message), {"body": "Ward 4"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["body"] == "Ward 4"
    assert body["edited_at"] is not None
    assert body["revision_count"] == 1
    assert MessageRevision.objects.get(message=message).body == "Ward 3 was not cleaned."


def test_message_edit_after_the_window_answers_400(as_user, world, shared, settings):
    settings.HUB_EDIT_MINUTES = 15
    message = shared.messages.get()
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    response = as_user(world.manager).patch(
        message_url(world.partnership, shared, message), {"body": "too late"}, format="json"
    )
    assert response.status_code == 400
    assert "15 minutes" in response.json()["body"][0]
    message.refresh_from_db()
    assert message.body == "Ward 3 was not cleaned."
    assert not MessageRevision.objects.exists()


def test_only_the_author_edits(as_user, world, shared):
    message = shared.messages.get()
    response = as_user(world.member).patch(
        message_url(world.partnership, shared, message), {"body": "mine now"}, format="json"
    )
    assert response.status_code == 403
    response = as_user(world.viewer).patch(
        message_url(world.partnership, shared, message), {"body": "mine now"}, format="json"
    )
    assert response.status_code == 403


def test_message_of_another_thread_answers_404(as_user, world, shared):
    other = _open(world, subject="Other")
    message = other.messages.get()
    api = as_user(world.manager)
    assert api.get(message_url(world.partnership, shared, message)).status_code == 404
    assert api.patch(
        message_url(world.partnership, shared, message), {"body": "x"}, format="json"
    ).status_code == (404)
    attachment = shared.messages.get().attachments.get()
    assert api.get(attachment_url(world.partnership, other, attachment)).status_code == 404


def test_attachment_download_is_safe(as_user, world, shared):
    attachment = shared.messages.get().attachments.get()
    api = as_user(world.facilitator)
    response = api.get(
        attachment_url(world.partnership, shared, attachment),
        HTTP_ACCEPT="application/octet-stream",
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="a.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Token authentication ------------------------------------------------------------------------


def test_bearer_token_reads_and_writes(world, shared):
    _token, key = api_token_create(user=world.supplier_lead, name="CAFM")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(threads(world.partnership)).json()["count"] == 1
    response = api.post(messages(world.partnership, shared), {"body": "From CAFM"}, format="json")
    assert response.status_code == 201
    response = api.post(
        threads(world.partnership), {"subject": "From ERP", "body": "x"}, format="json"
    )
    assert response.status_code == 201


def test_bearer_token_of_the_other_side_cannot_reach_an_internal_thread(world, internal):
    _token, key = api_token_create(user=world.supplier_lead, name="CAFM")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(thread_url(world.partnership, internal)).status_code == 404


def test_bad_token_answers_401(world, shared):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer tdm_wrong")
    assert api.get(threads(world.partnership)).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"subject": {"a": 1}, "body": "x"},
        {"subject": "x", "body": ["x"]},
        {"subject": "x", "body": "y", "internal": "maybe"},
        {"subject": "x", "body": "y", "assignee": "abc"},
        {"subject": "x", "body": "y", "assignee": 99999999999999999999},
        {"subject": "x", "body": "y", "documents": ["abc"]},
        {"subject": "x", "body": "y", "documents": [99999999999999999999]},
        {"subject": "x", "body": "y", "attachments": ["not a file"]},
        {"subject": "x" * 201, "body": "y"},
        {"subject": "x", "body": "y" * 20_001},
        {"subject": "x", "body": "y", "category": None},
    ],
)
def test_bad_bodies_answer_400_never_500(as_user, world, body):
    response = as_user(world.manager).post(threads(world.partnership), body, format="json")
    assert response.status_code == 400, response.content
    assert not Thread.objects.exists()


def test_malformed_requests_never_500(as_user, world, shared):
    api = as_user(world.manager)
    huge = "9" * 25
    assert api.get(f"{threads(world.partnership)}{huge}/").status_code == 404
    assert api.get(f"{threads(world.partnership)}{huge}/messages/").status_code == 404
    assert api.get(f"{threads(world.partnership)}{shared.pk}/attachments/{huge}/").status_code == (
        404
    )
    response = api.post(threads(world.partnership), b"{not json", content_type="application/json")
    assert response.status_code == 400
    response = api.get(threads(world.partnership), {"assignee": huge})
    assert response.status_code in (200, 400)
    assert api.get(threads(world.partnership), {"page": "abc"}).status_code == 400
