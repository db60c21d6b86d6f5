"""Backup and restore: the database and every stored file, described by a manifest.

A backup is a folder:

    manifest.json    format and version, when, the database's name and migration state, each
                     file's name, size and SHA-256, and the hashes rows keep of their files
    database.dump    `pg_dump --format=custom` of the database, one snapshot
    files/...        every file of the default storage, under its stored name

Order makes it consistent under write load. The dump is one snapshot, and the manifest's rows
(migration state, stored hashes) are read in that same snapshot (`pg_export_snapshot`). The
files are copied after it: stored files are never overwritten (random names,
`partnership.uploads.random_name`) and only a failed transaction deletes its own, so every file
a row of the dump names already exists when the copy starts. Files stored after the snapshot are
in the backup too, unreferenced by its rows; restoring them is harmless.

Restoring verifies the whole backup first (every hash), then requires an empty database and an
empty storage, uploads every file (each read back and hashed again) and restores the dump in one
transaction; if anything fails, the files it uploaded are deleted again, so a refused or failed
restore leaves both as they were. The ground floor knows no feature app: the stored hashes are
found on every model that has a file field and a `sha256` field (frozen reports, attachments,
document versions).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import FileField
from django.utils import timezone

FORMAT = "tandem-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
CHUNK = 1024 * 1024

# Connection options of Django's settings that libpq also reads from the environment.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}

Log = Callable[[str], None]


class BackupError(Exception):
    """What the operator is told when a backup or a restore cannot go on."""


# --- backup ----------------------------------------------------------------------------------


def backup_create(*, folder: Path, using: str = DEFAULT_DB_ALIAS, log: Log = print) -> dict:
    """Write a backup into `folder` (new or empty) and return its manifest."""
    created = not folder.exists()
    if not created and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} is not an empty folder: give a new one.")
    connection = _postgresql(using, "backed up")
    if connection.in_atomic_block:
        raise BackupError("A backup must run outside a transaction.")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        manifest = _write_backup(folder, using, log)
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for child in folder.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return manifest


def _write_backup(folder: Path, using: str, log: Log) -> dict:
    connection = connections[using]
    connection.ensure_connection()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # The first statement fixes the snapshot pg_dump and the manifest's rows then share.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        log(f"Dumping database {connection.settings_dict['NAME']} (PostgreSQL {server_version})")
        dump = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={folder / DUMP}"]
        _run(dump, connection.settings_dict)
        migrations = _migration_state(cursor)
        stored = stored_hashes(using)
    log("Copying stored files")
    files = [_copy_out(name, folder / FILES) for name in stored_names(default_storage)]
    _warn_mismatches(stored, files, log, "is missing from the storage")
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": {
            "name": connection.settings_dict["NAME"],
            "server_version": server_version,
            "file": DUMP,
            **_size_and_hash(folder / DUMP),
        },
        "migrations": migrations,
        "files": files,
        "stored_hashes": stored,
    }
    # Written last and renamed into place: a folder without a manifest is no backup.
    partial = folder / f"{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    partial.rename(folder / MANIFEST)
    return manifest


def _migration_state(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, applied, id")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


def stored_hashes(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[dict]]:
    """The SHA-256 each row keeps of its file, per model ("reviews.reportfile": [...])."""
    found = {}
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, FileField)]
        names = {f.name for f in model._meta.concrete_fields}
        if len(fields) != 1 or "sha256" not in names:
            continue
        rows = model._base_manager.using(using).order_by("pk")
        found[model._meta.label_lower] = [
            {"pk": pk, "file": name, "sha256": sha256}
            for pk, name, sha256 in rows.values_list("pk", fields[0].name, "sha256")
            if name
        ]
    return found


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file of `storage`, walked with `listdir` (the filesystem and S3 alike)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a filesystem storage whose root does not exist yet
        if folder:
            raise
        return
    for name in sorted(files):
        yield posixpath.join(folder, name)
    for name in sorted(folders):
        yield from stored_names(storage, posixpath.join(folder, name))


def _copy_out(name: str, root: Path) -> dict:
    target = root / _safe_name(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


# --- restore ---------------------------------------------------------------------------------


def backup_restore(*, folder: Path, using: str = DEFAULT_DB_ALIAS, log: Log = print) -> dict:
    """Restore the backup in `folder` into an empty database and an empty storage."""
    manifest = backup_verify(folder=folder, log=log)
    connection = _postgresql(using, "restored into")
    _require_known_migrations(manifest["migrations"], log)
    _require_empty_database(connection)
    if next(stored_names(default_storage), None) is not None:
        raise BackupError(
            "The storage already holds files: restore into an empty storage (a new bucket or "
            "an empty MEDIA_ROOT)."
        )
    uploaded: list[str] = []
    try:
        log(f"Uploading {len(manifest['files'])} files")
        for entry in manifest["files"]:
            _upload(folder, entry, uploaded)
        log(f"Restoring database into {connection.settings_dict['NAME']}")
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(folder / DUMP),
            ],
            connection.settings_dict,
        )
    except BaseException:
        for name in uploaded:
            default_storage.delete(name)
        raise
    return manifest


def backup_verify(*, folder: Path, log: Log = print) -> dict:
    """Read the manifest and check every byte of the backup against it; return the manifest."""
    manifest = _read_manifest(folder)
    database = manifest["database"]
    if not (folder / DUMP).is_file():
        raise BackupError(f"{DUMP} is missing: the backup is incomplete.")
    if _size_and_hash(folder / DUMP) != {"size": database["size"], "sha256": database["sha256"]}:
        raise BackupError(f"{DUMP} does not match the manifest: the backup is damaged.")
    listed = set()
    for entry in manifest["files"]:
        name = _safe_name(entry["name"])
        listed.add(name)
        path = folder / FILES / name
        if not path.is_file():
            raise BackupError(f"{FILES}/{name} is missing: the backup is incomplete.")
        if _size_and_hash(path) != {"size": entry["size"], "sha256": entry["sha256"]}:
            raise BackupError(f"{FILES}/{name} does not match the manifest: the backup is damaged.")
    root = folder / FILES
    extra = [
        p for p in root.rglob("*") if p.is_file() and p.relative_to(root).as_posix() not in listed
    ]
    if extra:
        raise BackupError(f"{extra[0]} is not in the manifest: the backup was changed.")
    # Faithful to what was stored when the backup was taken, so a warning, not a refusal.
    _warn_mismatches(manifest["stored_hashes"], manifest["files"], log, "is not in the backup")
    log(f"Backup verified: {len(manifest['files'])} files and the database dump")
    return manifest


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: not a backup, or an unfinished one.")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Tandem backup manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"The backup's format version is {manifest.get('format_version')}; this version of "
            f"Tandem reads version {FORMAT_VERSION}."
        )
    return manifest


def _require_known_migrations(state: dict[str, list[str]], log: Log) -> None:
    """Refuse a backup of a newer Tandem; say when the code has migrations still to apply."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {(app, name) for app, names in state.items() for name in names}
    unknown = sorted(applied - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"The backup has migrations this code does not know ({listed}): restore it with the "
            "version of Tandem that took it."
        )
    if known - applied:
        log("This code has migrations the backup lacks: run `manage.py migrate` after restoring.")


def _require_empty_database(connection) -> None:
    ours = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    ours.add("django_migrations")
    with connection.cursor() as cursor:
        present = sorted(ours & set(connection.introspection.table_names(cursor)))
    if present:
        raise BackupError(
            f"Database {connection.settings_dict['NAME']} already has Tandem's tables "
            f"({', '.join(present[:3])}, …): restore into a new, empty database."
        )


def _upload(folder: Path, entry: dict, uploaded: list[str]) -> None:
    name = entry["name"]
    with open(folder / FILES / _safe_name(name), "rb") as source:
        stored = default_storage.save(name, File(source, name=name))
    uploaded.append(stored)
    if stored != name:
        raise BackupError(f"The storage stored {name} as {stored}: restore into an empty storage.")
    digest, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as check:
        while chunk := check.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    if (size, digest.hexdigest()) != (entry["size"], entry["sha256"]):
        raise BackupError(f"{name} reads back differently from the storage than it was written.")


# --- shared ----------------------------------------------------------------------------------


def _postgresql(using: str, done_to: str):
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise BackupError(
            f"Only a PostgreSQL database can be {done_to} with this command "
            f"({connection.vendor} is configured). For the embedded SQLite run, stop Tandem and "
            "copy its var/ folder."
        )
    return connection


def _run(command: list[str], settings_dict: dict) -> None:
    """Run a PostgreSQL client with the connection in libpq's environment (the password never
    on the command line, where other users of the machine could read it)."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install PostgreSQL's client programs.")
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("NAME", "PGDATABASE"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        if settings_dict.get("OPTIONS", {}).get(option):
            env[variable] = str(settings_dict["OPTIONS"][option])
    done = subprocess.run(  # noqa: S603 - a fixed program, arguments from settings
        [*command[:1], "--no-password", *command[1:]], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def _warn_mismatches(stored: dict, files: list[dict], log: Log, missing: str) -> None:
    """Say which rows' files are missing or differ from the hash the row keeps."""
    by_name = {entry["name"]: entry["sha256"] for entry in files}
    for label, rows in stored.items():
        for row in rows:
            if row["file"] not in by_name:
                log(f"Warning: {label} {row['pk']}: its file {row['file']} {missing}")
            elif by_name[row["file"]] != row["sha256"]:
                log(f"Warning: {label} {row['pk']}: {row['file']} differs from its stored SHA-256")


def _size_and_hash(path: Path) -> dict:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _safe_name(name: str) -> str:
    """A stored name as a relative path inside the backup: no absolute path, no `..`."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise BackupError(f"Refusing the file name {name!r}: not a plain relative path.")
    return name
