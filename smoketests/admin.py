from django.contrib import admin

from golive.admin import AuditedAdmin
from smoketests.models import CheckResult, Monitor, MonitorAlert, MonitorResult, SmokeCheck, SmokeRun


@admin.register(SmokeCheck)
class SmokeCheckAdmin(AuditedAdmin):
    list_display = ["name", "release", "method", "url", "expected_statuses", "enabled"]
    list_filter = ["enabled", "method"]
    search_fields = ["name", "url", "release__name"]
    autocomplete_fields = ["release"]


@admin.register(Monitor)
class MonitorAdmin(AuditedAdmin):
    list_display = ["smoke_check", "release", "state", "interval_seconds", "next_due_at", "enabled"]
    list_filter = ["state", "enabled"]
    search_fields = ["smoke_check__name", "release__name"]
    readonly_fields = ["state", "consecutive_failures", "state_changed_at", "last_checked_at"]
    autocomplete_fields = ["release"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Run and monitor records are written by workers only; the admin reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CheckResultInline(admin.TabularInline):
    model = CheckResult
    extra = 0
    can_delete = False
    fields = ["check_name", "outcome", "http_status", "latency_ms", "message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SmokeRun)
class SmokeRunAdmin(_ReadOnlyAdmin):
    list_display = ["pk", "release", "status", "trigger", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["release__name"]
    inlines = [CheckResultInline]


@admin.register(MonitorResult)
class MonitorResultAdmin(_ReadOnlyAdmin):
    list_display = ["monitor", "scheduled_for", "outcome", "http_status", "latency_ms"]
    list_filter = ["outcome"]


@admin.register(MonitorAlert)
class MonitorAlertAdmin(_ReadOnlyAdmin):
    list_display = ["monitor", "kind", "created_at", "sent_at", "webhook_status", "error"]
    list_filter = ["kind"]
