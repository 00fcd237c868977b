from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from golive.secret_detection import reject_secrets
from handover.choices import AccessStatus
from handover.models.plans import HandoverPlan
from handover.models.teams import SupportTeam
from handover.models.withdrawal import Withdrawable


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
    # The holder who verified re-confirms the access every ACCESS_RECONFIRM_DAYS (the disband guard).
    verification_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The project's own access may stay, on purpose and with a reason, instead of being revoked.
    project_access_kept_reason = models.CharField(
        max_length=500, blank=True, editable=False, validators=[reject_secrets]
    )
    project_access_kept_at = models.DateTimeField(null=True, blank=True, editable=False)
    project_access_kept_by = models.ForeignKey(
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
        """The receiving team verified it (a revoked project access was verified first)."""
        return self.status in (AccessStatus.VERIFIED, AccessStatus.PROJECT_ACCESS_REVOKED)

    @property
    def last_confirmed_at(self):
        """When its verification was last confirmed: the verification itself or the latest re-confirmation."""
        return self.verification_confirmed_at or self.verified_at

    @property
    def project_access_settled(self) -> bool:
        """The project's own access is revoked, or kept on purpose with a reason."""
        return self.status == AccessStatus.PROJECT_ACCESS_REVOKED or bool(self.project_access_kept_reason)

    def clean(self):
        """The ledger's dates run in order — requested ≤ granted ≤ verified ≤ project access revoked — and
        none is in the future. Compared by day, the precision of the revocation date."""
        steps = [
            ("requested", "requested_at", self.requested_at),
            ("granted", "granted_at", self.granted_at),
            ("verified", "verified_at", self.verified_at),
            ("project access revoked", "project_access_revoked_on", self.project_access_revoked_on),
        ]
        days = [
            (label, name, timezone.localdate(value) if hasattr(value, "tzinfo") else value)
            for label, name, value in steps
            if value is not None
        ]
        today = timezone.localdate()
        for label, name, day in days:
            if day > today:
                raise ValidationError({name: f"The {label} date ({day:%d %b %Y}) cannot be in the future."})
        for (earlier, _, earlier_day), (later, name, later_day) in zip(days, days[1:], strict=False):
            if later_day < earlier_day:
                raise ValidationError(
                    {
                        name: f"Dates run in order: requested ≤ granted ≤ verified ≤ project access revoked. "
                        f"“{later.capitalize()}” ({later_day:%d %b %Y}) cannot be before “{earlier}” "
                        f"({earlier_day:%d %b %Y})."
                    }
                )
