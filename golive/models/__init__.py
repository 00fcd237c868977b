from golive.models.audit import AuditEvent
from golive.models.calendars import CalendarFeed
from golive.models.communications import (
    Audience,
    AudienceAddresses,
    Communication,
    CommunicationKind,
    CommunicationStatus,
    IssueSeverity,
    ProductionIssue,
    ProductionIssueStatus,
)
from golive.models.meetings import (
    Decision,
    DecisionCondition,
    DecisionReview,
    GoNoGoMeeting,
    MeetingState,
    Participant,
    Vote,
    VoteLinkUse,
)
from golive.models.redactions import Redaction
from golive.models.releases import Release, ReleaseMembership

__all__ = [
    "Audience",
    "AudienceAddresses",
    "AuditEvent",
    "CalendarFeed",
    "Communication",
    "CommunicationKind",
    "CommunicationStatus",
    "IssueSeverity",
    "ProductionIssue",
    "ProductionIssueStatus",
    "Decision",
    "DecisionCondition",
    "DecisionReview",
    "GoNoGoMeeting",
    "MeetingState",
    "Participant",
    "Redaction",
    "Release",
    "ReleaseMembership",
    "Vote",
    "VoteLinkUse",
]
