"""The lock files (requirements/*.txt) pin what pyproject.toml's ranges allow.

`make` installs from the lock files; pyproject.toml keeps the ranges. A range
changed without `make lock` would install something the project does not
declare, so the two are compared here.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    return {canonicalize_name(m[1]): m[2] for m in PIN.finditer(text)}


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("base.txt", declared()),
        ("production.txt", declared() + declared("production")),
        ("test.txt", declared() + declared("test") + declared("production")),
    ],
    ids=["base", "production", "test"],
)
def test_the_lock_pins_every_declared_package_within_its_range(lock, requirements):
    locked = pins(lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in requirements/{lock}: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"requirements/{lock} pins {requirement.name}=={locked[name]}, outside "
            f"{requirement.specifier}: run make lock"
        )


def test_the_test_lock_installs_the_same_versions_as_the_base_lock():
    base, test = pins("base.txt"), pins("test.txt")
    assert {name: test.get(name) for name in base} == base


def test_production_installs_what_the_tests_ran_with():
    """A server runs the versions of gunicorn and django-storages the suite (and bench) used."""
    production, test = pins("production.txt"), pins("test.txt")
    assert {name: test.get(name) for name in production} == production


def test_every_pin_is_checked_by_hash():
    for lock in ("base.txt", "production.txt", "test.txt"):
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
        assert text.count("==") <= text.count("--hash=sha256:"), lock
