"""manage.py backup FILE: the database, the stored files and the audit heads in one archive."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kinerja.core import backup
from kinerja.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Write one consistent archive of the database, the stored files and the audit heads, "
        "with a manifest of their SHA-256, while the server runs (FILE.tar, or FILE.tar.gz)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The archive to write (a new file).")
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="Back up even when stored files the database refers to are missing (listed).",
        )

    def handle(self, *args, **options):
        try:
            result = backup.backup(options["file"], allow_missing=options["allow_missing"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for name in result.missing:
            self.stderr.write(
                _("Not in the storage, so not in the backup: %(name)s") % {"name": name}
            )
        self.stdout.write(
            _(
                "Backed up to %(file)s: the database, %(files)d stored files (%(size)s) and the "
                "heads of %(heads)d audit streams."
            )
            % {
                "file": result.path,
                "files": result.files,
                "size": filesizeformat(result.bytes),
                "heads": result.heads,
            }
        )
