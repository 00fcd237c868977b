"""Status pages: one per application, for its end users and stakeholders, and who subscribed to them."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone with the link"
    SIGNED_IN = "signed_in", "Sign-in only: people with a GoLive Desk account"


class StatusPage(models.Model):
    """The settings of one application's status page. `application` is matched, case-insensitively, with
    the releases' free-text application name."""

    application = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values), name="statuspage_visibility_known"
            )
        ]

    def __str__(self) -> str:
        return f"Status page of {self.application}"

    def get_absolute_url(self) -> str:
        return reverse("statuspage:page", args=[self.slug])


class Subscriber(models.Model):
    """An e-mail address that asked for a page's updates. It gets them only once confirmed (double
    opt-in) and until it unsubscribes; the row is kept, so a later request starts a new confirmation."""

    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="subscribers")
    email = models.EmailField(max_length=254)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["page", "email"]
        constraints = [models.UniqueConstraint(fields=["page", "email"], name="subscriber_once_per_page")]

    def __str__(self) -> str:
        return self.email

    @property
    def receives_updates(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class UpdateMailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Not sent: unsubscribed before it went out"


class UpdateMail(models.Model):
    """One published update to one subscriber: the row, not the broker, says whether it still has to go,
    and (update, subscriber) is unique, so a task delivered twice mails nobody twice."""

    update = models.ForeignKey("communications.PublicIssueUpdate", on_delete=models.CASCADE, related_name="+")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="mails")
    status = models.CharField(
        max_length=10, choices=UpdateMailStatus.choices, default=UpdateMailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "subscriber"], name="update_mailed_once_per_subscriber"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=UpdateMailStatus.values), name="updatemail_status_known"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="updatemail_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"Update {self.update_id} to {self.subscriber}"
