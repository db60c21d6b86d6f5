"""`manage.py restore FOLDER`: a backup into an empty database and an empty storage."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from partnership import backup


class Command(BaseCommand):
    help = (
        "Restore the backup in FOLDER into an empty database and an empty storage. Every file "
        "is checked against the manifest before anything is written; a database with Tandem's "
        "tables or a storage with files is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A folder written by `manage.py backup`.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Check the backup against its manifest and write nothing.",
        )

    def handle(self, *args, folder, database, verify_only, **options):
        try:
            if verify_only:
                manifest = backup.backup_verify(folder=folder, log=self._log)
            else:
                manifest = backup.backup_restore(folder=folder, using=database, log=self._log)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not verify_only:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored {manifest['database']['name']} of {manifest['created_at']} and "
                    f"{len(manifest['files'])} files."
                )
            )

    def _log(self, line: str) -> None:
        (self.stderr if line.startswith("Warning") else self.stdout).write(line)
