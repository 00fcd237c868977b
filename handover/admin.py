from django.contrib import admin

from golive.admin import AuditedAdmin, ReadOnlyAdmin
from handover.models import (
    AccessTransfer,
    HandoverItem,
    HandoverPlan,
    RequiredDocument,
    SignOff,
    SupportTeam,
    TeamAgreement,
    TrainingSession,
)


@admin.register(SupportTeam)
class SupportTeamAdmin(AuditedAdmin):
    list_display = ["name", "kind", "lead"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]
    filter_horizontal = ["members"]


@admin.register(HandoverPlan)
class HandoverPlanAdmin(ReadOnlyAdmin):
    list_display = ["release", "state", "require_hypercare_exit", "created_at", "completed_at"]
    list_filter = ["state"]


@admin.register(HandoverItem)
class HandoverItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "plan", "receiving_team", "category", "status", "changed_after_agreement"]
    list_filter = ["status", "category"]
    search_fields = ["title"]


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "plan", "version", "status", "owner"]


@admin.register(AccessTransfer)
class AccessTransferAdmin(ReadOnlyAdmin):
    list_display = ["system", "access_level", "plan", "receiving_team", "status", "project_access_revoked_on"]
    list_filter = ["status"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = ["topic", "plan", "trainer", "scheduled_for", "held_at"]


@admin.register(TeamAgreement)
class TeamAgreementAdmin(ReadOnlyAdmin):
    list_display = ["team", "plan", "agreed_by", "agreed_at", "withdrawn_at"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["team", "plan", "typed_name", "signed_by", "signed_at"]
