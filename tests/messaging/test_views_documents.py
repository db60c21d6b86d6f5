"""The documents library pages: list, upload, versions, archive and downloads."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging import services
from messaging.models import Document, DocumentVersion
from tests.messaging.factories import PDF, pdf, png

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(name, world, partnership=None, **kwargs):
    partnership = partnership or world.partnership
    return reverse(f"messaging:{name}", kwargs={"partnership_id": partnership.pk, **kwargs})


def make_document(world, actor=None, title="Work instruction toilets", **kwargs):
    return services.document_create(
        actor=actor or world.supplier_lead,
        partnership=kwargs.pop("partnership", world.partnership),
        title=title,
        category=kwargs.pop("category", "work_instruction"),
        file=kwargs.pop("file", None) or pdf("toilets.pdf"),
        **kwargs,
    )


def body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "who,can_upload",
    [("manager", True), ("member", True), ("supplier_lead", True), ("viewer", False),
     ("facilitator", False)],
)  # fmt: skip
def test_library_is_read_by_all_readers_upload_offered_to_writers(client, world, who, can_upload):
    make_document(world)
    client.force_login(getattr(world, who))
    page = body(client.get(url("documents", world)))
    assert "Work instruction toilets" in page
    assert ('data-testid="new-document"' in page) == can_upload
    status = client.get(url("document_new", world)).status_code
    assert status == (200 if can_upload else 403)


def test_library_empty_state_filters_and_archived_list(client, world):
    client.force_login(world.member)
    assert 'data-testid="documents-empty"' in body(client.get(url("documents", world)))
    make_document(world, title="Cleaning contract", category="contract")
    make_document(world, title="Invoice March", category="invoice")
    page = body(client.get(url("documents", world) + "?category=contract"))
    assert "Cleaning contract" in page and "Invoice March" not in page
    page = body(client.get(url("documents", world) + "?q=march"))
    assert "Invoice March" in page and "Cleaning contract" not in page
    invoice = Document.objects.get(title="Invoice March")
    services.document_archive(actor=world.supplier_lead, document=invoice)
    assert "Invoice March" not in body(client.get(url("documents", world)))
    assert "Invoice March" in body(client.get(url("documents", world) + "?archived=1"))


def test_upload_a_document_through_the_form(client, world):
    client.force_login(world.member)
    response = client.post(
        url("document_new", world),
        {
            "title": "Floor plan",
            "category": "technical_sheet",
            "description": "Ward 3",
            "file": png("plan.png"),
            "note": "First draft",
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("document", world, document_id=document.pk)
    version = document.versions.get()
    assert (version.number, version.note, version.content_type) == (1, "First draft", "image/png")


def test_a_bad_document_upload_is_refused_next_to_the_field_and_nothing_is_stored(
    client, world, settings
):
    client.force_login(world.member)
    response = client.post(
        url("document_new", world),
        {
            "title": "Invoice",
            "category": "invoice",
            "file": SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" * 64),
        },
        **EN,
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not Document.objects.exists() and stored_files(settings) == []


def test_document_page_lists_every_version_with_size_and_sha256(client, world):
    document = make_document(world)
    second = b"%PDF-1.4\nversion two\n%%EOF\n"
    services.document_version_add(
        actor=world.member,
        document=document,
        file=SimpleUploadedFile("toilets-v2.pdf", second),
        note="New products",
    )
    client.force_login(world.facilitator)
    page = body(client.get(url("document", world, document_id=document.pk), **EN))
    assert page.count('data-testid="version-row"') == 2
    assert hashlib.sha256(second).hexdigest() in page
    assert hashlib.sha256(PDF).hexdigest() in page
    assert "New products" in page and "bytes" in page
    assert world.member.display_name in page


def test_upload_a_new_version_and_download_the_earlier_one(client, world):
    document = make_document(world)
    first = document.versions.get()
    client.force_login(world.member)
    response = client.post(
        url("document_version_new", world, document_id=document.pk),
        {"file": pdf("toilets.pdf", b"%PDF-1.4 second"), "note": "Updated"},
    )
    assert response.status_code == 302
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    download = client.get(
        url("version_download", world, document_id=document.pk, version_id=first.pk)
    )
    assert download.status_code == 200 and body(download) == PDF.decode()
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_bad_new_version_shows_the_error_on_the_document_page(client, world, settings):
    document = make_document(world)
    files_before = len(stored_files(settings))
    client.force_login(world.member)
    response = client.post(
        url("document_version_new", world, document_id=document.pk),
        {"file": SimpleUploadedFile("v2.pdf", b"MZ\x90\x00" * 64)},
        **EN,
    )
    assert response.status_code == 200 and "file" in response.context["version_form"].errors
    assert document.versions.count() == 1 and len(stored_files(settings)) == files_before


def test_viewers_and_the_facilitator_cannot_upload_versions(client, world):
    document = make_document(world)
    for who in ("viewer", "facilitator"):
        client.force_login(getattr(world, who))
        page = body(client.get(url("document", world, document_id=document.pk), **EN))
        assert '/versions/"' not in page and "Upload a new version" not in page
        response = client.post(
            url("document_version_new", world, document_id=document.pk), {"file": pdf()}
        )
        assert response.status_code == 403
    assert document.versions.count() == 1


def test_a_version_of_another_document_or_partnership_is_404(client, world):
    document = make_document(world)
    other = make_document(world, title="Other")
    client.force_login(world.member)
    mixed = url(
        "version_download", world, document_id=document.pk, version_id=other.versions.get().pk
    )
    assert client.get(mixed).status_code == 404
    elsewhere = url("document", world, partnership=world.other_partnership, document_id=document.pk)
    assert client.get(elsewhere).status_code == 404


def test_threads_linking_a_document_respect_internal_visibility(client, world):
    document = make_document(world)
    for subject, internal in (("Shared question", False), ("Our own concern", True)):
        services.thread_create(
            actor=world.manager,
            partnership=world.partnership,
            subject=subject,
            body="see document",
            internal=internal,
            documents=[document],
        )
    client.force_login(world.supplier_lead)
    page = body(client.get(url("document", world, document_id=document.pk)))
    assert "Shared question" in page and "Our own concern" not in page
    client.force_login(world.member)
    page = body(client.get(url("document", world, document_id=document.pk)))
    assert "Our own concern" in page


def test_archive_and_bring_back(client, world):
    document = make_document(world)
    client.force_login(world.member)  # neither a manager nor its uploader
    assert client.post(url("document_archive", world, document_id=document.pk)).status_code == 403
    client.force_login(world.supplier_lead)
    response = client.post(url("document_archive", world, document_id=document.pk))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.archived_at is not None
    page = body(client.get(url("document", world, document_id=document.pk), **EN))
    assert 'data-testid="archived"' in page and "Upload a new version" not in page
    client.post(url("document_archive", world, document_id=document.pk), {"archived": "0"})
    document.refresh_from_db()
    assert document.archived_at is None
    assert DocumentVersion.objects.filter(document=document).count() == 1
