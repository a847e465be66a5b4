"""The OpenAPI 3 document describes every operation, and the docs page works without internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/renstra"),
    ("get", "/api/renstra/{renstra_id}/capaian"),
    ("get", "/api/renstra/{renstra_id}/cascade"),
    ("get", "/api/renstra/{renstra_id}/dashboard"),
    ("post", "/api/renstra/{renstra_id}/realisasi"),
    # The plan (kinerja/api/plans.py).
    ("get", "/api/renstra/{renstra_id}"),
    ("post", "/api/renstra/{renstra_id}/versions"),
    ("post", "/api/renstra/{renstra_id}/in-force"),
    ("get", "/api/renstra/{renstra_id}/goals"),
    ("post", "/api/renstra/{renstra_id}/goals"),
    ("put", "/api/goals/{goal_id}"),
    ("get", "/api/renstra/{renstra_id}/objectives"),
    ("post", "/api/renstra/{renstra_id}/objectives"),
    ("put", "/api/objectives/{objective_id}"),
    ("get", "/api/renstra/{renstra_id}/indicators"),
    ("get", "/api/indicators/{indicator_id}"),
    ("post", "/api/objectives/{objective_id}/indicators"),
    ("patch", "/api/indicators/{indicator_id}"),
    ("put", "/api/indicators/{indicator_id}/targets/{year}"),
    ("delete", "/api/indicators/{indicator_id}/targets/{year}"),
    ("post", "/api/realisasi/{realisasi_id}/return"),
    ("post", "/api/realisasi/{realisasi_id}/lock"),
    ("get", "/api/realisasi/{realisasi_id}"),
    ("post", "/api/renstra/{renstra_id}/realisasi/correction"),
    ("post", "/api/realisasi/{realisasi_id}/evidence"),
    ("post", "/api/evidence/{evidence_id}/detach"),
    ("get", "/api/renstra/{renstra_id}/agreements"),
    ("post", "/api/renstra/{renstra_id}/agreements"),
    ("get", "/api/agreements/{agreement_id}"),
    ("get", "/api/agreements/{agreement_id}/revisions"),
    ("get", "/api/agreements/{agreement_id}/document"),
    ("get", "/api/renstra/{renstra_id}/agreements/document"),
    ("post", "/api/agreements/{agreement_id}/sign"),
    ("post", "/api/agreements/{agreement_id}/revise"),
    ("get", "/api/renstra/{renstra_id}/serapan"),
    ("post", "/api/renstra/{renstra_id}/serapan"),
    ("post", "/api/renstra/{renstra_id}/serapan/correction"),
    ("post", "/api/serapan/{serapan_id}/return"),
    ("post", "/api/serapan/{serapan_id}/lock"),
    ("get", "/api/renja"),
    ("get", "/api/renja/{renja_id}"),
    ("post", "/api/renja/{renja_id}/items"),
    ("post", "/api/renja/items/{item_id}/decision"),
    ("post", "/api/renja/{renja_id}/priorities"),
    ("get", "/api/renstra/{renstra_id}/narrative/{kind}/{year}"),
    ("put", "/api/renstra/{renstra_id}/narrative/{kind}/{year}"),
    ("get", "/api/renja/{renja_id}/document"),
    ("get", "/api/renja/{renja_id}/evaluation"),
    ("get", "/api/sops"),
    ("get", "/api/sops/{ref}"),
    ("get", "/api/sops/{ref}/compare"),
    ("post", "/api/sop-drafts"),
    ("get", "/api/sops/{ref}/draft"),
    ("put", "/api/sops/{ref}/draft"),
    ("post", "/api/sops/{ref}/draft/preview"),
    ("post", "/api/sops/{ref}/revision"),
    ("get", "/api/sops/{ref}/versions/{number}/approval"),
    ("get", "/api/sops/{ref}/versions/{number}/pdf"),
    ("post", "/api/sops/{ref}/versions/{number}/submit"),
    ("post", "/api/sops/{ref}/versions/{number}/approve"),
    ("post", "/api/sops/{ref}/versions/{number}/return"),
    # The monitoring of an SOP, Tabel 7 (kinerja/api/sop_monitoring.py).
    ("get", "/api/sops/{ref}/monitoring"),
    ("get", "/api/sops/{ref}/monitoring/{period}/tabel-7"),
    ("post", "/api/sops/{ref}/monitoring/{period}/tabel-7"),
    ("post", "/api/sops/{ref}/monitoring/{period}/tabel-7/rows/{number}/paraf"),
    ("post", "/api/sops/{ref}/monitoring/{period}/revision"),
    ("get", "/api/sops/{ref}/monitoring/{period}/tabel-7.pdf"),
    ("get", "/api/sops/{ref}/monitoring/{period}/tabel-7.docx"),
    ("get", "/api/sops/{ref}/evaluations"),
    ("post", "/api/sops/{ref}/evaluations"),
    ("get", "/api/evaluations/{evaluation_id}"),
    ("get", "/api/evaluations/{evaluation_id}/pdf"),
    ("post", "/api/evaluations/{evaluation_id}/revision"),
    ("post", "/api/processes"),
    ("get", "/api/processes"),
    ("get", "/api/processes/{process_id}"),
    ("post", "/api/processes/{process_id}/cancel"),
    ("get", "/api/processes/{process_id}/access"),
    ("post", "/api/processes/{process_id}/access"),
    ("delete", "/api/processes/{process_id}/access/{person_id}"),
    ("get", "/api/tasks/mine"),
    ("get", "/api/tasks/{task_id}"),
    *(
        ("post", f"/api/tasks/{{task_id}}/{action}")
        for action in (
            "finish",
            "paraf",
            "sign",
            "return",
            "choose",
            "waive",
            "reassign",
            "file",
            "send",
        )
    ),
    ("post", "/api/tokens"),
    ("get", "/api/tokens"),
    ("delete", "/api/tokens/{token_id}"),
    ("get", "/api/documents"),
    ("post", "/api/documents"),
    ("get", "/api/documents/{version_id}"),
    ("get", "/api/documents/{version_id}/file"),
    ("get", "/api/documents/{version_id}/docx"),
    ("get", "/api/documents/{version_id}/xlsx"),
    ("post", "/api/tasks/{task_id}/draft"),
    ("post", "/api/tasks/{task_id}/checklist/waive"),
    ("post", "/api/documents/verify"),
    ("get", "/api/archive"),
    ("get", "/api/numbers"),
    ("post", "/api/numbers"),
    ("post", "/api/numbers/{number_id}/cancel"),
}


@pytest.fixture
def document():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_document_lists_every_operation_with_its_errors(document):
    assert document["openapi"].startswith("3.")
    found = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert found == OPERATIONS
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"401", "422"} <= codes, (method, path)
            if method in {"post", "delete"} and path != "/api/tokens":
                assert {"403", "404"} <= codes, (method, path)
            assert op.get("security"), (method, path)
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_every_reference_in_the_document_resolves(document):
    schemas = document["components"]["schemas"]
    for ref in set(_refs(document)):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref
    for name in schemas:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", name), name
    assert document["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }


def test_the_document_validates_against_the_openapi_specification(document):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)


def test_the_docs_page_loads_nothing_from_outside(demo):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    for source in sources:
        assert source.startswith("/static/"), source
        assert finders.find(source.removeprefix("/static/")), source
    assert "/api/openapi.json" in html
