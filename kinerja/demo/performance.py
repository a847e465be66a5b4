"""The demo's performance data: a realistic year of the Setda and its Bagian.

A Renstra 2021-2026 with the IKU a Setda and a Bagian Umum use (satisfaction indexes,
turnaround times where lower is better, the SAKIP predikat as a grade), the cascade to
the Sub Bagian Perencanaan, targets per year, the Renja 2026 with real sub kegiatan codes,
the PK 2026 at the three levels, the quarterly deadlines of 2026, and the realisasi of
2026 through TW III entered by the bagian themselves (a few rows missing, TW III still
under review). The Renja of next year takes proposals: Bagian Hukum and Bagian
Perekonomian have sent theirs, the Kasubbag Perencanaan has decided on some, and the
SOP-015 process of that year counts them. Everything goes through the same services as
the pages, so the demo's record is the record a real year leaves.

Only on a database without this Renstra: running the demo again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kinerja import actions
from kinerja.org.models import Position, Unit
from kinerja.performance.deadlines import default_due
from kinerja.performance.models import (
    Goal,
    GradeScale,
    Indicator,
    IndicatorTarget,
    Nomenclature,
    Objective,
    Renja,
    Renstra,
    ReportingDeadline,
)

TITLE = "Rencana Strategis Sekretariat Daerah Kota Banjarbaru 2021-2026"
YEARS = range(2021, 2027)
WITA = dt.timezone(dt.timedelta(hours=8))

# code, unit, level, parent, text
OBJECTIVES = [
    (
        "SS1",
        "setda",
        "strategic",
        None,
        "Meningkatnya akuntabilitas kinerja dan kualitas pelayanan Sekretariat Daerah",
    ),
    (
        "SP1",
        "bagian-umum",
        "program",
        "SS1",
        "Meningkatnya kualitas pelayanan administrasi umum dan perencanaan",
    ),
    ("SP2", "bagian-hukum", "program", "SS1", "Meningkatnya kualitas produk hukum daerah"),
    ("SP3", "bagian-tapem", "program", "SS1", "Meningkatnya kualitas kebijakan pemerintahan"),
    (
        "SK1",
        "subbag-perencanaan",
        "activity",
        "SP1",
        "Tersusunnya dokumen perencanaan dan laporan kinerja tepat waktu",
    ),
]

# objective, code, name, measure, responsible, options, targets by year (2021..2026), is_key
INDICATORS = [
    (
        "SS1",
        "IKU1",
        "Predikat SAKIP Sekretariat Daerah",
        "predikat",
        "kasubbag-perencanaan",
        {"target_kind": "grade", "quarters": "last"},
        ["B", "B", "BB", "BB", "BB", "A"],
        True,
    ),
    (
        "SS1",
        "IKU2",
        "Indeks kepuasan pelayanan Sekretariat Daerah",
        "indeks (1-4)",
        "kabag-umum",
        {"quarters": "last"},
        ["3,25", "3,30", "3,35", "3,40", "3,50", "3,60"],
        True,
    ),
    (
        "SP1",
        "IK1.1",
        "Indeks kepuasan layanan tamu pimpinan",
        "indeks (1-4)",
        "kabag-umum",
        {
            "quarters": "last",
            # The lower bound of mutu pelayanan B (Baik) on the 1-4 scale of the IKM.
            "national_standard": Decimal("3.0644"),
            "national_standard_source": "PermenPANRB 14/2017, mutu pelayanan B (Baik)",
        },
        ["3,25", "3,30", "3,35", "3,40", "3,45", "3,50"],
        False,
    ),
    (
        "SP1",
        "IK1.2",
        "Persentase sarana dan prasarana kantor dalam kondisi baik",
        "%",
        "kabag-umum",
        {"quarters": "last"},
        ["80", "82", "85", "87", "88", "90"],
        False,
    ),
    (
        "SP1",
        "IK1.3",
        "Rata-rata hari penerbitan SPP/SPM",
        "hari",
        "kabag-umum",
        {"polarity": "lower", "quarters": "average"},
        ["5", "5", "4", "4", "3", "3"],
        False,
    ),
    (
        "SP2",
        "IK2.1",
        "Rata-rata hari penyelesaian rancangan produk hukum",
        "hari",
        "kabag-hukum",
        {"polarity": "lower", "quarters": "average"},
        ["21", "20", "18", "16", "15", "14"],
        False,
    ),
    (
        "SP2",
        "IK2.2",
        "Jumlah produk hukum daerah yang dipublikasikan",
        "produk hukum",
        "kabag-hukum",
        {"quarters": "sum"},
        ["40", "45", "50", "52", "55", "60"],
        False,
    ),
    (
        "SP3",
        "IK3.1",
        "Persentase rekomendasi kebijakan pemerintahan yang ditindaklanjuti",
        "%",
        "kabag-tapem",
        {"quarters": "last"},
        ["70-80", "70-80", "75-85", "75-85", "80-90", "80-90"],
        False,
    ),
    (
        "SK1",
        "IK4.1",
        "Persentase dokumen perencanaan dan laporan kinerja yang tepat waktu",
        "%",
        "kasubbag-perencanaan",
        {"quarters": "last"},
        ["80", "85", "90", "95", "100", "100"],
        False,
    ),
    (
        "SK1",
        "IK4.2",
        "Jumlah laporan capaian kinerja triwulan yang disampaikan",
        "laporan",
        "kasubbag-perencanaan",
        {"quarters": "sum"},
        ["4", "4", "4", "4", "4", "4"],
        False,
    ),
]

# indicator code -> realisasi of 2026 TW I, TW II, TW III (None: not reported) and who enters
REALISASI_2026 = {
    "IKU2": (["3,42", "3,48", "3,55"], "kasubbag"),
    "IK1.1": (["3,40", "3,46", "3,52"], "kasubbag"),
    "IK1.2": (["86", "88", "91"], "kasubbag"),
    "IK1.3": (["4", "3", "3"], "kasubbag"),
    "IK2.1": (["17", "15", None], "operator-hukum"),
    "IK2.2": (["12", "16", "14"], "operator-hukum"),
    "IK3.1": (["78", "84", "86"], "operator-tapem"),
    "IK4.1": (["100", "100", "100"], "kasubbag"),
    "IK4.2": (["1", "1", "1"], "kasubbag"),
}

# The realisasi of the earlier years of the Renstra (2021-2025) as their LKjIP reported them,
# entered by the Kasubbag Perencanaan from those reports: the dashboard's trend.
EARLIER = {
    "IKU1": ["B", "B", "B", "BB", "BB"],
    "IKU2": ["3,21", "3,28", "3,33", "3,41", "3,46"],
    "IK1.1": ["3,20", "3,27", "3,36", "3,38", "3,44"],
    "IK1.2": ["78", "81", "84", "86", "88"],
    "IK1.3": ["6", "5", "5", "4", "4"],
    "IK2.1": ["24", "21", "19", "16", "15"],
    "IK2.2": ["36", "44", "48", "52", "56"],
    "IK3.1": ["72", "76", "74", "80", "83"],
    "IK4.1": ["75", "85", "90", "95", "100"],
    "IK4.2": ["4", "4", "3", "4", "4"],
}

# The Renja 2026: sub kegiatan, proposing unit, the sasaran it serves, indicator, satuan, target, pagu
RENJA_2026 = [
    (
        "4.01.01.2.01.0001",
        "bagian-umum",
        "SK1",
        "Jumlah dokumen perencanaan perangkat daerah",
        "dokumen",
        "3",
        "45.000.000",
    ),
    (
        "4.01.01.2.01.0006",
        "bagian-umum",
        "SK1",
        "Jumlah laporan capaian kinerja dan ikhtisar realisasi kinerja",
        "laporan",
        "5",
        "38.500.000",
    ),
    (
        "4.01.01.2.01.0007",
        "bagian-umum",
        "SK1",
        "Jumlah laporan evaluasi kinerja perangkat daerah",
        "laporan",
        "4",
        "22.000.000",
    ),
    (
        "4.01.01.2.06.0008",
        "bagian-umum",
        None,
        "Jumlah laporan fasilitasi kunjungan tamu",
        "laporan",
        "12",
        "310.000.000",
    ),
    (
        "4.01.01.2.06.0009",
        "bagian-umum",
        None,
        "Jumlah laporan rapat koordinasi dan konsultasi",
        "laporan",
        "12",
        "260.000.000",
    ),
    (
        "4.01.03.2.01.0002",
        "bagian-perekonomian",
        None,
        "Jumlah laporan pengendalian dan distribusi perekonomian",
        "laporan",
        "4",
        "95.000.000",
    ),
]


# The Renja of next year, proposed by two bagian: unit, proposer, sub kegiatan, indicator,
# satuan, target, pagu, kelompok sasaran, Renstra end target, realisasi n-2, prakiraan n-1,
# pagu n+1, and the Kasubbag's decision (None: still waiting) with its reason and changes.
PROPOSALS_NEXT = [
    (
        "bagian-perekonomian",
        "operator-perekonomian",
        "4.01.03.2.01.0002",
        "Jumlah laporan hasil pengendalian dan distribusi perekonomian",
        "laporan",
        "4",
        "98.000.000",
        "Pelaku usaha dan pasar di Kota Banjarbaru",
        ("4", "4", "4", "102.000.000"),
        ("accepted", "", {}),
    ),
    (
        "bagian-perekonomian",
        "operator-perekonomian",
        "4.01.03.2.01.0001",
        "Jumlah laporan monitoring dan evaluasi kinerja BUMD dan BLUD",
        "laporan",
        "2",
        "65.000.000",
        "BUMD dan BLUD Kota Banjarbaru",
        ("2", "2", "2", "68.000.000"),
        (
            "changed",
            "Disesuaikan dengan pagu indikatif sementara (rancangan KUA-PPAS).",
            {"pagu": "50.000.000"},
        ),
    ),
    (
        "bagian-perekonomian",
        "operator-perekonomian",
        "4.01.03.2.01.0003",
        "Jumlah dokumen perencanaan dan pengawasan ekonomi mikro kecil",
        "dokumen",
        "2",
        "40.000.000",
        "Usaha mikro dan kecil",
        ("2", "1", "2", "42.000.000"),
        None,
    ),
    (
        "bagian-hukum",
        "operator-hukum",
        "4.01.01.2.05.0011",
        "Jumlah aparatur yang mengikuti bimbingan teknis implementasi peraturan",
        "orang",
        "60",
        "75.000.000",
        "Aparatur perangkat daerah",
        ("60", "45", "50", "80.000.000"),
        ("accepted", "", {}),
    ),
    (
        "bagian-hukum",
        "operator-hukum",
        "4.01.01.2.06.0009",
        "Jumlah laporan rapat koordinasi dan konsultasi produk hukum",
        "laporan",
        "12",
        "120.000.000",
        "Perangkat daerah",
        ("12", "12", "12", "125.000.000"),
        (
            "rejected",
            "Rapat koordinasi Sekretariat Daerah diusulkan satu kali oleh Bagian Umum; "
            "kebutuhan Bagian Hukum digabung ke sana.",
            {},
        ),
    ),
]


def _at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=WITA)


@transaction.atomic
def load_demo_performance() -> bool:
    """Put the demo's performance data in the database once; False when it is there."""
    if Renstra.objects.filter(title=TITLE).exists():
        return False
    users = {u.username: u for u in get_user_model().objects.select_related("person")}
    units = {u.code: u for u in Unit.objects.all()}
    positions = {p.code: p for p in Position.objects.all()}
    scale = GradeScale.objects.get(name="Predikat SAKIP")
    renstra = Renstra.objects.create(
        unit=units["setda"],
        first_year=YEARS[0],
        last_year=YEARS[-1],
        title=TITLE,
        status=Renstra.Status.IN_FORCE,
        basis="Peraturan Wali Kota Banjarbaru tentang Rencana Strategis Perangkat Daerah 2021-2026 (contoh)",
        reviewer=positions["kasubbag-perencanaan"],
    )
    goal = Goal.objects.create(
        renstra=renstra,
        code="T1",
        text="Terwujudnya tata kelola pemerintahan yang efektif dan akuntabel",
    )
    objectives: dict[str, Objective] = {}
    for order, (code, unit, level, parent, text) in enumerate(OBJECTIVES):
        objectives[code] = Objective.objects.create(
            renstra=renstra,
            level=level,
            goal=goal if level == "strategic" else None,
            parent=objectives[parent] if parent else None,
            unit=units[unit],
            code=code,
            text=text,
            order=order,
        )
    indicators: dict[str, Indicator] = {}
    for order, (objective, code, name, measure, responsible, options, targets, key) in enumerate(
        INDICATORS
    ):
        indicator = Indicator.objects.create(
            objective=objectives[objective],
            code=code,
            name=name,
            measure=measure,
            responsible=positions[responsible],
            is_key=key,
            order=order,
            scale=scale if options.get("target_kind") == "grade" else None,
            data_source="Laporan bagian (contoh data demo)",
            **options,
        )
        indicators[code] = indicator
        for year, target in zip(YEARS, targets, strict=True):
            IndicatorTarget.objects.create(indicator=indicator, year=year, **_target(target))
        IndicatorTarget.objects.create(indicator=indicator, year=None, **_target(targets[-1]))
    _renja(renstra, units, objectives, users)
    _renja_next(renstra, units, users)
    _agreements(renstra, positions, users)
    _earlier_years(renstra, indicators, users)
    _serapan(users)
    _realisasi(renstra, indicators, users)
    # The quarterly deadlines of 2026 as the administrator sets them: the Pemda default.
    for quarter in (1, 2, 3, 4):
        ReportingDeadline.objects.create(
            renstra=renstra, year=2026, quarter=quarter, due_on=default_due(2026, quarter)
        )
    return True


def _target(text: str) -> dict:
    if text[0].isalpha():
        return {"grade": text}
    if "-" in text:
        low, high = text.split("-")
        return {"low": Decimal(low), "high": Decimal(high)}
    return {"value": Decimal(text.replace(",", "."))}


def _renja(renstra, units, objectives, users) -> Renja:
    kasubbag = users["kasubbag"]
    renja = Renja.objects.create(
        unit=units["setda"],
        year=2026,
        renstra=renstra,
        title="Rencana Kerja Sekretariat Daerah Tahun 2026",
    )
    codes = {n.code: n for n in Nomenclature.objects.filter(code__in=[r[0] for r in RENJA_2026])}
    proposed_at = _at(2025, 2, 10)
    for code, unit, objective, indicator, measure, target, pagu in RENJA_2026:
        item = actions.performance.propose_item(
            renja=renja,
            unit=units[unit],
            sub_kegiatan=codes[code],
            values={
                "indicator": indicator,
                "measure": measure,
                "target": target,
                "pagu": pagu,
                "location": "Kota Banjarbaru",
                "funding_source": "PAD",
            },
            by=kasubbag,
            now=proposed_at,
        )
        if objective:
            item.objective = objectives[objective]
            item.save(update_fields=["objective"])
        actions.performance.decide_item(
            item=item, decision="accepted", by=kasubbag, now=_at(2025, 3, 3)
        )
    renja.status = Renja.Status.FINAL
    renja.save(update_fields=["status"])
    return renja


def _earlier_years(renstra, indicators, users) -> None:
    """Each earlier year's four quarters (a sum split over them, an index or a grade the
    same each quarter), entered and closed in January 2026 from the published LKjIP."""
    kasubbag = users["kasubbag"]
    day = _at(2026, 1, 5)
    for n, year in enumerate(YEARS[:-1]):
        for code, values in EARLIER.items():
            indicator = indicators[code]
            annual = values[n]
            if indicator.quarters == "sum":
                whole = int(annual)
                quarters = [str(whole // 4 + (1 if q < whole % 4 else 0)) for q in range(4)]
            else:
                quarters = [annual] * 4
            for quarter, value in enumerate(quarters, start=1):
                actions.performance.enter_realisasi(
                    indicator=indicator,
                    year=year,
                    quarter=quarter,
                    value=value,
                    by=kasubbag,
                    now=day,
                )
        for quarter in range(1, 5):
            actions.performance.close_quarter(
                renstra=renstra, year=year, quarter=quarter, by=kasubbag, now=day
            )


def _renja_next(renstra, units, users) -> None:
    """Next year's Renja while it takes proposals, linked to the SOP-015 run of that year
    when the demo started one."""
    from kinerja.workflow.models import Process

    year = timezone.localdate().year + 1
    process = (
        Process.objects.filter(sop_version__sop__number__startswith="SOP-015", year=year)
        .order_by("-started_at")
        .first()
    )
    renja = Renja.objects.create(
        unit=units["setda"],
        year=year,
        renstra=renstra,
        title=f"Rencana Kerja Sekretariat Daerah Tahun {year}",
        process=process,
    )
    codes = {
        n.code: n for n in Nomenclature.objects.filter(code__in=[p[2] for p in PROPOSALS_NEXT])
    }
    now = timezone.now()
    proposed, decided = now - dt.timedelta(days=2), now - dt.timedelta(hours=3)
    for unit, who, code, indicator, measure, target, pagu, group, past, decision in PROPOSALS_NEXT:
        end_target, realisasi_n2, estimate_n1, next_pagu = past
        item = actions.performance.propose_item(
            renja=renja,
            unit=units[unit],
            sub_kegiatan=codes[code],
            values={
                "indicator": indicator,
                "measure": measure,
                "target": target,
                "pagu": pagu,
                "location": "Kota Banjarbaru",
                "funding_source": "PAD",
                "target_group": group,
                "renstra_end_target": end_target,
                "realisasi_n2": realisasi_n2,
                "estimate_n1": estimate_n1,
                "next_target": target,
                "next_pagu": next_pagu,
            },
            by=users[who],
            now=proposed,
        )
        if decision is not None:
            state, reason, changes = decision
            actions.performance.decide_item(
                item=item,
                decision=state,
                reason=reason,
                changes=changes or None,
                by=users["kasubbag"],
                now=decided,
            )


def _agreements(renstra, positions, users) -> None:
    kasubbag = users["kasubbag"]
    signed = dt.date(2026, 1, 13)
    for code in ("sekda", "kabag-umum", "kasubbag-perencanaan"):
        pk = actions.performance.draft_agreement(
            renstra=renstra, year=2026, position=positions[code], by=kasubbag, now=_at(2026, 1, 6)
        )
        actions.performance.sign_agreement(
            agreement=pk, on=signed, place="Banjarbaru", by=kasubbag, now=_at(2026, 1, 13, 14)
        )


# sub kegiatan code -> what it spent in TW I, II, III (Rp), entered by its bagian: the
# Kabag Umum for the Bagian Umum (the demo has no operator there), the operator of the
# Bagian Perekonomian for its own; TW III of the last one is missing.
SERAPAN_2026 = {
    "4.01.01.2.01.0001": ("5.250.000", "12.600.000", "11.400.000"),
    "4.01.01.2.01.0006": ("3.850.000", "9.200.000", "10.125.000"),
    "4.01.01.2.01.0007": ("0", "6.600.000", "5.500.000"),
    "4.01.01.2.06.0008": ("62.000.000", "81.500.000", "74.250.000"),
    "4.01.01.2.06.0009": ("48.750.000", "70.100.000", "66.000.000"),
    "4.01.03.2.01.0002": ("18.500.000", "24.000.000", None),
}


# sub kegiatan code -> the realisasi of its output indicator (K) in TW I, II, III, beside
# the rupiah above: what the quarterly Renja evaluation reports.
OUTPUT_2026 = {
    "4.01.01.2.01.0001": ("0", "1", "1"),
    "4.01.01.2.01.0006": ("1", "1", "2"),
    "4.01.01.2.01.0007": ("0", "1", "1"),
    "4.01.01.2.06.0008": ("3", "3", "3"),
    "4.01.01.2.06.0009": ("3", "3", "2"),
    "4.01.03.2.01.0002": ("1", "1", None),
}
# sub kegiatan code -> (faktor pendorong, faktor penghambat, tindak lanjut) of TW III
NOTES_2026 = {
    "4.01.01.2.01.0001": (
        "Jadwal penyusunan dokumen disepakati sejak awal tahun.",
        "Data capaian dari bagian terlambat masuk.",
        "Batas waktu penyampaian data ditegaskan dengan surat Sekretaris Daerah.",
    ),
    "4.01.01.2.06.0009": (
        "Rapat koordinasi terjadwal bulanan.",
        "Satu rapat ditunda karena agenda pimpinan.",
        "Rapat yang tertunda dilaksanakan pada triwulan IV.",
    ),
}


def _serapan(users) -> None:
    renja = Renja.objects.get(title="Rencana Kerja Sekretariat Daerah Tahun 2026")
    entered = {1: _at(2026, 4, 9), 2: _at(2026, 7, 9), 3: _at(2026, 10, 9)}
    for item in renja.items.select_related("sub_kegiatan", "proposed_by"):
        who = users[
            "operator-perekonomian" if item.proposed_by.code == "bagian-perekonomian" else "kabag"
        ]
        code = item.sub_kegiatan.code
        for quarter, amount in enumerate(SERAPAN_2026[code], start=1):
            if amount is not None:
                drivers, obstacles, follow_up = (
                    NOTES_2026.get(code, (None, None, None)) if quarter == 3 else (None,) * 3
                )
                actions.performance.enter_serapan(
                    item=item,
                    quarter=quarter,
                    amount=amount,
                    output=OUTPUT_2026[code][quarter - 1],
                    drivers=drivers,
                    obstacles=obstacles,
                    follow_up=follow_up,
                    by=who,
                    now=entered[quarter],
                )


def _realisasi(renstra, indicators, users) -> None:
    entered = {1: _at(2026, 4, 8), 2: _at(2026, 7, 8), 3: _at(2026, 10, 8)}
    kasubbag = users["kasubbag"]
    rows = {}
    for code, (values, who) in REALISASI_2026.items():
        for quarter, value in enumerate(values, start=1):
            if value is None:
                continue
            rows[(code, quarter)] = actions.performance.enter_realisasi(
                indicator=indicators[code],
                year=2026,
                quarter=quarter,
                value=value,
                drivers="Koordinasi rutin dengan bagian terkait" if quarter == 1 else "",
                by=users[who],
                now=entered[quarter],
            )
    actions.performance.enter_realisasi(
        indicator=indicators["IKU1"], year=2026, quarter=2, value="BB", by=kasubbag, now=entered[2]
    )
    # TW I and TW II reviewed and closed; TW III waits for the Kasubbag, one row returned.
    actions.performance.close_quarter(
        renstra=renstra, year=2026, quarter=1, by=kasubbag, now=_at(2026, 4, 20)
    )
    actions.performance.close_quarter(
        renstra=renstra, year=2026, quarter=2, by=kasubbag, now=_at(2026, 7, 20)
    )
    actions.performance.return_realisasi(
        realisasi=rows[("IK2.2", 3)],
        note="Lampirkan daftar produk hukum yang dipublikasikan di JDIH.",
        by=kasubbag,
        now=_at(2026, 10, 12),
    )
