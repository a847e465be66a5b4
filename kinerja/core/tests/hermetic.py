"""pytest plugin: every test run starts from the embedded defaults, whatever the shell exports.

config/settings.py reads the environment when it is imported, and pytest-django
imports it before any conftest.py runs. A shell that exports DEBUG=false,
DEMO_PASSWORD or KINERJA_SIGNING_BACKEND=bsre (an operator's, or CI's) would
change what every test sees. This plugin is loaded with `-p` from pyproject.toml's
addopts, ahead of pytest-django, and removes each variable the settings read,
except the database address, which picks SQLite or PostgreSQL for the run, and
sets DEBUG=true as `make run` does (the settings default to DEBUG off). A
test that needs a value sets it: pytest-django's `settings` fixture, or the
environment of the subprocess it starts.
"""

import ast
import os
from pathlib import Path

import pytest

SETTINGS_FILE = Path(__file__).resolve().parents[3] / "config" / "settings.py"
# The typed helpers of config/settings.py; each takes the variable's name first.
HELPERS = {"env_str", "env_bool", "env_int", "env_json", "env_list", "env_secret"}
# env_secret(NAME) also reads NAME_FILE.
SECRET_HELPERS = {"env_secret"}
KEPT = {"DATABASE_URL", "DATABASE_URL_FILE"}
# What `make run` sets for the embedded set-up (DEBUG is off unless asked for).
EMBEDDED = {"DEBUG": "true"}


def settings_variables(path: Path = SETTINGS_FILE) -> set[str]:
    """The names of the environment variables that the settings file reads."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = _variable_read(node)
        if name:
            names.add(name)
            if isinstance(node, ast.Call) and ast.unparse(node.func) in SECRET_HELPERS:
                names.add(f"{name}_FILE")
    return names


def _variable_read(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and node.args:
        function = ast.unparse(node.func)
        if function in HELPERS or function in {"os.environ.get", "os.getenv"}:
            return _constant(node.args[0])
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
        return _constant(node.slice)
    return None


def _constant(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    for name in settings_variables() - KEPT:
        os.environ.pop(name, None)
    os.environ.update(EMBEDDED)
