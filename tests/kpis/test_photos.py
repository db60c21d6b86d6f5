import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kpis.models import DefectPhoto
from tests.isolation.objects import make_inspection

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def inspection(world):
    return make_inspection(world.partnership, world.supplier_lead)


def upload_url(world, inspection):
    area = inspection.areas.get()
    base = f"/partnerships/{world.partnership.pk}/kpis/inspections/{inspection.pk}"
    return f"{base}/areas/{area.pk}/photos/"


def test_photo_upload_is_stored_under_a_random_name_and_served_safely(client, world, inspection):
    client.force_login(world.supplier_lead)
    photo = SimpleUploadedFile("../../etc/passwd<script>.png", png_bytes(), "image/png")
    client.post(upload_url(world, inspection), {"kind": "dirt", "caption": "Sink", "photo": photo})
    stored = DefectPhoto.objects.exclude(original_name="dirt.png").get()
    assert stored.image.name.startswith("inspections/") and "passwd" not in stored.image.name
    assert "/" not in stored.original_name and "<" not in stored.original_name
    client.force_login(world.viewer)
    response = client.get(
        f"/partnerships/{world.partnership.pk}/kpis/inspections/{inspection.pk}/photos/{stored.pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()
    client.force_login(world.outsider)
    response = client.get(
        f"/partnerships/{world.partnership.pk}/kpis/inspections/{inspection.pk}/photos/{stored.pk}/"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.png", b"MZ\x90\x00" + b"\x00" * 200, "not a JPEG, PNG or WebP photo"),
        ("notes.jpg", b"just some text pretending", "not a JPEG, PNG or WebP photo"),
        ("huge.png", None, "larger than"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_stored(
    client, world, inspection, settings, name, content, message
):
    settings.PHOTO_MAX_BYTES = 1024
    content = content if content is not None else png_bytes((600, 600)) + b"\x00" * 4096
    client.force_login(world.supplier_lead)
    response = client.post(
        upload_url(world, inspection),
        {"kind": "dirt", "photo": SimpleUploadedFile(name, content)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert message in response.content.decode()
    assert DefectPhoto.objects.count() == 1  # only the fixture's


def test_viewer_cannot_add_photos(client, world, inspection):
    client.force_login(world.viewer)
    photo = SimpleUploadedFile("a.png", png_bytes())
    assert (
        client.post(upload_url(world, inspection), {"kind": "dirt", "photo": photo}).status_code
        == 403
    )


def test_a_photo_whose_file_went_missing_answers_404(client, world, inspection):
    photo = inspection.areas.get().photos.get()
    photo.image.storage.delete(photo.image.name)
    client.force_login(world.viewer)
    base = f"/partnerships/{world.partnership.pk}/kpis/inspections/{inspection.pk}"
    assert client.get(f"{base}/photos/{photo.pk}/").status_code == 404
