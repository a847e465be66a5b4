"""The place a unit's documents are dated at, from the government at the root of its tree."""

import pytest

from kinerja.org.models import Unit
from kinerja.org.places import place_of

pytestmark = pytest.mark.django_db


def tree(government: str) -> Unit:
    root = Unit.objects.create(code="pemerintah", name=government)
    setda = Unit.objects.create(code="setda", name="Sekretariat Daerah", parent=root)
    bagian = Unit.objects.create(code="bagian-umum", name="Bagian Umum", parent=setda)
    return Unit.objects.create(code="subbag", name="Sub Bagian Perencanaan", parent=bagian)


@pytest.mark.parametrize(
    ("government", "place"),
    [
        ("Pemerintah Kota Banjarbaru", "Banjarbaru"),
        ("Pemerintah Kabupaten Hulu Sungai Selatan", "Hulu Sungai Selatan"),
        ("PEMERINTAH KOTA BANJARBARU", "BANJARBARU"),
        # Not a city or a regency: the name without "Pemerintah", as it stands.
        ("Pemerintah Provinsi Kalimantan Selatan", "Provinsi Kalimantan Selatan"),
        ("Kota Banjarbaru", "Kota Banjarbaru"),
    ],
)
def test_the_place_is_the_city_or_regency_of_the_government_above_the_unit(government, place):
    unit = tree(government)
    assert place_of(unit) == place
    assert place_of(unit.government()) == place
