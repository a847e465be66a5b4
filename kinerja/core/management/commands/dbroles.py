"""manage.py dbroles: the PostgreSQL roles that keep the app from weakening the audit record."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kinerja.core import dbroles
from kinerja.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Print (--print, the default) or apply (--apply, as the owner) the grants of the "
        "PostgreSQL app role: it reads and writes the tables but may only append to the "
        "audit record, and owns nothing, so it cannot switch the audit triggers off."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--print", action="store_true", help="Print the SQL (the default).")
        what.add_argument(
            "--apply", action="store_true", help="Run the grants on this database, as its owner."
        )
        parser.add_argument("--owner", default="kinerja_owner", help="The role that migrates.")
        parser.add_argument("--app", default="kinerja_app", help="The role the app connects as.")
        parser.add_argument("--database", help="The database's name (default: the one configured).")

    def handle(self, *args, **options):
        owner, app = options["owner"], options["app"]
        try:
            if options["apply"]:
                dbroles.apply(owner=owner, app=app)
                self.stdout.write(
                    _("Granted to %(app)s: the tables of %(owner)s, the audit record append-only.")
                    % {"app": app, "owner": owner}
                )
                return
            configured = settings.DATABASES["default"]
            database = options["database"] or (
                str(configured["NAME"]) if "postgresql" in configured["ENGINE"] else "kinerja"
            )
            setup = dbroles.setup(owner=owner, app=app, database=database)
            grants = dbroles.statements(owner=owner, app=app)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        lines = [
            "-- " + _("1. Once, as a superuser (psql -U postgres):"),
            *setup,
            "",
            "-- "
            + _("2. As %(owner)s: manage.py migrate, then these (or manage.py dbroles --apply):")
            % {"owner": owner},
            *grants,
            "",
            "-- "
            + _(
                "3. The server connects as %(app)s: DATABASE_URL=postgres://%(app)s:...@host/%(db)s"
            )
            % {"app": app, "db": database},
        ]
        self.stdout.write("\n".join(lines))
