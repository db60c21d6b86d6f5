"""/healthz says the process answers and asks nothing; /readyz asks every dependency."""

import pytest

from tests.broker import Broker
from tests.s3_server import s3_server

CLOSED = "redis://127.0.0.1:1/6"  # a port where nothing listens: real connection attempts fail


@pytest.mark.django_db
def test_healthz_answers_without_asking_the_database_or_the_broker(
    client, settings, monkeypatch, django_assert_num_queries
):
    Broker(settings, monkeypatch).down()
    settings.REDIS_URL = CLOSED
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_ok_when_database_redis_and_storage_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "storage": "ok"}
    assert not response.cookies  # no session, no CSRF cookie


@pytest.mark.django_db
def test_readyz_503_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = CLOSED
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "down",
        "storage": "ok",
    }


@pytest.mark.django_db
def test_readyz_asks_the_broker_when_there_is_no_redis(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    assert client.get("/readyz").json()["broker"] == "ok"  # the suite's broker is its Redis
    Broker(settings, monkeypatch).down()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down" and "redis" not in response.json()


def _s3_storage(endpoint_url: str, bucket: str, server) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "access_key": server.access_key,
            "secret_key": server.secret_key,
            "region_name": server.region,
        },
    }


@pytest.mark.django_db
def test_readyz_asks_object_storage_and_is_503_when_it_is_gone(client, settings):
    with s3_server() as server:
        bucket = server.new_bucket()
        storage = _s3_storage(server.endpoint_url, bucket, server)
        settings.STORAGES = {**settings.STORAGES, "default": storage}
        assert client.get("/readyz").json()["storage"] == "ok"
    # The server is stopped: the same storage no longer answers.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["storage"] == "down" and response.json()["database"] == "ok"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_are_not_redirected_to_https(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path).status_code != 301
