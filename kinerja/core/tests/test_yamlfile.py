"""Every YAML file Kinerja reads is read as hostile: the organisation and the reference data
too, not only SOP files (kinerja/sop/tests/test_command.py covers `sop import`)."""

import pytest
from django.utils import translation

from kinerja.core.errors import DomainError
from kinerja.core.yamlfile import load_file
from kinerja.org.models import Unit
from kinerja.org.services import STRUCTURE_FILE, load_structure


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_an_organisation_file_with_an_anchor_is_refused_and_nothing_is_loaded(db, tmp_path):
    text = STRUCTURE_FILE.read_text()
    path = tmp_path / "kota.yaml"
    path.write_text(text.replace("units:", "units: &semua", 1) + "copy: *semua\n")
    line = text.splitlines().index("units:") + 1
    with pytest.raises(DomainError) as caught:
        load_structure(path=path)
    assert str(caught.value) == (
        f"kota.yaml, line {line}: malformed YAML: anchors and aliases (&name, *name) are not "
        "allowed; write the value out."
    )
    assert not Unit.objects.exists()


def test_the_shipped_files_read_as_before():
    assert {"units", "positions"} <= set(load_file(STRUCTURE_FILE))


def test_a_file_over_the_limit_is_not_read(tmp_path, settings):
    settings.KINERJA_YAML_MAX_BYTES = 1024
    path = tmp_path / "besar.yaml"
    path.write_text("a: 1\n" * 500)
    with pytest.raises(DomainError) as caught:
        load_file(path)
    assert str(caught.value) == (
        "besar.yaml: the file is larger than 1 KB, more than a YAML file of Kinerja needs."
    )
