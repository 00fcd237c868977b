from handover.models.access import AccessTransfer
from handover.models.documents import RequiredDocument
from handover.models.items import HandoverItem
from handover.models.plans import HandoverPlan, TeamAgreement
from handover.models.signoffs import SignOff, SignOffInvalidation
from handover.models.teams import SupportTeam
from handover.models.training import TrainingSession

__all__ = [
    "AccessTransfer",
    "HandoverItem",
    "HandoverPlan",
    "RequiredDocument",
    "SignOff",
    "SignOffInvalidation",
    "SupportTeam",
    "TeamAgreement",
    "TrainingSession",
]
