"""docker-compose.yml, read without Docker: a one-shot migrate service that web, the workers and
beat wait for, nothing else migrating or seeding, a worker for every routed queue, MinIO with
its bucket before anything stores a file, Mailpit and the ClamAV profile kept."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.deploy.queues import queues_of, routed_queues

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP = {name for name, service in SERVICES.items() if service.get("build") == "."}
STARTED_AFTER_MIGRATE = {"web", "worker", "worker-mail", "worker-reports", "beat"}


def _command(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def _image_command() -> list[str]:
    [cmd] = re.findall(r"^CMD (.+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    return yaml.safe_load(cmd)  # the exec form is a JSON (so YAML) list


def test_the_app_services_are_the_ones_expected():
    assert {*STARTED_AFTER_MIGRATE, "migrate"} == APP


def test_migrate_is_a_one_shot_that_seeds_only_when_asked():
    migrate = SERVICES["migrate"]
    assert migrate["restart"] == "no" and "ports" not in migrate and "healthcheck" not in migrate
    script = _command(migrate)
    assert script[:2] == ["sh", "-c"]
    steps = script[2]
    assert steps.startswith("python manage.py migrate --no-input &&")
    # seed_demo only under SEED_DEMO=1 ($$ is compose's escape: the shell reads the variable).
    assert re.search(r'if \[ "\$\$SEED_DEMO" = 1 \]; then python manage.py seed_demo; fi', steps)
    assert migrate["environment"]["SEED_DEMO"] == "${SEED_DEMO:-0}"


@pytest.mark.parametrize("name", sorted(STARTED_AFTER_MIGRATE))
def test_web_workers_and_beat_wait_for_the_migrations_and_never_migrate(name):
    service = SERVICES[name]
    assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    command = _command(service) or _image_command()
    assert "migrate" not in command and "seed_demo" not in " ".join(command)


def test_web_runs_the_image_command_gunicorn_and_is_checked_on_healthz():
    web = SERVICES["web"]
    assert "command" not in web
    assert _image_command()[0] == "gunicorn"
    assert not {"migrate", "seed_demo", "sh"} & set(_image_command())
    assert web["healthcheck"]["test"] == ["CMD", "curl", "-fsS", "http://localhost:8000/healthz"]


def test_a_worker_per_queue_and_together_every_routed_queue():
    workers = {
        name: _command(service)
        for name, service in SERVICES.items()
        if _command(service)[:4] == ["celery", "-A", "config", "worker"]
    }
    assert set(workers) == {"worker", "worker-mail", "worker-reports"}
    assert {name: queues_of(command) for name, command in workers.items()} == {
        "worker": {"celery"},
        "worker-mail": {"mail"},
        "worker-reports": {"reports"},
    }
    assert set().union(*map(queues_of, workers.values())) == routed_queues()
    beats = [name for name, s in SERVICES.items() if _command(s)[3:4] == ["beat"]]
    assert beats == ["beat"]


def test_object_storage_is_minio_with_its_bucket_made_before_the_app_starts():
    environment = SERVICES["web"]["environment"]
    assert environment["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert {"S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"} <= set(environment)
    assert SERVICES["minio"]["image"].startswith("minio/minio")
    init = SERVICES["minio-init"]
    assert init["image"].startswith("minio/mc") and init["restart"] == "no"
    assert init["depends_on"] == {"minio": {"condition": "service_healthy"}}
    script = " ".join(_command(init))
    assert f"mc mb --ignore-existing local/{environment['S3_BUCKET']}" in script
    assert f"mc anonymous set none local/{environment['S3_BUCKET']}" in script  # private
    assert f"http://minio:9000 {environment['S3_ACCESS_KEY_ID']} " in script  # the same user
    assert SERVICES["minio"]["environment"]["MINIO_ROOT_USER"] == environment["S3_ACCESS_KEY_ID"]
    assert (
        SERVICES["minio"]["environment"]["MINIO_ROOT_PASSWORD"]
        == environment["S3_SECRET_ACCESS_KEY"]
    )
    for name in APP:  # migrate seeds files too: the bucket exists before any app service starts
        needs = SERVICES[name]["depends_on"]
        assert needs["minio-init"] == {"condition": "service_completed_successfully"}, name
        assert needs["db"]["condition"] == needs["redis"]["condition"] == "service_healthy"


def test_mailpit_and_the_clamav_profile_stay():
    assert SERVICES["mailpit"]["image"].startswith("axllent/mailpit")
    assert SERVICES["clamav"]["profiles"] == ["scan"]
    assert SERVICES["web"]["environment"]["EMAIL_HOST"] == "mailpit"
