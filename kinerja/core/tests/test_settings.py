"""Settings come from the environment; production values pass Django's deployment check."""

import os
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


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "kadang", "DEBUG must be true or false"),
        ("AXES_FAILURE_LIMIT", "lima", "AXES_FAILURE_LIMIT must be a whole number"),
        ("DATABASE_URL", "mysql-ish://", "DATABASE_URL"),
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
