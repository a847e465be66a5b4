"""Benchmark: the LKjIP of a year, PDF and DOCX, as SOP-011 step 3 drafts it.

    .venv/bin/python bench/report_lkjip.py [--sasaran 5] [--programs 3] [--indicators 4]
                                          [--items 4] [--repeat 2]

Builds the organisation of the shipped structure and a Renstra of the Setda 2022-2026
with `sasaran` sasaran strategis, each with its IKU and `programs` sasaran program of
`indicators` indicators (higher, lower and grade targets in turn), targets for every year
and the end of the period, four quarters of realisasi every year with the bagian's notes
(faktor pendorong, penghambat, tindak lanjut), the national standard of some, a Renja of
the last year with `items` sub kegiatan per sasaran program and a year of serapan, and
the Sekda's PK. The defaults give about 40 pages with 15 charts (three per sasaran
strategis: capaian, trend, capaian against serapan).

Times `lkjip_report(renstra, year)` as the step does it, with KINERJA_REPORT_WORKERS
helper processes (default 1): every read; the PDF's text typeset (WeasyPrint) while a
helper draws the charts (matplotlib, PDF and PNG from one drawing); the wait for the
charts after the text; the charts drawn into their spaces; the DOCX (python-docx). The
first run starts cold (fonts, stylesheets, the helper process starting); the others find
the processes warm, as a server's second request does; each draws every chart again (the
cache is cleared) but the last, which finds them in the cache as the draft made after
the writer's preview does. Prints pages, charts, the wall time of each run, the CPU time
of this process, and the peak RSS of this process and of the helper. Aim (issue 12):
under 5 s, under 500 MB.
"""

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["KINERJA_VAR_DIR"] = str(tmp)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(sasaran: int, programs: int, per_program: int, items: int):
    from kinerja.org.models import Assignment, Person, Position, Unit
    from kinerja.org.services import load_structure
    from kinerja.performance.models import (
        AgreementTarget,
        BudgetRealisation,
        Goal,
        GradeScale,
        Indicator,
        IndicatorTarget,
        Nomenclature,
        Objective,
        PerformanceAgreement,
        Realisasi,
        Renja,
        RenjaItem,
        Renstra,
    )

    load_structure()
    setda = Unit.objects.get(code="setda")
    bagian = list(Unit.objects.filter(parent=setda).order_by("code"))
    first, last = 2022, 2026
    renstra = Renstra.objects.create(
        unit=setda,
        first_year=first,
        last_year=last,
        title="Rencana Strategis Sekretariat Daerah 2022-2026",
        status=Renstra.Status.IN_FORCE,
        reviewer=Position.objects.get(code="kasubbag-perencanaan"),
    )
    for code, name, nip in (
        ("sekda", "Demo Sekretaris Daerah", "196805051990031002"),
        ("walikota", "Demo Wali Kota", None),
    ):
        Assignment.objects.create(
            person=Person.objects.create(name=name, nip=nip),
            position=Position.objects.get(code=code),
            start=dt.date(2020, 1, 1),
        )
    scale = GradeScale.objects.get(name="Predikat SAKIP")
    kinds = [
        {"polarity": "higher", "quarters": "sum", "measure": "dokumen"},
        {"polarity": "lower", "quarters": "average", "measure": "hari"},
        {"polarity": "higher", "quarters": "last", "measure": "indeks",
         "national_standard": Decimal("3.2"), "national_standard_source": "PermenPANRB 14/2017"},
        {"target_kind": "grade", "scale": scale, "quarters": "last", "measure": "predikat"},
    ]  # fmt: skip
    indicators: list[Indicator] = []
    strategic: list[Objective] = []
    for s in range(sasaran):
        goal = Goal.objects.create(renstra=renstra, code=f"T{s + 1}", text=f"Tujuan {s + 1}: tata kelola pemerintahan yang akuntabel dan melayani")  # fmt: skip
        top = Objective.objects.create(
            renstra=renstra, level="strategic", goal=goal, unit=setda, code=f"SS{s + 1}",
            text=f"Meningkatnya kualitas layanan dan akuntabilitas kinerja bidang {s + 1}",
            order=s,
        )  # fmt: skip
        strategic.append(top)
        indicators.append(
            Indicator.objects.create(
                objective=top, code=f"IKU{s + 1}", name=f"Indeks kepuasan layanan bidang {s + 1}",
                is_key=True, measure="indeks", quarters="last", order=0,
            )
        )  # fmt: skip
        for p in range(programs):
            unit = bagian[(s * programs + p) % len(bagian)]
            program = Objective.objects.create(
                renstra=renstra, level="program", parent=top, unit=unit,
                code=f"SP{s + 1}.{p + 1}", text=f"Meningkatnya kinerja {unit.name}", order=p,
            )  # fmt: skip
            for j in range(per_program):
                indicators.append(
                    Indicator.objects.create(
                        objective=program, code=f"IK{s + 1}.{p + 1}.{j + 1}",
                        name=f"Persentase penyelesaian urusan {j + 1} {unit.name}", order=j,
                        **kinds[j % len(kinds)],
                    )
                )  # fmt: skip
    grades = ["AA", "A", "BB", "B", "CC"]
    targets, rows = [], []
    for n, indicator in enumerate(indicators):
        grade = indicator.target_kind == "grade"
        for year in [*range(first, last + 1), None]:
            if grade:
                targets.append(IndicatorTarget(indicator=indicator, year=year, grade="BB"))
            else:
                targets.append(
                    IndicatorTarget(indicator=indicator, year=year, value=Decimal(20 + n % 9))
                )
            if year is None:
                continue
            for quarter in range(1, 5):
                common = {"indicator": indicator, "year": year, "quarter": quarter,
                          "state": "locked", "drivers": "Koordinasi rutin dengan bagian terkait",
                          "obstacles": "Data masuk terlambat", "follow_up": "Jadwal bulanan"}  # fmt: skip
                if grade:
                    rows.append(Realisasi(grade=grades[(n + quarter) % 5], **common))
                else:
                    value = Decimal(4 + (n * quarter + year) % 5)
                    rows.append(Realisasi(value=value, **common))
    IndicatorTarget.objects.bulk_create(targets, batch_size=2000)
    Realisasi.objects.bulk_create(rows, batch_size=2000)
    renja = Renja.objects.create(
        unit=setda, year=last, renstra=renstra, title=f"Renja {last}", status="final"
    )
    codes = list(Nomenclature.objects.filter(level="sub_kegiatan").order_by("code"))
    programs_list = list(
        Objective.objects.filter(renstra=renstra, level="program").select_related("unit")
    )
    made = RenjaItem.objects.bulk_create(
        RenjaItem(
            renja=renja, sub_kegiatan=codes[(n * items + k) % len(codes)], objective=o,
            proposed_by=o.unit, indicator="Jumlah laporan yang disusun", measure="laporan",
            target=Decimal(4), pagu=Decimal(50_000_000 + n * 1_000_000 + k * 250_000),
            state="accepted",
        )
        for n, o in enumerate(programs_list)
        for k in range(items)
    )  # fmt: skip
    BudgetRealisation.objects.bulk_create(
        BudgetRealisation(item=item, quarter=q, amount=Decimal(9_000_000 + n * 10_000 * q))
        for n, item in enumerate(made)
        for q in range(1, 5)
    )
    pk = PerformanceAgreement.objects.create(
        renstra=renstra, year=last, level="II", position=Position.objects.get(code="sekda"),
        superior=Position.objects.get(code="walikota"),
    )  # fmt: skip
    AgreementTarget.objects.bulk_create(
        AgreementTarget(agreement=pk, indicator=i, value=Decimal(20), order=n)
        for n, i in enumerate(x for x in indicators if x.is_key)
    )
    return renstra, last, len(indicators), len(made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sasaran", type=int, default=5)
    parser.add_argument("--programs", type=int, default=3)
    parser.add_argument("--indicators", type=int, default=4)
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder))
        from kinerja.performance.reports.lkjip import lkjip_report

        renstra, year, indicators, items = build(
            args.sasaran, args.programs, args.indicators, args.items
        )
        print(
            f"LKjIP {year}: {args.sasaran} sasaran strategis, {indicators} indicators, "
            f"{items} sub kegiatan"
        )
        from django.core.cache import cache

        for run in range(args.repeat + 1):
            # Every run draws every chart, but the last: the draft made after a preview
            # finds the charts of the same data in the cache.
            cached = run == args.repeat
            if not cached:
                cache.clear()
            cpu = time.process_time()
            start = time.perf_counter()
            phases: dict = {}
            report = lkjip_report(renstra, year, timings=phases)
            wall = time.perf_counter() - start
            print(
                f"run {run + 1} ({'charts cached' if cached else 'cold' if run == 0 else 'warm'}): "
                f"{report.pages} pages, "
                f"PDF {len(report.pdf) // 1024} KB, DOCX {len(report.docx or b'') // 1024} KB, "
                f"wall {wall:.2f} s, CPU {time.process_time() - cpu:.2f} s"
            )
            print("  " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items()))
        import io

        from docx import Document

        pictures = len(Document(io.BytesIO(report.docx)).inline_shapes)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"charts: {pictures} (PNG in the DOCX, vector PDF in the PDF)")
        print(f"peak RSS of the process: {peak:.0f} MB")
        from kinerja.performance.reports import workers

        helper = workers.submit(_peak_rss_mb).result()
        print(f"peak RSS of the helper process: {helper:.0f} MB")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
