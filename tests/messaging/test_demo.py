"""The demo hub: a year of threads in every category, fewer complaints as the year goes on,
internal threads on both sides, and documents with several versions."""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from messaging import selectors
from messaging.models import (
    Category,
    DocumentCategory,
    DocumentVersion,
    Message,
    Status,
    Thread,
    Visibility,
)
from partnership.models import Notification, Partnership


def _seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def cleaning(demo_db):
    return Partnership.objects.get(title="Schoonmaak Sint-Lucas")


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _month_start(months_back: int) -> datetime.datetime:
    today = timezone.localdate()
    month = today.month - 1 - months_back
    day = datetime.date(today.year + month // 12, month % 12 + 1, 1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def test_demo_covers_every_category_over_a_year(cleaning):
    threads = Thread.objects.filter(partnership=cleaning)

    assert set(threads.values_list("category", flat=True)) == set(Category.values)
    first = threads.order_by("created_at").first().created_at
    last = threads.order_by("-created_at").first().created_at
    assert first >= _month_start(11) and first < _month_start(10), "starts eleven months back"
    assert last > timezone.now() - datetime.timedelta(days=3)
    assert all(t.created_at <= timezone.now() for t in threads)
    dutch = threads.get(subject="Vloer OK-complex niet gedweild")
    assert dutch.messages.count() >= 3


def test_demo_complaints_drop_over_the_year(cleaning):
    quarters = [(_month_start(11 - 3 * q), _month_start(8 - 3 * q)) for q in range(4)]
    quarters[-1] = (quarters[-1][0], timezone.now() + datetime.timedelta(days=1))

    complaints = [
        selectors.figures(partnership=cleaning, start=s, end=e)["complaints"] for s, e in quarters
    ]

    assert complaints[0] >= 5 and complaints[-1] == 1, complaints
    assert all(a >= b for a, b in zip(complaints, complaints[1:], strict=False)), complaints


def test_demo_answers_come_from_the_other_side_within_two_days(cleaning):
    shared = Thread.objects.filter(partnership=cleaning, visibility=Visibility.SHARED)
    answered = [t for t in shared if t.first_response_at is not None]

    assert len(answered) >= 20
    for thread in answered:
        first_other = (
            Message.objects.filter(thread=thread)
            .exclude(author_side=thread.side)
            .order_by("created_at")
            .first()
        )
        assert first_other.created_at == thread.first_response_at, thread
    times = {t.first_response_time for t in answered}
    assert min(times) <= datetime.timedelta(hours=1)
    assert datetime.timedelta(hours=40) <= max(times) <= datetime.timedelta(days=2, hours=2)
    for thread in shared:
        stamps = list(thread.messages.values_list("created_at", flat=True))
        assert stamps == sorted(stamps) and stamps[0] == thread.created_at
        assert thread.last_message_at == stamps[-1]


def test_demo_has_resolved_incidents_and_threads_still_open(cleaning):
    threads = Thread.objects.filter(partnership=cleaning)
    incidents = threads.filter(category=Category.INCIDENT, status=Status.RESOLVED)

    assert incidents.count() >= 2
    assert all(i.time_to_resolve and i.time_to_resolve > datetime.timedelta() for i in incidents)
    assert threads.filter(status=Status.OPEN, visibility=Visibility.SHARED).exists()
    assert threads.filter(status=Status.WAITING).exists()
    ideas = threads.filter(category=Category.IDEA)
    assert set(ideas.values_list("side", flat=True)) == {"client", "supplier"}


def test_demo_keeps_internal_threads_on_both_sides_away_from_others(cleaning):
    threads = Thread.objects.filter(partnership=cleaning)
    client_internal = threads.filter(visibility=Visibility.CLIENT_INTERNAL)
    supplier_internal = threads.filter(visibility=Visibility.SUPPLIER_INTERNAL)
    assert client_internal.exists() and supplier_internal.exists()

    facilitator = _user("facilitator@samenverder.demo")
    lead = _user("pl@cleancare.demo")
    manager = _user("fm@stlucas.demo")
    assert not Thread.objects.visible_to(facilitator).exclude(visibility="shared").exists()
    assert not Thread.objects.visible_to(lead).filter(pk__in=client_internal).exists()
    assert not Thread.objects.visible_to(manager).filter(pk__in=supplier_internal).exists()
    assert Thread.objects.visible_to(lead).filter(pk__in=supplier_internal).count() == (
        supplier_internal.count()
    )
    shared = threads.filter(visibility=Visibility.SHARED).count()
    assert (
        selectors.figures(partnership=cleaning, start=_month_start(12), end=timezone.now())[
            "threads"
        ]
        == shared
    )


def test_demo_library_has_every_kind_and_versions_by_different_people(cleaning):
    documents = selectors.documents(partnership=cleaning)

    assert set(documents.values_list("category", flat=True)) == set(DocumentCategory.values) - {
        "other"
    }
    three = [d for d in documents if d.version_count == 3]
    assert len(three) >= 2
    for document in three:
        versions = list(selectors.document_versions(document=document).order_by("number"))
        assert [v.number for v in versions] == [1, 2, 3]
        assert len({v.uploaded_by_id for v in versions}) >= 2
        assert [v.uploaded_at for v in versions] == sorted(v.uploaded_at for v in versions)
        assert document.updated_at == versions[-1].uploaded_at
    types = set(
        DocumentVersion.objects.filter(
            document__partnership=cleaning, document__category="work_instruction"
        ).values_list("content_type", flat=True)
    )
    assert {"application/pdf", "image/png"} <= types


def test_demo_files_are_real_and_match_their_checksums(cleaning):
    for version in DocumentVersion.objects.filter(document__partnership=cleaning):
        with version.file.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == version.sha256
        assert len(data) == version.size
        if version.content_type == "application/pdf":
            assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
        else:
            assert data.startswith(b"\x89PNG")


def test_demo_thread_links_a_work_instruction(cleaning):
    thread = Thread.objects.get(partnership=cleaning, subject="Vloer OK-complex niet gedweild")

    linked = list(thread.documents.all())
    assert [d.category for d in linked] == ["work_instruction"]


def test_demo_facility_manager_has_some_unread_threads(cleaning):
    manager = _user("fm@stlucas.demo")
    lead = _user("pl@cleancare.demo")

    unread = selectors.unread_count(user=manager)
    assert 1 <= unread <= 5
    total = Thread.objects.visible_to(manager).count()
    assert unread < total
    assert selectors.unread_count(user=_user("cm@stlucas.demo")) == 0
    assert selectors.unread_count(user=lead) == 0


def test_demo_keeps_only_recent_hub_notifications(cleaning):
    notices = Notification.objects.filter(kind__startswith="hub.")
    cutoff = timezone.now() - datetime.timedelta(days=4)

    assert notices.exists()
    assert not notices.filter(created_at__lt=cutoff).exists()
    assert not notices.filter(kind="hub.document").exists()


def _snapshot() -> dict:
    return {
        "threads": sorted(Thread.objects.values_list("subject", "created_at", "status")),
        "messages": Message.objects.count(),
        "versions": sorted(DocumentVersion.objects.values_list("sha256", "number")),
        "notices": Notification.objects.filter(kind__startswith="hub.").count(),
    }


def test_seeding_the_demo_twice_changes_nothing_in_the_hub(cleaning):
    before = _snapshot()
    assert before["threads"] and before["versions"]

    _seed()

    assert _snapshot() == before


def test_other_partnerships_have_a_few_threads(cleaning):
    for title in ("Catering Sint-Lucas", "Schoonmaak Hogeschool Rijnland"):
        partnership = Partnership.objects.get(title=title)
        assert Thread.objects.filter(partnership=partnership).count() == 2


def test_demo_complaints_name_rooms_of_the_register(cleaning):
    named = Thread.objects.filter(partnership=cleaning, room__isnull=False).select_related("room")
    assert {t.category for t in named} == {Category.COMPLAINT}
    assert {t.room.code for t in named} >= {"HG.1.104", "HG.0.003"}
    assert all(t.room.partnership_id == cleaning.pk for t in named)
