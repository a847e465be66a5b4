"""The cascade drawn as a tree: every sasaran in its box at its level, under the sasaran it
serves, with its indicators."""

import re
import xml.etree.ElementTree as ET

import pytest

from kinerja.org.models import Unit
from kinerja.performance.cascade import BOX_WIDTH, cascade_svg
from kinerja.performance.models import Indicator, Objective, Renstra

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own drawing, not outside input


def boxes(svg: str) -> dict[str, tuple[float, float, float]]:
    """code -> (x, y, height) of each box."""
    root = parse(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        rect = group.find(f"{SVG}rect")
        found[group.get("data-code")] = (
            float(rect.get("x")),
            float(rect.get("y")),
            float(rect.get("height")),
        )
    return found


def test_each_sasaran_sits_under_the_one_it_serves(setda, django_assert_num_queries):
    program = Objective.objects.get(code="SP1")
    activity = Objective.objects.create(
        renstra=setda["renstra"],
        level=Objective.Level.ACTIVITY,
        parent=program,
        unit=Unit.objects.get(code="subbag-perencanaan"),
        code="SK1",
        text="Tersusunnya dokumen perencanaan tepat waktu",
    )
    Indicator.objects.create(
        objective=activity, code="IK5", name="Persentase dokumen tepat waktu", measure="%"
    )
    with django_assert_num_queries(2):
        svg = cascade_svg(setda["renstra"])
    placed = boxes(svg)
    assert set(placed) == {"SS1", "SP1", "SP2", "SK1"}
    # Three rows, top to bottom.
    assert placed["SS1"][1] < placed["SP1"][1] == placed["SP2"][1] < placed["SK1"][1]
    # The sasaran strategis is centred over its two sasaran program; SK1 under SP1.
    assert placed["SS1"][0] == pytest.approx((placed["SP1"][0] + placed["SP2"][0]) / 2)
    assert placed["SK1"][0] == placed["SP1"][0]
    # No two boxes of a row overlap.
    assert abs(placed["SP1"][0] - placed["SP2"][0]) >= BOX_WIDTH
    text = " ".join(t.text for t in parse(svg).iter(f"{SVG}text"))
    assert "Predikat SAKIP Sekretariat Daerah (IKU)" in text
    assert "Bagian Tata Pemerintahan" in text and "• Persentase dokumen tepat waktu" in text


def test_long_texts_wrap_inside_their_box(setda):
    Objective.objects.filter(code="SP2").update(
        text="Meningkatnya " + "kualitas produk hukum daerah " * 8
    )
    svg = cascade_svg(setda["renstra"])
    lines = re.findall(r'<text x="[\d.]+" y="[\d.]+" font-weight="bold">([^<]*)</text>', svg)
    assert len(lines) > 4  # the long sasaran takes several lines
    x, _y, height = boxes(svg)["SP2"]
    assert height > boxes(svg)["SP1"][2]


def test_an_empty_renstra_says_so(setda):
    empty = Renstra.objects.create(
        unit=setda["renstra"].unit, first_year=2027, last_year=2031, title="Renstra baru"
    )
    svg = cascade_svg(empty)
    assert "The Renstra has no sasaran yet." in svg or "Renstra belum memiliki sasaran." in svg
    parse(svg)  # still a well-formed drawing
