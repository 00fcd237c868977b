from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from golive.models import Release
from smoketests.choices import MAX_CHECK_TIMEOUT_SECONDS, HttpMethod
from smoketests.validation import (
    parse_status_codes,
    validate_check_url,
    validate_headers,
    validate_regex,
    validate_status_codes,
)


class SmokeCheck(models.Model):
    """One HTTP request and what its answer must look like, run after a deployment and by monitors."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="smoke_checks")
    name = models.CharField(max_length=120)
    method = models.CharField("HTTP method", max_length=7, choices=HttpMethod.choices, default=HttpMethod.GET)
    url = models.CharField("URL", max_length=2000, validators=[validate_check_url])
    headers = models.JSONField("request headers", default=dict, blank=True, validators=[validate_headers])
    body = models.TextField("request body", blank=True)
    expected_statuses = models.CharField(
        "expected status codes",
        max_length=200,
        default="200",
        validators=[validate_status_codes],
        help_text="Comma-separated codes or ranges, for example 200, 204 or 200-299.",
    )
    body_contains = models.CharField(
        "body must contain", max_length=500, blank=True, help_text="Text the response body must include."
    )
    body_regex = models.CharField(
        "body must match",
        max_length=500,
        blank=True,
        validators=[validate_regex],
        help_text="A regular expression searched for in the response body.",
    )
    max_latency_ms = models.PositiveIntegerField(
        "max latency (ms)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CHECK_TIMEOUT_SECONDS * 1000)],
        help_text="Slower answers fail the check. Empty: no limit besides the timeout.",
    )
    timeout_seconds = models.FloatField(
        "timeout (s)",
        default=10,
        validators=[MinValueValidator(0.5), MaxValueValidator(MAX_CHECK_TIMEOUT_SECONDS)],
        help_text=f"Hard limit for the whole request, at most {MAX_CHECK_TIMEOUT_SECONDS} s.",
    )
    verify_tls = models.BooleanField("verify TLS certificate", default=True)
    enabled = models.BooleanField(default=True, help_text="Disabled checks are left out of smoke runs.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "name"],
                name="smokecheck_unique_name",
                violation_error_message="This release already has a check with this name.",
            ),
            models.CheckConstraint(
                condition=models.Q(timeout_seconds__gte=0.5, timeout_seconds__lte=MAX_CHECK_TIMEOUT_SECONDS),
                name="smokecheck_timeout_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("smoketests:check_edit", args=[self.release_id, self.pk])

    def status_ranges(self) -> list[tuple[int, int]]:
        return parse_status_codes(self.expected_statuses)
