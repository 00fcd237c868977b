from django.db import models


class TeamKind(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    APPLICATIONS = "applications", "Applications"
    APPLICATION_MAINTENANCE = "application_maintenance", "Application maintenance"
    SYSTEM_SECURITY = "system_security", "System security"
    CONTRACT_MANAGEMENT = "contract_management", "Contract management"
    TRAINING = "training", "Training"
    BUSINESS_PROCESSES = "business_processes", "Business processes"
    SERVICE_DESK = "service_desk", "Service desk"


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


# The plan's own state machine. "agreed → draft" happens when a team's agreement is withdrawn by a change
# before work started; "complete → in progress" is a reopening by the release manager.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanState.DRAFT: frozenset({PlanState.AGREED}),
    PlanState.AGREED: frozenset({PlanState.DRAFT, PlanState.IN_PROGRESS}),
    PlanState.IN_PROGRESS: frozenset({PlanState.COMPLETE}),
    PlanState.COMPLETE: frozenset({PlanState.IN_PROGRESS}),
}


class ItemCategory(models.TextChoices):
    DOCUMENTATION = "documentation", "Documentation"
    TRAINING = "training", "Training"
    ACCESS = "access", "Access & logons"
    CONFIGURATION = "configuration", "Configuration"
    MONITORING = "monitoring", "Monitoring & alerting"
    BUSINESS_PROCESS = "business_process", "Business process"
    CONTRACTS = "contracts", "Contracts"
    SERVICE_DESK = "service_desk", "Service desk"
    OTHER = "other", "Other"


class NeededBy(models.TextChoices):
    GO_LIVE = "go_live", "Before go-live"
    HANDOVER = "handover", "Before handover"


class ItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DELIVERED = "delivered", "Delivered"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    WAIVED = "waived", "Waived"


ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ItemStatus.OPEN: frozenset({ItemStatus.DELIVERED, ItemStatus.WAIVED}),
    ItemStatus.DELIVERED: frozenset({ItemStatus.ACCEPTED, ItemStatus.REJECTED, ItemStatus.WAIVED}),
    # A rejected item goes back to the project team, who deliver it again (or both sides waive it).
    ItemStatus.REJECTED: frozenset({ItemStatus.DELIVERED, ItemStatus.WAIVED}),
    ItemStatus.ACCEPTED: frozenset(),
    ItemStatus.WAIVED: frozenset(),
}
SETTLED_ITEM_STATUSES = (ItemStatus.ACCEPTED, ItemStatus.WAIVED)


class DocumentKind(models.TextChoices):
    CONFIGURATION_REPORT = "configuration_report", "Configuration and Customisation Report"
    BUSINESS_PROCESS_REPORT = "business_process_report", "Business Process Report"
    IMPLEMENTATION_PLAN = "implementation_plan", "Implementation Plan"
    HANDOVER_PLAN = "handover_plan", "Handover Plan"


class DocumentStatus(models.TextChoices):
    MISSING = "missing", "Not provided yet"
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    FINAL = "final", "Final"


class AccessStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    GRANTED = "granted", "Granted"
    VERIFIED = "verified", "Verified by the receiving team"
    PROJECT_ACCESS_REVOKED = "project_access_revoked", "Project access revoked"


ACCESS_TRANSITIONS: dict[str, frozenset[str]] = {
    AccessStatus.REQUESTED: frozenset({AccessStatus.GRANTED}),
    AccessStatus.GRANTED: frozenset({AccessStatus.VERIFIED}),
    AccessStatus.VERIFIED: frozenset({AccessStatus.PROJECT_ACCESS_REVOKED}),
    AccessStatus.PROJECT_ACCESS_REVOKED: frozenset(),
}
