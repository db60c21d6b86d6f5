"""Query budgets: the hub's list pages cost the same number of queries for 10 and 100 rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from messaging.models import Document, DocumentVersion, ReadState
from tests import factories as f
from tests.messaging.factories import MessageFactory, ThreadFactory
from tests.places.factories import room

pytestmark = pytest.mark.django_db


def queries(client, user, path) -> int:
    client.force_login(user)
    client.get(path)  # warm-up: session and per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def add_threads(world, n: int, start: int = 0) -> None:
    """`n` threads with a message each, on both sides, some internal, some read, some assigned,
    half of them about a room of the register."""
    now = timezone.now()
    users = [world.manager, world.member, world.supplier_lead]
    for i in range(start, start + n):
        side = "client" if i % 2 else "supplier"
        internal = i % 5 == 0
        visibility = f"{side}_internal" if internal else "shared"
        thread = ThreadFactory(
            partnership=world.partnership,
            side=side,
            visibility=visibility,
            category=["question", "complaint", "invoice"][i % 3],
            assignee=users[i % 3] if i % 2 else None,
            created_by=users[i % 3],
            created_at=now - datetime.timedelta(hours=i),
            room=room(world.partnership, f"Q.{i}") if i % 2 == 0 else None,
        )
        MessageFactory(thread=thread, author=users[i % 3])
        if i % 4 == 0:
            ReadState.objects.create(user=world.manager, thread=thread, read_at=now)


def add_documents(world, n: int, start: int = 0) -> None:
    now = timezone.now()
    for i in range(start, start + n):
        document = Document.objects.create(
            partnership=world.partnership,
            title=f"Document {i}",
            created_by=world.supplier_lead,
            updated_at=now,
        )
        for number in (1, 2):
            DocumentVersion.objects.create(
                document=document,
                number=number,
                file=f"hub/x/{i}-{number}.pdf",
                original_name=f"doc-{i}.pdf",
                content_type="application/pdf",
                size=1000 + i,
                sha256="0" * 64,
                uploaded_by=world.supplier_lead,
                uploaded_at=now,
            )


def compare(client, world, user, path, add) -> None:
    add(world, 10)
    small = queries(client, user, path)
    add(world, 90, start=10)
    large = queries(client, user, path)
    assert small == large, f"{path}: {small} queries for 10 rows, {large} for 100"


def test_partnership_inbox_runs_a_constant_number_of_queries(client, world):
    f.ContactFactory(partnership=world.partnership, side="supplier")
    f.EscalationStepFactory(partnership=world.partnership, level=1)
    path = reverse("messaging:inbox", kwargs={"partnership_id": world.partnership.pk})
    compare(client, world, world.manager, path + "?page=1", add_threads)


def test_global_inbox_runs_a_constant_number_of_queries(client, world):
    compare(client, world, world.supplier_lead, reverse("hub:inbox"), add_threads)


def test_search_runs_a_constant_number_of_queries(client, world):
    compare(client, world, world.member, reverse("hub:search") + "?q=Thread", add_threads)


def test_documents_library_runs_a_constant_number_of_queries(client, world):
    path = reverse("messaging:documents", kwargs={"partnership_id": world.partnership.pk})
    compare(client, world, world.member, path, add_documents)


def test_dashboard_runs_a_constant_number_of_queries_with_hub_cards(client, world):
    compare(client, world, world.manager, reverse("partnership:dashboard"), add_threads)


def test_thread_page_runs_a_constant_number_of_queries(client, world):
    from messaging import services
    from tests.messaging.factories import pdf

    thread = services.thread_create(
        actor=world.manager,
        partnership=world.partnership,
        subject="Long",
        body="start",
        room=room(world.partnership, "HG.2.214"),
    )
    path = reverse(
        "messaging:thread",
        kwargs={"partnership_id": world.partnership.pk, "thread_id": thread.pk},
    )

    def add_messages(world, n, start=0):
        for i in range(n):
            services.message_post(
                actor=[world.supplier_lead, world.member][i % 2],
                thread=thread,
                body=f"reply {start + i}",
                attachments=[pdf()] if i % 3 == 0 else [],
            )

    compare(client, world, world.manager, path, add_messages)
