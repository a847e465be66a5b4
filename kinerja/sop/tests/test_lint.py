"""The SOP linter: the defects an SOP AP reviewer finds, and the total time standard.

The shipped SOPs must give exactly the defects DOMAIN.md lists. Every rule is then shown on
a small SOP of four steps that lints clean, broken in one place.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from kinerja.org.models import Position, Unit
from kinerja.sop.lint import (
    ERROR,
    WARNING,
    Catalogue,
    CatalogueEntry,
    abbreviation_in_name,
    lint_version,
    load_catalogue,
    total_work_minutes,
    total_work_time,
)
from kinerja.sop.models import (
    DocumentType,
    Flow,
    Lane,
    Sop,
    SopSection,
    SopVersion,
    Step,
    StepInput,
)


def pairs(findings):
    return [(f.code, f.step) for f in findings]


# The shipped SOPs -------------------------------------------------------------------------


def test_shipped_sops_have_exactly_the_defects_of_the_domain_notes(shipped_sops):
    catalogue = load_catalogue()
    found = {
        number: pairs(lint_version(v, catalogue=catalogue)) for number, v in shipped_sops.items()
    }
    assert found == {
        # Step 1 needs the data that the meeting of step 2 produces; RKT has no SOP here.
        "SOP-011/SETDA": [("related-sop-unknown", None), ("input-from-later-step", 1)],
        # Step 8 archives "Dokumen PK", step 7 outputs "Draft PK"; "SOP Penyusunan Laporan
        # Kinerja" is SOP-011's name, so that link is fine.
        "SOP-013/SETDA": [("input-no-source", 8)],
        # Step 8 has no time; "Laporan Tahunan" has no SOP; Renja is "Rencana Kerja" in the
        # steps but "Rencana Kinerja" in the name.
        "SOP-015/SETDA": [
            ("abbreviation-mismatch", None),
            ("related-sop-unknown", None),
            ("no-time-standard", 8),
        ],
    }


def test_shipped_sop_findings_name_what_is_wrong(shipped_sops):
    with translation.override("id"):
        sop011 = {f.code: f for f in lint_version(shipped_sops["SOP-011/SETDA"])}
        sop013 = {f.code: f for f in lint_version(shipped_sops["SOP-013/SETDA"])}
        sop015 = {f.code: f for f in lint_version(shipped_sops["SOP-015/SETDA"])}
    swapped = sop011["input-from-later-step"].message
    assert "data dan informasi masing-masing bagian" in swapped
    assert "2" in swapped
    assert "SOP Penyusunan Rencana Kinerja Tahunan (RKT)" in sop011["related-sop-unknown"].message
    assert "Dokumen PK" in sop013["input-no-source"].message
    assert "SOP Penyusunan Laporan Tahunan" in sop015["related-sop-unknown"].message
    naming = sop015["abbreviation-mismatch"].message
    assert "Renja" in naming
    assert "“Rencana Kerja” (" in naming and "6, 7, 8, 10, 12" in naming
    assert "“Rencana Kinerja” (" in naming and "9, 13" in naming


def test_renja_naming_message_in_english(shipped_sops):
    with translation.override("en"):
        (finding,) = [
            f
            for f in lint_version(shipped_sops["SOP-015/SETDA"])
            if f.step is None and f.code == "abbreviation-mismatch"
        ]
    assert finding.message == (
        "The SOP name defines Renja as “Rencana Kinerja”, but the steps do not use that term "
        "consistently: “Rencana Kerja” (steps 6, 7, 8, 10, 12); “Rencana Kinerja” (steps 9, 13). "
        "According to PP 8/2008, Permendagri 86/2017, Renja stands for “Rencana Kerja”."
    )
    assert finding.severity == WARNING
    assert finding.field == "name"


def test_shipped_sops_lint_in_one_query_each_or_none_with_a_catalogue(
    shipped_sops, django_assert_num_queries
):
    versions = list(shipped_sops.values())
    with django_assert_num_queries(1):
        lint_version(versions[0])
    with django_assert_num_queries(1):
        catalogue = load_catalogue()
    with django_assert_num_queries(0):
        for version in versions:
            lint_version(version, catalogue=catalogue)


def test_total_time_of_the_shipped_sops_in_working_time(shipped_sops):
    # A "hari" is a working day of 450 minutes (7.5 h, Perpres 21/2023), not 24 hours.
    sop011 = 10 + 60 + 450 + 10 + 10 + 10 + 10 + 30
    sop013 = 10 + 60 + 60 + 10 + 10 + 10 + 10 + 30
    sop015 = 15 + 15 + 5 + 60 + 60 + 450 + 15 + 20 + 5 + 5 + 30 + 10  # step 8 has no time
    assert (sop011, sop013, sop015) == (590, 200, 690)
    assert total_work_minutes(shipped_sops["SOP-011/SETDA"]) == Decimal(590)
    assert total_work_minutes(shipped_sops["SOP-013/SETDA"]) == Decimal(200)
    assert total_work_minutes(shipped_sops["SOP-015/SETDA"]) == Decimal(690)

    total011 = total_work_time(shipped_sops["SOP-011/SETDA"])
    total015 = total_work_time(shipped_sops["SOP-015/SETDA"])
    assert total011.is_complete and total011.steps_without_time == ()
    assert not total015.is_complete and total015.steps_without_time == (8,)
    with translation.override("en"):
        assert total011.display == "1 working day 2 hours 20 minutes"
        assert total_work_time(shipped_sops["SOP-013/SETDA"]).display == "3 hours 20 minutes"
        assert total015.display == "at least 1 working day 4 hours"


def test_total_time_in_indonesian(shipped_sops):
    with translation.override("id"):
        if translation.gettext("at least %(time)s") == "at least %(time)s":
            pytest.skip(
                "the Indonesian catalogue is not compiled yet (makemessages/compilemessages)"
            )
        assert total_work_time(shipped_sops["SOP-011/SETDA"]).display == (
            "1 hari kerja 2 jam 20 menit"
        )
        assert total_work_time(shipped_sops["SOP-015/SETDA"]).display == (
            "sekurang-kurangnya 1 hari kerja 4 jam"
        )


# A small SOP that lints clean -------------------------------------------------------------
#
#   1 start    Pelaksana  drafts the report from the memo (Nota Dinas, from outside)
#   2 review   Kasubbag   corrects and initials the draft, returns it to step 1
#   3 decision Kasubbag   is the draft right?  Ya -> 4, Tidak -> 1
#   4 end      Pelaksana  files the document


def _doc(name: str) -> DocumentType:
    return DocumentType.objects.get_or_create(name=name)[0]


def _new_version(sop_number: str, name: str, *, status=SopVersion.Status.PUBLISHED, unit=None):
    unit = unit or Unit.objects.get_or_create(code="subbag-uji", name="Sub Bagian Uji")[0]
    sop = Sop.objects.create(
        number=sop_number, slug=sop_number.lower().replace("/", "-"), unit=unit
    )
    return SopVersion.objects.create(
        sop=sop,
        version=1,
        status=status,
        name=name,
        unit_header="PEMERINTAH KOTA UJI",
        made_on=dt.date(2018, 11, 7),
        effective_on=dt.date(2018, 12, 31),
        approver_title="Sekretaris Daerah",
        approver_name="Drs. H. SAID ABDULLAH, M.Si",
        approver_nip="196509281992031008",
    )


@pytest.fixture
def sop(db):
    """A clean SOP, SOP-900/UJI, and a second published SOP it is related to."""
    unit = Unit.objects.create(code="subbag-uji", name="Sub Bagian Uji")
    _new_version("SOP-901/UJI", "Penyusunan Perjanjian Kinerja", unit=unit)
    version = _new_version("SOP-900/UJI", "Penyusunan Rencana Kerja (Renja)", unit=unit)
    staff = Position.objects.create(code="pelaksana-uji", name="Pelaksana", unit=unit)
    head = Position.objects.create(code="kasubbag-uji", name="Kepala Sub Bagian", unit=unit)
    pelaksana = Lane.objects.create(
        version=version, order=1, key="pelaksana", name="Pelaksana", position=staff
    )
    kasubbag = Lane.objects.create(
        version=version, order=2, key="kasubbag", name="Kepala Sub Bagian", position=head
    )
    draft, final = _doc("Draft Renja"), _doc("Dokumen Renja")

    def step(number, activity, lane, kind, action, time, unit, output):
        return Step.objects.create(
            version=version,
            number=number,
            activity=activity,
            lane=lane,
            kind=kind,
            action=action,
            time_amount=time,
            time_unit=unit,
            output=output,
        )

    s1 = step(1, "Membuat konsep Rencana Kerja", pelaksana, "start", "work", 1, "day", draft)
    s2 = step(
        2,
        "Mengoreksi dan memaraf draft Rencana Kerja",
        kasubbag,
        "process",
        "review",
        15,
        "minute",
        draft,
    )
    s3 = step(
        3,
        "Memutuskan apakah draft sudah benar",
        kasubbag,
        "decision",
        "decide",
        Decimal("0.5"),
        "hour",
        draft,
    )
    s4 = step(
        4,
        "Menggandakan dan mengarsipkan dokumen Rencana Kerja",
        pelaksana,
        "end",
        "archive",
        30,
        "minute",
        final,
    )
    s2.returns_to = s1
    s2.save(update_fields=["returns_to"])
    StepInput.objects.create(step=s1, document_type=_doc("Nota Dinas"), external=True)
    for s in (s2, s3, s4):
        StepInput.objects.create(step=s, document_type=draft)
    Flow.objects.create(version=version, source=s1, target=s2)
    Flow.objects.create(version=version, source=s2, target=s3)
    Flow.objects.create(version=version, source=s3, target=s4, label="Ya", order=1)
    Flow.objects.create(version=version, source=s3, target=s1, label="Tidak", order=2)
    SopSection.objects.create(
        version=version, kind="keterkaitan", order=1, text="SOP Penyusunan Perjanjian Kinerja"
    )
    return version


def lint(version, **kwargs):
    """Lint the version as the pages do: reloaded with its content."""
    return lint_version(SopVersion.objects.with_content().get(pk=version.pk), **kwargs)


def only(version) -> "Finding":  # noqa: F821
    """The single finding of `version`, its message in Indonesian."""
    with translation.override("id"):
        findings = lint(version)
    assert len(findings) == 1, pairs(findings)
    return findings[0]


def english(version) -> str:
    with translation.override("en"):
        (finding,) = lint(version)
    return finding.message


def steps_of(version) -> dict[int, Step]:
    return {s.number: s for s in version.steps.all()}


def test_clean_sop_has_no_findings(sop):
    assert lint(sop) == []


def test_clean_sop_takes_one_working_day_and_three_quarters_of_an_hour(sop):
    # 1 hari + 15 menit + 0.5 jam + 30 menit; the loop back from step 3 is not counted.
    assert total_work_minutes(sop) == Decimal(450 + 15 + 30 + 30)
    with translation.override("en"):
        assert total_work_time(sop).display == "1 working day 1 hour 15 minutes"


# Inputs (kelengkapan) ---------------------------------------------------------------------


def test_input_that_no_step_outputs(sop):
    StepInput.objects.create(step=steps_of(sop)[2], document_type=_doc("Surat Edaran"), order=1)
    finding = only(sop)
    assert (finding.code, finding.step, finding.field) == ("input-no-source", 2, "inputs")
    assert "Surat Edaran" in finding.message and "2" in finding.message
    assert english(sop) == (
        "Step 2 needs “Surat Edaran”, but no earlier step outputs it and it is not marked as "
        "coming from outside the SOP."
    )


def test_input_from_outside_needs_no_earlier_step(sop):
    StepInput.objects.filter(step__version=sop, document_type__name="Nota Dinas").update(
        external=False
    )
    finding = only(sop)
    assert (finding.code, finding.step) == ("input-no-source", 1)
    assert "Nota Dinas" in finding.message


def test_input_that_the_step_outputs_itself_has_no_source(sop):
    # SOP-013 step 8 needs and outputs "Dokumen PK": the document must come from before.
    StepInput.objects.filter(step__version=sop, step__number=4).update(
        document_type=_doc("Dokumen Renja")
    )
    assert pairs(lint(sop)) == [("input-no-source", 4)]


def test_input_that_only_a_later_step_outputs_is_reported_as_swapped(sop):
    StepInput.objects.create(step=steps_of(sop)[2], document_type=_doc("Dokumen Renja"), order=1)
    finding = only(sop)
    assert (finding.code, finding.step) == ("input-from-later-step", 2)
    assert "Dokumen Renja" in finding.message and "4" in finding.message
    assert english(sop) == (
        "Step 2 needs “Dokumen Renja”, which only step 4 outputs, later in the SOP: the steps, "
        "or their inputs and outputs, look swapped."
    )


def test_document_names_match_whatever_their_case_and_spacing(sop):
    StepInput.objects.filter(step__version=sop, step__number=4).update(
        document_type=_doc("draft  RENJA")
    )
    assert lint(sop) == []


# Time standard ------------------------------------------------------------------------------


def test_step_without_time_standard(sop):
    Step.objects.filter(version=sop, number=3).update(time_amount=None, time_unit="")
    finding = only(sop)
    assert (finding.code, finding.step, finding.field) == ("no-time-standard", 3, "time_amount")
    assert "3" in finding.message
    assert english(sop) == "Step 3 has no time standard (Waktu)."


def test_total_time_skips_a_step_without_time_and_says_at_least(sop):
    Step.objects.filter(version=sop, number=1).update(time_amount=None, time_unit="")
    version = SopVersion.objects.with_content().get(pk=sop.pk)
    total = total_work_time(version)
    assert total.minutes == Decimal(15 + 30 + 30)
    assert total.steps_without_time == (1,)
    with translation.override("en"):
        assert total.text == "1 hour 15 minutes"
        assert total.display == "at least 1 hour 15 minutes"


# Related SOPs (Keterkaitan) ---------------------------------------------------------------


def related(sop) -> SopSection:
    return sop.sections.get(kind="keterkaitan")


def test_related_sop_not_in_the_catalogue(sop):
    SopSection.objects.filter(pk=related(sop).pk).update(text="SOP Penyusunan Laporan Tahunan")
    finding = only(sop)
    assert (finding.code, finding.step) == ("related-sop-unknown", None)
    assert "SOP Penyusunan Laporan Tahunan" in finding.message
    assert english(sop) == (
        "Related SOP “SOP Penyusunan Laporan Tahunan” is not in the catalogue: no other "
        "published SOP has that name."
    )


def test_related_sop_name_ignores_case_spacing_and_the_word_sop(sop):
    SopSection.objects.filter(pk=related(sop).pk).update(text="sop  penyusunan PERJANJIAN kinerja.")
    assert lint(sop) == []


def test_related_sop_may_omit_the_abbreviation_of_the_name(sop):
    SopSection.objects.filter(pk=related(sop).pk).update(
        text="SOP Penyusunan Perjanjian Kinerja (PK)"
    )
    assert lint(sop) == []


def test_related_sop_must_be_published(sop):
    SopVersion.objects.filter(sop__number="SOP-901/UJI").update(status="draft")
    assert pairs(lint(sop)) == [("related-sop-unknown", None)]


def test_related_sop_cannot_be_the_sop_itself(sop):
    SopSection.objects.filter(pk=related(sop).pk).update(
        text="SOP Penyusunan Rencana Kerja (Renja)"
    )
    assert pairs(lint(sop)) == [("related-sop-unknown", None)]


def test_related_sop_by_number_when_ref_is_set(sop):
    section = related(sop)
    section.text, section.ref = "SOP tentang perjanjian", "SOP-901"
    section.save()
    assert lint(sop) == []
    section.ref = "SOP-999/UJI"
    section.save()
    finding = only(sop)
    assert (finding.code, finding.step) == ("related-sop-unknown", None)
    assert "SOP-999/UJI" in finding.message
    assert english(sop) == (
        "Related SOP “SOP tentang perjanjian” refers to SOP-999/UJI, which is not a published SOP."
    )


def test_catalogue_passed_in_is_used_instead_of_the_database(sop, django_assert_num_queries):
    version = SopVersion.objects.with_content().get(pk=sop.pk)
    with django_assert_num_queries(0):
        findings = lint_version(version, catalogue=Catalogue.of([]))
    assert pairs(findings) == [("related-sop-unknown", None)]
    catalogue = Catalogue.of([CatalogueEntry("SOP-1/X", "Penyusunan Perjanjian Kinerja")])
    assert lint_version(version, catalogue=catalogue) == []


def test_lint_runs_in_one_query_however_long_the_sop(sop, django_assert_num_queries):
    version = SopVersion.objects.with_content().get(pk=sop.pk)
    with django_assert_num_queries(1):  # the catalogue
        lint_version(version)
        total_work_time(version)


# Lanes (PELAKSANA) -------------------------------------------------------------------------


def test_lane_that_no_step_uses(sop):
    Lane.objects.create(
        version=sop,
        order=3,
        key="sekda",
        name="Sekretaris Daerah",
        position=Position.objects.first(),
    )
    finding = only(sop)
    assert (finding.code, finding.step, finding.lane) == ("lane-unused", None, "sekda")
    assert "Sekretaris Daerah" in finding.message
    assert english(sop) == "No step uses the lane “Sekretaris Daerah”."


def test_lane_not_mapped_to_a_position(sop):
    Lane.objects.filter(version=sop, key="kasubbag").update(position=None)
    finding = only(sop)
    assert (finding.code, finding.lane, finding.severity) == ("lane-no-position", "kasubbag", ERROR)
    assert "Kepala Sub Bagian" in finding.message
    assert english(sop) == (
        "The lane “Kepala Sub Bagian” is not mapped to a position, so its tasks cannot be "
        "assigned to anyone."
    )


# Flows --------------------------------------------------------------------------------------


def _add_step(sop, number, *, kind="process", action="work"):
    return Step.objects.create(
        version=sop,
        number=number,
        activity="Membatalkan penyusunan",
        lane=Lane.objects.get(version=sop, key="pelaksana"),
        kind=kind,
        action=action,
        time_amount=5,
        time_unit="minute",
    )


def test_step_that_cannot_be_reached_from_the_start(sop):
    extra = _add_step(sop, 5)
    Flow.objects.create(version=sop, source=extra, target=steps_of(sop)[4])
    finding = only(sop)
    assert (finding.code, finding.step, finding.severity) == ("unreachable-step", 5, ERROR)
    assert "5" in finding.message
    assert english(sop) == "Step 5 cannot be reached from the start step by following the flows."


def test_step_that_cannot_reach_the_end(sop):
    extra = _add_step(sop, 5)
    Flow.objects.create(version=sop, source=steps_of(sop)[3], target=extra, label="Batal")
    finding = only(sop)
    assert (finding.code, finding.step) == ("dead-end-step", 5)
    assert english(sop) == "Step 5 cannot reach an end step by following the flows."


def test_sop_without_a_start_step(sop):
    Step.objects.filter(version=sop, number=1).update(kind="process")
    finding = only(sop)
    assert (finding.code, finding.step, finding.severity) == ("no-start", None, ERROR)
    assert english(sop) == "The SOP has no start step."


def test_sop_with_two_start_steps(sop):
    Step.objects.filter(version=sop, number=2).update(kind="start")
    finding = only(sop)
    assert (finding.code, finding.step) == ("several-starts", None)
    assert "1, 2" in finding.message
    assert english(sop) == "The SOP has 2 start steps (steps 1, 2); it needs one."


def test_sop_without_an_end_step(sop):
    Step.objects.filter(version=sop, number=4).update(kind="process")
    finding = only(sop)
    assert (finding.code, finding.step) == ("no-end", None)
    assert english(sop) == "The SOP has no end step."


def test_decision_with_one_branch(sop):
    Flow.objects.filter(version=sop, label="Tidak").delete()
    finding = only(sop)
    assert (finding.code, finding.step) == ("decision-branches", 3)
    assert english(sop) == (
        "Decision step 3 has 1 outgoing flow(s); a decision needs at least two branches."
    )


def test_decision_branch_without_label(sop):
    Flow.objects.filter(version=sop, label="Tidak").update(label=" ")
    finding = only(sop)
    assert (finding.code, finding.step) == ("unlabelled-branch", 3)
    assert "3" in finding.message and "1" in finding.message
    assert english(sop) == (
        "Decision step 3 has a branch to step 1 without a label (such as “Ya” or “Tidak”)."
    )


def test_process_step_with_two_outgoing_flows(sop):
    s = steps_of(sop)
    Flow.objects.create(version=sop, source=s[2], target=s[4], order=1)
    finding = only(sop)
    assert (finding.code, finding.step) == ("process-branches", 2)
    assert "3, 4" in finding.message
    assert english(sop) == (
        "Step 2 has 2 outgoing flows (to steps 3, 4); only a decision step may branch."
    )


# Reviews ------------------------------------------------------------------------------------


def test_review_without_a_step_to_return_to(sop):
    Step.objects.filter(version=sop, number=2).update(returns_to=None)
    finding = only(sop)
    assert (finding.code, finding.step, finding.field) == ("review-no-return", 2, "returns_to")
    assert english(sop) == ("Review step 2 does not say which step a returned draft goes back to.")


@pytest.mark.parametrize("target", [2, 3])
def test_review_returning_to_a_step_that_is_not_earlier(sop, target):
    Step.objects.filter(version=sop, number=2).update(returns_to=steps_of(sop)[target])
    finding = only(sop)
    assert (finding.code, finding.step) == ("review-return-not-earlier", 2)
    assert str(target) in finding.message
    assert english(sop) == (
        f"Review step 2 returns drafts to step {target}, which is not an earlier step of this SOP."
    )


def test_signing_step_may_go_without_a_step_to_return_to(sop):
    Step.objects.filter(version=sop, number=2).update(action="sign", returns_to=None)
    assert lint(sop) == []


def test_signing_step_returning_to_an_earlier_step_is_clean(sop):
    Step.objects.filter(version=sop, number=2).update(action="sign")
    assert lint(sop) == []


def test_signing_step_returning_to_a_step_that_is_not_earlier(sop):
    Step.objects.filter(version=sop, number=2).update(action="sign", returns_to=steps_of(sop)[3])
    finding = only(sop)
    assert (finding.code, finding.step) == ("review-return-not-earlier", 2)
    assert english(sop) == (
        "Signing step 2 returns drafts to step 3, which is not an earlier step of this SOP."
    )


# Naming: "X (ABBR)" in the name against the steps --------------------------------------------


def test_steps_that_expand_the_abbreviation_of_the_name_differently(sop):
    Step.objects.filter(version=sop, number=4).update(
        activity="Mengarsipkan dokumen Rencana Kinerja"
    )
    SopVersion.objects.filter(pk=sop.pk).update(name="Penyusunan Rencana Kinerja (Renja)")
    finding = only(sop)
    assert (finding.code, finding.step, finding.field) == ("abbreviation-mismatch", None, "name")
    assert "“Rencana Kerja” (" in finding.message and "1, 2" in finding.message
    assert "“Rencana Kinerja” (" in finding.message


def test_name_expansion_that_no_step_uses_is_reported(sop):
    SopVersion.objects.filter(pk=sop.pk).update(name="Penyusunan Rencana Kinerja (Renja)")
    with translation.override("en"):
        (finding,) = lint(sop)
    assert finding.code == "abbreviation-mismatch"
    assert finding.message.startswith(
        "The SOP name defines Renja as “Rencana Kinerja”, but the steps do not use that term "
        "consistently: “Rencana Kerja” (steps 1, 2, 4)."
    )


def test_steps_may_name_a_longer_term_that_starts_like_the_expansion(sop):
    # "Rencana Kinerja Tahunan" is the RKT, not a use of "Rencana Kinerja".
    SopVersion.objects.filter(pk=sop.pk).update(name="Penyusunan Rencana Kinerja (Renja)")
    Step.objects.filter(version=sop, number__in=[1, 2, 4]).update(
        activity="Menyusun Rencana Kinerja Tahunan"
    )
    assert lint(sop) == []


def test_abbreviation_of_the_name():
    assert abbreviation_in_name("Penyusunan Rencana Kinerja (Renja)") == (
        "Renja",
        "Rencana Kinerja",
    )
    assert abbreviation_in_name("Penyusunan Rencana Kinerja Tahunan (RKT)") == (
        "RKT",
        "Rencana Kinerja Tahunan",
    )
    assert abbreviation_in_name("Penyusunan Laporan Kinerja Instansi Pemerintah (LKjIP)") == (
        "LKjIP",
        "Laporan Kinerja Instansi Pemerintah",
    )
    assert abbreviation_in_name("Penyusunan Laporan Kinerja") is None
    assert abbreviation_in_name("Penyusunan Laporan (XYZ)") is None


# Approver ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nip", "part"),
    [
        ("19650928199203100", "17"),  # one digit short
        ("196509281992033008", "3"),  # sex digit
        ("196513281992031008", "19651328"),  # no 13th month of birth
    ],
)
def test_approver_nip_invalid_names_the_wrong_part(sop, nip, part):
    SopVersion.objects.filter(pk=sop.pk).update(approver_nip=nip)
    finding = only(sop)
    assert (finding.code, finding.step, finding.field) == (
        "approver-nip-invalid",
        None,
        "approver_nip",
    )
    assert nip in finding.message and part in finding.message.replace(nip, "")


def test_approver_without_nip_is_no_defect(sop):
    # An SOP approved by the Walikota, an elected official, carries no NIP.
    SopVersion.objects.filter(pk=sop.pk).update(approver_nip="")
    assert lint(sop) == []


# Order ---------------------------------------------------------------------------------------


def test_findings_are_sorted_by_step_then_code(sop):
    Step.objects.filter(version=sop, number=3).update(time_amount=None, time_unit="")
    Step.objects.filter(version=sop, number=2).update(returns_to=None)
    StepInput.objects.create(step=steps_of(sop)[2], document_type=_doc("Surat Edaran"), order=1)
    Lane.objects.filter(version=sop, key="kasubbag").update(position=None)
    SopVersion.objects.filter(pk=sop.pk).update(approver_nip="123")
    assert pairs(lint(sop)) == [
        ("approver-nip-invalid", None),
        ("lane-no-position", None),
        ("input-no-source", 2),
        ("review-no-return", 2),
        ("no-time-standard", 3),
    ]
