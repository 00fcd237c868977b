from django.contrib import admin
from django.db import models

from golive.admin import AuditedAdmin
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their users on the profile page (the only place the text is shown);
    here staff can find them and revoke them."""

    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "hint", "user__username"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the audit trail keeps naming the token

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        from integrations.services.api_tokens import revoke_api_token

        for token in queryset.filter(revoked_at__isnull=True):
            revoke_api_token(token=token, actor=request.user)


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["event", "status", "response_status", "attempts", "last_attempt_at", "error"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ["-created_at"]
    show_change_link = False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["url", "release", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "release__name"]
    autocomplete_fields = ["release", "created_by"]
    inlines = [WebhookDeliveryInline]
