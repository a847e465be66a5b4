"""The performance charts: the same data gives the same bytes (so the page's cache and a
document rendered twice agree), numbers on the axes are written the Indonesian way, the
bars take the pages' band colours, and each chart names itself for a screen reader."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from kinerja.performance import charts
from kinerja.performance.charts import (
    Bar,
    BarChart,
    EfficiencyChart,
    EfficiencyPoint,
    TrendChart,
    TrendLine,
)

BARS = BarChart(
    title="SS1: capaian terhadap target, 2026",
    bars=(
        Bar("IK1", "Indeks kepuasan", Decimal("102.86"), "3,6", "3,5", "Sangat Tinggi",
            charts.band_colour(0), "3,6 ÷ 3,5 = 102,86%"),
        Bar("IK2", "Hari penyelesaian", Decimal("62.50"), "16,5", "12", "Rendah",
            charts.band_colour(3), "(2×12 − 16,5) ÷ 12 = 62,50%"),
        Bar("IKU1", "Predikat SAKIP", None, "", "BB", "", charts.band_colour(None), ""),
    ),
)  # fmt: skip
TREND = TrendChart(
    title="SS1",
    years=(2024, 2025, 2026),
    lines=(
        TrendLine(
            "IK1",
            ((2024, Decimal("97.5")), (2025, None), (2026, Decimal("102.86"))),
            ((2024, Decimal("88.1")), (2026, Decimal("96"))),
        ),
    ),
)
EFFICIENCY = EfficiencyChart(
    title="SS1",
    points=(
        EfficiencyPoint(
            "SP1", Decimal("96.89"), Decimal("65.36"), Decimal(68950000), Decimal(105500000), ""
        ),
    ),
)


def test_the_same_data_gives_the_same_bytes():
    assert charts.bars_svg(BARS) == charts.bars_svg(BARS)
    assert charts.trend_svg(TREND) == charts.trend_svg(TREND)
    assert charts.efficiency_png(EFFICIENCY) == charts.efficiency_png(EFFICIENCY)
    svg = charts.bars_svg(BARS)
    assert svg.startswith("<svg") and "<dc:date>" not in svg


def test_the_page_and_the_document_get_the_same_figure_as_svg_and_png():
    png = charts.bars_png(BARS)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"Software" not in png[:200]  # no version stamp: the bytes follow the data only


def test_a_document_gets_the_chart_as_a_vector_pdf_of_its_size_and_a_png_the_same_each_time():
    from io import BytesIO

    from pypdf import PdfReader

    pdf, png = charts.print_images(BARS, "id")
    assert (pdf, png) == charts.print_images(BARS, "id")  # cacheable by its data
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    page = PdfReader(BytesIO(pdf)).pages[0]
    width_in, height_in = charts.size_in(BARS)
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (
        width_in * 72,
        pytest.approx(height_in * 72),
    )
    text = page.extract_text()  # text, in the embedded font: not outlines
    assert "Indikator" in text and "100%" in text
    assert (
        "Indicator"
        in PdfReader(BytesIO(charts.print_images(BARS, "en")[0])).pages[0].extract_text()
    )


def test_the_bars_take_the_band_colours_of_the_pages():
    css = (Path(__file__).resolve().parents[2] / "web/static/web/app.css").read_text()
    for rank, colour in enumerate(charts.BAND_COLOURS):
        assert f".band.band-{rank} {{ background:{colour}; }}" in css
    svg = charts.bars_svg(BARS)
    assert charts.BAND_COLOURS[0] in svg and charts.BAND_COLOURS[3] in svg


def test_the_axes_speak_the_current_language_and_write_a_decimal_comma():
    with translation.override("id"):
        svg = charts.bars_svg(BARS)
    # Text is drawn as glyph paths (the same look everywhere); the labels name themselves in
    # the comments matplotlib writes beside each text.
    assert "<!-- Capaian (realisasi terhadap target, %) -->" in svg
    assert "<!--  102,86% -->" in svg and "<!-- 100% -->" in svg and "<!-- Indikator -->" in svg
    assert charts._number(97.5) == "97,5"


def test_an_empty_chart_says_so_instead_of_failing():
    svg = charts.trend_svg(TrendChart(title="SS9", years=(2026,), lines=()))
    assert "<!-- No capaian in these years yet. -->" in svg
    assert re.search(r"<svg[^>]+width=", charts.efficiency_svg(EfficiencyChart("SS9", ())))


def test_a_rendered_chart_is_cached_by_its_data():
    first = charts.cached_svg(BARS)
    assert charts.cached_svg(BARS) == first
    other = BarChart(title=BARS.title, bars=BARS.bars[:1])
    assert charts.cached_svg(other) != first
