"""`manage.py backup` and `manage.py restore`, for real: pg_dump of committed data, a restore
into a brand-new PostgreSQL database and an empty storage in another process, and the refusals.

One backup is taken per module, of a world with hub attachments, a document with two versions
and a published round with its frozen PDFs (committed, then flushed at the module's end). Each
restore runs `manage.py` in a subprocess pointed at a brand-new database (CREATE DATABASE from
template0 on the suite's server) and an empty storage: a new MEDIA_ROOT, or a fresh bucket of
moto's S3 server on loopback.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from messaging import services as hub
from messaging.models import Attachment, DocumentVersion
from partnership.models import Partnership
from reviews import report_render
from reviews.models import ReportFile
from tests.conftest import build_world
from tests.conftest import test_settings as suite_settings
from tests.messaging.factories import PDF, pdf
from tests.reviews.test_report import _published

ROOT = Path(settings.BASE_DIR)
# The tests read and write through subprocesses and their own connections; the mark makes the
# suite create its test database, which the backup is taken of.
pytestmark = pytest.mark.django_db


@dataclass
class Backup:
    folder: Path
    partnerships: dict[str, str]  # id → title
    files: dict[str, str]  # stored name → SHA-256 of its bytes
    reports: dict[str, str]  # frozen report's file → its stored SHA-256
    hub_files: set[str]  # the attachments' and document versions' stored names
    manifest_text: str


def _hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def _seed() -> None:
    world = build_world()
    hub.thread_create(
        actor=world.member,
        partnership=world.partnership,
        subject="Floor plan",
        body="See the attachments.",
        attachments=[pdf("plan.pdf"), pdf("plan-b.pdf", PDF + b"%second\n")],
    )
    document = hub.document_create(
        actor=world.supplier_lead,
        partnership=world.partnership,
        title="Work instruction",
        file=pdf("instruction.pdf"),
    )
    hub.document_version_add(
        actor=world.supplier_lead, document=document, file=pdf("v2.pdf", PDF + b"%v2\n")
    )
    report_render.store_report_files(review_round=_published(world))


@pytest.fixture(scope="module")
def backed_up(django_db_setup, django_db_blocker, tmp_path_factory):
    """Committed data and its backup; everything is flushed at the module's end."""
    media = tmp_path_factory.mktemp("backup-media")
    folder = tmp_path_factory.mktemp("backups") / "taken"
    with suite_settings(media), django_db_blocker.unblock():
        try:
            _seed()
            call_command("backup", str(folder), stdout=io.StringIO())
            yield Backup(
                folder=folder,
                partnerships={str(p.pk): p.title for p in Partnership.objects.all()},
                files=_hashes(media),
                reports=dict(ReportFile.objects.values_list("file", "sha256")),
                hub_files={
                    *Attachment.objects.values_list("file", flat=True),
                    *DocumentVersion.objects.values_list("file", flat=True),
                },
                manifest_text=(folder / "manifest.json").read_text(),
            )
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _admin():
    return psycopg.connect(_url("postgres"), autocommit=True)


@pytest.fixture
def empty_database(request):
    name = f"{connection.settings_dict['NAME']}_restore"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield name
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(database: str, sql: str) -> list[tuple]:
    with psycopg.connect(_url(database)) as conn:
        return conn.execute(sql).fetchall()


def _tables(database: str) -> int:
    sql = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    return _rows(database, sql)[0][0]


class Storage:
    """An empty storage for a restore: a new MEDIA_ROOT, or a fresh bucket of the S3 server."""

    def __init__(self, kind: str, tmp_path: Path, s3=None):
        self.kind, self.media, self.s3 = kind, tmp_path / "restored-media", s3
        self.bucket = s3.new_bucket() if kind == "s3" else None

    def env(self) -> dict[str, str]:
        return self.s3.env(self.bucket) if self.bucket else {}

    def put(self, name: str, data: bytes) -> None:
        if self.bucket:
            self.s3.client().put_object(Bucket=self.bucket, Key=name, Body=data)
        else:
            (self.media / name).parent.mkdir(parents=True, exist_ok=True)
            (self.media / name).write_bytes(data)

    def hashes(self) -> dict[str, str]:
        """Every stored object's SHA-256, read directly (not through Tandem)."""
        if not self.bucket:
            return _hashes(self.media) if self.media.exists() else {}
        client, found = self.s3.client(), {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                found[item["Key"]] = hashlib.sha256(body).hexdigest()
        return found


@pytest.fixture
def make_storage(request, tmp_path):
    """An empty storage of a kind; the S3 server starts with the module's first S3 case."""

    def make(kind: str) -> Storage:
        return Storage(kind, tmp_path, request.getfixturevalue("s3") if kind == "s3" else None)

    return make


def _manage(*args: str, database: str, storage: Storage, **extra: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("S3_")}
    env.update({"DATABASE_URL": _url(database), "MEDIA_ROOT": str(storage.media), **storage.env()})
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manifest_describes_the_dump_every_file_and_the_rows_hashes(backed_up):
    manifest = json.loads(backed_up.manifest_text)
    assert (manifest["format"], manifest["format_version"]) == ("tandem-backup", 1)
    assert manifest["database"]["name"] == connection.settings_dict["NAME"]
    dump = (backed_up.folder / "database.dump").read_bytes()
    assert dump.startswith(b"PGDMP")  # pg_dump's custom format
    assert manifest["database"]["sha256"] == hashlib.sha256(dump).hexdigest()
    assert "0002_round_state_guard" in manifest["migrations"]["reviews"]
    assert {e["name"]: e["sha256"] for e in manifest["files"]} == backed_up.files
    for entry in manifest["files"]:
        assert (backed_up.folder / "files" / entry["name"]).stat().st_size == entry["size"]
    stored = manifest["stored_hashes"]
    assert {row["file"]: row["sha256"] for row in stored["reviews.reportfile"]} == (
        backed_up.reports
    )
    hub_rows = stored["messaging.attachment"] + stored["messaging.documentversion"]
    assert {row["file"] for row in hub_rows} == backed_up.hub_files
    assert all(backed_up.files[row["file"]] == row["sha256"] for row in hub_rows)


def test_verify_only_checks_every_byte_and_writes_nothing(backed_up, tmp_path):
    out = io.StringIO()
    call_command("restore", str(backed_up.folder), "--verify-only", stdout=out)
    assert f"Backup verified: {len(backed_up.files)} files" in out.getvalue()
    folder = tmp_path / "copy"
    shutil.copytree(backed_up.folder, folder)
    (folder / "files" / "notes.txt").write_text("not in the manifest")
    with pytest.raises(CommandError, match="is not in the manifest"):
        call_command("restore", str(folder), "--verify-only", stdout=io.StringIO())
    (folder / "files" / "notes.txt").unlink()
    (folder / "files" / sorted(backed_up.files)[-1]).unlink()
    with pytest.raises(CommandError, match="is missing: the backup is incomplete"):
        call_command("restore", str(folder), "--verify-only", stdout=io.StringIO())


def test_a_report_that_differs_from_its_stored_hash_is_restored_as_it_was_with_a_warning(
    backed_up, tmp_path
):
    """A report already damaged in the storage when the backup was taken: the backup is faithful
    (its manifest agrees with its bytes), so it verifies, but the operator is told."""
    folder = tmp_path / "copy"
    shutil.copytree(backed_up.folder, folder)
    report = sorted(backed_up.reports)[0]
    (folder / "files" / report).write_bytes(b"%PDF-damaged")
    manifest = json.loads(backed_up.manifest_text)
    [entry] = [e for e in manifest["files"] if e["name"] == report]
    entry.update(size=12, sha256=hashlib.sha256(b"%PDF-damaged").hexdigest())
    (folder / "manifest.json").write_text(json.dumps(manifest))
    out, err = io.StringIO(), io.StringIO()
    call_command("restore", str(folder), "--verify-only", stdout=out, stderr=err)
    assert "Backup verified" in out.getvalue()
    assert err.getvalue().splitlines() == [
        f"Warning: reviews.reportfile {_pk_of(manifest, report)}: {report} differs from its "
        "stored SHA-256"
    ]


def _pk_of(manifest: dict, name: str) -> int:
    [row] = [r for r in manifest["stored_hashes"]["reviews.reportfile"] if r["file"] == name]
    return row["pk"]


@pytest.mark.parametrize("kind", ["filesystem", "s3"])
def test_restore_into_an_empty_database_and_storage_finds_the_same_data(
    kind, backed_up, empty_database, make_storage, tmp_path
):
    storage = make_storage(kind)
    done = _manage("restore", str(backed_up.folder), database=empty_database, storage=storage)
    assert done.returncode == 0, done.stderr
    table = Partnership._meta.db_table
    restored = dict(_rows(empty_database, f"SELECT id::text, title FROM {table}"))
    assert restored == backed_up.partnerships and len(restored) == 2
    # Every file, byte for byte; the hub's files and both languages' reports among them.
    stored = storage.hashes()
    assert stored == backed_up.files
    assert len(backed_up.hub_files) == 4 and len(backed_up.reports) == 2
    assert backed_up.hub_files | set(backed_up.reports) <= set(stored)
    # The frozen reports' bytes still hash to the SHA-256 their rows keep.
    reports = _rows(empty_database, f"SELECT file, sha256 FROM {ReportFile._meta.db_table}")
    assert dict(reports) == backed_up.reports
    for name, sha256 in reports:
        assert stored[name] == sha256
    if kind == "filesystem":
        return
    # Tandem reads back what it restored: a backup of the restored site (the bucket walked with
    # listdir) lists the same files and rows' hashes as the first.
    again = tmp_path / "again"
    done = _manage("backup", str(again), database=empty_database, storage=storage)
    assert done.returncode == 0, done.stderr
    first, second = (
        json.loads(backed_up.manifest_text),
        json.loads((again / "manifest.json").read_text()),
    )
    for key in ("files", "stored_hashes", "migrations"):
        assert second[key] == first[key], key


REFUSALS = {
    "file_changed": "does not match the manifest",
    "dump_changed": "database.dump does not match the manifest",
    "database_used": "already has Tandem's tables",
    "storage_used": "The storage already holds files",
    "restore_fails": "pg_restore failed",
}


@pytest.mark.parametrize(
    ("case", "kind"),
    [*((case, "filesystem") for case in REFUSALS), ("storage_used", "s3")],
)
def test_restore_refuses_and_writes_nothing(
    case, kind, backed_up, empty_database, make_storage, tmp_path
):
    folder, database, storage = tmp_path / "backup", empty_database, make_storage(kind)
    shutil.copytree(backed_up.folder, folder)
    if case in ("file_changed", "dump_changed"):
        name = "database.dump" if case == "dump_changed" else f"files/{sorted(backed_up.files)[0]}"
        data = bytearray((folder / name).read_bytes())
        data[len(data) // 2] ^= 0x01  # one bit of one byte
        (folder / name).write_bytes(bytes(data))
    elif case == "database_used":
        database = connection.settings_dict["NAME"]  # the suite's own, migrated database
    elif case == "storage_used":
        storage.put("notes/stray.txt", b"left behind")
    else:
        # Not a table, so the database counts as empty; but the dump creates this function, so
        # pg_restore fails after every file was uploaded: they must be gone again.
        with psycopg.connect(_url(database), autocommit=True) as conn:
            conn.execute(
                "CREATE FUNCTION reviews_round_state_refused() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
            )
    before = storage.hashes()
    done = _manage("restore", str(folder), database=database, storage=storage)
    assert done.returncode == 1
    assert REFUSALS[case] in done.stderr
    assert storage.hashes() == before
    assert _tables(empty_database) == 0


def test_backup_refuses_sqlite_and_a_folder_in_use(tmp_path):
    folder = tmp_path / "backup"
    sqlite = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    storage = Storage("filesystem", tmp_path)
    done = _manage("backup", str(folder), database="", storage=storage, DATABASE_URL=sqlite)
    assert done.returncode == 1
    assert "Only a PostgreSQL database can be backed up" in done.stderr
    assert not folder.exists()
    folder.mkdir()
    (folder / "older.txt").write_text("an earlier backup")
    with pytest.raises(CommandError, match="is not an empty folder"):
        call_command("backup", str(folder), stdout=io.StringIO())
    assert [p.name for p in folder.iterdir()] == ["older.txt"]
    # This test runs inside a transaction, whose uncommitted rows pg_dump could not see.
    with pytest.raises(CommandError, match="must run outside a transaction"):
        call_command("backup", str(tmp_path / "new"), stdout=io.StringIO())
    assert not (tmp_path / "new").exists()
