from django.db import models


class ReleaseStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    GONOGO_SCHEDULED = "gonogo_scheduled", "Go/no-go scheduled"
    GO = "go", "Go"
    NO_GO = "no_go", "No-go"
    DEPLOYING = "deploying", "Deploying"
    LIVE = "live", "Live (hypercare)"
    HANDED_OVER = "handed_over", "Handed over"
    ROLLED_BACK = "rolled_back", "Rolled back"


# The only status moves a release may make (PRODUCT.md, "Release status moves").
RELEASE_TRANSITIONS: dict[str, frozenset[str]] = {
    ReleaseStatus.PLANNING: frozenset({ReleaseStatus.GONOGO_SCHEDULED}),
    ReleaseStatus.GONOGO_SCHEDULED: frozenset(
        {ReleaseStatus.GO, ReleaseStatus.NO_GO, ReleaseStatus.PLANNING}
    ),
    ReleaseStatus.GO: frozenset({ReleaseStatus.DEPLOYING, ReleaseStatus.GONOGO_SCHEDULED}),
    ReleaseStatus.NO_GO: frozenset({ReleaseStatus.PLANNING, ReleaseStatus.GONOGO_SCHEDULED}),
    ReleaseStatus.DEPLOYING: frozenset({ReleaseStatus.LIVE, ReleaseStatus.ROLLED_BACK}),
    ReleaseStatus.LIVE: frozenset({ReleaseStatus.HANDED_OVER, ReleaseStatus.ROLLED_BACK}),
    ReleaseStatus.ROLLED_BACK: frozenset({ReleaseStatus.PLANNING}),
    ReleaseStatus.HANDED_OVER: frozenset(),
}

# Moves that only their own workflow makes: a go or no-go comes from a recorded go/no-go decision, and
# "handed over" from the last support team's sign-off. The manual "move the release" form never offers them.
WORKFLOW_ONLY_STATUSES = frozenset({ReleaseStatus.GO, ReleaseStatus.NO_GO, ReleaseStatus.HANDED_OVER})


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    STAGING = "staging", "Staging"
    TEST = "test", "Test"
    DEVELOPMENT = "development", "Development"


class Role(models.TextChoices):
    RELEASE_MANAGER = "release_manager", "Release manager"
    PRODUCT_OWNER = "product_owner", "Product owner"
    SCRUM_TEAM = "scrum_team", "Scrum team member"
    STAKEHOLDER = "stakeholder", "Stakeholder"
    PRODUCTION_SUPPORT = "production_support", "Production support"
    VENDOR_SUPPORT = "vendor_support", "Vendor support"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATED = "mitigated", "Mitigated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class DefectSeverity(models.IntegerChoices):
    # Stored as numbers so that ordering by severity is ordering by the column.
    CRITICAL = 1, "Critical"
    MAJOR = 2, "Major"
    MINOR = 3, "Minor"
    TRIVIAL = 4, "Trivial"


class DefectStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    DEFERRED = "deferred", "Deferred"


OPEN_DEFECT_STATUSES = (DefectStatus.OPEN, DefectStatus.IN_PROGRESS)
HIGH_RISK_SCORE = 15
