"""Many rows of every list, made in bulk by copying a real row, for the tests that hold each
list page and list API to the same queries at 30 rows as at 330.

Every copy takes one of a few moments (or years), so many rows share a sort key and only the
primary key tells them apart: the cursors must still meet each row exactly once.
"""

import datetime as dt
import uuid

from django.db import models

from kinerja.documents.models import ArchiveEntry, DocumentVersion, LetterNumber
from kinerja.performance.models import Renstra, ReportingNotice
from kinerja.sop.models import Sop, SopVersion
from kinerja.workflow.models import Notification, Process, Task

from . import register_data as data

# Copies share these few moments: ties on the sort key, tens of rows each.
TIES = 4


def copies(row: models.Model, n: int, change) -> list[models.Model]:
    """n unsaved copies of `row`, each with change(i) applied (its unique fields at least)."""
    model = type(row)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    out = []
    for i in range(n):
        values = {f.attname: getattr(row, f.attname) for f in fields}
        values.update(change(i))
        out.append(model(**values))
    return out


def moment(i: int, base: dt.datetime) -> dt.datetime:
    return base + dt.timedelta(minutes=i % TIES)


def more_tasks(n: int) -> None:
    """n more active tasks like the newest one (the Pelaksana's step 1), each notified."""
    task = Task.objects.filter(status=Task.Status.ACTIVE).order_by("-pk").first()
    made = Task.objects.bulk_create(
        copies(task, n, lambda i: {"activated_at": moment(i, task.activated_at)})
    )
    if made and made[0].pk is None:  # SQLite before 3.35 gives no ids back
        made = list(Task.objects.order_by("-pk")[:n])
    notice = Notification.objects.filter(task=task).first() or Notification(
        task=task,
        recipient=task.assignee,
        kind=Notification.Kind.ASSIGNED,
        message="Tugas baru",
        created_at=task.activated_at,
    )
    Notification.objects.bulk_create(
        copies(
            notice,
            len(made),
            lambda i: {"task_id": made[i].pk, "created_at": moment(i, notice.created_at)},
        )
    )
    # Realisasi notices at the same moments: the notices page lists both kinds as one.
    renstra = Renstra.objects.first() or Renstra.objects.create(
        unit=task.process.unit, first_year=2025, last_year=2029, title="Renstra uji"
    )
    # One notice per year (a notice is sent once per renstra, year, quarter and unit).
    first = 2000 + ReportingNotice.objects.count()
    ReportingNotice.objects.bulk_create(
        ReportingNotice(
            recipient=task.assignee,
            renstra=renstra,
            year=first + i,
            quarter=1,
            unit=renstra.unit,
            kind="reminder",
            message=f"Realisasi {i}",
            created_at=moment(i, notice.created_at),
        )
        for i in range(n)
    )


def more_processes(n: int) -> None:
    process = Process.objects.order_by("-pk").first()
    Process.objects.bulk_create(
        copies(
            process,
            n,
            lambda i: {
                "title": f"{process.title} ({i})",
                "started_at": moment(i, process.started_at),
            },
        )
    )


def more_versions(n: int) -> list[DocumentVersion]:
    """n more versions of the newest document, added at a few moments."""
    version = DocumentVersion.objects.order_by("-pk").first()
    top = DocumentVersion.objects.filter(document=version.document).order_by("-number").first()
    made = DocumentVersion.objects.bulk_create(
        copies(
            version,
            n,
            lambda i: {
                "number": top.number + 1 + i,
                "public_id": uuid.uuid4(),
                "is_final": False,
                "sha256": uuid.uuid4().hex * 2,
                "created_at": moment(i, version.created_at),
            },
        )
    )
    if made and made[0].pk is None:
        made = list(
            DocumentVersion.objects.filter(document=version.document).order_by("-number")[:n]
        )
    return made


def more_archive(n: int) -> None:
    """n more register entries of the newest entry's year, each for a version of its own."""
    entry = ArchiveEntry.objects.order_by("-year", "-sequence").first()
    versions = more_versions(n)
    ArchiveEntry.objects.bulk_create(
        copies(
            entry,
            n,
            lambda i: {
                "sequence": entry.sequence + 1 + i,
                "version_id": versions[i].pk,
                "title": f"Arsip {entry.sequence + 1 + i}",
            },
        )
    )


def more_numbers(n: int) -> None:
    number = LetterNumber.objects.order_by("-pk").first()
    last = LetterNumber.objects.filter(book=number.book).order_by("-sequence").first().sequence
    LetterNumber.objects.bulk_create(
        copies(
            number,
            n,
            lambda i: {"sequence": last + 1 + i, "number": f"{number.number}-{last + 1 + i}"},
        )
    )
    type(number.book).objects.filter(pk=number.book_id).update(last_sequence=last + n)


def more_sops(n: int) -> None:
    """n more published SOPs of one unit (the catalogue lists each by its published version)."""
    version = SopVersion.objects.published().select_related("sop").order_by("-pk").first()
    count = Sop.objects.count()
    sops = Sop.objects.bulk_create(
        copies(
            version.sop,
            n,
            lambda i: {"number": f"SOP-9{count + i:03d}/UJI", "slug": f"sop-9{count + i:03d}-uji"},
        )
    )
    if sops and sops[0].pk is None:
        sops = list(Sop.objects.filter(number__endswith="/UJI").order_by("-pk")[:n])
    SopVersion.objects.bulk_create(copies(version, n, lambda i: {"sop_id": sops[i].pk}))


def seed() -> Process:
    """One of each: a process of SOP-011 (the Pelaksana's task and notice), a document, its
    archive entry, a letter number."""
    process = data.start("SOP-011", title="Penyusunan Laporan Kinerja 2025", year=2025)
    version = data.upload(process, "Draft LKjIP", text="daftar panjang")
    data.file(version)
    data.take_number(process.unit)
    return process
