"""Benchmark: a national data set on PostgreSQL, and the main pages measured on it.

    .venv/bin/python bench/scale.py generate --db-url postgres://postgres@127.0.0.1:5432/kinerja_scale
                                             --processes 650000 [--years 10] [--workers 2]
    .venv/bin/python bench/scale.py measure --db-url postgres://... [--repeat 30]

`generate` migrates the database, loads the demo (the shipped SOPs, the demo organisation,
its performance data and its year of runs made for real through kinerja.actions, as
`manage.py demo` does), then adds many Pemda of 40 perangkat daerah each (units, positions,
officials with logins, a few of them Plt or Plh on a position today) and, for each
perangkat daerah, one process of each shipped SOP per year. The processes are copies of
the demo's runs, row for row (tasks, documents, versions, paraf, signatures, letter numbers,
dispatches, archive entries, waivers), remapped to their unit, officials and year; this
year's are cut at a step (running: the active task, some overdue, some for a Plt/Plh, with
their reminders and escalations) or cancelled there. Every copy has its audit stream,
chained as kinerja.core.audit chains it (`manage.py audit verify` passes), its head, and
its entry in the register of streams. Then each unit's performance data (Renstra,
indicators, targets, realisasi) for the capaian dashboard. Rows go in by COPY in batches,
each committed with its progress: run the same command again after a kill and it goes on
where it stopped; when everything is there it does nothing. `--processes` is rounded up to
whole Pemda (40 units x 3 SOPs x years).

`measure` requests the main pages and API lists in-process (Django's test client, DEBUG
off, persistent connections and server-side prepared statements as in production) as a
Pelaksana, a Kasubbag who is also Plt elsewhere, a head of unit and an administrator, and
prints a Markdown table: p50, p95, queries and status per page, the inbox query alone, and
one action (finishing a task) on the big database and on an empty one.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS_PER_PEMDA = 40
SOPS = ("SOP-011", "SOP-013", "SOP-015")
FIRST_YEAR_DEFAULT = 2017
BATCH = 1000  # processes per committed batch
PASSWORD = "bench-password-123"
REGISTER = "audit:streams"
GENESIS = "0" * 64
# The perangkat daerah of every Pemda (the same forty names; the Pemda tells them apart).
PD_NAMES = (
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Perumahan dan Kawasan Permukiman",
    "Satuan Polisi Pamong Praja",
    "Dinas Sosial",
    "Dinas Tenaga Kerja",
    "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "Dinas Ketahanan Pangan",
    "Dinas Lingkungan Hidup",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Pemberdayaan Masyarakat dan Desa",
    "Dinas Pengendalian Penduduk dan Keluarga Berencana",
    "Dinas Perhubungan",
    "Dinas Komunikasi dan Informatika",
    "Dinas Koperasi dan Usaha Mikro",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Dinas Kepemudaan dan Olahraga",
    "Dinas Kebudayaan dan Pariwisata",
    "Dinas Perpustakaan dan Kearsipan",
    "Dinas Perikanan",
    "Dinas Pertanian",
    "Dinas Perdagangan",
    "Dinas Perindustrian",
    "Dinas Pemadam Kebakaran",
    "Badan Perencanaan Pembangunan Daerah",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Badan Pendapatan Daerah",
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Badan Penanggulangan Bencana Daerah",
    "Badan Kesatuan Bangsa dan Politik",
    "Inspektorat Daerah",
    "Sekretariat DPRD",
    "Rumah Sakit Umum Daerah",
    "Kecamatan Kota",
    "Kecamatan Utara",
    "Kecamatan Selatan",
    "Kecamatan Timur",
    "Kecamatan Barat",
    "Kecamatan Tengah",
)
PD_ROLES = ("kepala", "sekretaris", "kasubbag", "pelaksana", "operator")
PEMDA_ROLES = ("bupati", "sekda")
POSITIONS_PER_PEMDA = len(PEMDA_ROLES) + len(PD_ROLES) * UNITS_PER_PEMDA
UNITS_PER_PEMDA_ROWS = 2 + 3 * UNITS_PER_PEMDA
SUPERIOR = {
    "pelaksana": "kasubbag",
    "operator": "kasubbag",
    "kasubbag": "sekretaris",
    "sekretaris": "kepala",
    "kepala": "sekda",
    "sekda": "bupati",
}
# The demo's logins and positions, and the official of a perangkat daerah each becomes.
DEMO_USER_ROLE = {
    "pelaksana": "pelaksana",
    "kasubbag": "kasubbag",
    "kabag": "sekretaris",
    "asisten3": "kepala",
    "sekda": "sekda",
    "walikota": "bupati",
}
DEMO_POSITION_ROLE = {
    "pelaksana-perencanaan": "pelaksana",
    "kasubbag-perencanaan": "kasubbag",
    "kabag-umum": "sekretaris",
    "asisten-3": "kepala",
    "sekda": "sekda",
    "walikota": "bupati",
}

# The rows of a process, in the order they go in (a row's references come before it).
CLONED = (
    ("workflow_process", "id = %(p)s"),
    ("workflow_task", "process_id = %(p)s"),
    ("workflow_processdocument", "process_id = %(p)s"),
    ("workflow_waiver", "task_id IN (SELECT id FROM workflow_task WHERE process_id = %(p)s)"),
    (
        "documents_documentversion",
        "document_id IN (SELECT id FROM workflow_processdocument WHERE process_id = %(p)s)",
    ),
    ("documents_paraf", "task_id IN (SELECT id FROM workflow_task WHERE process_id = %(p)s)"),
    (
        "documents_signature",
        "version_id IN (SELECT v.id FROM documents_documentversion v JOIN "
        "workflow_processdocument d ON d.id = v.document_id WHERE d.process_id = %(p)s)",
    ),
    ("documents_letternumber", "process_id = %(p)s"),
    (
        "documents_generatedletter",
        "version_id IN (SELECT v.id FROM documents_documentversion v JOIN "
        "workflow_processdocument d ON d.id = v.document_id WHERE d.process_id = %(p)s)",
    ),
    ("documents_archiveentry", "process_id = %(p)s"),
    ("documents_dispatch", "process_id = %(p)s"),
    (
        "performance_checklistwaiver",
        "task_id IN (SELECT id FROM workflow_task WHERE process_id = %(p)s)",
    ),
)
LABELS = {
    "workflow_process": "workflow.process",
    "workflow_task": "workflow.task",
    "workflow_processdocument": "workflow.processdocument",
    "documents_documentversion": "documents.documentversion",
    "documents_paraf": "documents.paraf",
    "documents_signature": "documents.signature",
    "documents_letternumber": "documents.letternumber",
    "documents_archiveentry": "documents.archiveentry",
    "documents_dispatch": "documents.dispatch",
    "workflow_waiver": "workflow.waiver",
}
TABLE_OF_LABEL = {label: table for table, label in LABELS.items()}
# Rows known by no event of their own: born when their time column says, else with their parent.
BIRTH_COLUMN = {
    "workflow_waiver": "at",
    "performance_checklistwaiver": "at",
    "documents_paraf": "at",
    "documents_signature": "signed_at",
}
BIRTH_PARENT = {"documents_generatedletter": "version_id"}
EVENT_COLUMNS = (
    "id",
    "stream",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "on_behalf_of",
    "on_behalf_of_person_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)
# The tables whose secondary indexes are dropped while the copies go in, and built again at
# the end (one sort each instead of millions of index insertions).
BIG_TABLES = (
    "core_auditevent",
    "workflow_task",
    "workflow_processdocument",
    "documents_documentversion",
    "documents_paraf",
    "workflow_notification",
    "documents_archiveentry",
    "documents_letternumber",
    "workflow_process",
    "core_audithead",
)
PERSON_ID_KEYS = {"assignee_id", "person_id"}
SENTINEL = "\ue000"
YEAR = re.compile(r"\b(20[1-3]\d)\b")
MARKED_NUMBER = re.compile(f'"{SENTINEL}(pid_[a-z]+){SENTINEL}"')
MARKED_TEXT = re.compile(f"{SENTINEL}(reg){SENTINEL}")


# --- set-up ----------------------------------------------------------------------------------


def django_setup(db_url: str, *, production: bool = False) -> Path:
    """Django on `db_url` with the settings of bench/workflow.py (DEBUG off)."""
    name = db_url.rsplit("/", 1)[1]
    var = Path(tempfile.gettempdir()) / f"kinerja-scale-{name}"
    var.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = db_url
    os.environ["KINERJA_VAR_DIR"] = str(var)
    os.environ["DEMO_PASSWORD"] = PASSWORD
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The test client speaks plain HTTP: no redirect to HTTPS, cookies without Secure.
    for flag in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[flag] = "false"
    if production:
        # As the README's production settings: connections kept open from request to
        # request, so the statements they send often stay prepared (DB_PREPARED_STATEMENTS
        # is on by default).
        os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()
    return var


def ensure_database(db_url: str) -> None:
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')


def connect(db_url: str):
    import psycopg

    conn = psycopg.connect(db_url)
    conn.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn


class Progress:
    """What is done, in a table of its own: committed with the rows it speaks of."""

    def __init__(self, conn):
        self.conn = conn
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_scale_progress (key text PRIMARY KEY, value jsonb)"
        )
        conn.commit()

    def get(self, key, default=None):
        row = self.conn.execute(
            "SELECT value FROM bench_scale_progress WHERE key = %s", [key]
        ).fetchone()
        return default if row is None else row[0]

    def put(self, key, value, *, conn=None, commit=True):
        c = conn or self.conn
        c.execute(
            "INSERT INTO bench_scale_progress (key, value) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, json.dumps(value)],
        )
        if commit:
            c.commit()

    def keys(self, prefix):
        rows = self.conn.execute(
            "SELECT key FROM bench_scale_progress WHERE key LIKE %s", [prefix + "%"]
        ).fetchall()
        return {r[0] for r in rows}


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", flush=True)


# --- COPY text -------------------------------------------------------------------------------


def copy_text(value) -> str:
    """A value as PostgreSQL's COPY text format writes it."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    else:
        value = str(value)
    return escape(value)


def escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_rows(cur, table: str, columns, lines: list[str]) -> None:
    if not lines:
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for start in range(0, len(lines), 5000):
            copy.write("".join(lines[start : start + 5000]))


# --- the organisation --------------------------------------------------------------------------


def pemda_name(i: int) -> str:
    return f"Kabupaten Contoh {i + 1:03d}"


def pd_name(i: int, j: int) -> str:
    return f"{PD_NAMES[j]} {pemda_name(i)}"


def position_name(role: str, i: int, j: int | None) -> str:
    if role == "bupati":
        return f"Bupati {pemda_name(i)[len('Kabupaten ') :]}"
    if role == "sekda":
        return f"Sekretaris Daerah {pemda_name(i)}"
    pd = PD_NAMES[j]
    return {
        "kepala": f"Kepala {pd}",
        "sekretaris": f"Sekretaris {pd}",
        "kasubbag": "Kepala Sub Bagian Perencanaan",
        "pelaksana": "Pelaksana Sub Bagian Perencanaan",
        "operator": "Pengelola Data Perencanaan",
    }[role]


def person_name(role: str, i: int, j: int | None) -> str:
    """Demo people are named after their position (and where it is)."""
    if j is None:
        return f"Demo {position_name(role, i, j)}"
    if role in ("kepala", "sekretaris"):  # the position names the perangkat daerah already
        return f"Demo {position_name(role, i, j)} {pemda_name(i)}"[:200]
    return f"Demo {position_name(role, i, j)} {pd_name(i, j)}"[:200]


def username(role: str, i: int, j: int | None) -> str:
    return f"p{i + 1:03d}-{role}" if j is None else f"p{i + 1:03d}-opd{j + 1:02d}-{role}"


def position_offset(role: str, j: int | None) -> int:
    """Where a position sits among its Pemda's POSITIONS_PER_PEMDA rows (persons, users and
    definitive assignments follow the same layout)."""
    if j is None:
        return PEMDA_ROLES.index(role)
    return len(PEMDA_ROLES) + len(PD_ROLES) * j + PD_ROLES.index(role)


def role_slot(role: str, i: int, j: int) -> tuple[int, int | None]:
    """(Pemda, unit) of the official in `role` for unit j of Pemda i."""
    return (i, None) if role in PEMDA_ROLES else (i, j)


class Org:
    """Ids of the generated organisation: fixed layouts from the bases (no lookups)."""

    def __init__(self, bases: dict, today: dt.date):
        self.b = bases
        self.today = today
        self.years = bases.get("years")
        self.first_year = bases.get("first_year")
        self.vacant_from = today - dt.timedelta(days=75)
        self.plh_from = today - dt.timedelta(days=7)
        self.plh_until = today + dt.timedelta(days=7)

    def unit(self, i, j):  # the perangkat daerah
        return self.b["org_unit"] + i * UNITS_PER_PEMDA_ROWS + 2 + 3 * j

    def position(self, role, i, j):
        i, j = role_slot(role, i, j)
        return self.b["org_position"] + i * POSITIONS_PER_PEMDA + position_offset(role, j)

    def person(self, role, i, j):
        i, j = role_slot(role, i, j)
        return self.b["org_person"] + i * POSITIONS_PER_PEMDA + position_offset(role, j)

    def user(self, role, i, j):
        i, j = role_slot(role, i, j)
        return self.b["auth_user"] + i * POSITIONS_PER_PEMDA + position_offset(role, j)

    def name(self, role, i, j):
        i, j = role_slot(role, i, j)
        return person_name(role, i, j)

    def book(self, i, j, year):
        return (
            self.b["documents_numberingbook"]
            + ((i * UNITS_PER_PEMDA + j) * self.years)
            + (year - self.first_year)
        )

    # Who acts for whom today: every tenth unit's Kasubbag post is vacant (the Kasubbag of
    # the unit before it is its Plt), every tenth unit's head is on leave (the Sekretaris is
    # Plh), every twentieth unit's Pelaksana is away (the operator is Plh).
    @staticmethod
    def kasubbag_vacant(i, j):
        return (i * UNITS_PER_PEMDA + j) % 10 == 3 and j > 0

    @staticmethod
    def kepala_away(i, j):
        return (i * UNITS_PER_PEMDA + j) % 10 == 7

    @staticmethod
    def pelaksana_away(i, j):
        return (i * UNITS_PER_PEMDA + j) % 20 == 11

    def acting(self, role, i, j, day: dt.date):
        """(person acting, person acted for or None, kind) for `role` on `day`, or None."""
        if role == "kasubbag" and self.kasubbag_vacant(i, j) and day >= self.vacant_from:
            return self.person("kasubbag", i, j - 1), None, "plt"
        if role == "kepala" and self.kepala_away(i, j) and self.plh_from <= day <= self.plh_until:
            return self.person("sekretaris", i, j), self.person("kepala", i, j), "plh"
        if (
            role == "pelaksana"
            and self.pelaksana_away(i, j)
            and self.plh_from <= day <= self.plh_until
        ):
            return self.person("operator", i, j), self.person("pelaksana", i, j), "plh"
        return None


def build_org(conn, progress: Progress, pemdas: int, years: int, first_year: int) -> dict:
    """Units, positions, officials with logins, assignments (Plt/Plh), numbering books."""
    from django.contrib.auth.hashers import make_password

    bases = progress.get("org")
    if bases and bases.get("done"):
        return bases
    cur = conn.cursor()
    bases = {}
    for table in (
        "org_unit",
        "org_position",
        "org_person",
        "auth_user",
        "org_assignment",
        "documents_numberingbook",
        "auth_user_groups",
    ):
        (top,) = cur.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()
        bases[table] = top + 1
    today = dt.date.today()
    org = Org(bases, today)
    org.years, org.first_year = years, first_year
    stamp = dt.datetime(2016, 1, 4, 0, 0, tzinfo=dt.UTC).isoformat()
    password = make_password(PASSWORD)
    groups = {
        role: [
            g
            for (g,) in cur.execute(
                "SELECT g.group_id FROM auth_user_groups g JOIN auth_user u ON u.id = g.user_id "
                "WHERE u.username = %s",
                [demo],
            ).fetchall()
        ]
        for demo, role in DEMO_USER_ROLE.items()
    }
    units, positions, persons, users, assignments, books, memberships = ([] for _ in range(7))
    acting_id = bases["org_assignment"] + pemdas * POSITIONS_PER_PEMDA
    for i in range(pemdas):
        root = bases["org_unit"] + i * UNITS_PER_PEMDA_ROWS
        code = f"pemda-{i + 1:03d}"
        short = f"Kab{i + 1:03d}"
        units.append((root, code, f"Pemerintah {pemda_name(i)}", short, None, i + 100))
        units.append(
            (
                root + 1,
                f"{code}-setda",
                f"Sekretariat Daerah {pemda_name(i)}",
                f"{short}-Setda",
                root,
                1,
            )
        )
        for j in range(UNITS_PER_PEMDA):
            pd = org.unit(i, j)
            units.append(
                (
                    pd,
                    f"{code}-opd-{j + 1:02d}",
                    pd_name(i, j),
                    f"{short}-OPD{j + 1:02d}",
                    root,
                    j + 2,
                )
            )
            units.append(
                (
                    pd + 1,
                    f"{code}-opd-{j + 1:02d}-sekretariat",
                    f"Sekretariat {PD_NAMES[j]}",
                    f"{short}-OPD{j + 1:02d}-Sek",
                    pd,
                    1,
                )
            )
            units.append(
                (
                    pd + 2,
                    f"{code}-opd-{j + 1:02d}-subbag-ren",
                    "Sub Bagian Perencanaan",
                    f"{short}-OPD{j + 1:02d}-Ren",
                    pd + 1,
                    1,
                )
            )
        for j in [None, *range(UNITS_PER_PEMDA)]:
            for role in PEMDA_ROLES if j is None else PD_ROLES:
                pos = org.position(role, i, j if j is not None else 0)
                if j is None:
                    unit = root if role == "bupati" else root + 1
                    superior = None if role == "bupati" else org.position("bupati", i, 0)
                else:
                    pd = org.unit(i, j)
                    unit = {"kepala": pd, "sekretaris": pd + 1}.get(role, pd + 2)
                    superior = org.position(SUPERIOR[role], i, j)
                uname = username(role, i, j)
                positions.append((pos, uname, position_name(role, i, j), unit, superior))
                person = org.person(role, i, j if j is not None else 0)
                user = org.user(role, i, j if j is not None else 0)
                users.append((user, password, uname, person_name(role, i, j)[:150]))
                persons.append((person, person_name(role, i, j), user))
                end = None
                if j is not None and role == "kasubbag" and org.kasubbag_vacant(i, j):
                    end = org.vacant_from - dt.timedelta(days=1)
                assignments.append(
                    (
                        pos - bases["org_position"] + bases["org_assignment"],
                        "definitive",
                        dt.date(2016, 1, 4),
                        end,
                        person,
                        pos,
                    )
                )
                for group in groups.get(role, []):
                    memberships.append((user, group))
        for j in range(UNITS_PER_PEMDA):
            for role in ("kasubbag", "kepala", "pelaksana"):
                found = org.acting(role, i, j, today)
                if found is None:
                    continue
                person, _for, kind = found
                start, end = (
                    (org.vacant_from, None) if kind == "plt" else (org.plh_from, org.plh_until)
                )
                assignments.append((acting_id, kind, start, end, person, org.position(role, i, j)))
                acting_id += 1
            for y in range(first_year, first_year + years):
                books.append((org.book(i, j, y), y, org.unit(i, j)))
    with conn.transaction():
        cur.execute("SET LOCAL session_replication_role = replica")
        copy_rows(
            cur,
            "org_unit",
            (
                "id",
                "created_at",
                "updated_at",
                "code",
                "name",
                "short_name",
                "parent_id",
                "order",
                "address",
                "email",
                "telephone",
                "website",
            ),
            [
                f"{u[0]}\t{stamp}\t{stamp}\t{u[1]}\t{u[2]}\t{u[3]}\t{copy_text(u[4])}\t{u[5]}"
                "\t\t\t\t\n"
                for u in units
            ],
        )
        copy_rows(
            cur,
            "org_position",
            ("id", "created_at", "updated_at", "code", "name", "unit_id", "superior_id"),
            [
                f"{p[0]}\t{stamp}\t{stamp}\t{p[1]}\t{p[2]}\t{p[3]}\t{copy_text(p[4])}\n"
                for p in positions
            ],
        )
        copy_rows(
            cur,
            "auth_user",
            (
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ),
            [f"{u[0]}\t{u[1]}\tf\t{u[2]}\t{u[3]}\t\t\tf\tt\t{stamp}\n" for u in users],
        )
        copy_rows(
            cur,
            "org_person",
            ("id", "created_at", "updated_at", "name", "nip", "user_id", "rank"),
            [f"{p[0]}\t{stamp}\t{stamp}\t{p[1]}\t\\N\t{p[2]}\t\n" for p in persons],
        )
        copy_rows(
            cur,
            "org_assignment",
            (
                "id",
                "created_at",
                "updated_at",
                "kind",
                "start",
                "end",
                "decree",
                "person_id",
                "position_id",
            ),
            [
                f"{a[0]}\t{stamp}\t{stamp}\t{a[1]}\t{a[2]}\t{copy_text(a[3])}\t\t{a[4]}\t{a[5]}\n"
                for a in assignments
            ],
        )
        copy_rows(
            cur,
            "auth_user_groups",
            ("id", "user_id", "group_id"),
            [
                f"{bases['auth_user_groups'] + n}\t{m[0]}\t{m[1]}\n"
                for n, m in enumerate(memberships)
            ],
        )
        copy_rows(
            cur,
            "documents_numberingbook",
            (
                "id",
                "created_at",
                "updated_at",
                "year",
                "pattern",
                "digits",
                "last_sequence",
                "unit_id",
            ),
            [
                f"{b[0]}\t{stamp}\t{stamp}\t{b[1]}\t{{klasifikasi}}/{{urut}}/{{unit}}/{{tahun}}"
                f"\t3\t0\t{b[2]}\n"
                for b in books
            ],
        )
        bases.update(
            pemdas=pemdas, years=years, first_year=first_year, today=today.isoformat(), done=True
        )
        progress.put("org", bases, conn=conn, commit=False)
    say(
        f"organisation: {pemdas} Pemda, {len(units):,} units, {len(positions):,} positions and "
        f"officials with logins, {len(assignments) - len(positions):,} Plt/Plh"
    )
    return bases


# --- the runs copied ---------------------------------------------------------------------------


class Variant:
    """One shape a copy can take: a demo run finished, cut at a step (running), or cancelled
    there. Its rows are lists of cells: text as COPY writes it, or a slot (a tuple) that
    each copy fills (ids, officials, times, names)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _fk_map(cur) -> dict:
    rows = cur.execute(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text "
        "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
        "AND a.attnum = c.conkey[1] WHERE c.contype = 'f'"
    ).fetchall()
    return {(t, col): ref for t, col, ref in rows}


def _columns(cur, table: str) -> list[tuple[str, str]]:
    return cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    ).fetchall()


class Texts:
    """Turns a demo text into a format string: the demo's names, units and years become
    fields each copy fills ({n_kasubbag}, {org}, {y_m1}...)."""

    def __init__(self, cur, user_roles=DEMO_USER_ROLE, position_roles=DEMO_POSITION_ROLE):
        self.map = {}
        people = cur.execute(
            "SELECT p.id, p.name, u.username FROM org_person p JOIN auth_user u ON u.id = p.user_id"
        ).fetchall()
        self.person_role = {}
        self.user_role = {}
        for pid, name, uname in people:
            role = user_roles.get(uname) or ("operator" if uname.startswith("operator") else None)
            if role:
                self.person_role[pid] = role
                self.map[name] = f"{{n_{role}}}"
        for uid, uname in cur.execute("SELECT id, username FROM auth_user").fetchall():
            role = user_roles.get(uname) or ("operator" if uname.startswith("operator") else None)
            if role:
                self.user_role[uid] = role
        self.position_role = {}
        for pid, code, name in cur.execute("SELECT id, code, name FROM org_position").fetchall():
            role = position_roles.get(code)
            if role is None and code.startswith("operator-"):
                role = "operator"
            if role is None and code.startswith("kabag-"):
                role = "sekretaris"
            if role:
                self.position_role[pid] = role
                self.map.setdefault(name, f"{{pos_{role}}}")
        self.units = {}
        for uid, code, name, short in cur.execute(
            "SELECT id, code, name, short_name FROM org_unit"
        ).fetchall():
            self.units[uid] = code
            if code.startswith("bagian-") or code == "setda":
                self.map.setdefault(name, "{org}")
            if code.startswith("bagian-") or code == "subbag-perencanaan":
                self.map.setdefault(code, "{unit_code}")
            if short and short.startswith("Setda-"):
                self.map.setdefault(short, "{short}")
        self.map.update(
            {
                "Bappeda Kota Banjarbaru": "Bappeda {pemda}",
                "Pemerintah Kota Banjarbaru": "Pemerintah {pemda}",
                "Kota Banjarbaru": "{pemda}",
                "KOTA BANJARBARU": "{pemda_upper}",
                "Banjarbaru": "{pemda}",
            }
        )
        keys = sorted(self.map, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(k) for k in keys))
        self.base_year = None

    def fmt(self, text: str):
        """`text` (already in the form it is written in) as a literal or a format slot."""
        braced = text.replace("{", "{{").replace("}", "}}")
        out = YEAR.sub(lambda m: "{y" + f"{int(m.group(1)) - self.base_year:+d}" + "}", braced)
        out = self.pattern.sub(lambda m: self.map[m.group(0)], out)
        out = out.replace("{y+", "{y_p").replace("{y-", "{y_m")
        # A person's id is a number: its field replaces the quoted marker; the register
        # number is a string: its field goes inside the quotes.
        out = MARKED_NUMBER.sub(r"{\1}", out)
        out = MARKED_TEXT.sub(r"{\1}", out)
        if out == braced:
            return text
        return ("fmt", out)

    def json(self, value):
        """A JSON value of the record as canonical text (kinerja.core.audit._dumps) with the
        person ids and the archive register number as fields."""
        if value is None:
            return None

        def mark(obj):
            if isinstance(obj, dict):
                out = {}
                for key, item in obj.items():
                    if key in PERSON_ID_KEYS and isinstance(item, int) and item in self.person_role:
                        out[key] = f"{SENTINEL}pid_{self.person_role[item]}{SENTINEL}"
                    elif key == "register" and isinstance(item, str):
                        out[key] = f"{SENTINEL}reg{SENTINEL}"
                    else:
                        out[key] = mark(item)
                return out
            if isinstance(obj, list):
                return [mark(x) for x in obj]
            return obj

        text = json.dumps(
            mark(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return self.fmt(text)


def load_variants(conn, template_ids: list[int]) -> tuple[list[Variant], dict]:
    """Every demo run as a finished copy, and cut at each of its steps (running, cancelled)."""
    cur = conn.cursor()
    fks = _fk_map(cur)
    texts = Texts(cur)
    cloned = {t for t, _ in CLONED}
    columns = {t: _columns(cur, t) for t, _ in CLONED}
    sop_of_version = dict(
        cur.execute(
            "SELECT v.id, s.number FROM sop_sopversion v JOIN sop_sop s ON s.id = v.sop_id"
        ).fetchall()
    )
    steps = {
        pk: (number, activity)
        for pk, number, activity in cur.execute("SELECT id, number, activity FROM sop_step")
    }
    variants = []
    for pid in template_ids:
        rows = {}
        for table, where in CLONED:
            cur.execute(f'SELECT * FROM "{table}" WHERE {where} ORDER BY id', {"p": pid})
            names = [d.name for d in cur.description]
            rows[table] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        cur.execute(
            "SELECT * FROM core_auditevent WHERE stream = %s ORDER BY seq", [f"process:{pid}"]
        )
        names = [d.name for d in cur.description]
        events = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        process = rows["workflow_process"][0]
        texts.base_year = process["run_year"]
        births = {}
        for e in events:
            if e["object_type"]:
                births.setdefault((e["object_type"], e["object_id"]), e["at"])
        start = process["started_at"]

        def birth(table, row, births=births, rows=rows, start=start):
            label = LABELS.get(table)
            if label and (label, str(row["id"])) in births:
                return births[(label, str(row["id"]))]
            if table in BIRTH_COLUMN:
                return row[BIRTH_COLUMN[table]]
            if table in BIRTH_PARENT:
                parent = row[BIRTH_PARENT[table]]
                for v in rows["documents_documentversion"]:
                    if v["id"] == parent:
                        return birth("documents_documentversion", v)
            return start

        for table in rows:
            for row in rows[table]:
                row["_birth"] = birth(table, row)
        tasks = sorted(rows["workflow_task"], key=lambda t: (t["activated_at"], t["id"]))
        sop = SOPS.index(sop_of_version[process["sop_version_id"]].split("/")[0])
        cuts = [("done", None)] + [
            (kind, k) for k in range(len(tasks)) for kind in ("run", "cancel")
        ]
        for kind, k in cuts:
            cut = None if k is None else (tasks[k]["activated_at"], tasks[k]["id"])
            keep = {}
            for table in rows:
                keep[table] = [
                    r
                    for r in rows[table]
                    if cut is None
                    or (
                        (r["activated_at"], r["id"]) <= cut
                        if table == "workflow_task"
                        else r["_birth"] <= cut[0]
                    )
                ]
            local = {t: {r["id"]: n for n, r in enumerate(keep[t])} for t in keep}
            active = None if k is None else local["workflow_task"][tasks[k]["id"]]
            cancel_at = None if kind != "cancel" else cut[0] + dt.timedelta(days=2)
            owner_role = texts.user_role.get(process["owner_id"], "kasubbag")
            cells = {}
            for table in keep:
                out = []
                for n, row in enumerate(keep[table]):
                    row = dict(row)
                    if table == "workflow_process" and kind != "done":
                        row["status"] = "running" if kind == "run" else "cancelled"
                        row["finished_at"] = cancel_at
                        row["cancel_reason"] = (
                            "" if kind == "run" else "Dibatalkan: jadwal diganti oleh Pemda."
                        )
                    if table == "workflow_task" and n == active:
                        row.update(
                            status="active" if kind == "run" else "cancelled",
                            completed_at=cancel_at,
                            completed_by_id=None if kind == "run" else process["owner_id"],
                            completed_for="",
                            outcome="" if kind == "run" else "cancelled",
                            branch="",
                            note="",
                            output_reference="",
                            work_minutes=None,
                        )
                    out.append(_cells(table, row, columns[table], fks, cloned, local, texts, sop))
                cells[table] = out
            evs = []
            for e in events:
                if cut is not None and e["at"] > cut[0]:
                    continue
                obj = e["object_id"]
                table = TABLE_OF_LABEL.get(e["object_type"])
                if table and obj and int(obj) in local.get(table, {}):
                    obj = ("ref", table, local[table][int(obj)])
                evs.append(
                    (
                        e["at"],
                        ("k", f"user:{texts.user_role[e['actor_id']]}")
                        if e["actor_id"] in texts.user_role
                        else e["actor_id"],
                        texts.fmt(e["actor_name"]),
                        texts.fmt(e["on_behalf_of"]),
                        ("k", f"person:{texts.person_role[e['on_behalf_of_person_id']]}")
                        if e["on_behalf_of_person_id"] in texts.person_role
                        else e["on_behalf_of_person_id"],
                        json.dumps(e["action"]),
                        json.dumps(e["object_type"]),
                        obj,
                        texts.json(e["before"]),
                        texts.json(e["after"]),
                    )
                )
            if kind == "cancel":
                reason = "Dibatalkan: jadwal diganti oleh Pemda."
                evs.append(
                    (
                        cancel_at,
                        ("k", f"user:{owner_role}"),
                        ("fmt", f"{{n_{owner_role}}}"),
                        "",
                        None,
                        '"cancel"',
                        '"workflow.process"',
                        ("ref", "workflow_process", 0),
                        '{"status":"running"}',
                        (
                            "fmt",
                            '{{"reason":"' + reason + '","status":"cancelled","tasks":[{tk}]}}',
                        ),
                    )
                )
            task = tasks[k] if k is not None else None
            variants.append(
                Variant(
                    sop=sop,
                    kind=kind,
                    template=pid,
                    start=start,
                    end=max(e["at"] for e in events) if cut is None else (cancel_at or cut[0]),
                    cut=cut[0] if cut else None,
                    run_year=process["run_year"],
                    rows=cells,
                    events=evs,
                    counts={t: len(v) for t, v in cells.items()},
                    active=active,
                    active_role=texts.position_role.get(task["position_id"]) if task else None,
                    active_due=task["due_at"] if task else None,
                    active_step=steps[task["step_id"]] if task else None,
                    archive=len(keep["documents_archiveentry"]),
                    title=cells["workflow_process"][0][
                        [c for c, _ in columns["workflow_process"]].index("title")
                    ],
                )
            )
    return variants, {"steps": steps}


def _cells(table, row, columns, fks, cloned, local, texts, sop, units=None, processes=None):
    out = []
    for name, kind in columns:
        value = row[name]
        ref = fks.get((table, name))
        if name == "id":
            out.append(("id", table, local[table][value]))
        elif table == "workflow_task" and name in ("assignee_id", "acting_for_id", "acting_kind"):
            role = texts.person_role.get(row["assignee_id"])
            if role is None:
                out.append(copy_text(value))
            else:
                out.append(("acting", name, role, row["activated_at"]))
        elif value is None:
            out.append("\\N")
        elif ref in cloned:
            n = local.get(ref, {}).get(value)
            out.append("\\N" if n is None else ("ref", ref, n))
        elif ref == "auth_user":
            role = texts.user_role.get(value)
            out.append(("k", f"user:{role}") if role else copy_text(value))
        elif ref == "org_person":
            role = texts.person_role.get(value)
            out.append(("k", f"person:{role}") if role else copy_text(value))
        elif ref == "org_position":
            role = texts.position_role.get(value)
            out.append(("k", f"position:{role}") if role else copy_text(value))
        elif ref == "org_unit":
            out.append(("k", units.get(value, "unit") if units else "unit"))
        elif ref == "workflow_process" and processes is not None:
            out.append(("k", processes[value]) if value in processes else "\\N")
        elif ref == "documents_numberingbook":
            out.append(("k", "book"))
        elif name in ("created_at", "updated_at"):
            out.append(("time", row["_birth"]))
        elif kind == "timestamp with time zone":
            out.append(("time", value))
        elif name in ("active_until", "inactive_until"):
            out.append(("ydate", value))
        elif kind == "date":
            out.append(("date", value))
        elif kind == "uuid":
            out.append(("uuid",))
        elif (table, name) in (
            ("workflow_process", "year"),
            ("workflow_process", "run_year"),
            ("documents_archiveentry", "year"),
        ):
            out.append(("yplus", value))
        elif (table, name) == ("documents_archiveentry", "sequence"):
            out.append(("arch_seq", local[table][row["id"]]))
        elif (table, name) == ("documents_letternumber", "sequence"):
            out.append(("letter_seq", sop * 5 + local[table][row["id"]] + 1))
        elif (table, name) == ("documents_letternumber", "number"):
            prefix = value.split("/", 1)[0]
            out.append(("letter_no", prefix, sop * 5 + local[table][row["id"]] + 1))
        elif kind == "jsonb":
            out.append(texts.fmt(escape(json.dumps(value, ensure_ascii=False))))
        elif kind in ("text", "character varying"):
            out.append(texts.fmt(escape(value)))
        else:
            out.append(copy_text(value))
    return out


# --- the copies --------------------------------------------------------------------------------

G: dict = {}  # what the workers need, set before they are forked
_JSON_CACHE: dict = {}
WORK_ZONE = dt.timedelta(hours=8)  # WITA: the day a task is activated on, for Plt/Plh


NULL = "\\N"


def _unjs(text: str) -> str:
    return text[1:-1]


def _js(text: str) -> str:
    found = _JSON_CACHE.get(text)
    if found is None:
        found = json.dumps(text, ensure_ascii=False)
        if len(_JSON_CACHE) < 200_000:
            _JSON_CACHE[text] = found
    return found


def plan(s: int):
    """The copy in slot `s`: (variant, Pemda, unit, year, shift of its times)."""
    per_year = G["pemdas"] * UNITS_PER_PEMDA * len(SOPS)
    year = G["first_year"] + s // per_year
    r = s % per_year
    i, j, sop = r // (UNITS_PER_PEMDA * 3), (r // 3) % UNITS_PER_PEMDA, r % 3
    rng = random.Random(s * 7919 + 17)
    now = G["now"]
    u = rng.random()
    if year < now.year:
        kind = "done" if u < 0.965 else "cancel" if u < 0.995 else "run"
    else:
        kind = "done" if u < 0.5 else "run" if u < 0.95 else "cancel"
    v = G["variants"][rng.choice(G["by_kind"][(sop, kind)])]
    jan = dt.datetime(year, 1, 2, tzinfo=dt.UTC)
    if year == now.year and kind == "run":
        w = rng.random()
        hours = (
            rng.uniform(0, 2)
            if w < 0.4
            else rng.uniform(2, 72)
            if w < 0.7
            else rng.uniform(72, 1080)
        )
        delta = (now - dt.timedelta(hours=hours)) - v.cut
    elif year == now.year and kind == "cancel":
        delta = (now - dt.timedelta(days=rng.uniform(5, 200))) - v.end
    else:
        try:
            delta = v.start.replace(year=year) - v.start
        except ValueError:  # 29 February
            delta = (v.start - dt.timedelta(days=1)).replace(year=year) - v.start
        delta += dt.timedelta(days=rng.randint(-10, 10))
        last = min(dt.datetime(year, 12, 30, tzinfo=dt.UTC), now - dt.timedelta(days=1))
        delta = min(delta, last - v.end)
    delta = max(delta, jan - v.start)
    return v, i, j, year, r, delta


def _brace(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class Compiled:
    """A variant as format strings: one per row, two per event (its canonical form and its
    COPY line), and the slots each copy fills, so a copy costs a few C calls per row."""

    def __init__(self, v: Variant):
        self.ids: dict = {}  # (table, local) -> key
        self.times: dict = {}  # datetime -> key
        self.other: list = []  # (key, kind, args)
        self.rows = []
        for table, rows in v.rows.items():
            for cells in rows:
                self.rows.append((table, "\t".join(self.cell(c) for c in cells) + "\n"))
        self.events = []
        for at, actor, name, behalf, behalf_pid, action_js, type_js, obj, before, after in v.events:
            at_k = "{" + self.time(at) + "}"
            actor_c, actor_t = self.ident(actor)
            bpid_c, bpid_t = self.ident(behalf_pid)
            name_c, name_j = self.string(name)
            behalf_c, behalf_j = self.string(behalf)
            if obj.__class__ is tuple:
                obj_c = "{" + self.id(obj[1], obj[2]) + "}"
                obj_j = f'"{obj_c}"'
            else:
                obj_c = _brace(escape(obj or ""))
                obj_j = _brace(json.dumps(obj or "", ensure_ascii=False))
            before_c, before_j = self.json(before)
            after_c, after_j = self.json(after)
            canonical = (
                f'{{{{"action":{_brace(action_js)},"actor_id":{actor_t},"actor_name":{name_j},'
                f'"after":{after_j},"at":"{at_k}","before":{before_j},"object_id":{obj_j},'
                f'"object_type":{_brace(type_js)},"on_behalf_of":{behalf_j},'
                f'"on_behalf_of_person_id":{bpid_t},"prev_hash":"{{prev}}","seq":{{seq}},'
                f'"stream":"{{stream}}"}}}}'
            )
            line = "\t".join(
                (
                    "{eid}",
                    "{stream}",
                    "{seq}",
                    at_k,
                    actor_c,
                    name_c,
                    behalf_c,
                    bpid_c,
                    _brace(_unjs(action_js)),
                    _brace(_unjs(type_js)),
                    obj_c,
                    before_c,
                    after_c,
                    "{prev}",
                    "{hash}\n",
                )
            )
            self.events.append((canonical, line))
        self.first = v.events[0] if v.events else None

    def id(self, table, local):
        key = self.ids.get((table, local))
        if key is None:
            key = self.ids[(table, local)] = f"i{len(self.ids)}"
        return key

    def time(self, value):
        key = self.times.get(value)
        if key is None:
            key = self.times[value] = f"t{len(self.times)}"
        return key

    def slot(self, kind, *args):
        key = f"o{len(self.other)}"
        self.other.append((key, kind, args))
        return "{" + key + "}"

    def ident(self, c):
        """(COPY text, canonical JSON) of a user or person reference."""
        if c is None:
            return NULL, "null"
        if c.__class__ is tuple:
            key = "{" + c[1].replace(":", "_") + "}"
            return key, key
        return str(c), str(c)

    @staticmethod
    def string(c):
        if c.__class__ is tuple:
            assert '"' not in c[1] and "\\" not in c[1], c
            return c[1], f'"{c[1]}"'
        return _brace(escape(c)), _brace(json.dumps(c, ensure_ascii=False))

    @staticmethod
    def json(c):
        if c is None:
            return NULL, "null"
        if c.__class__ is tuple:
            return c[1].replace("\\", "\\\\"), c[1]
        return _brace(escape(c)), _brace(c)

    def cell(self, c):
        if c.__class__ is str:
            return _brace(c)
        t = c[0]
        if t == "id" or t == "ref":
            return "{" + self.id(c[1], c[2]) + "}"
        if t == "time":
            return "{" + self.time(c[1]) + "}"
        if t == "fmt":
            return c[1]
        if t == "k":
            return "{" + c[1].replace(":", "_") + "}"
        return self.slot(t, *c[1:])


def clone(s: int, out: dict, registers: list) -> None:
    v, i, j, year, r, delta = plan(s)
    c = v.compiled
    org: Org = G["org"]
    bases, strides = G["bases"], G["strides"]
    starts = {t: bases[t] + strides[t] * s for t in strides}
    k = year - v.run_year
    f = {"org": pd_name(i, j), "pemda": pemda_name(i), "pemda_upper": pemda_name(i).upper()}
    f["short"] = f"Kab{i + 1:03d}-OPD{j + 1:02d}"
    f["unit_code"] = f"pemda-{i + 1:03d}-opd-{j + 1:02d}"
    f["unit"] = org.unit(i, j)
    f["book"] = org.book(i, j, year)
    for role in PD_ROLES + PEMDA_ROLES:
        f[f"n_{role}"] = org.name(role, i, j)
        f[f"pos_{role}"] = position_name(role, i, j)
        f[f"pid_{role}"] = f[f"person_{role}"] = org.person(role, i, j)
        f[f"user_{role}"] = org.user(role, i, j)
        f[f"position_{role}"] = org.position(role, i, j)
    for n in range(-15, 16):
        f[f"y_{'m' if n < 0 else 'p'}{abs(n)}"] = year + n
    arch = 1000 + r * 2
    f["reg"] = f"{year}/{arch}"
    if v.active is not None:
        f["tk"] = starts["workflow_task"] + v.active
    days = dt.timedelta(days=round(delta / dt.timedelta(days=1)))
    for (table, local), key in c.ids.items():
        f[key] = starts[table] + local
    for value, key in c.times.items():
        f[key] = (value + delta).isoformat(timespec="microseconds")
    for key, kind, args in c.other:
        if kind == "acting":
            what, role, activated = args
            found = org.acting(role, i, j, (activated + delta + WORK_ZONE).date())
            if what == "assignee_id":
                f[key] = found[0] if found else org.person(role, i, j)
            elif what == "acting_for_id":
                f[key] = found[1] if found and found[1] else NULL
            else:
                f[key] = found[2] if found else ""
        elif kind == "yplus":
            f[key] = args[0] + k
        elif kind == "date":
            f[key] = (args[0] + days).isoformat()
        elif kind == "ydate":
            f[key] = args[0].replace(year=args[0].year + k).isoformat()
        elif kind == "uuid":
            f[key] = uuid.uuid4()
        elif kind == "arch_seq":
            f[key] = arch + args[0]
        elif kind == "letter_seq":
            f[key] = args[0]
        elif kind == "letter_no":
            f[key] = f"{args[0]}/{args[1]:03d}/{f['short']}/{year}"
        else:
            raise ValueError(kind)
    for table, fmt in c.rows:
        out[table].append(fmt.format_map(f))

    stream = f["stream"] = f"process:{starts['workflow_process']}"
    events = out["core_auditevent"]
    eid = starts["core_auditevent"]
    prev = GENESIS
    seq = 0
    sha = hashlib.sha256
    for canonical, line in c.events:
        seq += 1
        f["seq"], f["prev"], f["eid"] = seq, prev, eid
        digest = f["hash"] = sha(canonical.format_map(f).encode()).hexdigest()
        events.append(line.format_map(f))
        prev = digest
        eid += 1
    at, actor, name, behalf, behalf_pid = c.first[:5]
    first = [
        f[c.times[at]],
        None
        if actor is None
        else (f[actor[1].replace(":", "_")] if actor.__class__ is tuple else actor),
        name if name.__class__ is str else name[1].format_map(f),
        behalf if behalf.__class__ is str else behalf[1].format_map(f),
        None
        if behalf_pid is None
        else (f[behalf_pid[1].replace(":", "_")] if behalf_pid.__class__ is tuple else behalf_pid),
    ]

    def append(at, actor, name, behalf, behalf_pid, action_js, type_js, obj, before, after):
        nonlocal prev, seq, eid
        seq += 1
        at_s = at.isoformat(timespec="microseconds")
        canonical = (
            f'{{"action":{action_js},"actor_id":{"null" if actor is None else actor},'
            f'"actor_name":{_js(name)},"after":{"null" if after is None else after},'
            f'"at":"{at_s}","before":{"null" if before is None else before},'
            f'"object_id":{_js(obj)},"object_type":{type_js},"on_behalf_of":{_js(behalf)},'
            f'"on_behalf_of_person_id":{"null" if behalf_pid is None else behalf_pid},'
            f'"prev_hash":"{prev}","seq":{seq},"stream":"{stream}"}}'
        )
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        events.append(
            "\t".join(
                (
                    str(eid),
                    stream,
                    str(seq),
                    at_s,
                    NULL if actor is None else str(actor),
                    escape(name),
                    escape(behalf),
                    NULL if behalf_pid is None else str(behalf_pid),
                    _unjs(action_js),
                    _unjs(type_js),
                    obj,
                    NULL if before is None else escape(before),
                    NULL if after is None else escape(after),
                    prev,
                    digest,
                )
            )
            + "\n"
        )
        prev = digest
        eid += 1

    if v.kind == "run" and v.active_due is not None:
        _notices(v, i, j, delta, f, starts, out, append)
    out["core_audithead"].append(f"{stream}\t{seq}\t{prev}\n")
    registers.append([stream, *first])


def _notices(v, i, j, delta, f, starts, out, append) -> None:
    """The reminder before the active task is due and the escalation after, as
    `manage.py remind` leaves them (a notice and its event)."""
    from django.utils import timezone
    from django.utils.formats import date_format

    org: Org = G["org"]
    now = G["now"]
    due = v.active_due + delta
    activated = v.cut + delta
    task = starts["workflow_task"] + v.active
    role = v.active_role
    if role is None:
        return
    found = org.acting(role, i, j, (activated + WORK_ZONE).date())
    assignee = found[0] if found else org.person(role, i, j)
    assignee_name = f[f"n_{role}"] if not found else _name_of_person(found[0], i, j)
    title = v.title if isinstance(v.title, str) else v.title[1].format_map(f)
    number, activity = v.active_step
    due_text = date_format(timezone.localtime(due), "DATETIME_FORMAT")
    notices = []
    remind_at = max(activated + dt.timedelta(minutes=1), due - dt.timedelta(minutes=30))
    if remind_at <= now:
        message = G["reminder"] % {"n": number, "step": activity, "process": title, "due": due_text}
        notices.append(("reminder", remind_at, assignee, assignee_name, message))
    escalate_at = due + dt.timedelta(hours=1)
    if escalate_at <= now and role in SUPERIOR:
        boss = SUPERIOR[role]
        message = G["escalation"] % {
            "n": number,
            "step": activity,
            "process": title,
            "name": assignee_name,
            "due": due_text,
        }
        notices.append(("escalation", escalate_at, org.person(boss, i, j), f[f"n_{boss}"], message))
    lines = out.setdefault("workflow_notification", [])
    for n, (kind, at, recipient, name, message) in enumerate(notices):
        read = (at + dt.timedelta(hours=2)).isoformat() if (task + n) % 3 == 0 else "\\N"
        lines.append(
            f"{starts['workflow_notification'] + n}\t{kind}\t{escape(message)}\t{at.isoformat()}"
            f"\t{read}\tf\t{recipient}\t{task}\n"
        )
        after = json.dumps(
            {"message": message, "recipient": name},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        append(at, None, "", "", None, _js(kind), '"workflow.task"', str(task), None, after)


def _name_of_person(person_id: int, i: int, j: int) -> str:
    org: Org = G["org"]
    for role in PD_ROLES:
        if org.person(role, i, j) == person_id:
            return org.name(role, i, j)
        if j > 0 and org.person(role, i, j - 1) == person_id:
            return org.name(role, i, j - 1)
    return ""


def _worker_init(db_url: str) -> None:
    from django.utils import translation

    translation.activate("id")
    G["conn"] = connect(db_url)


def run_batch(b: int) -> tuple[int, int, float]:
    """Copy the processes of batch `b`, and commit them with the batch's mark."""
    started = time.perf_counter()
    out: dict[str, list[str]] = {t: [] for t in G["order"]}
    registers: list = []
    first, last = b * BATCH, min((b + 1) * BATCH, G["total"])
    for s in range(first, last):
        clone(s, out, registers)
    made = time.perf_counter()
    conn = G["conn"]
    with conn.transaction():
        cur = conn.cursor()
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL synchronous_commit = off")
        for table in G["order"]:
            if table in out:
                copy_rows(cur, table, G["columns"][table], out[table])
        cur.execute(
            "INSERT INTO bench_scale_progress (key, value) VALUES (%s, %s)",
            [f"batch:{b}", json.dumps(registers)],
        )
    return b, last - first, made - started, time.perf_counter() - made


# --- generate ----------------------------------------------------------------------------------


def generate(db_url: str, processes: int, years: int, workers: int) -> None:
    import multiprocessing

    from django.core.management import call_command
    from django.db import connections
    from django.utils import translation

    t0 = time.perf_counter()
    ensure_database(db_url)
    django_setup(db_url)
    call_command("migrate", verbosity=0, interactive=False)
    conn = connect(db_url)
    progress = Progress(conn)
    if not progress.get("demo"):
        say("the demo: shipped SOPs, organisation, performance data, a year of real runs")
        call_command("demo", verbosity=0)
        progress.put("demo", True)
    per_pemda = UNITS_PER_PEMDA * len(SOPS) * years
    pemdas = -(-processes // per_pemda)
    total = pemdas * per_pemda
    first_year = progress.get("first_year") or dt.date.today().year - years + 1
    progress.put("first_year", first_year)
    bases = build_org(conn, progress, pemdas, years, first_year)
    if bases["pemdas"] != pemdas or bases["years"] != years:
        raise SystemExit(
            f"This database was generated with {bases['pemdas']} Pemda over {bases['years']} "
            "years: run with the same --processes and --years, or use another database."
        )
    templates = progress.get("templates")
    if templates is None:
        templates = [
            pk
            for (pk,) in conn.execute(
                "SELECT id FROM workflow_process WHERE status = 'done' ORDER BY id"
            ).fetchall()
        ]
        progress.put("templates", templates)
    now = progress.get("now")
    if now is None:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        progress.put("now", now)
    variants, extra = load_variants(conn, templates)
    for v in variants:
        v.compiled = Compiled(v)
    say(f"{len(templates)} demo runs as templates, {len(variants)} shapes")
    by_kind: dict = {}
    for n, v in enumerate(variants):
        by_kind.setdefault((v.sop, v.kind), []).append(n)
    order = [t for t, _ in CLONED] + ["workflow_notification", "core_auditevent", "core_audithead"]
    columns = {t: [c for c, _ in _columns(conn.cursor(), t)] for t in order}
    columns["core_auditevent"] = list(EVENT_COLUMNS)
    strides = {t: max(v.counts.get(t, 0) for v in variants) or 1 for t, _ in CLONED}
    strides["workflow_process"] = 1
    strides["core_auditevent"] = max(len(v.events) for v in variants) + 3
    strides["workflow_notification"] = 2
    pbases = progress.get("bases")
    if pbases is None:
        pbases = {}
        for t in strides:
            (top,) = conn.execute(f'SELECT coalesce(max(id), 0) FROM "{t}"').fetchone()
            pbases[t] = top + 1
        # Room for the register's own events after the processes' (one per stream).
        pbases["register"] = pbases["core_auditevent"] + strides["core_auditevent"] * total
        drop_indexes(conn, progress)
        progress.put("bases", pbases)
    with translation.override("id"):
        reminder = translation.gettext(
            "Reminder: step %(n)d “%(step)s” of %(process)s is due %(due)s."
        )
        escalation = translation.gettext(
            "Overdue: step %(n)d “%(step)s” of %(process)s, for %(name)s, was due %(due)s."
        )
    org = Org(bases, dt.date.fromisoformat(bases["today"]))
    G.update(
        pemdas=pemdas,
        first_year=first_year,
        total=total,
        now=dt.datetime.fromisoformat(now),
        variants=variants,
        by_kind=by_kind,
        org=org,
        bases=pbases,
        strides=strides,
        order=order,
        columns=columns,
        reminder=reminder,
        escalation=escalation,
        steps=extra["steps"],
    )
    batches = -(-total // BATCH)
    done = {int(k.split(":")[1]) for k in progress.keys("batch:")}
    pending = [b for b in range(batches) if b not in done]
    if pending:
        say(
            f"{total:,} processes in {batches} batches ({len(done)} done before); {workers} workers"
        )
        connections.close_all()
        started = time.perf_counter()
        made = 0
        making = loading = 0.0
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_worker_init, initargs=(db_url,)) as pool:
            for n, (_b, count, make_s, load_s) in enumerate(
                pool.imap_unordered(run_batch, pending), start=1
            ):
                made += count
                making += make_s
                loading += load_s
                if n % 10 == 0 or n == len(pending):
                    rate = made / (time.perf_counter() - started) * 60
                    say(
                        f"  {len(done) + n}/{batches} batches, {made:,} processes this run, "
                        f"{rate:,.0f} processes/min (workers: {making:.0f} s making rows, "
                        f"{loading:.0f} s in COPY)"
                    )
        elapsed = time.perf_counter() - started
        say(f"processes: {made:,} in {elapsed:.0f} s = {made / elapsed * 60:,.0f} processes/min")
    register_streams(conn, progress, pbases, batches)
    finish(conn, progress, pbases)
    performance_phase(conn, progress, bases)
    say(f"all done in {time.perf_counter() - t0:.0f} s this run")
    report_size(conn)


def drop_indexes(conn, progress: Progress) -> None:
    """The secondary indexes and unique constraints of the big tables, kept to build again."""
    cur = conn.cursor()
    constraints = cur.execute(
        "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)",
        [list(BIG_TABLES)],
    ).fetchall()
    indexes = cur.execute(
        "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        [list(BIG_TABLES)],
    ).fetchall()
    progress.put("dropped", {"constraints": constraints, "indexes": indexes}, commit=False)
    for name, table, _definition in constraints:
        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _table, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    conn.commit()
    say(f"dropped {len(indexes)} indexes and {len(constraints)} unique constraints for the load")


def register_streams(conn, progress: Progress, pbases: dict, batches: int) -> None:
    """Each copy's stream in the register of streams, chained in order (one transaction)."""
    if progress.get("registered"):
        return
    started = time.perf_counter()
    with conn.transaction():
        cur = conn.cursor()
        cur.execute("SET LOCAL session_replication_role = replica")
        row = cur.execute(
            "SELECT last_seq, last_hash FROM core_audithead WHERE key = %s FOR UPDATE", [REGISTER]
        ).fetchone()
        seq, prev = row if row else (0, GENESIS)
        lines = []
        event_id = pbases["register"]
        for b in range(batches):
            (entries,) = cur.execute(
                "SELECT value FROM bench_scale_progress WHERE key = %s", [f"batch:{b}"]
            ).fetchone()
            for stream, at_s, actor, name, behalf, behalf_pid in entries:
                seq += 1
                canonical = (
                    f'{{"action":"open-stream","actor_id":{"null" if actor is None else actor},'
                    f'"actor_name":{_js(name)},"after":null,"at":"{at_s}","before":null,'
                    f'"object_id":{_js(stream)},"object_type":"core.audithead",'
                    f'"on_behalf_of":{_js(behalf)},'
                    f'"on_behalf_of_person_id":{"null" if behalf_pid is None else behalf_pid},'
                    f'"prev_hash":"{prev}","seq":{seq},"stream":"{REGISTER}"}}'
                )
                digest = hashlib.sha256(canonical.encode()).hexdigest()
                lines.append(
                    "\t".join(
                        (
                            str(event_id),
                            REGISTER,
                            str(seq),
                            at_s,
                            NULL if actor is None else str(actor),
                            escape(name),
                            escape(behalf),
                            NULL if behalf_pid is None else str(behalf_pid),
                            "open-stream",
                            "core.audithead",
                            stream,
                            NULL,
                            NULL,
                            prev,
                            digest,
                        )
                    )
                    + "\n"
                )
                prev = digest
                event_id += 1
            if len(lines) >= 50_000:
                copy_rows(cur, "core_auditevent", EVENT_COLUMNS, lines)
                lines = []
        copy_rows(cur, "core_auditevent", EVENT_COLUMNS, lines)
        cur.execute(
            "INSERT INTO core_audithead (key, last_seq, last_hash) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET last_seq = EXCLUDED.last_seq, "
            "last_hash = EXCLUDED.last_hash",
            [REGISTER, seq, prev],
        )
        progress.put("registered", True, conn=conn, commit=False)
    say(f"register of streams: {seq:,} entries ({time.perf_counter() - started:.0f} s)")


def finish(conn, progress: Progress, pbases: dict) -> None:
    """Indexes back, sequences after the last ids, numbering books at their last number,
    every reference checked, statistics."""
    if progress.get("finished"):
        return
    cur = conn.cursor()
    dropped = progress.get("dropped") or {"constraints": [], "indexes": []}
    cur.execute("SET maintenance_work_mem = '1GB'")
    for name, table, definition in dropped["indexes"]:
        started = time.perf_counter()
        cur.execute(
            definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1).replace(
                "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1
            )
        )
        conn.commit()
        say(f"  index {name} on {table}: {time.perf_counter() - started:.0f} s")
    for name, table, definition in dropped["constraints"]:
        exists = cur.execute(
            "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid::regclass::text = %s",
            [name, table],
        ).fetchone()
        if not exists:
            started = time.perf_counter()
            cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            conn.commit()
            say(f"  constraint {name} on {table}: {time.perf_counter() - started:.0f} s")
    tables = cur.execute(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
        "ON t.table_name = c.table_name AND t.table_schema = c.table_schema "
        "WHERE c.table_schema = 'public' AND c.column_name = 'id' AND t.table_type = 'BASE TABLE'"
    ).fetchall()
    for (table,) in tables:
        seq_name = cur.execute(
            "SELECT pg_get_serial_sequence(%s, 'id')", [f'"{table}"']
        ).fetchone()[0]
        if seq_name:
            cur.execute(
                f'SELECT setval(%s, coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)',
                [seq_name],
            )
    cur.execute(
        "UPDATE documents_numberingbook b SET last_sequence = m.top FROM (SELECT book_id, "
        "max(sequence) AS top FROM documents_letternumber GROUP BY book_id) m "
        "WHERE m.book_id = b.id AND b.last_sequence < m.top"
    )
    conn.commit()
    check_references(conn)
    conn.autocommit = True
    started = time.perf_counter()
    # As autovacuum would have by now: statistics, and the visibility map that index-only
    # scans need.
    conn.execute("VACUUM (ANALYZE)")
    conn.autocommit = False
    say(f"VACUUM (ANALYZE): {time.perf_counter() - started:.0f} s")
    progress.put("finished", True)


def check_references(conn, tables=None) -> None:
    """Every foreign key of the tables loaded with the triggers off points at a row."""
    cur = conn.cursor()
    tables = tables or [t for t, _ in CLONED] + ["workflow_notification", "core_auditevent"]
    fks = [(t, c, r) for (t, c), r in _fk_map(cur).items() if t in tables]
    bad = []
    started = time.perf_counter()
    for table, column, ref in fks:
        (count,) = cur.execute(
            f'SELECT count(*) FROM "{table}" c WHERE c."{column}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM "{ref}" p WHERE p.id = c."{column}")'
        ).fetchone()
        if count:
            bad.append(f"{table}.{column}: {count:,} rows point nowhere")
    conn.commit()
    if bad:
        raise SystemExit("References broken:\n  " + "\n  ".join(bad))
    say(f"{len(fks)} foreign keys checked ({time.perf_counter() - started:.0f} s)")


def report_size(conn) -> None:
    rows = conn.execute(
        "SELECT (SELECT count(*) FROM workflow_process), (SELECT count(*) FROM workflow_task), "
        "(SELECT count(*) FROM core_auditevent), pg_size_pretty(pg_database_size(current_database()))"
    ).fetchone()
    conn.commit()
    say(f"data set: {rows[0]:,} processes, {rows[1]:,} tasks, {rows[2]:,} audit events, {rows[3]}")


# The performance data of a perangkat daerah: the demo's Setda, its Bagian and Sub Bagian
# become the unit, its Sekretariat and its Sub Bagian Perencanaan; the Sekda who heads the
# Setda becomes the head of the unit.
PERFORMANCE = (
    ("performance_renstra", "id = %(r)s"),
    ("performance_goal", "renstra_id = %(r)s"),
    ("performance_objective", "renstra_id = %(r)s"),
    (
        "performance_indicator",
        "objective_id IN (SELECT id FROM performance_objective WHERE renstra_id = %(r)s)",
    ),
    (
        "performance_indicatortarget",
        "indicator_id IN (SELECT i.id FROM performance_indicator i JOIN performance_objective o "
        "ON o.id = i.objective_id WHERE o.renstra_id = %(r)s)",
    ),
    (
        "performance_realisasi",
        "indicator_id IN (SELECT i.id FROM performance_indicator i JOIN performance_objective o "
        "ON o.id = i.objective_id WHERE o.renstra_id = %(r)s)",
    ),
    ("performance_quarterclosure", "renstra_id = %(r)s"),
    ("performance_reportingdeadline", "renstra_id = %(r)s"),
    ("performance_renja", "renstra_id = %(r)s"),
    (
        "performance_renjaitem",
        "renja_id IN (SELECT id FROM performance_renja WHERE renstra_id = %(r)s)",
    ),
    (
        "performance_budgetrealisation",
        "item_id IN (SELECT i.id FROM performance_renjaitem i JOIN performance_renja r "
        "ON r.id = i.renja_id WHERE r.renstra_id = %(r)s)",
    ),
    ("performance_performanceagreement", "renstra_id = %(r)s"),
    (
        "performance_agreementtarget",
        "agreement_id IN (SELECT id FROM performance_performanceagreement WHERE renstra_id = "
        "%(r)s)",
    ),
)
PERFORMANCE_USER_ROLE = {**DEMO_USER_ROLE, "sekda": "kepala", "asisten3": "kepala"}
PERFORMANCE_POSITION_ROLE = {**DEMO_POSITION_ROLE, "sekda": "kepala", "asisten-3": "kepala"}


def performance_phase(conn, progress: Progress, bases: dict) -> None:
    """Each perangkat daerah's performance data, copied from the demo's (its Renstra
    2021-2026 with its cascade, indicators and yearly targets, the realisasi of every year
    and the serapan, the quarters closed, the Renja and the PK at three levels), linked to
    the unit's own SOP-013 and SOP-015 runs. No audit events for these rows (the demo's
    performance streams are not copied)."""
    if progress.get("performance"):
        return
    cur = conn.cursor()
    template = cur.execute(
        "SELECT id FROM performance_renstra WHERE id IN (SELECT min(id) FROM performance_renstra)"
    ).fetchone()
    if template is None:
        progress.put("performance", True)
        return
    renstra = template[0]
    pbases = progress.get("bases")
    texts = Texts(cur, PERFORMANCE_USER_ROLE, PERFORMANCE_POSITION_ROLE)
    texts.base_year = 2026  # no year moves: the copies are of the same Renstra period
    fks = _fk_map(cur)
    tables = [t for t, _ in PERFORMANCE]
    columns = {t: _columns(cur, t) for t in tables}
    rows = {}
    for table, where in PERFORMANCE:
        cur.execute(f'SELECT * FROM "{table}" WHERE {where} ORDER BY id', {"r": renstra})
        names = [d.name for d in cur.description]
        rows[table] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for row in rows[table]:
            row["_birth"] = row.get("created_at") or row.get("closed_at")
    units = {}
    for uid, code in texts.units.items():
        units[uid] = {"setda": "unit", "pemkot-banjarbaru": "unit"}.get(
            code, "unit_sub" if code == "subbag-perencanaan" else "unit_sek"
        )
    run_of = {
        pk: (run_year, SOPS.index(number.split("/")[0]))
        for pk, run_year, number in cur.execute(
            "SELECT p.id, p.run_year, s.number FROM workflow_process p JOIN sop_sopversion v "
            "ON v.id = p.sop_version_id JOIN sop_sop s ON s.id = v.sop_id WHERE p.id < %s",
            [pbases["workflow_process"]],
        )
    }
    first_year, per_year = bases["first_year"], bases["pemdas"] * UNITS_PER_PEMDA * len(SOPS)
    processes = {
        pk: f"proc_{pk}"
        for pk, (run_year, _sop) in run_of.items()
        if first_year <= run_year < first_year + bases["years"]
    }
    local = {t: {r["id"]: n for n, r in enumerate(rows[t])} for t in tables}
    cells = {
        t: [
            _cells(t, r, columns[t], fks, set(tables), local, texts, 0, units, processes)
            for r in rows[t]
        ]
        for t in tables
    }
    variant = Variant(rows=cells, events=[])
    compiled = Compiled(variant)
    strides = {t: max(1, len(rows[t])) for t in tables}
    perf = progress.get("perf_bases")
    if perf is None:
        perf = {}
        for t in tables:
            (top,) = cur.execute(f'SELECT coalesce(max(id), 0) FROM "{t}"').fetchone()
            perf[t] = top + 1
        progress.put("perf_bases", perf)
    org = Org(bases, dt.date.fromisoformat(bases["today"]))
    done = {int(k.split(":")[1]) for k in progress.keys("perf:")}
    started = time.perf_counter()
    made = 0
    cols = {t: [c for c, _ in columns[t]] for t in tables}
    for i in range(bases["pemdas"]):
        if i in done:
            continue
        out = {t: [] for t in tables}
        for j in range(UNITS_PER_PEMDA):
            n = i * UNITS_PER_PEMDA + j
            f = {"org": pd_name(i, j), "pemda": pemda_name(i), "pemda_upper": pemda_name(i).upper()}
            f["short"] = f"Kab{i + 1:03d}-OPD{j + 1:02d}"
            f["unit_code"] = f"pemda-{i + 1:03d}-opd-{j + 1:02d}"
            unit = org.unit(i, j)
            f["unit"], f["unit_sek"], f["unit_sub"] = unit, unit + 1, unit + 2
            for role in PD_ROLES + PEMDA_ROLES:
                f[f"n_{role}"] = org.name(role, i, j)
                f[f"pos_{role}"] = position_name(role, i, j)
                f[f"pid_{role}"] = f[f"person_{role}"] = org.person(role, i, j)
                f[f"user_{role}"] = org.user(role, i, j)
                f[f"position_{role}"] = org.position(role, i, j)
            for y in range(-15, 16):
                f[f"y_{'m' if y < 0 else 'p'}{abs(y)}"] = 2026 + y
            for pk, key in processes.items():
                run_year, sop = run_of[pk]
                slot = (run_year - first_year) * per_year + i * 120 + j * 3 + sop
                f[key] = pbases["workflow_process"] + slot
            for (table, idx), key in compiled.ids.items():
                f[key] = perf[table] + strides[table] * n + idx
            for value, key in compiled.times.items():
                f[key] = value.isoformat(timespec="microseconds")
            for key, kind, args in compiled.other:
                f[key] = (
                    args[0]
                    if kind == "yplus"
                    else (args[0].isoformat() if kind in ("date", "ydate") else uuid.uuid4())
                )
            for table, fmt in compiled.rows:
                out[table].append(fmt.format_map(f))
        with conn.transaction():
            cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute("SET LOCAL synchronous_commit = off")
            for table in tables:
                copy_rows(cur, table, cols[table], out[table])
            progress.put(f"perf:{i}", True, conn=conn, commit=False)
        made += UNITS_PER_PEMDA
        if (i + 1) % 50 == 0:
            say(
                f"  performance data: {i + 1} Pemda, {made / (time.perf_counter() - started):,.0f} "
                "units/s"
            )
    for table in tables:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)',
            [f'"{table}"'],
        )
    conn.commit()
    check_references(conn, tables)
    conn.autocommit = True
    for table in tables:
        conn.execute(f'VACUUM (ANALYZE) "{table}"')
    conn.autocommit = False
    progress.put("performance", True)
    say(f"performance data: {made:,} units in {time.perf_counter() - started:.0f} s")


# --- measure -----------------------------------------------------------------------------------

# Seconds of repeats per row of the table (the first request always counts), and the most a
# single row may take before it is cut short and reported as such.
ROW_BUDGET = {"repeats": 15.0, "limit": 90.0}
NEXT_LINK = re.compile(r'<a href="(\?[^"]*)"[^>]*>[^<]*&rarr;')


def measure(db_url: str, repeat: int) -> None:
    """Time the main pages and API lists as four officials, the inbox query, and one action
    on this database and on an empty one; print a Markdown table."""
    import subprocess

    from django.core.management import call_command
    from django.db import connection, connections

    django_setup(db_url, production=True)
    call_command("collectstatic", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model

    from kinerja.core import tokens
    from kinerja.sop.models import Sop
    from kinerja.workflow.models import Task
    from kinerja.workflow.permissions import visible_processes

    users = _officials()
    sops = list(Sop.objects.order_by("number").values_list("slug", flat=True))
    year = dt.date.today().year
    rows = []
    made_tokens = []
    for label, username in users:
        user = get_user_model().objects.select_related("person").get(username=username)
        token, raw = tokens.create_token(by=user, name="bench/scale.py measure")
        made_tokens.append((token, user))
        task = (
            Task.objects.inbox_for(user.person, on=dt.date.today()).first()
            if getattr(user, "person", None)
            else None
        )
        process = (
            task.process_id
            if task
            else visible_processes(user).order_by("-pk").values_list("pk", flat=True).first()
        )
        pages = [
            ("home", "/"),
            ("Tugas saya", "/tasks/"),
            ("processes", "/processes/"),
            *[(f"processes sop={sop}", f"/processes/?sop={sop}") for sop in sops],
            ("processes year", f"/processes/?year={year - 1}"),
            ("processes run_year", f"/processes/?run_year={year}"),
            ("processes status=running", "/processes/?status=running"),
            ("processes page 10 (Next links)", ("next", "/processes/", 9)),
            ("processes page 1000", "/processes/?page=1000"),
            ("process page", f"/processes/{process}/"),
            ("notifications", "/notifications/"),
            ("documents", "/documents/"),
            ("archive", "/archive/"),
            ("numbers", "/numbers/"),
            ("SOP list", "/sop/"),
            ("capaian dashboard", "/kinerja/dashboard/"),
            ("API tasks/mine", "/api/tasks/mine"),
            ("API processes", "/api/processes"),
            ("API processes sop", f"/api/processes?sop={sops[0]}"),
            ("API processes state=running", "/api/processes?state=running"),
            ("API processes page 1000", "/api/processes?page=1000"),
            ("API documents", "/api/documents"),
            ("API archive", "/api/archive"),
        ]
        for name, url in pages:
            connections.close_all()
            result = _in_child(_time_page, username, url, raw, repeat)
            rows.append((label, name, result))
            say(f"  {label} · {name}: {_cells_of(result)}")
        connections.close_all()
        result = _in_child(_time_inbox, username, repeat)
        rows.append((label, "inbox query (first page)", result))
        say(f"  {label} · inbox query: {_cells_of(result)}")
    for token, user in made_tokens:
        tokens.revoke_token(token=token, by=user)
    connections.close_all()
    big = _in_child(_time_action, repeat)
    empty_url = db_url.rsplit("/", 1)[0] + "/kinerja_scale_test_empty"
    out = subprocess.run(
        [sys.executable, __file__, "action", "--db-url", empty_url, "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        empty = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        empty = {"error": (out.stderr or out.stdout).strip()[-300:]}
    rows.append(("Kasubbag (demo)", "action: finish a task (big database)", big))
    rows.append(("Kasubbag (demo)", "action: finish a task (empty database)", empty))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM workflow_process), (SELECT count(*) FROM workflow_task), "
            "(SELECT count(*) FROM core_auditevent), "
            "pg_size_pretty(pg_database_size(current_database())), current_setting('server_version')"
        )
        processes, tasks, events, size, version = cursor.fetchone()
    memory = _memory_gb()
    print()
    print(
        f"Machine: {os.cpu_count()} cores, {memory:.0f} GB RAM, PostgreSQL {version}; shared with "
        f"other work while measured. Data set: {processes:,} processes, {tasks:,} tasks, "
        f"{events:,} audit events, {size}. {repeat} requests per row after one warm-up (which "
        f"counts the queries), {dt.date.today().isoformat()}."
    )
    print()
    print("| official | page | status | queries | p50 ms | p95 ms | n |")
    print("|---|---|---|---:|---:|---:|---:|")
    for label, name, result in rows:
        print(f"| {label} | {name} | {_cells_of(result, sep=' | ')} |")


def _officials() -> list[tuple[str, str]]:
    """A Pelaksana with active tasks, a Kasubbag who is Plt of another Kasubbag post, the
    head of the Pelaksana's unit, and an administrator (usernames)."""
    from django.db.models import Count

    from kinerja.org.models import Assignment
    from kinerja.workflow.models import Task

    pelaksana = (
        Task.objects.filter(status="active", assignee__user__username__endswith="-pelaksana")
        .values("assignee__user__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "assignee__user__username")
        .first()
    )
    pelaksana = pelaksana["assignee__user__username"] if pelaksana else "pelaksana"
    plt = (
        Assignment.objects.filter(kind="plt", position__code__endswith="-kasubbag")
        .order_by("pk")
        .values_list("person__user__username", flat=True)
        .first()
    ) or "kasubbag"
    head = pelaksana.replace("-pelaksana", "-kepala") if pelaksana != "pelaksana" else "kabag"
    return [
        ("Pelaksana", pelaksana),
        ("Kasubbag, Plt elsewhere", plt),
        ("Kepala (unit head)", head),
        ("Administrator", "admin"),
    ]


def _in_child(work, *args):
    """`work(*args)` in a forked process, cut short after ROW_BUDGET seconds (and a margin)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def run():
        try:
            send.send(work(*args))
        except Exception as exc:  # noqa: BLE001 - reported in the table, not raised
            send.send({"error": f"{type(exc).__name__}: {exc}"[:200]})

    child = ctx.Process(target=run)
    child.start()
    found = receive.poll(ROW_BUDGET["limit"])
    result = receive.recv() if found else {"error": f"over {ROW_BUDGET['limit']:.0f} s"}
    if child.is_alive():
        child.kill()
    child.join()
    return result


def _timings(call, repeat: int) -> dict:
    """One warm-up call under CaptureQueriesContext (its queries), then up to `repeat` timed
    calls within ROW_BUDGET seconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        status = call()
    first = time.perf_counter() - started
    queries = len(captured)  # now: the next request empties the log
    times = []
    budget = time.perf_counter() + ROW_BUDGET["repeats"]
    for _ in range(repeat):
        if time.perf_counter() > budget:
            break
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "status": status,
        "queries": queries,
        "times": times or [first * 1000],
    }


def _time_page(username: str, url, raw_token: str, repeat: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username=username)
    if isinstance(url, str) and url.startswith("/api/"):
        client = Client(headers={"Authorization": f"Bearer {raw_token}"})
    else:
        client = Client()
        client.force_login(user)
    if isinstance(url, tuple):  # follow the list's own Next links (whatever paging it uses)
        _kind, start, hops = url
        url = start
        for hop in range(hops):
            found = NEXT_LINK.search(client.get(url).content.decode())
            if not found:
                return {"error": f"only {hop + 1} pages"}
            url = start.split("?")[0] + found.group(1).replace("&amp;", "&")

    def call():
        return client.get(url).status_code

    return _timings(call, repeat)


def _time_inbox(username: str, repeat: int) -> dict:
    from django.contrib.auth import get_user_model

    from kinerja.workflow.models import Task

    person = get_user_model().objects.select_related("person").get(username=username)
    person = getattr(person, "person", None)
    if person is None:
        return {"error": "no person"}

    def call():
        list(Task.objects.inbox_for(person, on=dt.date.today())[:25])
        return "-"

    return _timings(call, repeat)


def _time_action(repeat: int) -> dict:
    """Finish the first task of a new SOP-011 run, as bench/workflow.py does, `repeat` times;
    each run is rolled back, so the data set stays as it was."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from kinerja import actions
    from kinerja.sop.services import find_sop
    from kinerja.workflow.graph import graph_for
    from kinerja.workflow.models import Task

    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["kasubbag", "pelaksana"])
    }
    sop = find_sop("SOP-011")
    times, queries = [], 0
    for n in range(repeat + 1):
        with transaction.atomic():
            process = actions.start_process(
                sop=sop,
                title=f"Beban uji {n}",
                year=dt.date.today().year - 1,
                reason="Beban uji: diukur lalu dibatalkan",
                by=users["kasubbag"],
            )
            task = Task.objects.select_related("step").get(process=process, status="active")
            inputs = graph_for(process.sop_version).by_pk[task.step_id].inputs
            provided = {d.name: f"{d.name} (beban uji)" for d in inputs}
            started = time.perf_counter()
            if n == 0:
                with CaptureQueriesContext(connection) as captured:
                    actions.finish(task=task, by=users["pelaksana"], output="v", provided=provided)
                queries = len(captured)
            else:
                actions.finish(task=task, by=users["pelaksana"], output="v", provided=provided)
                times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    return {"status": "-", "queries": queries, "times": times}


def action_on_empty(db_url: str, repeat: int) -> None:
    """The action of _time_action on a database with only the demo (made when missing)."""
    from django.core.management import call_command

    ensure_database(db_url)
    var = django_setup(db_url, production=True)
    call_command("migrate", verbosity=0, interactive=False)
    from kinerja.demo.services import build_demo

    build_demo(var_dir=var)
    print(json.dumps(_time_action(repeat)))


def _cells_of(result: dict, sep: str = " ") -> str:
    if "error" in result:
        return sep.join([result["error"].replace("|", "/"), "", "", "", ""])
    times = sorted(result["times"])
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return sep.join(
        [str(result["status"]), str(result["queries"]), f"{p50:.1f}", f"{p95:.1f}", str(len(times))]
    )


def _memory_gb() -> float:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="fill a PostgreSQL database with a national data set")
    gen.add_argument("--db-url", required=True)
    gen.add_argument("--processes", type=int, default=650_000)
    gen.add_argument("--years", type=int, default=10)
    gen.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    mea = sub.add_parser("measure", help="time the main pages on a generated database")
    mea.add_argument("--db-url", required=True)
    mea.add_argument("--repeat", type=int, default=30)
    mea.add_argument(
        "--budget", type=float, default=15.0, help="seconds of repeats per row (default 15)"
    )
    mea.add_argument(
        "--limit", type=float, default=90.0, help="seconds before a row is cut short (default 90)"
    )
    act = sub.add_parser("action")  # the empty database's side of measure (a child process)
    act.add_argument("--db-url", required=True)
    act.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if not args.db_url.startswith("postgres"):
        parser.error("--db-url: a PostgreSQL address (postgres://user@host:port/name)")
    if args.command == "generate":
        if args.processes < 1 or not 1 <= args.years <= 30:
            parser.error("--processes at least 1, --years from 1 to 30")
        generate(args.db_url, args.processes, args.years, args.workers)
    elif args.command == "action":
        action_on_empty(args.db_url, args.repeat)
    else:
        ROW_BUDGET.update(repeats=args.budget, limit=args.limit)
        measure(args.db_url, args.repeat)


if __name__ == "__main__":
    main()
