"""The administration of the plan: every page opens, and a change of the plan is written
to the Renstra's audit stream; realisasi are read-only there."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from kinerja.core.audit import events_for, verify
from kinerja.performance.models import Indicator, IndicatorTarget, Objective, Realisasi
from kinerja.performance.services import stream_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, setda):
    user = get_user_model().objects.create_superuser("admin-kinerja", password="x")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "renstra",
        "goal",
        "objective",
        "indicator",
        "gradescale",
        "bandset",
        "realisasi",
        "nomenclature",
        "renja",
        "renjaitem",
        "performanceagreement",
        "budgetrealisation",
        "quarterclosure",
        "reportingdeadline",
        "reportingnotice",
        "realisasievidence",
    ],
)
def test_every_list_and_add_page_opens(admin_client, model):
    assert admin_client.get(reverse(f"admin:performance_{model}_changelist")).status_code == 200
    add = admin_client.get(reverse(f"admin:performance_{model}_add"))
    read_only = model in (
        "realisasi",
        "nomenclature",
        "renjaitem",
        "performanceagreement",
        "budgetrealisation",
        "quarterclosure",
        "reportingnotice",
        "realisasievidence",
    )
    assert add.status_code == (403 if read_only else 200)


def test_an_indicator_added_with_its_targets_is_in_the_record(admin_client, setda):
    objective = Objective.objects.get(code="SP1")
    response = admin_client.post(
        reverse("admin:performance_indicator_add"),
        {
            "objective": objective.pk,
            "code": "IK9",
            "name": "Persentase rekomendasi kebijakan yang ditindaklanjuti",
            "measure": "%",
            "order": 0,
            "target_kind": "number",
            "polarity": "higher",
            "lower_formula": "inverse",
            "quarters": "sum",
            "targets-TOTAL_FORMS": 1,
            "targets-INITIAL_FORMS": 0,
            "targets-0-year": 2026,
            "targets-0-value": "80",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = Indicator.objects.get(code="IK9")
    assert IndicatorTarget.objects.get(indicator=indicator).value == 80
    events = list(events_for(stream_of(setda["renstra"])))
    assert [e.action for e in events] == ["plan-add", "plan-add"]
    assert events[0].object_id == str(indicator.pk)
    assert verify(stream_of(setda["renstra"])) == []


def test_a_target_removed_in_the_admin_is_in_the_record(admin_client, setda):
    indicator = setda["satisfaction"]
    target = IndicatorTarget.objects.get(indicator=indicator)
    response = admin_client.post(
        reverse("admin:performance_indicator_change", args=[indicator.pk]),
        {
            "objective": indicator.objective_id,
            "code": indicator.code,
            "name": indicator.name,
            "measure": indicator.measure,
            "responsible": indicator.responsible_id,
            "order": 0,
            "target_kind": "number",
            "polarity": "higher",
            "lower_formula": "inverse",
            "quarters": "last",
            "targets-TOTAL_FORMS": 1,
            "targets-INITIAL_FORMS": 1,
            "targets-0-id": target.pk,
            "targets-0-indicator": indicator.pk,
            "targets-0-year": 2026,
            "targets-0-value": "3.5",
            "targets-0-DELETE": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not IndicatorTarget.objects.filter(indicator=indicator).exists()
    last = list(events_for(stream_of(setda["renstra"])))[-1]
    assert last.action == "plan-delete"
    assert last.before["model"] == "performance.IndicatorTarget"
    assert last.before["value"] == "3.5000"


def test_realisasi_cannot_be_changed_in_the_admin(admin_client, setda):
    row = Realisasi.objects.create(indicator=setda["satisfaction"], year=2026, quarter=1, value=3)
    page = admin_client.get(reverse("admin:performance_realisasi_change", args=[row.pk]))
    assert page.status_code == 200
    assert b'name="value"' not in page.content
    assert (
        admin_client.post(reverse("admin:performance_realisasi_delete", args=[row.pk])).status_code
        == 403
    )


def test_a_deadline_set_in_the_administration_is_in_the_record(admin_client, setda):
    renstra = setda["renstra"]
    response = admin_client.post(
        reverse("admin:performance_reportingdeadline_add"),
        {
            "renstra": renstra.pk,
            "year": 2026,
            "quarter": 3,
            "due_on": "2026-10-12",
            "remind_days": 3,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (event,) = [e for e in events_for(stream_of(renstra)) if e.action == "plan-add"]
    assert event.after["due_on"] == "2026-10-12" and event.after["remind_days"] == "3"
    assert verify(stream_of(renstra)) == []
