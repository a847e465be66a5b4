"""manage.py demo: one login per position, the shipped SOPs, and nothing lost on a second run."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from kinerja.demo.services import DEMO_USERS, build_demo
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.org.nip import validate_nip
from kinerja.org.services import holders_on
from kinerja.sop.models import Lane, Sop, SopVersion

pytestmark = pytest.mark.django_db

SOP_LOGINS = ["pelaksana", "kasubbag", "kabag", "asisten3", "sekda", "walikota"]


def test_demo_has_a_login_for_every_sop_position_and_each_other_bagian(tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    for username in [*SOP_LOGINS, "admin"]:
        user = get_user_model().objects.get(username=username)
        assert user.check_password("sandi-demo-untuk-uji")
    bagian = Unit.objects.filter(parent__code="setda", code__startswith="bagian-").exclude(
        code="bagian-umum"
    )
    assert bagian.count() == 8
    for unit in bagian:
        people = Person.objects.filter(assignments__position__unit=unit, user__isnull=False)
        assert people.count() == 1, unit
    assert get_user_model().objects.get(username="admin").is_superuser


def test_every_lane_of_the_shipped_sops_is_held_by_a_demo_person(tmp_path):
    build_demo(var_dir=tmp_path)
    today = dt.date(2026, 1, 15)
    lanes = Lane.objects.filter(version__status=SopVersion.Status.PUBLISHED)
    assert lanes.count() == 15
    for lane in lanes.select_related("position"):
        holders = holders_on(lane.position, today)
        assert holders and holders[0].person.user is not None, lane
    # SOP-013's generic Kepala Sub Bagian / Kepala Bagian are the planning ones.
    sop13 = {
        lane.key: lane.position.code for lane in lanes if lane.version.sop.number == "SOP-013/SETDA"
    }
    assert sop13["kasubbag"] == "kasubbag-perencanaan"
    assert sop13["kabag"] == "kabag-umum"


def test_demo_people_are_named_after_their_position_with_valid_nips(tmp_path):
    build_demo(var_dir=tmp_path)
    for person in Person.objects.select_related("user"):
        position = Position.objects.get(code=DEMO_USERS[person.user.username])
        assert person.name == f"Demo {position.name}"
        if person.user.username == "walikota":
            assert person.nip is None
        else:
            assert validate_nip(person.nip) == person.nip


@pytest.mark.parametrize("demo_password", ["", "sandi-demo-untuk-uji"], ids=["file", "env"])
def test_running_the_demo_twice_changes_nothing(tmp_path, settings, demo_password):
    settings.DEMO_PASSWORD = demo_password
    first = build_demo(var_dir=tmp_path)
    counts = (
        get_user_model().objects.count(),
        Person.objects.count(),
        Assignment.objects.count(),
        Sop.objects.count(),
        SopVersion.objects.count(),
    )
    hashes = {u.username: u.password for u in get_user_model().objects.all()}
    second = build_demo(var_dir=tmp_path)
    assert second.password == first.password
    assert second.created_users == 0
    assert not any(r.created for r in second.sops)
    assert counts == (
        get_user_model().objects.count(),
        Person.objects.count(),
        Assignment.objects.count(),
        Sop.objects.count(),
        SopVersion.objects.count(),
    )
    assert hashes == {u.username: u.password for u in get_user_model().objects.all()}


def test_a_changed_demo_password_is_given_to_every_demo_account(tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    settings.DEMO_PASSWORD = "sandi-demo-yang-baru"
    build_demo(var_dir=tmp_path)
    for username in [*SOP_LOGINS, "admin"]:
        assert (
            get_user_model().objects.get(username=username).check_password("sandi-demo-yang-baru")
        )


def test_a_password_changed_in_the_administration_survives_the_demo_without_demo_password(
    tmp_path, settings
):
    settings.DEMO_PASSWORD = ""
    build_demo(var_dir=tmp_path)
    sekda = get_user_model().objects.get(username="sekda")
    sekda.set_password("sandi-pilihan-sekda")
    sekda.save()
    build_demo(var_dir=tmp_path)
    sekda.refresh_from_db()
    assert sekda.check_password("sandi-pilihan-sekda")


def test_without_demo_password_one_is_made_kept_and_printed(tmp_path, settings, capsys):
    settings.DEMO_PASSWORD = ""
    settings.VAR_DIR = tmp_path
    call_command("demo")
    out = capsys.readouterr().out
    password = (tmp_path / "demo-password.txt").read_text().strip()
    assert len(password) >= 10
    assert password in out
    assert "pelaksana" in out and "walikota" in out
    assert get_user_model().objects.get(username="sekda").check_password(password)
    call_command("demo")
    assert password in capsys.readouterr().out


def test_the_demo_command_starts_this_years_processes_once(tmp_path, settings):
    from kinerja.workflow.models import Process, Task

    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.VAR_DIR = tmp_path
    settings.KINERJA_PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    # The Sub Bagian Perencanaan's own runs (the bagian's finished runs: test_demo_history).
    assert Process.objects.filter(unit__code="subbag-perencanaan").count() == 3
    active = {
        t.process.sop_version.sop.number: (t.step.number, t.assignee.user.username)
        for t in Task.objects.filter(status=Task.Status.ACTIVE).select_related(
            "process__sop_version__sop", "step", "assignee__user"
        )
    }
    # The LKjIP's draft waits for the Kasubbag's paraf, the Renja's (made from the
    # proposals in the data) for the Kabag Umum's.
    assert active == {"SOP-011/SETDA": (4, "kasubbag"), "SOP-015/SETDA": (7, "kabag")}


def _pk_year(year: int) -> int:
    """The demo's PK run: the newest year of its performance data up to this year (the PK
    of 2026, whose agreements the data holds signed), else last year."""
    from kinerja.demo.performance import YEARS

    return YEARS[-1] if YEARS[-1] <= year else year - 1


def test_the_demo_shows_last_years_signed_pk_in_the_archive(tmp_path, settings):
    """A new user finds real documents: the PK made from the data, signed by the Sekda and
    the Walikota and filed, and drafts waiting in this year's processes."""
    from kinerja.documents.models import ArchiveEntry, LetterNumber
    from kinerja.documents.signing import verify_pdf
    from kinerja.performance.models import GeneratedReport
    from kinerja.workflow.models import Process

    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.VAR_DIR = tmp_path
    settings.KINERJA_PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=io.StringIO())
    year = timezone.localdate().year
    own = Process.objects.filter(unit__code="subbag-perencanaan")
    pk = own.get(sop_version__sop__number="SOP-013/SETDA")
    assert (pk.year, pk.status) == (_pk_year(year), Process.Status.DONE)
    entry = ArchiveEntry.objects.get(process=pk)
    assert entry.process == pk
    assert entry.classification.code == "000.7.2.7"
    assert entry.version.is_final and entry.sha256 == entry.version.sha256
    with entry.version.file.open("rb") as fh:
        report = verify_pdf(fh.read())
    assert report.valid
    assert [s.signer for s in report.signatures] == [
        "Demo Sekretaris Daerah",
        "Demo Wali Kota Banjarbaru",
    ]
    # Made from the data at step 3 ("Buat draft dari data"): the PKs of the three levels.
    made = GeneratedReport.objects.select_related("version").get(version__document__process=pk)
    draft = made.version
    assert (draft.number, draft.source) == (1, "generated")
    assert made.kind == "pk" and len(made.source["agreements"]) == 3
    assert [p.position for p in draft.parafs.all()] == [
        "Kepala Sub Bagian Perencanaan",
        "Kepala Bagian Umum",
    ]
    invitation = LetterNumber.objects.get(process=pk)
    assert invitation.number == f"000.1.2.3/001/Setda-Umum/{_pk_year(year)}"
    lkjip = own.get(sop_version__sop__number="SOP-011/SETDA")
    assert lkjip.documents.filter(versions__kind="pdf").count() == 2  # invitation, draft
    # The LKjIP draft waiting for the Kasubbag's paraf is made from last year's data.
    lkjip_draft = GeneratedReport.objects.get(version__document__process=lkjip)
    assert (lkjip_draft.kind, lkjip_draft.source["period"]) == ("lkjip", f"Tahun {year - 1}")


def test_the_demo_has_a_year_of_performance_data_entered_by_the_bagian(tmp_path, settings):
    """A new user finds the SAKIP half filled in: the Renstra with its cascade, the PK of
    each level signed by the holders of the day, and the realisasi of the year through TW
    III, with its capaian and formula, entered by the bagian themselves."""
    from kinerja.core.audit import verify
    from kinerja.performance.models import PerformanceAgreement, Realisasi, Renstra
    from kinerja.performance.selectors import capaian_table

    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.VAR_DIR = tmp_path
    settings.KINERJA_PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())  # again: nothing added
    renstra = Renstra.objects.get()
    rows = {r.indicator.code: r for r in capaian_table(renstra, 2026, up_to=3)}
    assert rows["IK2.1"].result.formula == "(2×14 − 16) ÷ 14 = 85,71%"
    assert rows["IK3.1"].result.formula == "80 ≤ 86 ≤ 90: 100,00%"
    assert rows["IK2.1"].combined.missing == ("TW III",)
    by_hukum = Realisasi.objects.filter(entered_by__user__username="operator-hukum")
    assert by_hukum.count() == 5
    assert set(Realisasi.objects.values_list("state", flat=True)) == {
        "locked",
        "submitted",
        "returned",
    }
    pks = {a.level: a for a in PerformanceAgreement.objects.all()}
    assert sorted(pks) == ["II", "III", "IV"]
    assert pks["II"].second_party["position"] == "Wali Kota Banjarbaru"
    assert pks["IV"].budget[-1]["pagu"] == "105500000.00"  # the Sub Bagian's three sub kegiatan
    assert verify(f"renstra:{renstra.pk}") == []


def test_the_demo_runs_each_process_for_its_period(tmp_path, settings):
    """This year's Renja is for next year and the LKjIP reports on last year, as the
    issue saw them listed: each names its period in the title and runs this year."""
    from kinerja.workflow.models import Process

    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.VAR_DIR = tmp_path
    settings.KINERJA_PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=io.StringIO())
    year = timezone.localdate().year
    years = {
        p.sop_version.sop.number: (p.title, p.year, p.run_year)
        for p in Process.objects.filter(unit__code="subbag-perencanaan").select_related(
            "sop_version__sop"
        )
    }
    assert years == {
        "SOP-011/SETDA": (f"Penyusunan Laporan Kinerja Tahun {year - 1}", year - 1, year),
        "SOP-013/SETDA": (
            f"Penyusunan Perjanjian Kinerja Tahun {_pk_year(year)}",
            _pk_year(year),
            _pk_year(year),
        ),
        "SOP-015/SETDA": (f"Penyusunan Rencana Kerja Tahun {year + 1}", year + 1, year),
    }


def test_the_planners_may_write_sops_also_on_a_demo_made_before_the_editor(tmp_path):
    from django.contrib.auth.models import Group, Permission

    from kinerja.sop.permissions import may_author

    build_demo(var_dir=tmp_path)
    planners = Group.objects.get(name="Perencana")
    author = Permission.objects.get(codename="author_sop")
    assert may_author(get_user_model().objects.get(username="kasubbag"))
    assert not may_author(get_user_model().objects.get(username="operator-hukum"))
    # A demo database made before the editor: the group has its other permissions only.
    planners.permissions.remove(author)
    build_demo(var_dir=tmp_path)
    assert planners.permissions.filter(pk=author.pk).exists()
    assert planners.permissions.count() == 3
    kasubbag = get_user_model().objects.get(username="kasubbag")
    assert may_author(kasubbag, Unit.objects.get(code="subbag-perencanaan"))
    assert not may_author(kasubbag, Unit.objects.get(code="bagian-hukum"))
