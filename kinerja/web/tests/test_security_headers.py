"""Headers every answer carries, and sessions that end when left alone or when the browser closes."""

import datetime as dt
import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from kinerja.core.sessions import SEEN_KEY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/login/", "/", "/api/docs", "/api/openapi.json", "/api/tasks/mine", "/tidak-ada/"],
    ids=["login", "page-redirect", "api-docs", "openapi", "api-401", "page-404"],
)
def test_every_answer_carries_the_content_security_and_permissions_policies(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_sop_page_styles_its_table_with_the_nonce_of_its_own_answer(
    pelaksana_client, shipped_sops
):
    response = pelaksana_client.get(reverse("web:sop-detail", args=["sop-011-setda"]))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    assert f'<style nonce="{nonce}">.sop-layout-' in html
    # No measure is left in a style attribute, which the policy would block.
    assert " style=" not in html
    again = pelaksana_client.get(reverse("web:sop-detail", args=["sop-011-setda"]))
    assert nonce not in again["Content-Security-Policy"]


def test_a_page_without_inline_style_names_no_nonce(client):
    assert "nonce" not in client.get("/login/")["Content-Security-Policy"]


def test_the_session_cookie_ends_with_the_browser(client, pelaksana):
    from .conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "pelaksana", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert not cookie["max-age"] and not cookie["expires"]
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_session_left_alone_past_the_idle_time_is_logged_out(pelaksana_client, shipped_sops):
    assert pelaksana_client.get(reverse("web:sop-list")).status_code == 200
    # 30 minutes pass without a request: the server's expiry of the session is behind us.
    Session.objects.filter(pk=_session(pelaksana_client).pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = pelaksana_client.get(reverse("web:sop-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_request_pushes_the_idle_expiry_back(pelaksana_client, shipped_sops):
    pelaksana_client.get(reverse("web:sop-list"))
    # 25 minutes pass: 5 are left, and the session was last seen 25 minutes ago.
    stored = _session(pelaksana_client)
    data = stored.get_decoded()
    data[SEEN_KEY] = int(time.time()) - 25 * 60
    Session.objects.filter(pk=stored.pk).update(
        session_data=Session.objects.encode(data),
        expire_date=timezone.now() + dt.timedelta(minutes=5),
    )

    assert pelaksana_client.get(reverse("web:sop-list")).status_code == 200

    left = _session(pelaksana_client).expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)


def test_an_api_call_with_a_token_makes_no_session(client, pelaksana):
    from kinerja.core.tokens import create_token

    _token, raw = create_token(by=pelaksana, name="skrip")
    response = client.get("/api/tasks/mine", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()
