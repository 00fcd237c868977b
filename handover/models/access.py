from django.conf import settings
from django.db import models

from handover.choices import VERIFIED_ACCESS_STATUSES, AccessStatus
from handover.models.plans import HandoverPlan
from handover.models.teams import SupportTeam
from handover.models.withdrawal import Withdrawable
from handover.secret_detection import reject_secrets


class AccessTransfer(Withdrawable):
    """One line of the access ledger: who holds an access now, which team must get it, and where its
    credential is kept. There is deliberately no field for the credential itself."""

    plan = models.ForeignKey(HandoverPlan, on_delete=models.CASCADE, related_name="access_transfers")
    system = models.CharField(max_length=200, validators=[reject_secrets])
    access_level = models.CharField(
        max_length=120, validators=[reject_secrets], help_text="For example: admin."
    )
    current_holder = models.CharField(
        max_length=200, validators=[reject_secrets], help_text="Who holds this access on the project now."
    )
    receiving_team = models.ForeignKey(SupportTeam, on_delete=models.PROTECT, related_name="access_transfers")
    credential_location = models.CharField(
        "where the credential is kept",
        max_length=300,
        validators=[reject_secrets],
        help_text="A vault path or password-manager entry, never the credential itself.",
    )
    notes = models.TextField(blank=True, validators=[reject_secrets])
    status = models.CharField(
        max_length=30, choices=AccessStatus.choices, default=AccessStatus.REQUESTED, editable=False
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    granted_at = models.DateTimeField(null=True, blank=True, editable=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project_access_revoked_on = models.DateField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["receiving_team__name", "system", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AccessStatus.values), name="access_status_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system} ({self.access_level})"

    @property
    def is_verified(self) -> bool:
        return self.status in VERIFIED_ACCESS_STATUSES
