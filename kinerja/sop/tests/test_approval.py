"""Approval (pengesahan) of an SOP: the Kasubbag submits a revision, the Sekda returns it
with a note or approves it with an electronic signature on the SOP document.

Through kinerja.actions (submit_sop, approve_sop, return_sop), as every way in calls them.
"""

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kinerja import actions
from kinerja.actions import sop_approval
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.demo.services import build_demo
from kinerja.documents.signing import verify_pdf
from kinerja.org.models import Assignment, Position
from kinerja.sop import permissions
from kinerja.sop.models import ApprovalEvent, SopSignature, SopVersion, Step
from kinerja.sop.services import find_sop, start_revision
from kinerja.workflow.models import Process

WITA = ZoneInfo("Asia/Makassar")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA)


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


def _user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture
def kasubbag(demo):
    return _user("kasubbag")


@pytest.fixture
def sekda(demo):
    return _user("sekda")


@pytest.fixture
def outsider(demo):
    return _user("operator-hukum")


@pytest.fixture
def draft(demo, kasubbag):
    """A revision of SOP-011 (the LKjIP), drafted by the Kasubbag."""
    return start_revision(sop=find_sop("SOP-011"), by=kasubbag, change_note="Evaluasi 2026")


def _refresh(version):
    return SopVersion.objects.get(pk=version.pk)


def test_the_sekda_approves_the_setda_sops(demo, sekda, kasubbag):
    version = find_sop("SOP-011").versions.get()
    assert permissions.may_approve(sekda, version)
    assert not permissions.may_approve(kasubbag, version)
    [holding] = permissions.approvers_of(version)
    assert holding.position.code == "sekda" and holding.acting == ""


def test_a_plh_of_the_sekda_approves_on_the_days_of_the_assignment(demo, draft):
    kabag = _user("kabag")
    Assignment.objects.create(
        person=kabag.person,
        position=Position.objects.get(code="sekda"),
        kind=Assignment.Kind.PLH,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 6),
    )
    holding = permissions.approver_holding(kabag, draft, on=dt.date(2026, 3, 3))
    assert holding is not None and holding.title == "Plh. Sekretaris Daerah"
    assert permissions.approver_holding(kabag, draft, on=dt.date(2026, 3, 9)) is None


def test_submitting_is_refused_with_the_findings_that_block_it(draft, kasubbag):
    step = draft.steps.get(number=3)
    step.time_amount, step.time_unit = None, ""
    step.save()

    with translation.override("en"), pytest.raises(DomainError) as refused:
        actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)

    assert "cannot go further until these are corrected" in refused.value.message
    assert "Step 3 has no time standard (Waktu)." in refused.value.message
    assert _refresh(draft).status == SopVersion.Status.DRAFT
    assert not ApprovalEvent.objects.exists()


def test_submitting_makes_the_draft_wait_for_the_sekda_and_stop_being_editable(
    draft, kasubbag, sekda
):
    version = actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)

    assert version.status == SopVersion.Status.SUBMITTED
    assert not version.is_editable
    [event] = ApprovalEvent.objects.filter(version=draft)
    assert (event.action, event.name) == ("submitted", kasubbag.person.name)
    assert permissions.awaiting_approval_by(sekda, on=MONDAY.date()) == [version]
    assert permissions.awaiting_approval_by(kasubbag, on=MONDAY.date()) == []
    audit = AuditEvent.objects.get(stream=f"sop:{draft.sop_id}", action="sop-submitted")
    assert audit.actor_id == kasubbag.pk


def test_an_outsider_may_not_submit(draft, outsider):
    with pytest.raises(PermissionDenied):
        actions.submit_sop(version=draft, by=outsider, now=MONDAY)


def test_only_the_sekda_returns_and_a_return_needs_a_note(draft, kasubbag, sekda, outsider):
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)

    with pytest.raises(PermissionDenied):
        actions.return_sop(version=draft, by=kasubbag, note="Kurang jelas", now=MONDAY)
    with pytest.raises(PermissionDenied):
        actions.return_sop(version=draft, by=outsider, note="Kurang jelas", now=MONDAY)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        actions.return_sop(version=draft, by=sekda, note="   ", now=MONDAY)
    assert refused.value.field == "note"
    assert "Write a note for the authors" in refused.value.message

    version = actions.return_sop(
        version=draft, by=sekda, note="Waktu langkah 5 terlalu singkat.", now=MONDAY
    )

    assert version.status == SopVersion.Status.DRAFT and version.is_editable
    returned = ApprovalEvent.objects.get(version=draft, action="returned")
    assert returned.note == "Waktu langkah 5 terlalu singkat."
    assert returned.position == "Sekretaris Daerah"


def test_only_the_sekda_approves(draft, kasubbag, outsider):
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)

    for who in (kasubbag, outsider):
        with translation.override("en"), pytest.raises(PermissionDenied) as refused:
            actions.approve_sop(version=draft, by=who, now=MONDAY)
        assert "Only the Sekretaris Daerah" in str(refused.value)
    assert _refresh(draft).status == SopVersion.Status.SUBMITTED
    assert not SopSignature.objects.exists()


def test_a_draft_not_submitted_cannot_be_approved(draft, sekda):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        actions.approve_sop(version=draft, by=sekda, now=MONDAY)
    assert "is not submitted for approval" in refused.value.message


def test_approving_signs_publishes_and_supersedes(draft, kasubbag, sekda):
    before = find_sop("SOP-011").versions.get(status="published")
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)

    version = actions.approve_sop(version=draft, by=sekda, now=MONDAY)

    assert version.status == SopVersion.Status.PUBLISHED
    assert _refresh(before).status == SopVersion.Status.SUPERSEDED
    # The paper names the one who signed.
    assert version.approver_name == sekda.person.name
    assert version.approver_nip == sekda.person.nip
    signature = SopSignature.objects.get(version=draft)
    assert (signature.name, signature.position) == (sekda.person.name, "Sekretaris Daerah")
    pdf = signature.file.read()
    report = verify_pdf(pdf)
    assert report.status == "valid"
    [sig] = report.signatures
    assert sig.signer == sekda.person.name and sig.nip == sekda.person.nip
    assert sig.covers_whole_file
    assert [e.action for e in ApprovalEvent.objects.filter(version=draft)] == [
        "submitted",
        "approved",
    ]
    assert AuditEvent.objects.filter(
        stream=f"sop:{draft.sop_id}", action="sop-approved", actor_id=sekda.pk
    ).exists()


def test_the_stamp_sits_in_the_approver_space_of_the_identity_page(draft, kasubbag, sekda):
    from pypdf import PdfReader

    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)
    actions.approve_sop(version=draft, by=sekda, now=MONDAY)

    reader = PdfReader(BytesIO(SopSignature.objects.get(version=draft).file.read()))
    widgets = [
        (number, a.get_object())
        for number, page in enumerate(reader.pages)
        for a in page.get("/Annots") or []
        if a.get_object().get("/FT") == "/Sig"
    ]
    [(page, widget)] = widgets
    assert page == 0  # the identity page, in "Disahkan oleh", not at the end
    llx, lly, urx, ury = (float(v) for v in widget["/Rect"])
    assert urx - llx > 200 and ury - lly > 60


def test_two_approvals_at_once_give_one_winner(draft, kasubbag, sekda, demo):
    """Both signed before either is recorded: the second finds it approved and keeps nothing."""
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)
    first = sop_approval.prepare_approval(version=draft, by=sekda, now=MONDAY)
    second = sop_approval.prepare_approval(version=draft, by=sekda, now=MONDAY)

    sop_approval.record_approval(first)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        sop_approval.record_approval(second)

    assert f"was already approved by {sekda.person.name}" in refused.value.message
    assert SopSignature.objects.filter(version=draft).count() == 1
    from django.core.files.storage import default_storage

    assert not default_storage.exists(second.signed.file_name)
    assert default_storage.exists(first.signed.file_name)


def test_a_draft_returned_and_changed_while_being_signed_is_not_approved(draft, kasubbag, sekda):
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)
    prepared = sop_approval.prepare_approval(version=draft, by=sekda, now=MONDAY)
    actions.return_sop(version=draft, by=sekda, note="Tunggu, ada yang salah.", now=MONDAY)
    Step.objects.filter(version=draft, number=2).update(activity="Menyusun draft LKjIP baru")
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)

    with translation.override("en"), pytest.raises(DomainError) as refused:
        sop_approval.record_approval(prepared)

    assert "The draft changed while it was being signed" in refused.value.message
    assert _refresh(draft).status == SopVersion.Status.SUBMITTED


def test_a_running_process_stays_on_the_version_it_started_with(draft, kasubbag, sekda):
    sop = find_sop("SOP-011")
    old = sop.versions.get(status="published")
    running = actions.start_process(sop=sop, title="LKjIP 2025", year=2025, by=kasubbag)
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)

    actions.approve_sop(version=draft, by=sekda, now=MONDAY)

    running = Process.objects.get(pk=running.pk)
    assert running.sop_version_id == old.pk
    assert {t.step.version_id for t in running.tasks.select_related("step")} == {old.pk}
    started_after = actions.start_process(sop=sop, title="LKjIP 2026", year=2026, by=kasubbag)
    assert started_after.sop_version_id == draft.pk


def test_a_submitted_draft_blocks_a_new_revision(draft, kasubbag):
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        start_revision(sop=draft.sop, by=kasubbag)
    assert "already has a draft" in refused.value.message


def test_an_approver_title_that_names_no_position_is_refused_naming_the_field(demo, draft):
    SopVersion.objects.filter(pk=draft.pk).update(approver_title="Kepala Dinas Antah Berantah")
    with translation.override("en"), pytest.raises(DomainError) as refused:
        actions.submit_sop(version=_refresh(draft), by=_user("kasubbag"), now=MONDAY)
    assert refused.value.field == "approver_title"
    assert "Kepala Dinas Antah Berantah" in refused.value.message


@pytest.mark.django_db(transaction=True)
def test_two_approvals_in_two_connections_give_one_winner(tmp_path, settings):
    """The Sekda and her Plh press "Sahkan" at the same moment (real connections)."""
    import threading

    from django.db import close_old_connections, connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections: PostgreSQL (SQLite serialises writers anyway)")
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    kasubbag, sekda, kabag = (_user(u) for u in ("kasubbag", "sekda", "kabag"))
    Assignment.objects.create(
        person=kabag.person,
        position=Position.objects.get(code="sekda"),
        kind=Assignment.Kind.PLH,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
    )
    from kinerja.demo.documents import ensure_demo_pki

    ensure_demo_pki()
    draft = start_revision(sop=find_sop("SOP-011"), by=kasubbag)
    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)
    barrier = threading.Barrier(2)
    outcomes = {}

    def attempt(user):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                actions.approve_sop(version=draft, by=user, now=MONDAY)
            outcomes[user.username] = "ok"
        except DomainError as exc:
            outcomes[user.username] = exc.message
        except Exception:  # noqa: BLE001 - reported by the assertion below
            import traceback

            outcomes[user.username] = traceback.format_exc()
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in (sekda, kabag)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert list(outcomes.values()).count("ok") == 1, outcomes
    loser = next(result for result in outcomes.values() if result != "ok")
    assert "was already approved by" in loser
    assert SopSignature.objects.filter(version=draft).count() == 1


def test_a_new_sop_is_approved_as_its_first_version(demo, kasubbag, sekda):
    """A new SOP of the Bagian Umum (no version in force yet) goes the same way."""
    from kinerja.sop import sopfile
    from kinerja.sop.services import import_specs

    spec = sopfile.version_to_spec(
        SopVersion.objects.with_content().get(sop=find_sop("SOP-011"), status="published")
    )
    spec["number"] = "SOP-099/SETDA"
    spec["name"] = "Penyusunan Laporan Uji"
    import_specs([spec], by=kasubbag, draft=True)
    draft = find_sop("SOP-099").versions.get()
    assert draft.status == "draft"

    actions.submit_sop(version=draft, by=kasubbag, now=MONDAY)
    version = actions.approve_sop(version=draft, by=sekda, now=MONDAY)

    assert version.status == "published" and version.version == 1
    assert verify_pdf(SopSignature.objects.get(version=draft).file.read()).status == "valid"


def test_the_command_submits_returns_approves_and_shows_the_history(draft, kasubbag):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    def run(*args):
        out = io.StringIO()
        with translation.override("id"):
            call_command("sop_approval", *args, stdout=out)
        return out.getvalue()

    assert "Diajukan" in run("submit", "SOP-011", "--version", "2", "--user", "kasubbag")
    with translation.override("id"), pytest.raises(CommandError) as refused:
        call_command("sop_approval", "approve", "SOP-011", "--version", "2", "--user", "kasubbag")
    assert "Hanya Sekretaris Daerah" in str(refused.value)
    run("return", "SOP-011", "--version", "2", "--user", "sekda", "--note", "Perbaiki.")
    run("submit", "SOP-011", "--version", "2", "--user", "kasubbag")
    assert run("approve", "SOP-011", "--version", "2", "--user", "sekda") == (
        "SOP-011/SETDA v2: Diterbitkan\n"
    )
    lines = run("history", "SOP-011", "--version", "2").splitlines()
    assert len(lines) == 4 and "Perbaiki." in lines[1]
