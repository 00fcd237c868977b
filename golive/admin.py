from django.contrib import admin

from golive.audit import capture, stored_row
from golive.models import AuditEvent, Release, ReleaseMembership
from golive.services.records import audited_field_names, record_admin_delete, record_admin_save


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits are audited like any other change."""

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            stored = stored_row(obj)
            before = capture(stored, audited_field_names(stored))
        super().save_model(request, obj, form, change)
        record_admin_save(obj, actor=request.user, before=before)

    def delete_model(self, request, obj):
        record_admin_delete(obj, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_admin_delete(obj, actor=request.user)
        super().delete_queryset(request, queryset)


class MembershipInline(admin.TabularInline):
    model = ReleaseMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Release)
class ReleaseAdmin(AuditedAdmin):
    list_display = ["name", "application", "version", "environment", "status", "target_go_live"]
    list_filter = ["status", "environment"]
    search_fields = ["name", "application", "version"]
    date_hierarchy = "target_go_live"
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(ReleaseMembership)
class ReleaseMembershipAdmin(AuditedAdmin):
    list_display = ["release", "user", "role", "added_at"]
    list_filter = ["role"]
    search_fields = ["release__name", "user__username"]
    autocomplete_fields = ["release", "user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services or workers write (audit events, decisions, votes, delivery state,
    handover records, smoke runs and monitor results): the admin finds and reads them, and never adds,
    changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Audit events can be searched and read here."""

    list_display = ["created_at", "actor_name", "verb", "target_repr", "release"]
    list_filter = ["verb"]
    search_fields = ["verb", "target_repr", "actor_name", "release__name"]
    date_hierarchy = "created_at"
