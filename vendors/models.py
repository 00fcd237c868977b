"""The vendor support ledger: each vendor support desk told about a release, and whether it answered.

A vendor (Pega Global Client Support, a hosting provider, a payment gateway's support) is informed of a
release through a support case: what was shared and when, then when the vendor acknowledged it and who
is their on-call contact while the release goes live.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from golive.models import Release
from golive.row_rules import matches
from golive.secret_detection import reject_secrets
from golive.validators import within_planning_years

# A vendor on the release that has not acknowledged being informed (readiness warns before go-live).
UNACKNOWLEDGED_VENDOR = models.Q(acknowledged_at__isnull=True)
# Clocks differ between the person typing and the server: an acknowledgement this far ahead is accepted.
CLOCK_SLACK = timedelta(minutes=5)


class VendorEngagementQuerySet(models.QuerySet):
    def unacknowledged(self):
        return self.filter(UNACKNOWLEDGED_VENDOR)


class VendorEngagement(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="vendor_engagements")
    vendor = models.CharField(
        max_length=200,
        validators=[reject_secrets],
        help_text="For example Pegasystems Global Client Support.",
    )
    case_number = models.CharField(
        "support case number",
        max_length=100,
        blank=True,
        validators=[reject_secrets],
        help_text="The vendor's case or ticket the release was announced on.",
    )
    informed_at = models.DateTimeField(
        "informed at", validators=[within_planning_years], help_text="When the vendor was told."
    )
    shared = models.TextField(
        "what was shared",
        validators=[reject_secrets],
        help_text="For example the go-live plan, the deployment window, the runbook.",
    )
    on_call_contact = models.CharField(
        "on-call contact during go-live",
        max_length=200,
        blank=True,
        validators=[reject_secrets],
        help_text="Name and how to reach them while the release goes live.",
    )
    acknowledged_at = models.DateTimeField(
        "acknowledged at", null=True, blank=True, validators=[within_planning_years]
    )
    acknowledgement_note = models.TextField(
        "acknowledgement", blank=True, validators=[reject_secrets], help_text="What the vendor answered."
    )
    acknowledgement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    acknowledgement_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VendorEngagementQuerySet.as_manager()

    class Meta:
        ordering = [Lower("vendor"), "pk"]
        indexes = [models.Index(fields=["release", "acknowledged_at"])]
        constraints = [
            models.UniqueConstraint(
                Lower("vendor"),
                "release",
                name="vendor_engagement_unique_vendor",
                violation_error_message="This vendor is already in the release's ledger.",
            ),
        ]

    def __str__(self) -> str:
        return self.vendor

    @property
    def is_acknowledged(self) -> bool:
        return not matches(UNACKNOWLEDGED_VENDOR, self)

    def clean(self) -> None:
        super().clean()
        errors = {}
        now = timezone.now()
        if self.informed_at and self.informed_at > now + CLOCK_SLACK:
            errors["informed_at"] = "The vendor cannot have been informed in the future."
        if self.acknowledged_at:
            if self.acknowledged_at > now + CLOCK_SLACK:
                errors["acknowledged_at"] = "An acknowledgement cannot be in the future."
            elif self.informed_at and self.acknowledged_at < self.informed_at:
                # Not on one field: the entry's form changes one time, the acknowledgement's form the other.
                errors[NON_FIELD_ERRORS] = "The vendor acknowledged before being informed; check both times."
        if errors:
            raise ValidationError(errors)
