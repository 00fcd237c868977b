from django.contrib import admin
from django.db import models

from golive.admin import AuditedAdmin
from registers.models import Defect, Risk


@admin.register(Risk)
class RiskAdmin(AuditedAdmin):
    list_display = [
        "title",
        "release",
        "probability",
        "impact",
        "score",
        "status",
        "contingency_accepted",
        "owner",
    ]
    list_filter = ["status", "contingency_accepted", "probability", "impact"]
    search_fields = ["title", "description", "release__name"]
    autocomplete_fields = ["release", "owner"]


@admin.register(Defect)
class DefectAdmin(AuditedAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "release", "severity", "status", "blocks_go_live", "external_key", "owner"]
    list_filter = ["severity", "status", "blocks_go_live"]
    search_fields = ["title", "description", "external_key", "release__name"]
    autocomplete_fields = ["release", "owner"]
