"""The demo organisation: one person and login per position of the shipped SOPs.

Demo people are named after their position ("Demo Sekretaris Daerah"); the
only real name in the data is the official who approved the SOPs, as the seed
gives it. Everything here is idempotent: running it again changes nothing and
loses nothing (a password changes only when DEMO_PASSWORD names a different one).
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from kinerja.org.models import Assignment, Person, Position
from kinerja.org.services import load_structure
from kinerja.sop.services import ImportResult, import_shipped

# username -> position code. The lanes of the three SOPs map to the first six
# (SOP-013's "Kepala Sub Bagian" and "Kepala Bagian" too: see its SOP file).
DEMO_USERS = {
    "pelaksana": "pelaksana-perencanaan",
    "kasubbag": "kasubbag-perencanaan",
    "kabag": "kabag-umum",
    "asisten3": "asisten-3",
    "sekda": "sekda",
    "walikota": "walikota",
    "operator-tapem": "operator-tapem",
    "operator-kesra": "operator-kesra",
    "operator-hukum": "operator-hukum",
    "operator-perekonomian": "operator-perekonomian",
    "operator-adpem": "operator-adpem",
    "operator-organisasi": "operator-organisasi",
    "operator-pbj": "operator-pbj",
    "operator-prokopim": "operator-prokopim",
}
NO_NIP = {"walikota"}
# Who may start processes, and who manages them (reassigns tasks): data, changeable in the admin.
GROUPS = {
    "Perencana": (
        ["workflow.add_process", "documents.add_letternumber", "sop.author_sop"],
        ["pelaksana", "kasubbag"],
    ),
    "Pengelola proses": (["workflow.manage_process"], ["kasubbag"]),
    # The SOPs' authors (penyusun SOP): write drafts and submit them to the Sekda.
    "Penyusun SOP": (["sop.author_sop"], ["kasubbag"]),
    # The supervising officials who assess the SOPs' monitoring (Tabel 7, PermenPANRB 35/2012).
    "Pemantau SOP": (["workflow.monitor_sop"], ["kasubbag", "kabag"]),
}  # an elected official is not a civil servant
DEMO_START = dt.date(2024, 1, 1)
PASSWORD_FILE = "demo-password.txt"


@dataclass
class DemoResult:
    password: str
    password_source: str  # "env", "file" or "new"
    users: list[tuple[str, str]]  # (username, position name)
    created_users: int
    sops: list[ImportResult]


def demo_nip(index: int) -> str:
    """A NIP of valid form for a demo person (born 1970 + index, appointed 2010-03)."""
    return f"{1970 + index:04d}0{1 + index % 9}15" + "201003" + "1" + f"{index + 1:03d}"


def _password(var_dir: Path) -> tuple[str, str]:
    if settings.DEMO_PASSWORD:
        return settings.DEMO_PASSWORD, "env"
    path = var_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), "file"
    password = secrets.token_urlsafe(9)
    var_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password, "new"


def _keep_password(user, password: str, *, new: bool, source: str) -> None:
    """Give a new account the demo password; an existing one only when DEMO_PASSWORD changed.

    A password read back from var/demo-password.txt never overrides one changed in the
    administration. check_password first: hashing again (Argon2, deliberately slow)
    would rewrite every hash on each run for nothing.
    """
    if new or (source == "env" and not user.check_password(password)):
        user.set_password(password)
        user.save(update_fields=["password"])


@transaction.atomic
def build_demo(*, var_dir: Path | None = None) -> DemoResult:
    """Load the org structure, the demo people and logins, and the shipped SOPs."""
    load_structure()
    password, source = _password(Path(var_dir or settings.VAR_DIR))
    User = get_user_model()
    positions = {p.code: p for p in Position.objects.filter(code__in=DEMO_USERS.values())}
    created = 0
    users = []
    for index, (username, code) in enumerate(DEMO_USERS.items()):
        position = positions[code]
        user, made = User.objects.get_or_create(
            username=username, defaults={"first_name": f"Demo {position.name}"[:150]}
        )
        _keep_password(user, password, new=made, source=source)
        created += made
        person, _ = Person.objects.get_or_create(
            user=user,
            defaults={
                "name": f"Demo {position.name}",
                "nip": None if username in NO_NIP else demo_nip(index),
            },
        )
        if not Assignment.objects.filter(person=person, position=position).exists():
            Assignment.objects.create(
                person=person, position=position, kind=Assignment.Kind.DEFINITIVE, start=DEMO_START
            )
        users.append((username, position.name))
    admin, made = User.objects.get_or_create(
        username="admin",
        defaults={"first_name": "Demo Administrator", "is_staff": True, "is_superuser": True},
    )
    _keep_password(admin, password, new=made, source=source)
    created += made
    users.append(("admin", "Administrator"))
    _groups()
    sops = import_shipped(by=admin)
    from . import documents

    documents.set_ranks()
    _placeholder_emblem(admin)
    documents.open_numbering_books()
    documents.ensure_demo_pki()
    return DemoResult(password, source, users, created, sops)


def _placeholder_emblem(admin) -> None:
    """The demo government gets the drawn placeholder lambang, unless one was uploaded."""
    import io

    from kinerja.org import emblem
    from kinerja.org.models import Unit
    from kinerja.org.services import save_emblem

    from .emblem import placeholder_png

    root = Unit.objects.filter(parent__isnull=True).order_by("order", "pk").first()
    if root is not None and not root.emblem:
        png = emblem.clean_emblem(io.BytesIO(placeholder_png()))
        save_emblem(unit=root, png=png, by=admin)


# Permissions that came after the first demo databases were made: given to the group
# on every run (adding one it has is a no-op), so an existing demo gains them too.
LATER_GROUP_PERMISSIONS = {"Perencana": ["sop.author_sop"]}


def _groups() -> None:
    """The demo's groups (created once; an administrator's later changes are kept, except
    that the permissions of LATER_GROUP_PERMISSIONS are added to an existing group)."""
    User = get_user_model()
    for name, (perms, usernames) in GROUPS.items():
        group, made = Group.objects.get_or_create(name=name)
        for perm in LATER_GROUP_PERMISSIONS.get(name, []):
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        if (
            not made
            and group.permissions.exclude(
                codename__in=[p.split(".")[1] for p in LATER_GROUP_PERMISSIONS.get(name, [])]
            ).exists()
        ):
            continue
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        if not made:
            continue
        for user in User.objects.filter(username__in=usernames):
            user.groups.add(group)


def start_demo_processes() -> list:
    """Last year's PK finished and filed, and this year's runs at different steps.

    Only on a database without processes: running the demo again starts nothing.
    SOP-013 of last year ran to the end (invitation numbered, draft initialled,
    signed electronically by the Sekda and the Wali Kota, filed in the archive).
    SOP-011 waits for the Kasubbag's review of the draft LKjIP (step 4); SOP-015
    waits for the Pelaksana to receive the proposals (step 2).
    """
    import io

    from kinerja import actions
    from kinerja.sop.models import DocumentType
    from kinerja.sop.services import find_sop
    from kinerja.workflow.models import Process, Task

    from . import documents

    if Process.objects.exists():
        return []
    users = {u.username: u for u in get_user_model().objects.select_related("person")}
    people = documents.people_by_position()
    year = timezone.localdate().year
    pk = documents.last_years_pk(documents.pk_year(year))

    def active(process):
        return process.tasks.select_related("step__output").get(status=Task.Status.ACTIVE)

    lkjip = actions.start_process(
        sop=find_sop("SOP-011"),
        title=f"Penyusunan Laporan Kinerja Tahun {year - 1}",
        year=year - 1,
        by=users["kasubbag"],
    )
    task = active(lkjip)
    today = timezone.localdate()
    letter, template = documents.demo_letter(
        "undangan",
        process=lkjip,
        task=task,
        by=users["pelaksana"],
        day=today,
        hal=f"Undangan Rapat Koordinasi Penyusunan LKjIP Tahun {year - 1}",
        to=["Kepala Bagian di lingkungan Sekretariat Daerah Kota Banjarbaru"],
        tembusan=["Asisten Administrasi Umum"],
        day_date=documents.day_and_date(today + dt.timedelta(days=2)),
        time="09.00 WITA s.d. selesai",
        meeting_place="Ruang Rapat Bagian Umum",
        agenda=f"Koordinasi data dan informasi penyusunan LKjIP Tahun {year - 1}",
    )
    actions.generate_letter(
        process=lkjip,
        document_type=task.step.output,
        letter=letter,
        data={"hal": letter.hal},
        by=users["pelaksana"],
        classification=template.classification,
        task=task,
    )
    actions.finish(
        task=task,
        by=users["pelaksana"],
        waivers={
            "data dan informasi masing-masing bagian": (
                "Data diminta dari setiap bagian melalui nota dinas pada langkah ini."
            )
        },
    )
    actions.finish(
        task=active(lkjip),
        by=users["kasubbag"],
        output="Notulen rapat koordinasi dan data masing-masing bagian",
    )
    task = active(lkjip)
    if documents.has_performance_data(year - 1):
        # Buat draft dari data: the LKjIP of last year from its realisasi and texts.
        documents.draft_from_data(
            task,
            by=users["pelaksana"],
            reason="Data contoh demo: dilengkapi sebelum paraf Kepala Sub Bagian.",
        )
        actions.finish(task=task, by=users["pelaksana"])
    else:
        actions.finish(
            task=task,
            by=users["pelaksana"],
            content=io.BytesIO(
                documents.draft_pdf(kind="lkjip", year=year - 1, people=people, dated=today)
            ),
            name=f"Draft LKjIP Setda {year - 1}.pdf",
            note="Draft pertama dari data masing-masing bagian",
        )
    renja = actions.start_process(
        sop=find_sop("SOP-015"),
        title=f"Penyusunan Rencana Kerja Tahun {year + 1}",
        year=year + 1,  # the period: this year's Renja is for next year (SOP's offset +1)
        by=users["kasubbag"],
    )
    letter, template = documents.demo_letter(
        "nota_dinas",
        process=renja,
        task=active(renja),
        by=users["kasubbag"],
        day=today,
        hal=f"Permintaan Data Usulan Rencana Kerja Tahun {year + 1}",
        to=["Kepala Bagian di lingkungan Sekretariat Daerah Kota Banjarbaru"],
        tembusan=["Asisten Administrasi Umum"],
        body=(
            "Mohon usulan program, kegiatan, indikator, target dan pagu indikatif bagian "
            "Saudara disampaikan kepada Sub Bagian Perencanaan Bagian Umum paling lambat "
            "lima hari kerja sejak nota dinas ini diterima."
        ),
    )
    actions.generate_letter(
        process=renja,
        document_type=DocumentType.objects.get(name="Nota Dinas"),
        letter=letter,
        data={"hal": letter.hal},
        by=users["kasubbag"],
        classification=template.classification,
        task=active(renja),
    )
    actions.finish(
        task=active(renja), by=users["kasubbag"], output=f"Permintaan data usulan Renja {year + 1}"
    )
    if _has_renja(year + 1):
        _renja_to_its_draft(renja, users)
    return [pk, lkjip, renja]


def _has_renja(year: int) -> bool:
    from kinerja.performance.models import Renja

    return Renja.objects.filter(year=year).exists()


def _renja_to_its_draft(process, users) -> None:
    """With the proposals in the data (the demo's performance data, loaded first): the
    proposals received, the priority meeting held, and the Renja's draft made from the
    data at step 6 ("Buat draft dari data"), waiting for the Kabag Umum's paraf."""
    from kinerja import actions
    from kinerja.workflow.models import Task

    from . import documents

    def active():
        return process.tasks.select_related("step__output").get(status=Task.Status.ACTIVE)

    actions.finish(
        task=active(),
        by=users["pelaksana"],
        output="Usulan Renja Bagian Hukum dan Bagian Perekonomian",
    )
    actions.finish(
        task=active(), by=users["kasubbag"], output="Undangan rapat pembahasan Dokumen Renja"
    )
    actions.finish(
        task=active(), by=users["sekda"], output="Hasil rapat penetapan prioritas program"
    )
    actions.finish(
        task=active(),
        by=users["pelaksana"],
        output="Data dan informasi dari masing-masing bagian",
    )
    task = active()
    documents.draft_from_data(
        task,
        by=users["pelaksana"],
        reason="Data contoh demo: diperiksa bersama bagian sebelum paraf Kepala Bagian Umum.",
    )
    actions.finish(task=task, by=users["pelaksana"])
