"""Processes and tasks as the audit record describes them (`manage.py audit reconcile`).

The engine records a task's life in events about the task: "activate", "reassign" and
the outcome of the action that completed it ("finished", "paraf", "signed",
"returned", "branch"), each with the task's state; its actor and moment are who
completed it and when. A cancelled process records the tasks it cancelled in its own
"cancel" event. Events written before "assignee_id" was recorded are checked by the
assignee's name.
"""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from kinerja.core.reconcile import Difference, Event, Table, differ, events_about, last, register

from .models import Process, Task

OUTCOME_ACTIONS = tuple(o.value for o in Task.Outcome if o != Task.Outcome.CANCELLED)
PROCESS_STATUS = {
    "start": Process.Status.RUNNING,
    "finish-process": Process.Status.DONE,
    "cancel": Process.Status.CANCELLED,
}


class ProcessTable(Table):
    model = Process
    fields = ("status", "finished_at")
    actions = tuple(PROCESS_STATUS)
    creates = ("start",)

    def stream_of(self, row: dict) -> str:
        return f"process:{row['pk']}"

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterator[Difference]:
        state = last(events, *self.actions)
        assert state is not None  # a row without its "start" is reported before
        yield from differ("status", row["status"], PROCESS_STATUS[state.action], state)
        finished = None if state.action == "start" else state.at
        yield from differ("finished_at", row["finished_at"], finished, state)


class TaskTable(Table):
    model = Task
    fields = (
        "process_id",
        "status",
        "outcome",
        "assignee_id",
        "assignee__name",
        "completed_by_id",
        "completed_at",
    )
    actions = ("activate", "reassign", *OUTCOME_ACTIONS)
    creates = ("activate",)

    def stream_of(self, row: dict) -> str:
        return f"process:{row['process_id']}"

    def prefetch(self, rows: list[dict]) -> dict[int, Event]:
        """The "cancel" events of the chunk's processes, by the tasks they cancelled."""
        processes = events_about(
            Process._meta.label_lower, [str(row["process_id"]) for row in rows], ["cancel"]
        )
        cancelled = {}
        for events in processes.values():
            for event in events:
                for pk in event.after.get("tasks") or []:
                    cancelled[pk] = event
        return cancelled

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterator[Difference]:
        state = last(events, *self.actions)
        assert state is not None
        cancel = extra.get(row["pk"])
        if cancel is not None and (cancel.stream, cancel.seq) > (state.stream, state.seq):
            expected: dict[str, Any] = {
                "status": Task.Status.CANCELLED,
                "outcome": Task.Outcome.CANCELLED,
                "completed_by": cancel.actor_id,
                "completed_at": cancel.at,
            }
            decided = cancel
        elif state.action in ("activate", "reassign"):
            expected = {"status": Task.Status.ACTIVE, "outcome": "", "completed_by": None}
            expected["completed_at"] = None
            decided = state
        else:
            expected = {
                "status": Task.Status.DONE,
                "outcome": state.action,
                "completed_by": state.actor_id,
                "completed_at": state.at,
            }
            decided = state
        yield from differ("status", row["status"], expected["status"], decided)
        yield from differ("outcome", row["outcome"], expected["outcome"], decided)
        yield from differ("completed_by", row["completed_by_id"], expected["completed_by"], decided)
        yield from differ(
            "completed_at",
            row["completed_at"],
            expected["completed_at"],
            decided,
            label=_("completed at"),
        )
        yield from self._assignee(row, state)

    def _assignee(self, row: dict, state: Event) -> Iterator[Difference]:
        recorded_name = state.after.get("assignee")
        if "assignee_id" in state.after:
            if row["assignee_id"] != state.after["assignee_id"]:
                yield from differ(
                    "assignee",
                    _person(row["assignee__name"], row["assignee_id"]),
                    _person(recorded_name, state.after["assignee_id"]),
                    state,
                )
        else:
            yield from differ("assignee", row["assignee__name"], recorded_name, state)


def _person(name: str | None, pk: int | None) -> str | None:
    return f"{name} (#{pk})" if pk is not None else None


register(ProcessTable())
register(TaskTable())
