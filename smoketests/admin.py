from django.contrib import admin
from django.db import models

from golive.admin import AuditedAdmin, ReadOnlyAdmin
from smoketests.models import CheckResult, Monitor, MonitorAlert, MonitorResult, SmokeCheck, SmokeRun
from smoketests.services import checks as check_services


@admin.register(SmokeCheck)
class SmokeCheckAdmin(admin.ModelAdmin):
    """Saves go through the services, which audit header names but never header values."""

    list_display = ["name", "release", "method", "url", "expected_statuses", "enabled"]
    list_filter = ["enabled", "method"]
    search_fields = ["name", "url", "release__name"]
    autocomplete_fields = ["release"]

    def save_model(self, request, obj, form, change):
        values = {name: value for name, value in form.cleaned_data.items() if name != "release"}
        if change:
            saved = check_services.update_check(check=obj, actor=request.user, **values)
        else:
            saved = check_services.create_check(release=obj.release, actor=request.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        check_services.delete_check(check=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for check in queryset:
            check_services.delete_check(check=check, actor=request.user)


@admin.register(Monitor)
class MonitorAdmin(AuditedAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["smoke_check", "release", "state", "interval_seconds", "next_due_at", "enabled"]
    list_filter = ["state", "enabled"]
    search_fields = ["smoke_check__name", "release__name"]
    readonly_fields = ["state", "consecutive_failures", "state_changed_at", "last_checked_at"]
    autocomplete_fields = ["release"]


class CheckResultInline(admin.TabularInline):
    model = CheckResult
    extra = 0
    can_delete = False
    fields = ["check_name", "outcome", "http_status", "latency_ms", "message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SmokeRun)
class SmokeRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "release", "status", "trigger", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["release__name"]
    inlines = [CheckResultInline]


@admin.register(MonitorResult)
class MonitorResultAdmin(ReadOnlyAdmin):
    list_display = ["monitor", "scheduled_for", "outcome", "http_status", "latency_ms"]
    list_filter = ["outcome"]


@admin.register(MonitorAlert)
class MonitorAlertAdmin(ReadOnlyAdmin):
    list_display = ["monitor", "kind", "created_at", "sent_at", "error"]
    list_filter = ["kind"]
