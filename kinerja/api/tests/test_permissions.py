"""Nobody but the person a task is for may act on it: every action answers 403 to another
official of the process, and 404 to an outsider, who may not even know the task exists."""

import pytest

from kinerja.org.models import Person
from kinerja.workflow.models import Process, Task

pytestmark = pytest.mark.django_db

NOT_FOR_YOU = "This task is not for you: it is for Demo Pelaksana Sub Bagian Perencanaan."


@pytest.fixture
def task_id(as_user):
    """Step 1 of SOP-011, waiting for the Pelaksana."""
    response = as_user("kasubbag").post(
        "/api/processes", {"sop": "SOP-011", "title": "LKjIP 2025", "year": 2025}
    )
    return response.json()["tasks"][0]["id"]


@pytest.mark.parametrize(
    ("action", "body", "message"),
    [
        ("finish", {"output": "ND/01"}, NOT_FOR_YOU),
        ("paraf", {}, NOT_FOR_YOU),
        ("sign", {}, NOT_FOR_YOU),
        ("return", {"note": "Perbaiki."}, NOT_FOR_YOU),
        ("choose", {"branch": "Ya"}, NOT_FOR_YOU),
        (
            "waive",
            {"document": "data dan informasi masing-masing bagian", "reason": "x"},
            NOT_FOR_YOU,
        ),
        (
            "reassign",
            {"to": None, "reason": "Cuti."},
            "Only the process owner, the Kasubbag or the official above its position "
            "may reassign this task.",
        ),
    ],
)
def test_another_official_gets_403_on_every_action(as_user, users, task_id, action, body, message):
    """The Kabag reads the process (a lane of it) but step 1 is the Pelaksana's."""
    if action == "reassign":
        body = {**body, "to": Person.objects.get(user=users["operator-hukum"]).pk}
    response = as_user("kabag", language="en").post(f"/api/tasks/{task_id}/{action}", body)
    assert response.status_code == 403
    assert response.json() == {"message": message, "field": None}
    task = Task.objects.get(pk=task_id)
    assert (task.status, task.assignee.user.username) == (Task.Status.ACTIVE, "pelaksana")


@pytest.mark.parametrize(
    "action", ["finish", "paraf", "sign", "return", "choose", "waive", "reassign"]
)
def test_an_outsider_gets_404_on_every_action(as_user, users, task_id, action):
    """The operator of the Bagian Hukum may not read the Bagian Umum's process: for them the
    task does not exist, whatever they send."""
    body = {"output": "ND/01", "note": "x", "branch": "Ya", "reason": "x", "document": "x"}
    if action == "reassign":
        body["to"] = Person.objects.get(user=users["operator-hukum"]).pk
    response = as_user("operator-hukum", language="en").post(f"/api/tasks/{task_id}/{action}", body)
    assert response.status_code == 404
    assert response.json() == {"message": f"There is no task {task_id}.", "field": None}
    task = Task.objects.get(pk=task_id)
    assert (task.status, task.assignee.user.username) == (Task.Status.ACTIVE, "pelaksana")


def test_an_outsider_may_not_cancel_a_process(as_user, task_id):
    process_id = Task.objects.get(pk=task_id).process_id
    response = as_user("operator-hukum", language="en").post(
        f"/api/processes/{process_id}/cancel", {"reason": "Iseng."}
    )
    assert response.status_code == 404
    assert response.json()["message"] == f"There is no process {process_id}."
    assert Process.objects.get(pk=process_id).status == Process.Status.RUNNING


def test_only_the_owner_cancels_a_process(as_user, task_id):
    process_id = Task.objects.get(pk=task_id).process_id
    response = as_user("kabag", language="en").post(
        f"/api/processes/{process_id}/cancel", {"reason": "Iseng."}
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Only the owner of the process may cancel it."
    assert Process.objects.get(pk=process_id).status == Process.Status.RUNNING


def test_an_outsider_may_not_start_a_process(as_user):
    response = as_user("operator-hukum", language="en").post(
        "/api/processes", {"sop": "SOP-011", "title": "LKjIP 2025", "year": 2025}
    )
    assert response.status_code == 403
    assert response.json()["message"] == "You may not start processes."
    assert not Process.objects.exists()


def test_the_next_official_may_not_act_before_their_turn(as_user, task_id):
    response = as_user("sekda", language="en").post(f"/api/tasks/{task_id}/finish", {})
    assert response.status_code == 403
    assert response.json()["message"] == NOT_FOR_YOU


def test_an_administrator_acts_openly_as_themselves(as_user, task_id):
    response = as_user("admin").post(
        f"/api/tasks/{task_id}/finish",
        {"output": "ND/01", "waivers": {"data dan informasi masing-masing bagian": "Admin."}},
    )
    assert response.status_code == 200
    done = response.json()["task"]
    assert done["completed_by"] == "Demo Administrator"
