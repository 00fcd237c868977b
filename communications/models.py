from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from golive.models.releases import Release
from golive.secret_detection import reject_secrets
from golive.validators import within_planning_years


class Audience(models.TextChoices):
    STAKEHOLDERS = "stakeholders", "Stakeholders"
    END_USERS = "end_users", "End users"
    SUPPORT_TEAMS = "support_teams", "Support teams"
    VENDOR_SUPPORT = "vendor_support", "Vendor support"


class AudienceAddresses(models.Model):
    """Addresses kept on the release for an audience, on top of its members' own e-mail addresses.
    End users are reached only through such a distribution address."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="audience_addresses")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    addresses = models.TextField(blank=True, help_text="E-mail addresses, one per line or comma-separated.")

    class Meta:
        db_table = "golive_audienceaddresses"
        constraints = [
            models.UniqueConstraint(fields=["release", "audience"], name="one_address_list_per_audience")
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} of {self.release}"


class ProductionIssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    FIXING = "fixing", "Fixing"
    RESOLVED = "resolved", "Resolved"


class IssueSeverity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class ProductionIssue(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="production_issues")
    title = models.CharField(max_length=200, validators=[reject_secrets])
    what_happened = models.TextField(validators=[reject_secrets])
    impact = models.TextField(help_text="Who is affected and how.", validators=[reject_secrets])
    workaround = models.TextField(blank=True, validators=[reject_secrets])
    fix_plan = models.TextField("plan to fix", blank=True, validators=[reject_secrets])
    next_update_at = models.DateTimeField(
        "next update", null=True, blank=True, validators=[within_planning_years]
    )
    severity = models.CharField(max_length=20, choices=IssueSeverity.choices, default=IssueSeverity.MAJOR)
    status = models.CharField(
        max_length=20, choices=ProductionIssueStatus.choices, default=ProductionIssueStatus.OPEN
    )
    source = models.CharField(
        max_length=100,
        default="reported by a person",
        help_text="Who or what found it.",
        validators=[reject_secrets],
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What caused it, when known: the post-implementation review reads these links, so it can say
    # "a defect known at the go/no-go became this issue" only where a person recorded it.
    caused_by_defect = models.ForeignKey(
        "registers.Defect",
        verbose_name="caused by defect",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="production_issues",
        help_text="The release's defect this issue comes from, if known.",
    )
    caused_by_risk = models.ForeignKey(
        "registers.Risk",
        verbose_name="caused by risk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="production_issues",
        help_text="The release's risk that materialised as this issue, if any.",
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "golive_productionissue"
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["release", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communications:issue_edit", args=[self.release_id, self.pk])

    def clean(self) -> None:
        # A form validates a new issue before its release is set; the service checks it again with it.
        if self.release_id is None:
            return
        for name in ("caused_by_defect", "caused_by_risk"):
            cause = getattr(self, name)
            if cause is not None and cause.release_id != self.release_id:
                raise ValidationError({name: "Choose a defect or risk of this release."})


class PublicIssueUpdate(models.Model):
    """What end users are told about a production issue: written for them, apart from the issue's own
    (internal) notes, and public only once someone who may publish has published it. Never edited: a new
    update supersedes the last, and every one stays in the issue's public history."""

    issue = models.ForeignKey(ProductionIssue, on_delete=models.CASCADE, related_name="public_updates")
    title = models.CharField(
        "public title",
        max_length=200,
        validators=[reject_secrets],
        help_text="What end users see as its name.",
    )
    what_it_is = models.TextField("what it is", validators=[reject_secrets])
    impact = models.TextField(
        help_text="Who is affected and how, in end users' words.", validators=[reject_secrets]
    )
    workaround = models.TextField(blank=True, validators=[reject_secrets])
    fix_plan = models.TextField("plan to fix", blank=True, validators=[reject_secrets])
    next_update_at = models.DateTimeField(
        "next update", null=True, blank=True, validators=[within_planning_years]
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["issue", "-published_at"], name="publicupdate_latest")]

    def __str__(self) -> str:
        return self.title


class CommunicationKind(models.TextChoices):
    GO_DECISION = "go_decision", "Go decision"
    GOLIVE_SUCCESS = "golive_success", "Go-live successful"
    PRODUCTION_ISSUE = "production_issue", "Production issue"
    HANDOVER_COMPLETE = "handover_complete", "Handover complete"


class CommunicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Communication(models.Model):
    """A message to the release's audiences: drafted from a template, edited, then sent in the background."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="communications")
    kind = models.CharField(max_length=30, choices=CommunicationKind.choices)
    audiences = models.JSONField(default=list, help_text="Audience values this message goes to.")
    subject = models.CharField(max_length=250, validators=[reject_secrets])
    body = models.TextField(validators=[reject_secrets])
    recipients = models.JSONField(default=list, help_text="The addresses resolved when it was queued.")
    production_issue = models.ForeignKey(
        ProductionIssue, null=True, blank=True, on_delete=models.SET_NULL, related_name="communications"
    )
    status = models.CharField(
        max_length=20, choices=CommunicationStatus.choices, default=CommunicationStatus.DRAFT
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    runbook_step = models.ForeignKey(
        "runbook.GoLiveStep",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communications",
        help_text="The “send communication” step this message completes when it is sent.",
    )
    automatic_cause = models.CharField(
        max_length=200,
        blank=True,
        help_text="What made the system draft this message; one automatic draft per cause and release.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "golive_communication"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["release", "-created_at"]), models.Index(fields=["status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "automatic_cause"],
                condition=~models.Q(automatic_cause=""),
                name="one_automatic_draft_per_cause",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("communications:communication_detail", args=[self.release_id, self.pk])

    def audience_labels(self) -> list[str]:
        return [Audience(value).label for value in self.audiences if value in Audience.values]
