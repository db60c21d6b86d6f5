"""`manage.py backup FOLDER`: the database and every stored file into a new folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from partnership import backup


class Command(BaseCommand):
    help = (
        "Write a backup into FOLDER (new or empty): the PostgreSQL database (pg_dump, custom "
        "format, one snapshot), every file of the default storage, and manifest.json with each "
        "file's SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A new or empty folder for the backup.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args, folder, database, **options):
        try:
            manifest = backup.backup_create(folder=folder, using=database, log=self._log)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {folder}: database {manifest['database']['name']} "
                f"({manifest['database']['size']} bytes), {len(files)} files "
                f"({sum(entry['size'] for entry in files)} bytes)."
            )
        )

    def _log(self, line: str) -> None:
        (self.stderr if line.startswith("Warning") else self.stdout).write(line)
