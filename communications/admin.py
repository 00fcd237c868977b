from django.contrib import admin

from communications.models import Communication, ProductionIssue
from golive.admin import ReadOnlyAdmin


@admin.register(Communication)
class CommunicationAdmin(ReadOnlyAdmin):
    list_display = ["subject", "release", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "release__name", "error"]


@admin.register(ProductionIssue)
class ProductionIssueAdmin(ReadOnlyAdmin):
    list_display = ["title", "release", "severity", "status", "opened_at", "resolved_at"]
    list_filter = ["status", "severity"]
    search_fields = ["title", "release__name"]
