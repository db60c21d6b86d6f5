"""Two gunicorn nodes behind HAProxy, one PostgreSQL, one Redis, moto's S3 server and a Celery
worker, used through the balancer only (tests/multinode/harness.py starts and stops them):

1. a sign-in on one node holds on both;
2. a file uploaded through web1 comes back, byte for byte, through web2 (from the object store);
3. publishing a round has the worker render its PDFs; they download with the stored SHA-256;
4. under load, web1 is killed: only the requests in flight on it fail, every request after
   HAProxy notices is answered by web2, and every hub message answered 201 is stored, once.

web1 is killed with SIGKILL to its whole process group (master and workers), as a machine that
loses power or a node the kernel's OOM killer takes: nothing is finished or handed over, so the
requests it was serving fail and are counted. A SIGTERM would be the gentle case, a rolling
update's: gunicorn stops accepting and finishes the requests it has (the balancer retries the
refused connections on the other node either way).

`pytest -s` prints the run's figures as a table.
"""

import hashlib
import logging
import secrets
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from messaging.models import Message
from reviews.models import ReportFile, RoundState
from tests import conftest as suite
from tests import demo_db
from tests.messaging.factories import ThreadFactory
from tests.reviews.factories import review_round
from tests.s3_server import s3_server

from . import harness

# The suite's test database is only the template of the nodes' own (transaction=True: nothing of
# this test runs inside a transaction of its own).
pytestmark = [pytest.mark.multinode, pytest.mark.django_db(transaction=True)]

PASSWORD = "two-nodes-sign-in-31415"
LOAD_BEFORE_STOP = 3.0  # seconds of load on both nodes before web1 is killed
LOAD_AFTER_NOTICE = 3.0  # seconds of load on web2 alone after HAProxy marks web1 down
NOTICE_TIMEOUT = 10.0  # inter 500ms, fall 2: about a second
REPORT_TIMEOUT = 30.0
READERS, WRITERS = 3, 2


@dataclass(frozen=True)
class Seeded:
    email: str
    partnership: str
    thread_id: int
    round_id: int

    @property
    def messages_url(self) -> str:
        return f"/api/v1/partnerships/{self.partnership}/threads/{self.thread_id}/messages/"

    @property
    def round_url(self) -> str:
        return f"/partnerships/{self.partnership}/rounds/{self.round_id}/"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- The database the nodes share -------------------------------------------------------------


def url_of(database: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


@contextmanager
def nodes_database(django_db_blocker):
    """A copy of the migrated test database (PostgreSQL's TEMPLATE), dropped at the end."""
    source = settings.DATABASES["default"]["NAME"]
    name = f"{source}_nodes"
    with django_db_blocker.unblock():
        demo_db.clone_database(source, name)
    try:
        yield name
    finally:
        with django_db_blocker.unblock():
            demo_db.drop_database(name)


@contextmanager
def reading(django_db_blocker, database: str):
    """This process's connection on the nodes' database, committed data only (autocommit)."""
    with django_db_blocker.unblock(), demo_db.using_database(database):
        yield


def seed() -> Seeded:
    """The world of the suite, a shared thread and a discussed round; the manager signs in with
    a password hashed as the nodes hash (the suite's own hasher is MD5, which they refuse)."""
    w = suite.build_world()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        w.manager.set_password(PASSWORD)
        w.manager.save(update_fields=["password"])
    EmailAddress.objects.create(user=w.manager, email=w.manager.email, verified=True, primary=True)
    thread = ThreadFactory(partnership=w.partnership, subject="Two nodes", side="client")
    discussed = review_round(w.partnership, RoundState.DISCUSSED, facilitator=w.facilitator)
    return Seeded(
        email=w.manager.email,
        partnership=str(w.partnership.pk),
        thread_id=thread.pk,
        round_id=discussed.pk,
    )


# --- The scenario -----------------------------------------------------------------------------


def logged_for(cluster, answers) -> dict[str, harness.Logged]:
    """The balancer's lines for these answers (a line is written as the answer ends)."""
    ids = {answer.load_id for answer in answers if answer.load_id}

    def complete():
        logged = cluster.logged()
        return logged if ids <= logged.keys() else None

    logged = harness.wait_for(complete, timeout=5)
    assert logged, f"the balancer did not log {sorted(ids - cluster.logged().keys())[:5]}"
    return logged


def sign_in_on_both_nodes(cluster, client, seeded) -> None:
    anonymous = harness.Client(cluster.url).get("/", pin="web1")
    assert anonymous.status == 302 and "/accounts/login/" in anonymous.headers["location"]
    signed_in = client.sign_in(seeded.email, PASSWORD)
    assert signed_in.status == 302, signed_in.body[:2000]
    assert signed_in.headers["location"] == "/" and "sessionid" in client.cookies
    pinned = {node: client.get("/", pin=node) for node in harness.NODES}
    unpinned = [client.get("/") for _ in range(4)]
    logged = logged_for(cluster, [*pinned.values(), *unpinned])
    for node, answer in pinned.items():
        assert answer.status == 200 and b"Hospital cleaning" in answer.body, (node, answer.status)
        assert logged[answer.load_id].server == node
    assert all(answer.status == 200 for answer in unpinned)
    assert {logged[answer.load_id].server for answer in unpinned} == set(harness.NODES)


def upload_on_one_download_on_the_other(cluster, client, seeded, s3, bucket) -> None:
    content = ("Floor plan, wing B\n" + secrets.token_hex(64 * 1024) + "\n").encode()
    upload = client.post_multipart(
        seeded.messages_url,
        {
            "body": "The floor plan, through web1",
            "attachments": ("plan.txt", content, "text/plain"),
        },
        pin="web1",
    )
    assert upload.status == 201, upload.body[:2000]
    attachment = upload.json()["attachments"][0]
    assert attachment["sha256"] == sha256(content)
    hops = client.get_following(attachment["download_url"], pin="web2")
    assert hops[-1].status == 200 and hops[-1].body == content
    logged = logged_for(cluster, [upload, hops[0]])
    assert logged[upload.load_id].server == "web1"
    assert logged[hops[0].load_id].server == "web2"
    # The bytes are in the object store, not on either node's disk.
    stored = s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])
    assert [obj["Key"] for obj in stored if obj["Size"] == len(content)], stored


def report_rendered_by_the_worker(cluster, client, seeded, database, django_db_blocker) -> None:
    publish = client.post_form(seeded.round_url + "publish/", {})
    assert publish.status == 302, publish.body[:2000]
    with reading(django_db_blocker, database):
        # Rendered before anyone asked for it: the worker did it (a node renders on demand only
        # when a reader comes first).
        def both_languages():
            rows = list(
                ReportFile.objects.filter(round_id=seeded.round_id).values("language", "sha256")
            )
            return rows if len(rows) == 2 else None

        rows = harness.wait_for(both_languages, timeout=REPORT_TIMEOUT, interval=0.5)
    assert rows, "the worker stored no report files\n" + cluster.worker.tail()
    assert {row["language"] for row in rows} == {"nl", "en"}
    for row in rows:
        pdf = client.get_following(f"{seeded.round_url}report.pdf?lang={row['language']}")[-1]
        assert pdf.status == 200 and pdf.body.startswith(b"%PDF-")
        assert sha256(pdf.body) == row["sha256"]
    worker_log = cluster.worker.log.read_text(errors="replace").splitlines()
    assert any("reviews.tasks.render_report" in line and "succeeded" in line for line in worker_log)


@dataclass
class LoadRun:
    sent: list[harness.Sent]
    logged: dict[str, harness.Logged]
    began: float
    killed_at: float  # SIGKILL sent
    dead_at: float  # web1's port refuses connections
    noticed_at: float  # HAProxy says web1 is DOWN
    ended: float


def kill_a_node_under_load(cluster, client, seeded) -> LoadRun:
    until = threading.Event()
    began = time.monotonic()
    sent, threads = harness.run_load(
        client,
        page=f"/partnerships/{seeded.partnership}/",
        messages=seeded.messages_url,
        readers=READERS,
        writers=WRITERS,
        until=until,
    )
    try:
        time.sleep(LOAD_BEFORE_STOP)
        killed_at, dead_at = cluster.kill("web1")
        noticed_at = harness.wait_for(
            lambda: time.monotonic() if cluster.states()["web1"].startswith("DOWN") else None,
            timeout=NOTICE_TIMEOUT,
            interval=0.05,
        )
        assert noticed_at, f"HAProxy did not mark web1 down: {cluster.states()}"
        time.sleep(LOAD_AFTER_NOTICE)
    finally:
        until.set()
        for thread in threads:
            thread.join(timeout=20)
    ended = time.monotonic()
    logged = logged_for(cluster, [s.answer for s in sent])
    return LoadRun(sent, logged, began, killed_at, dead_at, noticed_at, ended)


def check_the_load(run: LoadRun, seeded, database, django_db_blocker) -> dict:
    answers = [s.answer for s in run.sent]
    served_by = {a.load_id: run.logged[a.load_id].server for a in answers}
    failed = [a for a in answers if a.failed]
    # In flight on web1: sent before web1 was gone, not answered when the kill came.
    in_flight = [a for a in failed if a.started < run.dead_at and a.ended > run.killed_at]
    after_notice = [a for a in answers if a.started > run.noticed_at]
    before_kill = [a for a in answers if a.ended < run.killed_at]

    # web1 carried its share before it was killed (otherwise nothing was shown).
    assert {served_by[a.load_id] for a in before_kill} == set(harness.NODES)
    # The only failures are requests that web1 was serving when it died.
    assert failed == in_flight, [
        (a.method, a.status, a.error, a.started - run.dead_at, a.ended - run.killed_at)
        for a in failed
        if a not in in_flight
    ]
    assert all(served_by[a.load_id] == "web1" for a in failed)
    # Once HAProxy had noticed, every request went to web2 and was answered.
    assert after_notice and all(served_by[a.load_id] == "web2" for a in after_notice)
    assert all(a.status in (200, 201) for a in after_notice)
    assert all(a.status in (200, 201) for a in answers if not a.failed)

    posts = [s for s in run.sent if s.answer.method == "POST"]
    created = [s for s in posts if s.answer.status == 201]
    with reading(django_db_blocker, database):
        stored = Counter(
            Message.objects.filter(
                thread_id=seeded.thread_id, body__startswith="Load message "
            ).values_list("body", flat=True)
        )
        ids = dict(
            Message.objects.filter(pk__in=[s.message_id for s in created]).values_list("pk", "body")
        )
    # Nothing lost: every message answered 201 is there, under the id the client was told.
    assert all(ids.get(s.message_id) == s.text for s in created)
    # None twice, and nothing that no client sent.
    assert max(stored.values()) == 1
    assert set(stored) <= {s.text for s in posts}
    failed_posts = [s for s in posts if s.answer.failed]
    return {
        "answers": answers,
        "served_by": served_by,
        "failed": failed,
        "in_flight": in_flight,
        "after_notice": after_notice,
        "committed_unanswered": sum(1 for s in failed_posts if s.text in stored),
        "created": len(created),
        "stored": sum(stored.values()),
    }


@contextmanager
def quiet(logger: str):
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


class Phases:
    """How long each step took, for the table."""

    def __init__(self):
        self.taken: list[tuple[str, float]] = []
        self._last = time.monotonic()

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.taken.append((name, now - self._last))
        self._last = now


def print_figures(run: LoadRun, checked: dict, phases: Phases) -> None:
    answers, served_by = checked["answers"], checked["served_by"]
    gets = sum(1 for a in answers if a.method == "GET")
    statuses = Counter(a.status if a.status is not None else "no answer" for a in answers)
    by_node = Counter(served_by.values())
    in_flight = checked["in_flight"]
    redispatched = sum(1 for a in answers if run.logged[a.load_id].retries.startswith("+"))
    rows = [
        (
            "load",
            f"{READERS} readers (GET a partnership page), {WRITERS} writers (POST hub "
            f"messages), {run.ended - run.began:.1f} s",
        ),
        ("requests", f"{len(answers)} ({gets} GET, {len(answers) - gets} POST)"),
        (
            "by status",
            ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str)),
        ),
        ("answered by web1 / web2", f"{by_node['web1']} / {by_node['web2']}"),
        ("web1 killed (SIGKILL, whole group) at", f"{run.killed_at - run.began:.1f} s"),
        ("SIGKILL to web1's port refusing", f"{(run.dead_at - run.killed_at) * 1000:.0f} ms"),
        ("time to notice (web1 DOWN in HAProxy)", f"{run.noticed_at - run.killed_at:.2f} s"),
        (
            "failed: in flight on web1 when killed",
            f"{len(in_flight)} "
            f"({', '.join(f'{a.method} {a.status or a.error}' for a in in_flight) or '-'})",
        ),
        ("failed: any other", str(len(checked["failed"]) - len(in_flight))),
        ("refused by dead web1, redispatched to web2", str(redispatched)),
        ("after the notice: requests, all through web2", str(len(checked["after_notice"]))),
        ("POSTs answered 201 / stored (each once)", f"{checked['created']} / {checked['stored']}"),
        ("POSTs failed in flight but committed", str(checked["committed_unanswered"])),
    ]
    print_table("Two nodes behind HAProxy, web1 killed under load", ("figure", "value"), rows)
    print_table(
        "The load second by second (by when a request started)",
        ("second", "requests: web1 / web2 / failed"),
        timeline(run, served_by),
    )
    steps = [(name, f"{seconds:.1f}") for name, seconds in phases.taken]
    print_table("Steps of the run", ("step", "seconds"), steps)


def timeline(run: LoadRun, served_by: dict[str, str]) -> list[tuple[str, str]]:
    seconds: dict[int, Counter] = {}
    for a in (s.answer for s in run.sent):
        second = seconds.setdefault(int(a.started - run.began), Counter())
        second["failed" if a.failed else served_by[a.load_id]] += 1
    events = {
        int(run.killed_at - run.began): "web1 killed",
        int(run.noticed_at - run.began): "web1 DOWN",
    }
    rows = []
    for second, counts in sorted(seconds.items()):
        event = " / ".join(e for at, e in events.items() if at == second)
        label = f"{second}-{second + 1} s" + (f" ({event})" if event else "")
        rows.append((label, f"{counts['web1']} / {counts['web2']} / {counts['failed']}"))
    return rows


def print_table(title: str, header: tuple[str, str], rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _value in [header, *rows])
    print(f"\n{title}\n| {header[0].ljust(width)} | {header[1]} |")
    print(f"|{'-' * (width + 2)}|{'-' * (len(header[1]) + 2)}|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


def test_two_nodes_behind_haproxy_lose_nothing_when_one_dies(
    django_db_setup, django_db_blocker, tmp_path
):
    phases = Phases()
    with ExitStack() as stack:
        stack.enter_context(quiet("werkzeug"))  # moto's server logs every S3 request
        s3 = stack.enter_context(s3_server())
        bucket = s3.new_bucket()
        database = stack.enter_context(nodes_database(django_db_blocker))
        with reading(django_db_blocker, database), suite.test_settings(tmp_path / "seed-media"):
            seeded = seed()
        phases.done("S3 server, the nodes' database cloned and seeded")
        cluster = stack.enter_context(
            harness.cluster(
                database_url=url_of(database),
                redis_url=settings.REDIS_URL,
                storage=s3.env(bucket),
                workdir=tmp_path,
            )
        )
        phases.done("2 nodes, worker and HAProxy up (both nodes pass the health check)")
        client = harness.Client(cluster.url)
        try:
            sign_in_on_both_nodes(cluster, client, seeded)
            phases.done("sign in, the session on both nodes")
            upload_on_one_download_on_the_other(cluster, client, seeded, s3, bucket)
            phases.done("upload through web1, download through web2")
            report_rendered_by_the_worker(cluster, client, seeded, database, django_db_blocker)
            phases.done("publish, the worker renders 2 PDFs, both downloaded")
            run = kill_a_node_under_load(cluster, client, seeded)
            checked = check_the_load(run, seeded, database, django_db_blocker)
            phases.done("the load, web1 killed, the answers checked")
        except BaseException:
            print(cluster.logs())
            raise
    phases.done("everything stopped, the database dropped")
    print_figures(run, checked, phases)
