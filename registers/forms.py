"""The risk and defect forms: the release's members are offered as owners."""

from django import forms
from django.db import models

from golive.forms import _CrispyForm, _MembersOnlyOwnerField
from registers.models import Defect, Risk


class RiskForm(_MembersOnlyOwnerField, _CrispyForm, forms.ModelForm):
    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "probability",
            "impact",
            "owner",
            "mitigation",
            "contingency",
            "contingency_accepted",
            "status",
            "external_key",
        ]
        widgets = {
            "probability": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
            "contingency": forms.Textarea(attrs={"rows": 3}),
        }


def _https_by_default(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class DefectForm(_MembersOnlyOwnerField, _CrispyForm, forms.ModelForm):
    class Meta:
        formfield_callback = _https_by_default
        model = Defect
        fields = [
            "title",
            "description",
            "severity",
            "status",
            "blocks_go_live",
            "workaround",
            "external_key",
            "external_url",
            "owner",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "workaround": forms.Textarea(attrs={"rows": 3}),
        }
