from django.db import models


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class FindingKind(models.TextChoices):
    """What a drafted finding is about; the order is the order the review lists them in."""

    DEFECT_CAUSED_ISSUE = "defect_caused_issue", "Defect that became a production issue"
    RISK_MATERIALISED = "risk_materialised", "Risk that materialised"
    ISSUE_WITHOUT_CAUSE = "issue_without_cause", "Production issue without a recorded cause"
    LATE_STEP = "late_step", "Runbook step late or over time"
    SMOKE_RESULTS = "smoke_results", "Smoke runs in hypercare"
    MONITOR_UPTIME = "monitor_uptime", "Monitor uptime in hypercare"
    CONDITION_LATE = "condition_late", "Condition met late or not at all"
    HANDOVER_WAIVED = "handover_waived", "Handover item waived"


KIND_ORDER = {kind: position for position, kind in enumerate(FindingKind.values)}


class DraftTrigger(models.TextChoices):
    DAYS_AFTER_GO_LIVE = "days_after_go_live", "automatically, days after go-live"
    HANDOVER_COMPLETED = "handover_completed", "when the handover completed"
    BY_HAND = "by_hand", "by the release manager"
