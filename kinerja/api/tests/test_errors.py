"""Bad calls get JSON that says what is wrong: 400/409 from the rules, 403, 404, 422 from shapes.

The messages are the services' own, the same the pages show.
"""

import pytest
from django.test import Client
from django.utils import translation

from kinerja.org.models import Person
from kinerja.workflow.models import Task

from .conftest import LANE_LOGIN
from .test_process_run import act_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(as_user):
    """SOP-011 started by the Kasubbag; step 1 waits for the Pelaksana."""
    response = as_user("kasubbag").post(
        "/api/processes", {"sop": "SOP-011", "title": "LKjIP 2025", "year": 2025}
    )
    assert response.status_code == 201
    return response.json()


def _first_task(process) -> int:
    return process["tasks"][0]["id"]


def _step_1_done(as_user, process) -> int:
    """The Pelaksana finishes step 1; returns the id of step 1's task."""
    task_id = _first_task(process)
    response = as_user("pelaksana").post(
        f"/api/tasks/{task_id}/finish",
        {"output": "ND/01", "waivers": {"data dan informasi masing-masing bagian": "Via ND."}},
    )
    assert response.status_code == 200, response.json()
    return task_id


# --- 400: input the rules refuse, with the field -------------------------------------------


def test_start_without_a_title_names_the_field(as_user, users):
    response = as_user("kasubbag", language="en").post(
        "/api/processes", {"sop": "SOP-011", "title": " ", "year": 2025}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Give the process a title.", "field": "title"}


def test_start_with_a_year_out_of_range_names_the_field(as_user):
    response = as_user("kasubbag", language="en").post(
        "/api/processes", {"sop": "SOP-011", "title": "X", "year": 1900}
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "The period must be a year between 2000 and 2100.",
        "field": "year",
    }


def test_start_of_an_unknown_sop_names_the_field(as_user):
    response = as_user("kasubbag", language="en").post(
        "/api/processes", {"sop": "SOP-999", "title": "X", "year": 2025}
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "There is no SOP SOP-999 in the catalogue.",
        "field": "sop",
    }


def test_start_with_an_unknown_unit_names_the_field(as_user):
    response = as_user("kasubbag", language="en").post(
        "/api/processes", {"sop": "SOP-011", "title": "X", "year": 2025, "unit": "nope"}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "There is no unit with the code nope.", "field": "unit"}


def test_finishing_without_the_kelengkapan_lists_what_is_missing(as_user, process):
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{_first_task(process)}/finish", {"output": "ND/01"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "The kelengkapan of step 1 is not in the process: “data dan informasi "
        "masing-masing bagian”. Name it, or go on without it with a reason (waive).",
        "field": "kelengkapan",
    }


def test_a_waiver_needs_a_reason(as_user, process):
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{_first_task(process)}/waive",
        {"document": "data dan informasi masing-masing bagian", "reason": " "},
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Give a reason for going on without it.",
        "field": "reason",
    }


def test_a_return_needs_a_note(as_user, process):
    _step_1_done(as_user, process)
    for _ in range(4):  # steps 2-5, each by the official of its lane
        (task,) = Task.objects.filter(status=Task.Status.ACTIVE).select_related("position")
        client = as_user(LANE_LOGIN[task.position.code])
        action, body = act_body(client.get(f"/api/tasks/{task.pk}").json())
        assert client.post(f"/api/tasks/{task.pk}/{action}", body).status_code == 200
    (task,) = Task.objects.filter(status=Task.Status.ACTIVE)
    assert task.step.number == 6
    response = as_user("asisten3", language="en").post(
        f"/api/tasks/{task.pk}/return", {"note": "  "}
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Say what must be corrected: the note is required.",
        "field": "note",
    }


def test_the_wrong_action_for_the_step_is_refused(as_user, process):
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{_first_task(process)}/sign", {}
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "Step 1 is 'Do the work'; that is not what this action does.",
        "field": "action",
    }


def test_choosing_a_branch_at_a_step_that_is_no_decision(as_user, process):
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{_first_task(process)}/choose", {"branch": "Ya"}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Step 1 is not a decision.", "field": "branch"}


def test_reassign_to_nobody_names_the_field(as_user, process):
    response = as_user("kasubbag", language="en").post(
        f"/api/tasks/{_first_task(process)}/reassign", {"to": 999999, "reason": "cuti"}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "There is no person 999999.", "field": "to"}


# --- 409: the state changed ------------------------------------------------------------------


def test_a_second_act_on_a_done_task_says_who_did_it(as_user, process, users):
    task_id = _step_1_done(as_user, process)
    response = as_user("admin", language="en").post(
        f"/api/tasks/{task_id}/finish",
        {"output": "ND/02", "waivers": {"data dan informasi masing-masing bagian": "x"}},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["message"].startswith(
        "This task was already completed by Demo Pelaksana Sub Bagian Perencanaan on "
    )
    assert body["field"] is None


def test_acting_on_a_task_of_a_cancelled_process(as_user, process):
    response = as_user("kasubbag", language="en").post(
        f"/api/processes/{process['id']}/cancel", {"reason": "Dimulai dua kali."}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Dimulai dua kali."
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{_first_task(process)}/finish", {}
    )
    assert response.status_code == 409
    assert response.json()["message"] == "This task was cancelled; there is nothing left to do."
    again = as_user("kasubbag", language="en").post(
        f"/api/processes/{process['id']}/cancel", {"reason": "lagi"}
    )
    assert again.status_code == 409
    assert again.json()["message"] == "The process is no longer running."


# --- 404 -------------------------------------------------------------------------------------


def test_unknown_things_are_404_with_a_message(as_user):
    client = as_user("sekda", language="en")
    cases = [
        ("/api/tasks/999999", "There is no task 999999."),
        ("/api/processes/999999", "There is no process 999999."),
        ("/api/sops/SOP-999", "There is no SOP SOP-999 in the catalogue."),
        ("/api/sops/SOP-011?version=9", "SOP SOP-011/SETDA has no such version."),
    ]
    for path, message in cases:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"message": message, "field": None}
    response = client.post("/api/tasks/999999/finish", {})
    assert response.status_code == 404
    assert response.json()["message"] == "There is no task 999999."


def test_ids_beyond_any_row_are_404_not_a_database_error(as_user):
    client = as_user("sekda", language="en")
    huge = 10**20
    assert client.get(f"/api/tasks/{huge}").status_code == 404
    assert client.get(f"/api/processes/{huge}").status_code == 404
    assert client.post(f"/api/tasks/{huge}/finish", {}).status_code == 404
    assert client.delete(f"/api/tokens/{huge}").status_code == 404
    # Pages are numbered within the first 1,000 rows; further on, the cursors lead.
    response = client.get("/api/tasks/mine", {"page": huge})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Pages are numbered only within the first 1,000 rows: "
        "follow the `next` cursor of the answers to go further.",
        "field": "page",
    }


def test_an_unknown_sop_in_the_process_filter_names_the_field(as_user):
    response = as_user("sekda", language="en").get("/api/processes", {"sop": "SOP-999"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "There is no SOP SOP-999 in the catalogue.",
        "field": "sop",
    }


def test_an_address_that_is_no_api_operation(as_user):
    response = as_user("sekda").get("/api/nothing-here")
    assert response.status_code == 404


# --- 422: input of the wrong shape -------------------------------------------------------------


def test_a_missing_field_is_422_in_indonesian_with_the_field(as_user):
    response = as_user("kasubbag").post("/api/processes", {"sop": "SOP-011", "year": 2025})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "title"
    with translation.override("id"):
        indonesian = translation.gettext("This field is required.")
    assert indonesian != "This field is required."
    assert body["message"] == indonesian
    assert body["errors"] == [{"field": "title", "message": body["message"]}]


def test_a_year_that_is_no_number_is_422_with_the_field(as_user):
    response = as_user("kasubbag", language="en").post(
        "/api/processes", {"sop": "SOP-011", "title": "X", "year": "dua ribu"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "year"
    assert response.json()["message"] == "Enter a whole number."


def test_a_query_filter_of_the_wrong_shape_is_422(as_user):
    client = as_user("kasubbag", language="en")
    response = client.get("/api/processes", {"year": "abc"})
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["message"]) == (
        "year",
        "Enter a whole number.",
    )
    response = client.get("/api/processes", {"state": "paused"})
    assert response.status_code == 422
    assert response.json()["field"] == "state"
    assert response.json()["message"].startswith("Choose one of:")
    response = client.get("/api/tasks/mine", {"page": 0})
    assert response.status_code == 422
    assert response.json()["message"] == "Enter a number of at least 1."


def test_a_body_that_is_not_json_is_refused_with_a_message(tokens):
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post(
        "/api/processes",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['kasubbag']}"},
    )
    assert response.status_code == 400
    assert response.json() == {"message": "The body is not valid JSON.", "field": None}


def test_waivers_of_the_wrong_shape_name_the_field(as_user, process):
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{_first_task(process)}/finish", {"waivers": ["x"]}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "waivers"
    assert response.json()["message"] == "Enter an object ({...})."


def test_a_reassign_to_a_real_person_by_the_kasubbag_works(as_user, process, users):
    other = Person.objects.get(user=users["operator-hukum"])
    response = as_user("kasubbag").post(
        f"/api/tasks/{_first_task(process)}/reassign", {"to": other.pk, "reason": "Cuti sakit."}
    )
    assert response.status_code == 200
    assert response.json()["task"]["assignee"] == {"id": other.pk, "name": other.name}
    assert response.json()["task"]["reassigned"] is True


def test_the_owner_taking_the_kasubbags_step_for_himself_gets_400(as_user, users):
    # The Pelaksana owns this process; step 2 (SOP-011) is the Kasubbag's.
    response = as_user("pelaksana").post(
        "/api/processes", {"sop": "SOP-011", "title": "LKjIP 2025", "year": 2025}
    )
    process = response.json()
    task_id = _first_task(process)
    as_user("pelaksana").post(
        f"/api/tasks/{task_id}/waive",
        {"document": "data dan informasi masing-masing bagian", "reason": "Lewat nota dinas."},
    )
    as_user("pelaksana").post(f"/api/tasks/{task_id}/finish", {"output": "ND/01"})
    step_2 = Task.objects.get(process_id=process["id"], status=Task.Status.ACTIVE)
    assert step_2.assignee.user.username == "kasubbag"
    me = Person.objects.get(user=users["pelaksana"])
    response = as_user("pelaksana", language="en").post(
        f"/api/tasks/{step_2.pk}/reassign", {"to": me.pk, "reason": "Saya saja."}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "to"
    assert response.json()["message"].startswith("You cannot give yourself a step of another")
    step_2.refresh_from_db()
    assert (step_2.assignee.user.username, step_2.reassigned) == ("kasubbag", False)
