"""Where stored files go, from the environment: the local disk unless S3_BUCKET is set, then a
private S3 bucket with short presigned URLs; values that would weaken that refuse to start."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.s3_server import S3Server
from tests.storage.buckets import s3_storage
from tests.test_deploy import _manage

SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings.py"
S3_VARIABLES = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
S3 = S3Server(endpoint_url="http://127.0.0.1:9000")


def load_settings(monkeypatch, **env) -> dict:
    """config/settings.py as a process would read it with `env` (run again, not re-imported)."""
    for name in (*S3_VARIABLES, "S3_REGION", "S3_PRESIGN_SECONDS", "S3_DOWNLOADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "0")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_files_stay_on_the_local_disk_without_a_bucket(monkeypatch):
    loaded = load_settings(monkeypatch)
    assert loaded["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert loaded["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:"]
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"].startswith("whitenoise.")


def test_a_bucket_makes_the_storage_the_suite_tests_with(monkeypatch):
    loaded = load_settings(monkeypatch, **S3.env("tandem-files"))
    assert loaded["STORAGES"]["default"] == s3_storage(S3, "tandem-files")
    assert loaded["S3_DOWNLOADS"] == "redirect" and loaded["S3_PRESIGN_SECONDS"] == 60
    # Static files stay with whitenoise; redirected photos may show in pages.
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"].startswith("whitenoise.")
    img_src = loaded["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert img_src == ["'self'", "data:", "http://127.0.0.1:9000"]


def test_on_aws_credentials_may_come_from_boto3_and_pages_show_the_buckets_photos(monkeypatch):
    loaded = load_settings(monkeypatch, S3_BUCKET="tandem-files", S3_REGION="eu-central-1")
    options = loaded["STORAGES"]["default"]["OPTIONS"]
    assert options["endpoint_url"] is None and options["addressing_style"] is None
    assert options["access_key"] is None and options["secret_key"] is None  # an IAM role
    assert options["region_name"] == "eu-central-1"
    assert loaded["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"][2:] == [
        "https://tandem-files.s3.amazonaws.com",
        "https://tandem-files.s3.eu-central-1.amazonaws.com",
    ]


def test_streamed_downloads_add_no_image_source(monkeypatch):
    loaded = load_settings(monkeypatch, **S3.env("tandem-files"), S3_DOWNLOADS="stream")
    assert loaded["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"S3_PRESIGN_SECONDS": "0"}, "S3_PRESIGN_SECONDS must be between 1 and 60, not 0"),
        ({"S3_PRESIGN_SECONDS": "61"}, "S3_PRESIGN_SECONDS must be between 1 and 60, not 61"),
        ({"S3_DOWNLOADS": "public"}, "S3_DOWNLOADS must be redirect or stream, not 'public'"),
    ],
)
def test_settings_that_weaken_downloads_are_refused(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **S3.env("tandem-files"), **env)


def test_presigned_urls_of_two_minutes_refuse_to_start():
    result = _manage(
        "check",
        DEBUG="0",
        SECRET_KEY="test-only-secret-key-not-for-production-0123456789abcdef",
        S3_BUCKET="tandem-files",
        S3_PRESIGN_SECONDS="120",
    )
    assert result.returncode != 0
    assert "S3_PRESIGN_SECONDS must be between 1 and 60, not 120" in result.stderr
