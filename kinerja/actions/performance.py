"""The person's actions on the performance data, for pages, the API and the commands.

Each is the service of kinerja.performance that checks who may, locks what it changes
and writes its audit event to the Renstra's stream; web, api and cli call them from here
(an import-linter contract keeps them to it), as they call the process actions.
"""

from kinerja.performance.agreements import draft_agreement, revise_agreement, sign_agreement
from kinerja.performance.renja_sheets import import_proposals
from kinerja.performance.services import (
    close_quarter,
    correct_realisasi,
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
    "close_quarter",
    "correct_realisasi",
    "decide_item",
    "draft_agreement",
    "enter_realisasi",
    "enter_serapan",
    "import_proposals",
    "import_realisasi",
    "lock_realisasi",
    "lock_serapan",
    "propose_item",
    "record_priorities",
    "return_realisasi",
    "return_serapan",
    "revise_agreement",
    "sign_agreement",
]
