"""Internal threads, tried on every route: the other side and the facilitator never see one.

The routes come from the isolation suite's walker over the URLconf and the API router, so a hub
page or endpoint added later is walked too. Every GET route whose kwargs can point into the
partnership (the partnership, a thread, message, attachment, document or version, or no kwargs at
all: dashboard, global inbox, search) is requested by the supplier's project leader and by the
facilitator, with a search query that matches the internal thread. No body may hold the internal
thread's subject, text or attachment name, and every route that names the internal thread,
its message or its attachment answers 404. The client manager (same side) does find the markers,
which proves the walk can fail.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from messaging import selectors, services
from tests.isolation.routes import discover, in_scope

pytestmark = pytest.mark.django_db

SUBJECT = "Internal thread IN4471"
TEXT = "Internal words IW2290"
FILE = "internal-IA8812.pdf"
HUB_KWARGS = {
    "partnership_id",
    "thread_id",
    "message_id",
    "attachment_id",
    "document_id",
    "version_id",
}
NAMES_THE_THREAD = {"thread_id", "message_id", "attachment_id"}


def _routes():
    return [
        r
        for r in in_scope(discover())
        if r.name is not None
        and not r.positional
        and "format" not in r.kwargs
        and set(r.kwargs) <= HUB_KWARGS
    ]


@pytest.fixture
def internal(world):
    document = services.document_create(
        actor=world.supplier_lead,
        partnership=world.partnership,
        title="Shared manual",
        file=SimpleUploadedFile("manual.pdf", b"%PDF-1.4 manual"),
    )
    thread = services.thread_create(
        actor=world.manager,
        partnership=world.partnership,
        subject=SUBJECT,
        body=TEXT,
        category="complaint",
        internal=True,
        attachments=[SimpleUploadedFile(FILE, b"%PDF-1.4 internal")],
        documents=[document],
    )
    message = thread.messages.get()
    return {
        "partnership_id": world.partnership.pk,
        "thread_id": thread.pk,
        "message_id": message.pk,
        "attachment_id": message.attachments.get().pk,
        "document_id": document.pk,
        "version_id": document.versions.get().pk,
    }


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def test_the_walk_reaches_the_hub_pages_and_endpoints():
    names = {r.name for r in _routes()}
    for expected in ("messaging:inbox", "messaging:thread", "messaging:document", "hub:search"):
        assert expected in names
    assert any(r.is_api and "thread_id" in r.kwargs for r in _routes())


@pytest.mark.parametrize("reader", ["supplier_lead", "facilitator"])
def test_no_route_shows_an_internal_thread_to_the_other_side_or_the_facilitator(
    world, internal, reader
):
    client = Client()
    client.force_login(getattr(world, reader))
    tried = 0
    for route in _routes():
        url = reverse(route.name, kwargs={k: internal[k] for k in route.kwargs})
        response = client.get(url + "?q=IN4471", HTTP_ACCEPT="text/html,application/json")
        body = _body(response)
        tried += 1
        for marker in (SUBJECT, TEXT, FILE):
            assert marker not in body, f"{route.name} shows {marker!r} to {reader}"
        if NAMES_THE_THREAD & set(route.kwargs):
            assert response.status_code == 404, f"{route.name} answers {response.status_code}"
    assert tried > 20


@pytest.mark.parametrize("reader", ["supplier_lead", "facilitator"])
def test_internal_threads_are_in_no_count_of_the_other_side(world, internal, reader):
    user = getattr(world, reader)
    assert selectors.unread_count(user=user) == 0
    assert selectors.unread_by_partnership(user=user, partnership_ids=[world.partnership.pk]) == {}
    assert not selectors.search(user=user, q="IN4471")["threads"].exists()


def test_the_same_walk_finds_the_thread_for_its_own_side(world, internal):
    """The control: a client-side colleague reaches it, so the checks above can fail."""
    assert selectors.unread_count(user=world.member) == 1  # before the thread page marks it read
    client = Client()
    client.force_login(world.member)
    bodies = {}
    for route in _routes():
        url = reverse(route.name, kwargs={k: internal[k] for k in route.kwargs})
        bodies[route.name] = _body(client.get(url + "?q=IN4471"))
    assert SUBJECT in bodies["messaging:thread"] and TEXT in bodies["messaging:thread"]
    assert SUBJECT in bodies["messaging:inbox"]
    assert SUBJECT in bodies["hub:search"]
