from django import forms

from forge.models import DeploymentTarget
from golive.forms import _CrispyForm


class DeploymentTargetForm(_CrispyForm, forms.ModelForm):
    submit_label = "Add mapping"

    class Meta:
        model = DeploymentTarget
        fields = ["forge", "repository", "environment"]
