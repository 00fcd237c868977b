from django.conf import settings
from django.db import models
from django.utils import timezone

from golive.row_rules import matches
from golive.secret_detection import reject_secrets
from handover.choices import SETTLED_ITEM_STATUSES, ItemCategory, ItemStatus, NeededBy
from handover.files import private_storage, upload_path
from handover.models.plans import HandoverPlan
from handover.models.teams import SupportTeam
from handover.models.training import TrainingSession
from handover.models.withdrawal import Withdrawable

# Items that count: not withdrawn as entered by mistake, and neither accepted nor waived yet.
UNSETTLED_ITEM = models.Q(withdrawn_at__isnull=True) & ~models.Q(status__in=SETTLED_ITEM_STATUSES)
# Each of these stops the go: readiness, the go/no-go agenda and the deploy gate name them.
BLOCKING_GO_LIVE_ITEM = UNSETTLED_ITEM & models.Q(needed_by=NeededBy.GO_LIVE)


def overdue_item(today) -> models.Q:
    return UNSETTLED_ITEM & models.Q(due_date__lt=today)


class HandoverItem(Withdrawable):
    """One line of the handover list: something the project team delivers and a support team accepts."""

    plan = models.ForeignKey(HandoverPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200, validators=[reject_secrets])
    description = models.TextField(blank=True, validators=[reject_secrets])
    category = models.CharField(max_length=20, choices=ItemCategory.choices, default=ItemCategory.OTHER)
    receiving_team = models.ForeignKey(SupportTeam, on_delete=models.PROTECT, related_name="items")
    delivering_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    needed_by = models.CharField(max_length=10, choices=NeededBy.choices, default=NeededBy.HANDOVER)
    required_training = models.ForeignKey(
        TrainingSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="required_by_items",
        help_text="For training items: the session that must have been held.",
    )
    status = models.CharField(
        max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN, editable=False
    )
    evidence_note = models.TextField(blank=True, validators=[reject_secrets])
    evidence_link = models.URLField(max_length=500, blank=True, validators=[reject_secrets])
    evidence_file = models.FileField(
        upload_to=upload_path, storage=private_storage, blank=True, max_length=300
    )
    delivered_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True, validators=[reject_secrets])
    waiver_reason = models.TextField(blank=True, validators=[reject_secrets])
    waiver_by_project = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waiver_by_team = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_after_agreement = models.BooleanField(
        default=False, help_text="Added or changed after its team agreed the list: needs re-agreement."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["receiving_team__name", "due_date", "pk"]
        indexes = [models.Index(fields=["plan", "receiving_team", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ItemStatus.values), name="handover_item_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ItemStatus.REJECTED) | ~models.Q(rejection_reason=""),
                name="rejected_item_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ItemStatus.WAIVED) | ~models.Q(waiver_reason=""),
                name="waived_item_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_settled(self) -> bool:
        return self.status in (ItemStatus.ACCEPTED, ItemStatus.WAIVED)

    @property
    def is_overdue(self) -> bool:
        return matches(overdue_item(timezone.localdate()), self)

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_note or self.evidence_link or self.evidence_file)
