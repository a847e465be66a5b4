"""The person's actions on the performance data, for pages, the API and the commands.

Each is the service of kinerja.performance that checks who may, locks what it changes
and writes its audit event to the Renstra's stream; web, api and cli call them from here
(an import-linter contract keeps them to it), as they call the process actions.
"""

from kinerja.performance.agreements import draft_agreement, revise_agreement, sign_agreement
from kinerja.performance.evidence import attach_evidence, detach_evidence
from kinerja.performance.plan_sheets import import_plan
from kinerja.performance.plans import (
    delete_target,
    new_version,
    put_in_force,
    save_goal,
    save_indicator,
    save_objective,
    set_target,
)
from kinerja.performance.renja_sheets import import_proposals
from kinerja.performance.reports.narrative import save_section as save_narrative_section
from kinerja.performance.serapan_sheets import import_serapan
from kinerja.performance.services import (
    close_quarter,
    correct_realisasi,
    correct_serapan,
    decide_item,
    enter_realisasi,
    enter_serapan,
    lock_realisasi,
    lock_serapan,
    propose_item,
    record_priorities,
    return_realisasi,
    return_serapan,
)
from kinerja.performance.spreadsheets import import_realisasi

__all__ = [
    "attach_evidence",
    "close_quarter",
    "correct_realisasi",
    "correct_serapan",
    "decide_item",
    "detach_evidence",
    "delete_target",
    "draft_agreement",
    "enter_realisasi",
    "enter_serapan",
    "import_plan",
    "import_proposals",
    "import_realisasi",
    "import_serapan",
    "lock_realisasi",
    "lock_serapan",
    "new_version",
    "propose_item",
    "put_in_force",
    "record_priorities",
    "return_realisasi",
    "return_serapan",
    "revise_agreement",
    "save_goal",
    "save_indicator",
    "save_narrative_section",
    "save_objective",
    "set_target",
    "sign_agreement",
]
