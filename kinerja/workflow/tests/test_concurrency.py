"""Two people acting on the same task at the same moment: exactly one succeeds."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import translation

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.demo.services import build_demo
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task

from .conftest import TUESDAY_MORNING


@pytest.mark.django_db(transaction=True)
def test_two_people_finish_the_same_task_at_once(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections: PostgreSQL (SQLite serialises writers anyway)")
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    kasubbag, pelaksana, admin = (users.get(username=u) for u in ("kasubbag", "pelaksana", "admin"))
    process = actions.start_process(
        sop=find_sop("SOP-013"), title="PK 2026", year=2026, by=kasubbag, now=TUESDAY_MORNING
    )
    task = process.tasks.get()
    barrier = threading.Barrier(2)
    outcomes = {}

    def attempt(user):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                actions.finish(task=task, by=user, provided={"Konsep Surat": user.username})
            outcomes[user.username] = "ok"
        except DomainError as exc:
            outcomes[user.username] = str(exc)
        except Exception:  # noqa: BLE001 - reported by the assertion below
            import traceback

            outcomes[user.username] = traceback.format_exc()
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in (pelaksana, admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()).count("ok") == 1
    winner = next(name for name, result in outcomes.items() if result == "ok")
    loser_message = next(result for result in outcomes.values() if result != "ok")
    names = {"pelaksana": "Demo Pelaksana Sub Bagian Perencanaan", "admin": "Demo Administrator"}
    assert f"already completed by {names[winner]}" in loser_message
    # Exactly one next task: step 2 was activated once.
    assert Task.objects.filter(process=process, step__number=2).count() == 1
    assert process.documents.filter(document_type__name="Konsep Surat").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_kasubbags_start_the_renja_for_the_same_period_at_once(tmp_path, settings):
    """One Renja for 2027 starts; the other start sees it and asks for a reason."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections: PostgreSQL (SQLite serialises writers anyway)")
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    from django.contrib.auth import get_user_model

    from kinerja.workflow.models import Process

    kasubbag = get_user_model().objects.get(username="kasubbag")
    sop = find_sop("SOP-015")
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(n):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                actions.start_process(sop=sop, title=f"Renja 2027 ({n})", year=2027, by=kasubbag)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.field)
        except Exception:  # noqa: BLE001 - reported by the assertion below
            import traceback

            outcomes.append(traceback.format_exc())
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "reason"]
    assert Process.objects.filter(year=2027).count() == 1
