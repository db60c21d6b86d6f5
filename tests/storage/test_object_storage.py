"""Every kind of stored file in object storage: a real S3 server on loopback (moto's server mode),
reached over HTTP by django-storages and by boto3, as a deployment reaches its store.

One file of each kind is stored once per module through the services (the hub's attachments and
document versions, KPI evidence, inspection photos, a frozen report), in a fresh private bucket.
Tests that change an object put it back; the database is rolled back as everywhere.
"""

import datetime
import hashlib
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test.utils import override_settings
from django.urls import reverse

from kpis import services as kpi_services
from kpis import services_inspections
from messaging import services as hub
from reviews import report_render
from reviews.views.reports import pdf_filename
from tests.conftest import build_world, shared_transaction
from tests.conftest import test_settings as with_test_settings
from tests.isolation.objects import make_inspection, make_published_round
from tests.kpis.factories import KPIFactory
from tests.messaging.factories import PDF, image_bytes, pdf, png
from tests.messaging.test_api import attachment_url
from tests.messaging.test_api_uploads import download_url
from tests.sti import factories as sti_factories
from tests.storage.buckets import s3_storage

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Stored:
    """One stored file and how a reader downloads it."""

    key: str  # the object's key in the bucket
    content: bytes
    url: str
    filename: str  # in the Content-Disposition of the download
    content_type: str
    sha256: str | None = None  # what the row recorded, for the kinds that record it
    api_url: str | None = None  # the same download through the API


@dataclass
class Bucket:
    s3: object
    name: str
    world: object
    files: dict[str, Stored]
    media_root: object  # MEDIA_ROOT while the files were stored
    storage: object  # the default storage the files were stored with

    @cached_property
    def client(self):
        """boto3 from outside the web process, as an operator (or an attacker with keys) sees
        the bucket."""
        return self.s3.client()

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=content)


def _store_every_kind(world) -> dict[str, Stored]:
    partnership, reader = world.partnership, world.manager
    p = {"partnership_id": partnership.pk}
    notes = PDF + b"% notes\n"
    thread = hub.thread_create(
        actor=reader,
        partnership=partnership,
        subject="Stored abroad",
        body="See the notes.",
        attachments=[pdf("notes.pdf", notes)],
    )
    attachment = thread.messages.get().attachments.get()
    manual = PDF + b"% manual\n"
    version = hub.document_create(
        actor=reader, partnership=partnership, title="Manual", file=pdf("manual.pdf", manual)
    ).versions.get()
    kpi = KPIFactory(partnership=partnership, source="supplier")
    evidence = PDF + b"% evidence\n"
    measurement = kpi_services.measurement_record(
        actor=world.supplier_lead,
        kpi=kpi,
        period="2026-03",
        value="97",
        evidence=pdf("march.pdf", evidence),
    )
    inspection = make_inspection(partnership, world.supplier_lead)
    photo = services_inspections.defect_photo_add(
        actor=world.supplier_lead, area=inspection.areas.get(), kind="dirt", upload=png("sink.png")
    )
    indicators = sti_factories.adopted_set(partnership, indicators=[("Openness", "both")])
    survey = sti_factories.survey(
        partnership, indicators, state="closed", period_start=datetime.date(2026, 4, 1)
    )
    review_round = make_published_round(partnership, survey, reader, marker="S3")
    (report,) = report_render.store_report_files(review_round=review_round, languages=["nl"])
    return {
        "attachment": Stored(
            attachment.file.name,
            notes,
            reverse("messaging:attachment", kwargs={**p, "attachment_id": attachment.pk}),
            "notes.pdf",
            "application/pdf",
            attachment.sha256,
            attachment_url(partnership, thread, attachment),
        ),
        "document version": Stored(
            version.file.name,
            manual,
            reverse(
                "messaging:version_download",
                kwargs={**p, "document_id": version.document_id, "version_id": version.pk},
            ),
            version.download_name,
            "application/pdf",
            version.sha256,
            download_url(partnership, version.document, version),
        ),
        "KPI evidence": Stored(
            measurement.evidence.name,
            evidence,
            reverse(
                "kpis:measurement_evidence",
                kwargs={**p, "kpi_id": kpi.pk, "measurement_id": measurement.pk},
            ),
            "march.pdf",
            "application/pdf",
        ),
        "inspection photo": Stored(
            photo.image.name,
            image_bytes("PNG"),
            reverse(
                "kpis:defect_photo",
                kwargs={**p, "inspection_id": inspection.pk, "photo_id": photo.pk},
            ),
            "sink.png",
            "image/png",
        ),
        "frozen report": Stored(
            report.file.name,
            report.file.open("rb").read(),
            reverse("reviews:report_pdf", args=[partnership.pk, review_round.pk]) + "?lang=nl",
            pdf_filename(review_round, "nl"),
            "application/pdf",
            report.sha256,
        ),
    }


@pytest.fixture(scope="module")
def bucket(s3, django_db_setup, django_db_blocker, tmp_path_factory):
    """A fresh private bucket as the default storage for the module, one file of each kind."""
    name = s3.new_bucket()
    storages = {**settings.STORAGES, "default": s3_storage(s3, name)}
    media_root = tmp_path_factory.mktemp("unused-media")
    with (
        override_settings(STORAGES=storages, S3_DOWNLOADS="redirect", S3_PRESIGN_SECONDS=60),
        with_test_settings(media_root),
        shared_transaction(django_db_blocker),
    ):
        world = build_world()
        files = _store_every_kind(world)
        yield Bucket(s3, name, world, files, media_root, default_storage._wrapped)


@pytest.fixture(autouse=True)
def _one_storage(_test_settings, bucket):
    """The module's storage for every test. A process builds its storage (a boto3 session and
    client, a tenth of a second) once; the suite's settings fixture would build one per test."""
    default_storage._wrapped = bucket.storage


KINDS = ["attachment", "document version", "KPI evidence", "inspection photo", "frozen report"]
REDIRECTED = [kind for kind in KINDS if kind != "frozen report"]  # a report is checked first


@pytest.fixture
def signatures():
    """Every request the web process signs for the store (an API call or a presigned URL)."""
    seen = []

    def signed(**kwargs):
        seen.append(kwargs["operation_name"])

    events = default_storage.connection.meta.client.meta.events
    events.register("before-sign.s3", signed)
    yield seen
    events.unregister("before-sign.s3", signed)


def fetch(url: str, **headers):
    """A request from outside the web process, as a browser makes it."""
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)  # noqa: S310


@pytest.mark.parametrize("kind", KINDS)
def test_file_lands_in_the_bucket_and_the_bucket_is_private(bucket, kind):
    stored = bucket.files[kind]
    assert bucket.get(stored.key) == stored.content
    if stored.sha256 is not None:
        assert stored.sha256 == hashlib.sha256(stored.content).hexdigest()
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        fetch(f"{bucket.s3.endpoint_url}/{bucket.name}/{stored.key}")
    assert anonymous.value.code == 403


def test_nothing_was_written_to_the_local_disk(bucket):
    assert list(bucket.media_root.rglob("*")) == []


@pytest.mark.parametrize("kind", REDIRECTED)
def test_download_redirects_to_a_presigned_url_valid_a_minute(bucket, client, kind):
    stored = bucket.files[kind]
    client.force_login(bucket.world.viewer)
    response = client.get(stored.url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == bucket.s3.endpoint_url
    assert location.path == f"/{bucket.name}/{stored.key}"
    query = parse_qs(location.query)
    assert 1 <= int(query["X-Amz-Expires"][0]) <= 60
    with fetch(response["Location"]) as fetched:
        assert fetched.read() == stored.content
        assert fetched.headers["Content-Type"] == stored.content_type
        assert f'filename="{stored.filename}"' in fetched.headers["Content-Disposition"]


@pytest.mark.parametrize("kind", ["attachment", "document version"])
def test_api_download_redirects_to_the_same_presigned_file(bucket, client, kind):
    stored = bucket.files[kind]
    client.force_login(bucket.world.viewer)
    response = client.get(stored.api_url, HTTP_ACCEPT="*/*")
    assert response.status_code == 302 and response["Cache-Control"] == "no-store"
    with fetch(response["Location"]) as fetched:
        assert fetched.read() == stored.content


def test_presigned_url_lives_as_long_as_configured(bucket, client, settings):
    settings.S3_PRESIGN_SECONDS = 5
    client.force_login(bucket.world.viewer)
    response = client.get(bucket.files["attachment"].url)
    assert parse_qs(urlsplit(response["Location"]).query)["X-Amz-Expires"] == ["5"]


def test_inline_photo_keeps_its_inline_disposition_and_the_page_may_show_it(bucket, client):
    """A photo is shown inside the inspection page, so the store's origin is one of the page's
    image sources (config/settings.py adds it with the redirect mode)."""
    client.force_login(bucket.world.viewer)
    response = client.get(bucket.files["inspection photo"].url)
    with fetch(response["Location"]) as fetched:
        assert fetched.headers["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize("kind", KINDS)
def test_outsider_gets_404_before_anything_is_signed(bucket, client, signatures, kind):
    stored = bucket.files[kind]
    client.force_login(bucket.world.outsider)
    response = client.get(stored.url)
    assert response.status_code == 404
    assert "Location" not in response and signatures == []
    client.force_login(bucket.world.viewer)
    assert client.get(stored.url).status_code in (200, 302)
    assert signatures  # the insider's download did reach the store


@pytest.mark.parametrize("kind", KINDS)
def test_stream_mode_sends_the_bytes_from_the_web_node(bucket, client, settings, kind):
    settings.S3_DOWNLOADS = "stream"
    stored = bucket.files[kind]
    client.force_login(bucket.world.viewer)
    response = client.get(stored.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored.content
    assert response["Content-Type"] == stored.content_type
    assert int(response["Content-Length"]) == len(stored.content)
    assert f'filename="{stored.filename}"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_frozen_report_is_checked_and_sent_by_the_web_node_in_redirect_mode(bucket, client):
    """Redirecting after the check would let the browser fetch whatever the object holds a
    moment later; the checked bytes are the ones sent."""
    stored = bucket.files["frozen report"]
    client.force_login(bucket.world.viewer)
    response = client.get(stored.url)
    assert response.status_code == 200 and "Location" not in response
    data = b"".join(response.streaming_content)
    assert data == stored.content and data.startswith(b"%PDF-")


@pytest.fixture
def changed_object(bucket):
    """Put each changed object back after the test (the bucket outlives a test's rollback)."""
    changed = []

    def change(key: str, content: bytes | None) -> None:
        changed.append((key, bucket.get(key)))
        if content is None:
            bucket.client.delete_object(Bucket=bucket.name, Key=key)
        else:
            bucket.put(key, content)

    yield change
    for key, original in changed:
        bucket.put(key, original)


@pytest.mark.parametrize("mode", ["redirect", "stream"])
@pytest.mark.parametrize("kind", ["attachment", "frozen report"])
def test_missing_object_is_404(bucket, client, settings, changed_object, mode, kind):
    settings.S3_DOWNLOADS = mode
    stored = bucket.files[kind]
    changed_object(stored.key, None)
    client.force_login(bucket.world.viewer)
    assert client.get(stored.url).status_code == 404


@pytest.mark.parametrize("mode", ["redirect", "stream"])
def test_tampered_frozen_report_is_refused_and_logged(
    bucket, client, settings, changed_object, caplog, mode
):
    settings.S3_DOWNLOADS = mode
    stored = bucket.files["frozen report"]
    tampered = stored.content.replace(b"%PDF-", b"%PDF-\n% changed\n", 1)
    changed_object(stored.key, tampered)
    client.force_login(bucket.world.viewer)
    with caplog.at_level(logging.ERROR, logger="partnership.uploads"):
        response = client.get(stored.url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500 and "Location" not in response
    assert b"%PDF" not in response.content
    assert "changed since it was stored" in response.content.decode()
    (record,) = [r for r in caplog.records if r.name == "partnership.uploads"]
    assert record.levelno == logging.ERROR
    assert stored.key in record.getMessage()
    assert hashlib.sha256(tampered).hexdigest() in record.getMessage()
