"""Shared fixtures. The suite runs on PostgreSQL and Redis over real connections.

Data that many tests only read is built once and shared: `shared_transaction` wraps a module's
(or a worker's) fixture in a transaction that is rolled back at its end, and each test runs in a
savepoint inside it, the way Django's `TestCase.setUpTestData` does.
"""

import copy
import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from accounts import token_memory
from tests import demo_db as demo
from tests import factories as f

# Settings every test runs with. Hashing is not under test here: the default hasher would cost
# seconds per fixture.
TEST_SETTINGS = {
    "SECURE_SSL_REDIRECT": False,
    "CELERY_TASK_ALWAYS_EAGER": True,
    "ACCOUNT_RATE_LIMITS": {},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    # Mail goes through the outbox as in production (pytest-django would put locmem in its
    # place); with eager Celery the outbox is sent into `mail.outbox` once the transaction
    # commits. tests/partnership/test_outbox.py takes the broker and the mail server down.
    "EMAIL_BACKEND": "post_office.EmailBackend",
    "POST_OFFICE": {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"},
    },
}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database per run, so two runs on one server (or xdist workers) never collide."""
    from django.conf import settings

    test = settings.DATABASES["default"].setdefault("TEST", {})
    base = test.get("NAME") or "test_" + settings.DATABASES["default"]["NAME"]
    test["NAME"] = f"{base}_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def _redis_per_worker():
    """Each xdist worker gets its own Redis database: a test that clears the cache (the login
    rate limit) must not clear another worker's."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under xdist
    if not settings.REDIS_URL or not worker:
        yield
        return
    parts = urlsplit(settings.REDIS_URL)
    db = (int(parts.path.strip("/") or 0) - int(worker.removeprefix("gw")) - 1) % 16
    url = urlunsplit(parts._replace(path=f"/{db}"))
    caches = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    with override_settings(REDIS_URL=url, CACHES=caches, CELERY_BROKER_URL=url):
        yield


def _storages(settings) -> dict:
    return {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)
    settings.STORAGES = _storages(settings)
    # A request leaves its language active in the thread (LocaleMiddleware activates, nothing
    # deactivates), so without this a test would read messages in whatever language the test
    # before it last requested. Every test starts in the site's default, Dutch.
    translation.activate(settings.LANGUAGE_CODE)
    # A rolled-back test sends no signals: no token remembered from the test before.
    token_memory.forget()
    yield
    translation.deactivate()


@contextmanager
def test_settings(media_root: Path):
    """TEST_SETTINGS for code that runs outside a test function (module and session fixtures)."""
    from django.conf import settings

    with override_settings(MEDIA_ROOT=media_root, STORAGES=_storages(settings), **TEST_SETTINGS):
        yield


@contextmanager
def shared_transaction(django_db_blocker):
    """Everything created inside is seen by the tests that follow and rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


class World:
    pass


def build_world() -> World:
    """Two partnerships in different tenants, and one person for every role that matters.

    hospital (client) + cleaner (supplier): `partnership`, with owner/manager, member, viewer,
    supplier lead and facilitator. university + cleaner: `other_partnership`. A third
    organisation, `outsider_org`, has an admin who must see none of it.
    """
    w = World()
    w.hospital = f.OrganizationFactory(name="Hospital", slug="hospital")
    w.cleaner = f.OrganizationFactory(name="Cleaner", slug="cleaner")
    w.university = f.OrganizationFactory(name="University", slug="university")
    w.facilitators = f.OrganizationFactory(name="Facilitators", slug="facilitators")
    w.outsider_org = f.OrganizationFactory(name="Outsider", slug="outsider")
    w.partnership = f.PartnershipFactory(
        client=w.hospital, supplier=w.cleaner, title="Hospital cleaning"
    )
    w.other_partnership = f.PartnershipFactory(
        client=w.university, supplier=w.cleaner, title="University cleaning"
    )
    w.manager = f.participant(w.partnership, "client", role="admin", email="manager@hospital.test")
    w.member = f.participant(w.partnership, "client", role="member", email="member@hospital.test")
    w.viewer = f.participant(w.partnership, "client", role="viewer", email="viewer@hospital.test")
    w.supplier_lead = f.participant(
        w.partnership, "supplier", role="manager", email="lead@cleaner.test", title="Project leader"
    )
    w.facilitator = f.member(w.facilitators, "member", email="fac@facilitators.test")
    f.ParticipantFactory(partnership=w.partnership, user=w.facilitator, side="facilitator")
    w.outsider = f.member(w.outsider_org, "admin", email="admin@outsider.test")
    w.contract = f.ContractFactory(partnership=w.partnership)
    w.other_contract = f.ContractFactory(partnership=w.other_partnership)
    return w


# Fixtures that need committed data (a live server, threads, a real worker) or another database;
# a module with any of them builds `world` per test instead of sharing one.
_OWN_DATABASE_FIXTURES = {"transactional_db", "live_server", "demo_db", "demo_live_db"}
_SHARED_WORLD_MODULES: set[str] = set()


def _needs_own_database(item) -> bool:
    return bool(_OWN_DATABASE_FIXTURES & set(item.fixturenames)) or any(
        marker.kwargs.get("transaction") for marker in item.iter_markers("django_db")
    )


def pytest_collection_modifyitems(items):
    """Modules whose tests all run in savepoints share one `world`. Its module transaction must
    open before any test's own savepoint, so it goes first among each test's fixtures; so does
    the switch to the demo database for the tests that read the demo."""
    by_module: dict[str, list] = {}
    for item in items:
        by_module.setdefault(item.module.__name__, []).append(item)
    for item in items:
        if "demo_db" in getattr(item, "fixturenames", ()):
            item.fixturenames.insert(0, "_demo_database")
    for module, module_items in by_module.items():
        users = [item for item in module_items if "world" in getattr(item, "fixturenames", ())]
        if not users or any(_needs_own_database(item) for item in module_items):
            continue
        _SHARED_WORLD_MODULES.add(module)
        for item in users:
            item.fixturenames.insert(0, "_module_world")


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    """The world of a module, built once in a transaction that its end rolls back."""
    with (
        test_settings(tmp_path_factory.mktemp("world-media")),
        shared_transaction(django_db_blocker),
    ):
        yield build_world()


@pytest.fixture
def world(request, db) -> World:
    """Each test gets its own copy of the module's world and runs in a savepoint inside the
    module's transaction (as `TestCase.setUpTestData` does), so what a test changes, in the
    database or on the objects, is gone before the next one. (`db` marks the test as one that
    needs the test database; it decides by itself whether the test is transactional.)"""
    if request.node.module.__name__ not in _SHARED_WORLD_MODULES:
        return build_world()
    return copy.deepcopy(request.getfixturevalue("_module_world"))


# --- the demo world --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_template(django_db_setup, django_db_blocker, tmp_path_factory) -> demo.DemoTemplate:
    with django_db_blocker.unblock():
        template = demo.seed_template(tmp_path_factory.mktemp("demo-media"))
    yield template
    with django_db_blocker.unblock():
        demo.drop_database(template.database)


@pytest.fixture
def _demo_database(demo_template, django_db_blocker):
    """The connection points at the demo database for one test (set up before `db`, so the
    test's savepoint opens there; see pytest_collection_modifyitems)."""
    with django_db_blocker.unblock(), demo.using_database(demo_template.database):
        yield


@pytest.fixture
def demo_db(_demo_database, db, demo_template, settings):
    """The seeded demo world for one test, rolled back afterwards like `db`."""
    settings.MEDIA_ROOT = demo_template.media_root
    return demo_template


@pytest.fixture
def demo_live_db(demo_template, transactional_db, settings, django_db_blocker, tmp_path):
    """A copy of the seeded demo world of its own, committed, for a browser test and the live
    server's thread (use with `live_server`)."""
    copy = f"{demo_template.database}_{os.getpid()}_run"
    with django_db_blocker.unblock():
        demo.clone_database(demo_template.database, copy)
    settings.MEDIA_ROOT = demo.copy_media(demo_template, tmp_path / "media")
    with django_db_blocker.unblock(), demo.using_database(copy):
        yield demo_template
    with django_db_blocker.unblock():
        demo.drop_database(copy)


@pytest.fixture(scope="session")
def s3():
    """One S3 server on loopback (moto's server mode) per test process; a test makes a bucket
    of its own (`s3.new_bucket()`)."""
    from tests.s3_server import s3_server

    with s3_server() as server:
        yield server
