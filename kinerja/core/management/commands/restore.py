"""manage.py restore FILE: a backup onto a new, empty database and file storage."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kinerja.core import backup
from kinerja.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Restore an archive of manage.py backup onto the configured database and file storage, "
        "which must be empty (or --force). Every member is checked against the manifest first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The archive to restore.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite a database and file storage that are not empty.",
        )

    def handle(self, *args, **options):
        try:
            result = backup.restore(options["file"], force=options["force"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            _(
                "Restored %(file)s: the database, %(files)d stored files, the heads of "
                "%(heads)d audit streams as they were backed up."
            )
            % {"file": options["file"], "files": result.files, "heads": result.heads}
        )
        if result.pending_migrations:
            self.stdout.write(
                _("The backup is of an older version: run manage.py migrate (%(n)d migrations).")
                % {"n": len(result.pending_migrations)}
            )
        self.stdout.write(_("Then check it: manage.py audit check."))
