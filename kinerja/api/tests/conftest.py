"""Personas of the SOPs with a personal API token each, and a small JSON client.

The Pelaksana, the Kasubbag, the Kabag, the Asisten III, the Sekda and the
Walikota of the demo organisation; an outsider (an operator of another
bagian); the administrator.
"""

import json

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from kinerja.core.tokens import create_token
from kinerja.demo.services import build_demo, start_demo_processes

PERSONAS = ("pelaksana", "kasubbag", "kabag", "asisten3", "sekda", "walikota")
OUTSIDER = "operator-hukum"

# Which login acts in which lane (position code) of the three SOPs.
LANE_LOGIN = {
    "pelaksana-perencanaan": "pelaksana",
    "kasubbag-perencanaan": "kasubbag",
    "kabag-umum": "kabag",
    "asisten-3": "asisten3",
    "sekda": "sekda",
    "walikota": "walikota",
}


class JsonClient:
    """Calls the API as one user with their token (or with no credentials: token=None)."""

    def __init__(self, token: str | None, *, language: str = "id", client: Client | None = None):
        self.client = client or Client()
        self.token = token
        self.client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(path, params or {}, headers=self._headers())

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self._headers()
        )

    def delete(self, path: str):
        return self.client.delete(path, headers=self._headers())


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


@pytest.fixture
def users(demo):
    names = (*PERSONAS, OUTSIDER, "admin")
    found = get_user_model().objects.select_related("person").filter(username__in=names)
    return {u.username: u for u in found}


@pytest.fixture
def tokens(users):
    """A personal API token of each persona, the outsider and the administrator: username -> text."""
    return {name: create_token(by=user, name="uji")[1] for name, user in users.items()}


@pytest.fixture
def as_user(tokens):
    """as_user("sekda") is a JsonClient with the Sekda's token; language="en" for English."""

    def make(username: str, *, language: str = "id") -> JsonClient:
        return JsonClient(tokens[username], language=language)

    return make


@pytest.fixture
def world(db, tmp_path, settings):
    """The demo with its three processes, signing with the demo certificates: username -> user."""
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KINERJA_PKI_DIR = tmp_path / "pki"
    settings.KINERJA_SIGNING_BACKEND = "local"
    settings.KINERJA_SIGNING_CERT = ""
    settings.KINERJA_SIGNING_KEY = ""
    settings.KINERJA_SIGNING_TRUST_ROOTS = []
    build_demo(var_dir=tmp_path)
    start_demo_processes()
    return {u.username: u for u in get_user_model().objects.select_related("person")}
