"""The models of the core app, gathered here because Django looks for them in `models`.

Each table lives in a module named by its topic; this module only re-exports
them. The abstract base of the domain apps is in kinerja/core/base_models.py.
"""

from .audit_models import (
    AppendOnlyError,
    AuditCheckpoint,
    AuditEvent,
    AuditHead,
    AuditVerifyRun,
)
from .calendar_models import SpecialDay, WorkSchedule, WorkScheduleDay
from .stamp_models import CacheStamp
from .token_models import ApiToken

__all__ = [
    "ApiToken",
    "AppendOnlyError",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "AuditVerifyRun",
    "CacheStamp",
    "SpecialDay",
    "WorkSchedule",
    "WorkScheduleDay",
]
