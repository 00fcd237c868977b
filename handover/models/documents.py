from django.conf import settings
from django.db import models

from golive.secret_detection import reject_secrets
from handover.choices import DocumentKind, DocumentStatus
from handover.files import private_storage, upload_path
from handover.models.plans import HandoverPlan
from handover.models.withdrawal import Withdrawable


class RequiredDocument(Withdrawable):
    """One of the four documents every handover needs (see the seed plan), as an upload or a link."""

    plan = models.ForeignKey(HandoverPlan, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    file = models.FileField(upload_to=upload_path, storage=private_storage, blank=True, max_length=300)
    original_name = models.CharField(max_length=255, blank=True, editable=False)
    link = models.URLField(max_length=500, blank=True, validators=[reject_secrets])
    version = models.CharField(max_length=40, blank=True, validators=[reject_secrets])
    status = models.CharField(max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.MISSING)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_current_document_of_each_kind_per_plan",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DocumentKind.values), name="document_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_provided(self) -> bool:
        return bool(self.file or self.link)

    @property
    def is_ready(self) -> bool:
        return self.is_provided and self.status == DocumentStatus.FINAL
