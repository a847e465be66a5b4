"""Who may call the API: a personal token, or a logged-in session with its CSRF token."""

import datetime as dt
import hashlib
import json

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from kinerja.core.token_models import ApiToken
from kinerja.core.tokens import create_token, revoke_token, user_for_token

from .conftest import JsonClient

pytestmark = pytest.mark.django_db


def test_a_call_without_credentials_is_refused_with_401(demo):
    response = JsonClient(None, language="en").get("/api/tasks/mine")
    assert response.status_code == 401
    assert response.json()["message"] == (
        "Log in, or send a personal API token in the header 'Authorization: Bearer <token>'."
    )
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_write_without_credentials_is_401_not_a_csrf_error(demo):
    response = JsonClient(None, language="en").post(
        "/api/processes", {"sop": "SOP-011", "title": "x", "year": 2025}
    )
    assert response.status_code == 401


def test_an_unknown_token_is_refused(demo):
    response = JsonClient("knj_" + "x" * 43, language="en").get("/api/tasks/mine")
    assert response.status_code == 401
    assert response.json()["message"] == "The API token is unknown."


def test_something_that_is_no_token_is_refused(demo):
    response = JsonClient("abc", language="en").get("/api/tasks/mine")
    assert response.status_code == 401
    assert response.json()["message"] == "This is not a Kinerja API token."


def test_another_scheme_than_bearer_is_refused(demo, tokens):
    client = Client()
    response = client.get("/api/tasks/mine", headers={"Authorization": f"Token {tokens['sekda']}"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["message"]


def test_a_revoked_token_is_refused_with_401(users):
    token, raw = create_token(by=users["sekda"], name="skrip")
    client = JsonClient(raw, language="en")
    assert client.get("/api/tasks/mine").status_code == 200
    revoke_token(token=token, by=users["sekda"])
    response = client.get("/api/tasks/mine")
    assert response.status_code == 401
    assert response.json() == {"message": "The API token was revoked.", "field": None}


def test_a_bad_token_is_refused_even_with_a_logged_in_session(users):
    client = Client()
    client.force_login(users["sekda"])
    response = client.get("/api/tasks/mine", headers={"Authorization": "Bearer knj_nope"})
    assert response.status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(users, tokens):
    users["sekda"].is_active = False
    users["sekda"].save(update_fields=["is_active"])
    response = JsonClient(tokens["sekda"], language="en").get("/api/tasks/mine")
    assert response.status_code == 401
    assert response.json()["message"] == "The API token's user may no longer log in."


def test_tokens_are_stored_hashed_and_the_database_holds_no_plaintext(users):
    token, raw = create_token(by=users["pelaksana"], name="rekap")
    assert raw.startswith("knj_") and len(raw) == 4 + 43
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12]
    secret_part = raw[12:]
    # No column of any row of any table holds the token, or its secret part.
    for model in apps.get_models():
        for row in model.objects.values_list():
            text = json.dumps(row, default=str)
            assert secret_part not in text, model


def test_last_use_is_recorded_at_most_once_a_minute(users, django_assert_num_queries):
    token, raw = create_token(by=users["sekda"], name="skrip")
    assert token.last_used_at is None
    first = timezone.now()
    with django_assert_num_queries(2):  # the lookup, and writing the time
        assert user_for_token(raw, now=first) == users["sekda"]
    token.refresh_from_db()
    assert token.last_used_at == first
    with django_assert_num_queries(1):  # the lookup only
        user_for_token(raw, now=first + dt.timedelta(seconds=59))
    user_for_token(raw, now=first + dt.timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == first + dt.timedelta(seconds=61)


def test_the_session_of_the_pages_works_for_reading(users):
    client = Client()
    client.force_login(users["pelaksana"])
    response = client.get("/api/sops")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_a_write_with_the_session_needs_the_csrf_token(users):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    client.force_login(users["kasubbag"])
    body = json.dumps({"sop": "SOP-011", "title": "LKjIP 2025", "year": 2025})
    response = client.post("/api/processes", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["message"].startswith("CSRF check failed")
    # With the csrftoken cookie's value in X-CSRFToken, as the pages' htmx sends it.
    client.get("/api/docs")  # any page that renders {{ csrf_token }} sets the cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/processes", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.json()


def test_a_token_is_made_from_a_session_only(users, tokens):
    response = JsonClient(tokens["sekda"], language="en").post("/api/tokens", {"name": "lagi"})
    assert response.status_code == 401
    assert ApiToken.objects.filter(user=users["sekda"]).count() == 1


def test_token_calls_hash_no_password_so_a_crowd_of_log_ins_does_not_stop_them(settings, tokens):
    """A token is looked up by its SHA-256: no Argon2 per call, no hashing slot needed."""
    from kinerja.core.passwords import hashing_slot

    settings.PASSWORD_HASHERS = ["kinerja.core.passwords.BoundedArgon2PasswordHasher"]
    settings.KINERJA_PASSWORD_HASH_CONCURRENCY = 1
    settings.KINERJA_PASSWORD_HASH_WAIT = 0.01
    with hashing_slot():  # every slot taken: a call that hashed would answer 503
        assert JsonClient(tokens["sekda"]).get("/api/tasks/mine").status_code == 200
        unknown = JsonClient("knj_" + "y" * 43, language="en").get("/api/tasks/mine")
        assert unknown.status_code == 401
        assert unknown.json()["message"] == "The API token is unknown."
