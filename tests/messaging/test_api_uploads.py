"""The hub API's document library and uploads: documents, versions, downloads, and what bad files
get (a 400 on the field, and nothing stored: no row, no file under MEDIA_ROOT/hub)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import api_token_create
from messaging import services
from messaging.models import Attachment, Document, DocumentVersion, Message
from tests import factories as f
from tests.api import paths
from tests.messaging import factories as uf
from tests.messaging.api_support import NOT_WRITERS, READERS, WRITERS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF_1 = b"%PDF-1.4 first version"
PDF_2 = b"%PDF-1.7 second version \x00\x01\x02 binary tail"


def documents(p) -> str:
    return f"{paths.partnership(p)}documents/"


def document_url(p, document) -> str:
    return f"{documents(p)}{document.pk}/"


def versions(p, document) -> str:
    return f"{document_url(p, document)}versions/"


def version_url(p, document, version) -> str:
    return f"{versions(p, document)}{version.pk}/"


def download_url(p, document, version) -> str:
    return f"{version_url(p, document, version)}download/"


def _document(world, title="Work instruction", actor=None, **kwargs):
    return services.document_create(
        actor=actor or world.supplier_lead,
        partnership=world.partnership,
        title=title,
        file=SimpleUploadedFile("wi.pdf", PDF_1),
        **kwargs,
    )


@pytest.fixture
def document(world):
    return _document(world, category="work_instruction")


def _stored_files(settings) -> list:
    hub = settings.MEDIA_ROOT / "hub"
    return sorted(p for p in hub.rglob("*") if p.is_file()) if hub.exists() else []


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Documents: who may do what ----------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_readers_list_and_read_documents(as_user, world, document, who):
    api = as_user(getattr(world, who))
    listed = api.get(documents(world.partnership))
    assert listed.status_code == 200
    row = listed.json()["results"][0]
    assert row["id"] == document.pk
    assert row["latest_version_number"] == 1
    assert row["latest_version_size"] == len(PDF_1)
    detail = api.get(document_url(world.partnership, document))
    assert detail.status_code == 200
    assert [v["number"] for v in detail.json()["versions"]] == [1]
    version = document.versions.get()
    assert api.get(versions(world.partnership, document)).status_code == 200
    download = api.get(download_url(world.partnership, document, version))
    assert download.status_code == 200
    assert _body(download) == PDF_1


def test_anonymous_gets_401(as_user, world, document):
    version = document.versions.get()
    assert as_user(None).get(documents(world.partnership)).status_code == 401
    assert as_user(None).get(download_url(world.partnership, document, version)).status_code == 401


def test_document_of_another_partnership_answers_404(as_user, world):
    lead = world.supplier_lead
    f.ParticipantFactory(partnership=world.other_partnership, user=lead, side="supplier")
    foreign = services.document_create(
        actor=lead,
        partnership=world.other_partnership,
        title="Elsewhere",
        file=SimpleUploadedFile("e.pdf", PDF_1),
    )
    version = foreign.versions.get()
    api = as_user(world.viewer)
    assert api.get(document_url(world.partnership, foreign)).status_code == 404
    assert api.get(download_url(world.partnership, foreign, version)).status_code == 404
    # Even a method the viewer may not use answers 404, not 403.
    assert api.patch(
        document_url(world.partnership, foreign), {"title": "x"}, format="json"
    ).status_code == (404)
    assert api.post(versions(world.partnership, foreign), {}).status_code == 404


def test_version_of_another_document_answers_404(as_user, world, document):
    other = _document(world, title="Other")
    version = other.versions.get()
    api = as_user(world.manager)
    assert api.get(version_url(world.partnership, document, version)).status_code == 404
    assert api.get(download_url(world.partnership, document, version)).status_code == 404


@pytest.mark.parametrize("who", WRITERS)
def test_participants_add_documents(as_user, world, settings, who):
    response = as_user(getattr(world, who)).post(
        documents(world.partnership),
        {
            "title": "Invoice March",
            "category": "invoice",
            "description": "Monthly",
            "note": "First",
            "file": SimpleUploadedFile("march.pdf", PDF_1),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["category"] == "invoice"
    assert body["versions"][0]["original_name"] == "march.pdf"
    assert body["versions"][0]["note"] == "First"
    stored = _stored_files(settings)
    assert len(stored) == 1 and "march" not in stored[0].name


@pytest.mark.parametrize("who", NOT_WRITERS)
def test_viewer_and_facilitator_may_not_upload(as_user, world, document, settings, who):
    api = as_user(getattr(world, who))
    created = api.post(
        documents(world.partnership),
        {"title": "x", "file": SimpleUploadedFile("x.pdf", PDF_1)},
        format="multipart",
    )
    assert created.status_code == 403
    added = api.post(
        versions(world.partnership, document),
        {"file": SimpleUploadedFile("x.pdf", PDF_2)},
        format="multipart",
    )
    assert added.status_code == 403
    patched = api.patch(document_url(world.partnership, document), {"title": "y"}, format="json")
    assert patched.status_code == 403
    archived = api.post(f"{document_url(world.partnership, document)}archive/", format="json")
    assert archived.status_code == 403
    assert DocumentVersion.objects.count() == 1
    assert len(_stored_files(settings)) == 1


# --- Versions and downloads --------------------------------------------------------------------


def test_upload_a_version_and_download_the_same_bytes(as_user, world, document):
    api = as_user(world.member)
    response = api.post(
        versions(world.partnership, document),
        {"file": SimpleUploadedFile("Schoonmaak instructie (v2).pdf", PDF_2), "note": "Ward 4"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 2
    assert body["note"] == "Ward 4"
    assert body["size"] == len(PDF_2)
    download = api.get(body["download_url"])
    assert download.status_code == 200
    assert _body(download) == PDF_2
    assert download["Content-Type"] == "application/pdf"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition and "\\" not in disposition and "\n" not in disposition
    assert download["X-Content-Type-Options"] == "nosniff"
    listed = api.get(versions(world.partnership, document)).json()
    assert [v["number"] for v in listed["results"]] == [2, 1]
    first = document.versions.get(number=1)
    assert _body(api.get(download_url(world.partnership, document, first))) == PDF_1
    document_row = api.get(documents(world.partnership)).json()["results"][0]
    assert document_row["latest_version_number"] == 2
    assert document_row["version_count"] == 2


def test_download_with_an_octet_stream_accept_header(as_user, world, document):
    version = document.versions.get()
    response = as_user(world.viewer).get(
        download_url(world.partnership, document, version), HTTP_ACCEPT="application/octet-stream"
    )
    assert response.status_code == 200
    assert _body(response) == PDF_1


def test_office_and_text_files_are_accepted(as_user, world, document):
    api = as_user(world.member)
    response = api.post(
        versions(world.partnership, document),
        {"file": uf.docx("plan.docx")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"].endswith("wordprocessingml.document")


# --- Bad uploads: 400 on the field, nothing stored ---------------------------------------------


def _exe():
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


BAD_FILES = {
    "exe renamed .pdf": lambda: SimpleUploadedFile("invoice.pdf", _exe()),
    "unknown type": lambda: SimpleUploadedFile("data.bin", b"\x00\x01\x02\x03garbage\x00"),
    "text named .pdf": lambda: SimpleUploadedFile("report.pdf", b"just some text"),
    "empty": lambda: SimpleUploadedFile("empty.pdf", b""),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_version_upload_answers_400_and_stores_nothing(
    as_user, world, document, settings, kind
):
    before = _stored_files(settings)
    response = as_user(world.member).post(
        versions(world.partnership, document), {"file": BAD_FILES[kind]()}, format="multipart"
    )
    assert response.status_code == 400, kind
    assert "file" in response.json()
    assert DocumentVersion.objects.count() == 1
    assert _stored_files(settings) == before


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_new_document_answers_400_and_stores_nothing(as_user, world, settings, kind):
    response = as_user(world.member).post(
        documents(world.partnership),
        {"title": "Bad", "file": BAD_FILES[kind]()},
        format="multipart",
    )
    assert response.status_code == 400, kind
    assert "file" in response.json()
    assert not Document.objects.exists()
    assert _stored_files(settings) == []


def test_too_large_upload_answers_400(as_user, world, document, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = as_user(world.member).post(
        versions(world.partnership, document),
        {"file": SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"x" * 2048)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "larger than" in response.json()["file"][0]
    assert DocumentVersion.objects.count() == 1
    assert len(_stored_files(settings)) == 1


def _raw_multipart(fields: dict, filename: str, content: bytes, field="file"):
    boundary = "tandemBOUNDARY"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.parametrize("name", ["../../etc/evil.pdf", "..\\..\\evil.pdf", "C:/temp/evil.pdf"])
def test_a_file_name_with_folders_answers_400(as_user, world, document, settings, name):
    body, content_type = _raw_multipart({"note": "sneaky"}, name, PDF_2)
    response = as_user(world.member).post(
        versions(world.partnership, document), body, content_type=content_type
    )
    assert response.status_code == 400
    assert "folders" in response.json()["file"][0]
    assert DocumentVersion.objects.count() == 1
    assert len(_stored_files(settings)) == 1


def test_a_path_in_an_attachment_name_answers_400(as_user, world, settings):
    thread = services.thread_create(
        actor=world.manager, partnership=world.partnership, subject="s", body="b"
    )
    body, content_type = _raw_multipart(
        {"body": "with a file"}, "../evil.pdf", PDF_2, field="attachments"
    )
    url = f"{paths.partnership(world.partnership)}threads/{thread.pk}/messages/"
    response = as_user(world.member).post(url, body, content_type=content_type)
    assert response.status_code == 400
    assert "attachments" in response.json()
    assert thread.messages.count() == 1
    assert _stored_files(settings) == []


def test_one_bad_attachment_refuses_the_whole_message(as_user, world, settings):
    thread = services.thread_create(
        actor=world.manager, partnership=world.partnership, subject="s", body="b"
    )
    url = f"{paths.partnership(world.partnership)}threads/{thread.pk}/messages/"
    response = as_user(world.member).post(
        url,
        {
            "body": "two files",
            "attachments": [
                SimpleUploadedFile("good.pdf", PDF_1),
                SimpleUploadedFile("bad.pdf", _exe()),
            ],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "bad.pdf" in response.json()["attachments"][0]
    assert Message.objects.count() == 1 and not Attachment.objects.exists()
    assert _stored_files(settings) == []


def test_a_bad_attachment_refuses_a_new_thread(as_user, world, settings):
    response = as_user(world.member).post(
        f"{paths.partnership(world.partnership)}threads/",
        {"subject": "s", "body": "b", "attachments": [SimpleUploadedFile("x.pdf", _exe())]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "attachments" in response.json()
    assert not Message.objects.exists()
    assert _stored_files(settings) == []


def test_document_without_a_file_answers_400(as_user, world):
    response = as_user(world.member).post(
        documents(world.partnership), {"title": "No file"}, format="json"
    )
    assert response.status_code == 400
    assert "file" in response.json()


# --- Documents: change, archive, filter --------------------------------------------------------


def test_partial_update_and_duplicate_title(as_user, world, document):
    _document(world, title="Taken")
    api = as_user(world.member)
    url = document_url(world.partnership, document)
    response = api.patch(url, {"title": "Cleaning WI", "category": "report"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Cleaning WI"
    assert response.json()["category"] == "report"
    response = api.patch(url, {"title": "Taken"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()
    response = api.patch(url, {"category": "poetry"}, format="json")
    assert response.status_code == 400


def test_archive_and_restore(as_user, world, document):
    api = as_user(world.supplier_lead)  # the creator
    url = f"{document_url(world.partnership, document)}archive/"
    response = api.post(url, {"archived": True}, format="json")
    assert response.status_code == 200
    assert response.json()["archived_at"] is not None
    assert api.get(documents(world.partnership)).json()["count"] == 0
    archived = api.get(documents(world.partnership), {"archived": "true"}).json()
    assert [d["id"] for d in archived["results"]] == [document.pk]
    version = document.versions.get()
    assert api.get(download_url(world.partnership, document, version)).status_code == 200
    added = api.post(
        versions(world.partnership, document),
        {"file": SimpleUploadedFile("x.pdf", PDF_2)},
        format="multipart",
    )
    assert added.status_code == 400
    response = api.post(url, {"archived": False}, format="json")
    assert response.json()["archived_at"] is None


def test_only_the_creator_or_a_manager_archives(as_user, world, document):
    url = f"{document_url(world.partnership, document)}archive/"
    assert as_user(world.member).post(url, {}, format="json").status_code == 403
    assert as_user(world.manager).post(url, {}, format="json").status_code == 200


def test_document_filters(as_user, world):
    wi = _document(world, title="Floor care", category="work_instruction")
    _document(world, title="Invoice March", category="invoice", description="floors too")
    api = as_user(world.viewer)

    def titles(**params):
        response = api.get(documents(world.partnership), params)
        assert response.status_code == 200, response.json()
        return sorted(d["title"] for d in response.json()["results"])

    assert titles(category="work_instruction") == [wi.title]
    assert titles(q="floor") == ["Floor care", "Invoice March"]
    assert titles(q="march") == ["Invoice March"]
    assert api.get(documents(world.partnership), {"category": "poetry"}).status_code == 400


def test_document_detail_lists_only_threads_the_reader_may_see(as_user, world, document):
    shared = services.thread_create(
        actor=world.manager,
        partnership=world.partnership,
        subject="Shared link",
        body="b",
        documents=[document],
    )
    services.thread_create(
        actor=world.manager,
        partnership=world.partnership,
        subject="Internal link IN4471",
        body="b",
        internal=True,
        documents=[document],
    )
    for who in ("supplier_lead", "facilitator"):
        body = as_user(getattr(world, who)).get(document_url(world.partnership, document)).json()
        assert [t["id"] for t in body["threads"]] == [shared.pk]
        assert "IN4471" not in str(body)
    body = as_user(world.member).get(document_url(world.partnership, document)).json()
    assert len(body["threads"]) == 2


def test_document_list_runs_the_same_queries_for_5_and_30(as_user, world):
    api = as_user(world.member)
    people = [world.manager, world.member, world.supplier_lead]

    def add(numbers):
        for i in numbers:
            doc = _document(world, title=f"Doc {i}", actor=people[i % 3])
            if i % 2:
                services.document_version_add(
                    actor=people[(i + 1) % 3], document=doc, file=SimpleUploadedFile("v.pdf", PDF_2)
                )

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(documents(world.partnership))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    add(range(5))
    few, count = measure()
    assert count == 5
    add(range(5, 30))
    many, count = measure()
    assert count == 30
    assert few == many


def test_version_list_runs_the_same_queries_for_few_and_many(as_user, world, document):
    api = as_user(world.member)

    def add(n):
        for i in range(n):
            services.document_version_add(
                actor=[world.member, world.supplier_lead][i % 2],
                document=document,
                file=SimpleUploadedFile("v.pdf", PDF_2 + f"% {n} {i}\n".encode()),
            )

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(versions(world.partnership, document))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(3)
    few = measure()
    add(20)
    assert measure() == few


def test_bearer_token_uploads_and_downloads(world, document):
    _token, key = api_token_create(user=world.member, name="ERP")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.post(
        versions(world.partnership, document),
        {"file": SimpleUploadedFile("erp.pdf", PDF_2)},
        format="multipart",
    )
    assert response.status_code == 201
    assert _body(api.get(response.json()["download_url"])) == PDF_2
