from django.contrib import admin

from golive.admin import ReadOnlyAdmin
from runbook.models import GoLiveStep


@admin.register(GoLiveStep)
class GoLiveStepAdmin(ReadOnlyAdmin):
    list_display = [
        "release",
        "order",
        "title",
        "owner",
        "kind",
        "status",
        "point_of_no_return",
        "actual_start",
    ]
    list_filter = ["status", "kind", "point_of_no_return"]
    search_fields = ["title", "release__name", "owner__username"]
