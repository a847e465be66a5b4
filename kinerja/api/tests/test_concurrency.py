"""Two API calls on the same task at the same moment: one 200, one 409 naming who did it."""

import threading

import pytest
from django.db import close_old_connections, connection

from kinerja.demo.services import build_demo
from kinerja.workflow.models import Task

from .conftest import JsonClient


@pytest.mark.django_db(transaction=True)
def test_two_calls_finish_the_same_task_at_once(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections: PostgreSQL (SQLite serialises writers anyway)")
    from django.contrib.auth import get_user_model

    from kinerja.core.tokens import create_token

    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    users = {u.username: u for u in get_user_model().objects.all()}
    token = {name: create_token(by=users[name], name="uji")[1] for name in users}
    started = JsonClient(token["kasubbag"]).post(
        "/api/processes", {"sop": "SOP-013", "title": "PK 2026", "year": 2026}
    )
    task_id = started.json()["tasks"][0]["id"]
    barrier = threading.Barrier(2)
    answers = {}

    def attempt(username):
        try:
            client = JsonClient(token[username], language="en")
            barrier.wait(timeout=10)
            response = client.post(
                f"/api/tasks/{task_id}/finish",
                {"output": "Undangan", "provided": {"Konsep Surat": username}},
            )
            answers[username] = (response.status_code, response.json())
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in ("pelaksana", "admin")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(status for status, _body in answers.values()) == [200, 409]
    winner = next(name for name, (status, _b) in answers.items() if status == 200)
    loser = next(body for status, body in answers.values() if status == 409)
    names = {"pelaksana": "Demo Pelaksana Sub Bagian Perencanaan", "admin": "Demo Administrator"}
    assert loser["message"].startswith(f"This task was already completed by {names[winner]} on ")
    assert Task.objects.filter(process_id=started.json()["id"], step__number=2).count() == 1
