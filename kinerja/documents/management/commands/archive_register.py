"""Export the archive register (register arsip) as XLSX, with the filters of its page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kinerja.documents.export import write_archive_register
from kinerja.documents.selectors import ArchiveFilters


class Command(BaseCommand):
    help = (
        "Write the archive register as an Excel workbook (filters as on the Register Arsip page)."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="Path of the .xlsx file to write.")
        parser.add_argument("--year", type=int, help="Only this register year.")
        parser.add_argument(
            "--classification", default="", help="A code (000.1.2.3) or a group ending in '.'."
        )
        parser.add_argument("--text", default="", help="Text in the description or number.")
        parser.add_argument("--location", default="", help="Text in the location (ordner).")

    def handle(self, *args, output, year, classification, text, location, **options):
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"The output must be an .xlsx file, not {path.name!r}.")
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError("The year must be between 2000 and 2100.")
        if not path.parent.is_dir():
            raise CommandError(f"There is no directory {path.parent}.")
        filters = ArchiveFilters(
            year=year, classification=classification, text=text, location=location
        )
        with path.open("wb") as out:
            count = write_archive_register(filters, out)
        self.stdout.write(f"{count} entries written to {path}")
