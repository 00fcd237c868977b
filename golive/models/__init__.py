from golive.models.audit import AuditEvent
from golive.models.defects import Defect
from golive.models.meetings import (
    Decision,
    DecisionCondition,
    DecisionReview,
    GoNoGoMeeting,
    MeetingState,
    Participant,
    Vote,
)
from golive.models.releases import Release, ReleaseMembership
from golive.models.risks import Risk

__all__ = [
    "AuditEvent",
    "Decision",
    "DecisionCondition",
    "DecisionReview",
    "Defect",
    "GoNoGoMeeting",
    "MeetingState",
    "Participant",
    "Release",
    "ReleaseMembership",
    "Risk",
    "Vote",
]
