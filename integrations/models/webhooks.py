"""Outgoing webhooks: per-release endpoints and the log of every delivery made to them."""

import secrets

from django.conf import settings
from django.db import models

from golive.models.releases import Release


class WebhookEvent(models.TextChoices):
    DECISION_RECORDED = "decision.recorded", "Go/no-go decision recorded"
    DEPLOYMENT_REPORTED = "deployment.reported", "Deployment reported"
    SMOKE_RUN_FINISHED = "smoke_run.finished", "Smoke run finished"
    MONITOR_DOWN = "monitor.down", "Monitor down"
    MONITOR_UP = "monitor.up", "Monitor up again"
    HANDOVER_COMPLETED = "handover.completed", "Handover complete"
    GOLIVE_STARTED = "golive.started", "Go-live started"
    STEP_FAILED = "runbook_step.failed", "Runbook step failed"
    POINT_OF_NO_RETURN_PASSED = "point_of_no_return.passed", "Point of no return passed"
    PRODUCTION_ISSUE_OPENED = "production_issue.opened", "Production issue opened"
    PRODUCTION_ISSUE_UPDATED = "production_issue.updated", "Production issue updated"
    PING = "ping", "Test ping"


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", "Generic JSON (signed)"
    SLACK = "slack", "Slack incoming webhook (Block Kit)"
    TEAMS = "teams", "Microsoft Teams incoming webhook (Adaptive Card)"


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField("URL", max_length=500)
    events = models.JSONField(
        default=list, blank=True, help_text="Event names this endpoint receives; empty: all."
    )
    secret = models.CharField(
        max_length=64,
        default=new_webhook_secret,
        editable=False,
        help_text="Signs every delivery (HMAC-SHA256); the receiver keeps a copy to verify it.",
    )
    format = models.CharField(
        max_length=10,
        choices=WebhookFormat.choices,
        default=WebhookFormat.GENERIC,
        help_text="The body's shape: GoLive Desk's JSON, or a chat service's own message format.",
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "golive_webhookendpoint"  # the table kept its name when the model left golive
        ordering = ["release", "pk"]
        indexes = [models.Index(fields=["release", "active"])]

    def __str__(self) -> str:
        return self.url

    def receives(self, event: str) -> bool:
        return event == WebhookEvent.PING or not self.events or event in self.events

    def event_labels(self) -> list[str]:
        if not self.events:
            return ["All events"]
        labels = dict(WebhookEvent.choices)
        return [labels.get(event, event) for event in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    """One event for one endpoint. The body is stored as sent, so every retry sends the same bytes."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    body = models.TextField(help_text="The JSON body exactly as signed and sent.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "golive_webhookdelivery"  # the table kept its name when the model left golive
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhookdelivery_recent"),
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="webhookdelivery_unfinished",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="webhookdelivery_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint.url}"
