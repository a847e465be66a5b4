"""The one way to change a process: one function per person's action.

Pages (kinerja.web), the JSON API (kinerja.api), the management commands, the
demo, the benchmarks and the tests all call these functions and nothing beneath
them (an import-linter contract in `make test` keeps web and api to it). Each
task action calls the engine's one primitive (kinerja.workflow.engine.act),
which locks the task, authorizes the actor, checks the step's action and state,
runs what the documents layer records, completes or sends back, advances, and
writes the whole action as one audit batch with one actor.

What a step offers and who may do what: kinerja.workflow.permissions and
kinerja.documents.permissions, used alike by these actions, the pages and the API.
"""

from . import performance  # the performance data's actions: actions.performance.enter_realisasi ...
from .documents import (
    add_version,
    archive,
    cancel_number,
    dispatch,
    generate_letter,
    mark_final,
    merge_document_types,
    record_download,
    record_receipt,
    take_number,
    upload,
)
from .processes import cancel_process, grant_access, revoke_access, start_process
from .sop_approval import approve_sop, return_sop, submit_sop
from .sop_evaluation import evaluate_sop, open_revision_from_evaluation
from .tasks import (
    choose_branch,
    file_at_step,
    finish,
    generate_draft,
    paraf,
    reassign,
    return_for_revision,
    send_at_step,
    sign,
    waive,
    waive_finding,
)

__all__ = [
    "performance",
    "add_version",
    "approve_sop",
    "archive",
    "cancel_number",
    "cancel_process",
    "choose_branch",
    "dispatch",
    "evaluate_sop",
    "file_at_step",
    "finish",
    "generate_draft",
    "generate_letter",
    "grant_access",
    "mark_final",
    "open_revision_from_evaluation",
    "merge_document_types",
    "paraf",
    "reassign",
    "record_download",
    "record_receipt",
    "return_for_revision",
    "return_sop",
    "revoke_access",
    "send_at_step",
    "sign",
    "start_process",
    "submit_sop",
    "take_number",
    "upload",
    "waive",
    "waive_finding",
]
