"""Settings come from the environment; production values pass Django's deployment check."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Variables of the test run itself, not of a deployment.
IGNORED = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7$w9!uQ2#pL0zR8vX4mN6bT1yC3eH5jA-production-only-secret",
    "ALLOWED_HOSTS": "kinerja.banjarbarukota.go.id",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in IGNORED}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_values_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_secret_key_fails_loudly():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for_and_then_a_secret_key_is_required():
    # DEBUG unset (empty): no development key, the start stops with the reason.
    result = manage("check", env={"DEBUG": "", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "kadang", "DEBUG must be true or false"),
        ("AXES_FAILURE_LIMIT", "lima", "AXES_FAILURE_LIMIT must be a whole number"),
        ("DATABASE_URL", "mysql-ish://", "DATABASE_URL"),
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT must be 0 or more"),
        ("SESSION_IDLE_MINUTES", "0", "SESSION_IDLE_MINUTES must be at least 1"),
        ("KINERJA_PASSWORD_HASH_CONCURRENCY", "0", "KINERJA_PASSWORD_HASH_CONCURRENCY must be"),
    ],
)
def test_bad_environment_values_name_the_variable(name, value, message):
    result = manage("check", env={name: value})
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_passwords_are_hashed_with_argon2():
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert "axes" in project_settings.INSTALLED_APPS
    assert project_settings.LANGUAGE_CODE == "id"


def test_a_secret_comes_from_its_variable(monkeypatch):
    from config.settings import env_secret

    monkeypatch.setenv("BSRE_PASSWORD", "rahasia-bsre")
    monkeypatch.delenv("BSRE_PASSWORD_FILE", raising=False)
    assert env_secret("BSRE_PASSWORD") == "rahasia-bsre"


def test_a_secret_without_variable_or_file_is_the_default(monkeypatch):
    from config.settings import env_secret

    monkeypatch.delenv("BSRE_PASSWORD", raising=False)
    monkeypatch.setenv("BSRE_PASSWORD_FILE", "")
    assert env_secret("BSRE_PASSWORD", "bawaan") == "bawaan"


def test_a_secret_comes_from_the_file_without_its_trailing_newline(monkeypatch, tmp_path):
    from config.settings import env_secret

    secret = tmp_path / "bsre_password"
    secret.write_text("rahasia dari berkas \n", encoding="utf-8")
    monkeypatch.delenv("BSRE_PASSWORD", raising=False)
    monkeypatch.setenv("BSRE_PASSWORD_FILE", str(secret))
    assert env_secret("BSRE_PASSWORD") == "rahasia dari berkas "


def test_an_empty_variable_beside_its_file_gives_way_to_the_file(monkeypatch, tmp_path):
    from config.settings import env_secret

    secret = tmp_path / "bsre_password"
    secret.write_text("rahasia\r\n", encoding="utf-8")
    monkeypatch.setenv("BSRE_PASSWORD", "")
    monkeypatch.setenv("BSRE_PASSWORD_FILE", str(secret))
    assert env_secret("BSRE_PASSWORD") == "rahasia"


def test_a_secret_set_twice_fails_loudly(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import env_secret

    secret = tmp_path / "bsre_password"
    secret.write_text("rahasia\n", encoding="utf-8")
    monkeypatch.setenv("BSRE_PASSWORD", "yang-lain")
    monkeypatch.setenv("BSRE_PASSWORD_FILE", str(secret))
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_secret("BSRE_PASSWORD")
    assert str(excinfo.value) == "BSRE_PASSWORD and BSRE_PASSWORD_FILE are both set: set only one"
    assert "yang-lain" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: None, "BSRE_PASSWORD_FILE: cannot read"),
        (lambda path: path.mkdir(), "BSRE_PASSWORD_FILE: cannot read"),
        (lambda path: path.write_bytes(b"x" * (64 * 1024 + 1)), "is larger than 64 KiB"),
        (lambda path: path.write_bytes(b"\xff\xfe rahasia"), "is not UTF-8 text"),
    ],
    ids=["missing", "a-directory", "too-large", "not-text"],
)
def test_an_unreadable_secret_file_names_the_variable(monkeypatch, tmp_path, make, message):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import env_secret

    path = tmp_path / "bsre_password"
    make(path)
    monkeypatch.delenv("BSRE_PASSWORD", raising=False)
    monkeypatch.setenv("BSRE_PASSWORD_FILE", str(path))
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_secret("BSRE_PASSWORD")
    assert str(excinfo.value).startswith("BSRE_PASSWORD_FILE: ")
    assert message in str(excinfo.value)
    assert str(path) in str(excinfo.value)


def test_production_reads_the_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text(PRODUCTION["SECRET_KEY"] + "\n", encoding="utf-8")
    env = {**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_secret_file_that_cannot_be_read_stops_the_start_with_one_line(tmp_path):
    result = manage("check", env={"SECRET_KEY_FILE": str(tmp_path / "missing")})
    assert result.returncode != 0
    assert "SECRET_KEY_FILE: cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_readme_documents_every_variable_the_settings_read():
    from kinerja.core.tests.hermetic import settings_variables

    read = settings_variables()
    assert {"AXES_ENABLED", "DEBUG", "SECRET_KEY", "SECRET_KEY_FILE"} <= read
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    configuration = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", configuration))
    assert sorted(read - documented) == [], "missing from README.md's Configuration table"


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit_compilation():
    # A page's short queries never gain from JIT, and a pessimistic estimate once cost 2 s of
    # compiling (DB_JIT, README).
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no JIT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
