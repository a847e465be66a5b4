"""Benchmark: drawing (layout + SVG) and PDF of each shipped SOP.

    .venv/bin/python bench/sop_render.py [--draw-runs 30] [--pdf-runs 5] [--out DIR]

Sets Django up on a throwaway SQLite database in a temporary folder, migrates,
loads the organisation and imports the shipped SOPs, then times each SOP:
the drawing (flowchart.layout_table + page_svg for every page) and the PDF
(render.render_pdf). Prints the median and the best time of each and the
peak memory (tracemalloc for one render, and the process's maximum RSS).

Budgets: under 50 ms per drawing and under 1 s per PDF on a 2-core machine.
`--out DIR` also writes each SOP's PDF and page SVGs there for a look.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAW_BUDGET_MS = 50
PDF_BUDGET_MS = 1000


def setup_django(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DEBUG", "true")  # the embedded set-up, as make run
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["KINERJA_VAR_DIR"] = str(tmp)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load_sops():
    from kinerja.org.services import load_structure
    from kinerja.sop.models import SopVersion
    from kinerja.sop.services import import_shipped

    load_structure()
    import_shipped()
    return list(SopVersion.objects.with_content().published().order_by("sop__number"))


def timed(fn, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def peak_kib(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw-runs", type=int, default=30)
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write the PDFs and SVGs into this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kinerja-bench-") as tmp:
        setup_django(Path(tmp))
        from kinerja.sop import flowchart, render

        versions = load_sops()
        if not versions:
            print("no shipped SOP was imported", file=sys.stderr)
            return 1

        def drawing(version):
            table = flowchart.layout_table(flowchart.chart_spec(version))
            return [flowchart.page_svg(table, page) for page in table.pages]

        # The first render of a process reads the font files and registers them
        # with fontconfig: reported apart, as a cold start.
        start = time.perf_counter()
        render.render_pdf(versions[0])
        cold_ms = (time.perf_counter() - start) * 1000

        print(
            f"{'SOP':<16}{'table pages':>12}{'draw med':>10}{'best':>8}{'PDF med':>10}{'best':>8}"
            f"{'draw peak':>11}{'PDF peak':>10}{'PDF size':>10}"
        )
        over = []
        for version in versions:
            draw_times, svgs = timed(lambda v=version: drawing(v), args.draw_runs)
            pdf_times, pdf = timed(lambda v=version: render.render_pdf(v), args.pdf_runs)
            draw_peak = peak_kib(lambda v=version: drawing(v))
            pdf_peak = peak_kib(lambda v=version: render.render_pdf(v))
            draw_med, pdf_med = statistics.median(draw_times), statistics.median(pdf_times)
            print(
                f"{version.sop.number:<16}{len(svgs):>12}{draw_med:>8.1f}ms{min(draw_times):>6.1f}ms"
                f"{pdf_med:>8.0f}ms{min(pdf_times):>6.0f}ms{draw_peak:>9.0f}KB"
                f"{pdf_peak / 1024:>8.1f}MB{len(pdf) / 1024:>8.0f}KB"
            )
            if draw_med > DRAW_BUDGET_MS:
                over.append(f"{version.sop.number} drawing {draw_med:.1f} ms > {DRAW_BUDGET_MS}")
            if pdf_med > PDF_BUDGET_MS:
                over.append(f"{version.sop.number} PDF {pdf_med:.0f} ms > {PDF_BUDGET_MS}")
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                stem = version.sop.number.replace("/", "-")
                (args.out / f"{stem}.pdf").write_bytes(pdf)
                for i, svg in enumerate(svgs, start=1):
                    (args.out / f"{stem}-{i}.svg").write_text(svg, encoding="utf-8")

        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"first PDF of the process (fonts loaded): {cold_ms:.0f} ms")
        print(f"process max RSS: {rss_mib:.0f} MB")
        for line in over:
            print(f"OVER BUDGET: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
