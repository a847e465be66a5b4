"""A user makes, lists and revokes their own tokens, through the API and on the tokens page."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from kinerja.core.audit import events_for
from kinerja.core.token_models import ApiToken
from kinerja.core.tokens import MAX_ACTIVE_TOKENS, create_token

from .conftest import JsonClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(users):
    """The Sekda logged in to the pages, calling the API with the session (English answers)."""
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(users["sekda"])
    return client


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_a_token_is_shown_once_and_then_works(session, users):
    response = _post(session, "/api/tokens", {"name": "Rekap bulanan"})
    assert response.status_code == 201
    made = response.json()
    raw = made["token"]
    assert raw.startswith(made["prefix"])
    assert made["name"] == "Rekap bulanan"
    listed = session.get("/api/tokens").json()
    assert [(t["id"], t["name"], t["prefix"]) for t in listed] == [
        (made["id"], "Rekap bulanan", made["prefix"])
    ]
    assert "token" not in listed[0]
    assert raw not in session.get("/api/tokens").content.decode()
    inbox = JsonClient(raw).get("/api/tasks/mine")
    assert inbox.status_code == 200
    assert ApiToken.objects.get(pk=made["id"]).last_used_at is not None


def test_a_token_needs_a_name(session):
    response = _post(session, "/api/tokens", {"name": "  "})
    assert response.status_code == 400
    assert response.json() == {"message": "Name the token: what is it for?", "field": "name"}
    response = _post(session, "/api/tokens", {})
    assert response.status_code == 422
    assert response.json()["field"] == "name"


def test_the_number_of_active_tokens_is_limited(session, users):
    for i in range(MAX_ACTIVE_TOKENS):
        create_token(by=users["sekda"], name=f"t{i}")
    response = _post(session, "/api/tokens", {"name": "satu lagi"})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "You already have 20 active tokens; revoke one you no longer use first."
    )


def test_revoking_a_token_with_the_token_itself(users):
    token, raw = create_token(by=users["kabag"], name="skrip")
    client = JsonClient(raw, language="en")
    response = client.delete(f"/api/tokens/{token.pk}")
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/tokens").status_code == 401
    actions = list(events_for(f"user:{users['kabag'].pk}").values_list("action", flat=True))
    assert actions == ["token-create", "token-revoke"]


def test_nobody_revokes_or_sees_another_users_token(users, tokens):
    theirs = ApiToken.objects.get(user=users["sekda"])
    client = JsonClient(tokens["operator-hukum"], language="en")
    response = client.delete(f"/api/tokens/{theirs.pk}")
    assert response.status_code == 404
    assert response.json()["message"] == f"You have no token {theirs.pk}."
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert [t["id"] for t in client.get("/api/tokens").json()] == [
        ApiToken.objects.get(user=users["operator-hukum"]).pk
    ]


def test_the_tokens_page_makes_shows_once_and_revokes(session, users):
    url = reverse("web:tokens")
    page = session.get(url)
    assert page.status_code == 200
    assert "Rekap" not in page.content.decode()
    response = session.post(url, {"name": "Rekap"})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(user=users["sekda"], name="Rekap")
    raw = re.search(r'id="new-token">([^<]+)<', html).group(1)
    assert raw.startswith(token.prefix)
    assert JsonClient(raw).get("/api/tasks/mine").status_code == 200
    # Shown once: the next visit lists the token by its prefix, never the token.
    again = session.get(url).content.decode()
    assert token.prefix in again and raw not in again
    response = session.post(reverse("web:token-revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "revoked" in response.content.decode().lower()
    assert JsonClient(raw).get("/api/tasks/mine").status_code == 401


def test_the_tokens_page_refuses_an_empty_name_with_the_message(session):
    response = session.post(reverse("web:tokens"), {"name": ""})
    assert response.status_code == 200
    assert "Name the token: what is it for?" in response.content.decode()
    assert not ApiToken.objects.filter(name="").exists()


def test_the_tokens_page_revokes_only_ones_own_tokens(session, users):
    other, _raw = create_token(by=users["kabag"], name="milik kabag")
    response = session.post(reverse("web:token-revoke", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_tokens_page_needs_a_login(demo):
    response = Client().get(reverse("web:tokens"))
    assert response.status_code == 302
