"""/healthz: the proxy's and the monitor's question "is this server up and does it reach its
database?", answered without a log-in, a session or a template."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_healthy_server_answers_ok_without_a_login(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(reverse("web:healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_a_server_without_its_database_answers_503(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("kinerja.web.health_views.connection.cursor", unreachable)
    response = client.get(reverse("web:healthz"))
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_only_reading_is_allowed(client):
    assert client.post(reverse("web:healthz")).status_code == 405
