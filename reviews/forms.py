from django import forms

from golive.forms import _CrispyForm, _MembersOnlyOwnerField
from golive.widgets import DateInput
from reviews.models import ReviewAction, TeamFinding


class TeamFindingForm(_CrispyForm, forms.ModelForm):
    submit_label = "Save finding"

    class Meta:
        model = TeamFinding
        fields = ["text"]
        labels = {"text": "Finding"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class ReviewActionForm(_MembersOnlyOwnerField, _CrispyForm, forms.ModelForm):
    submit_label = "Save action"

    class Meta:
        model = ReviewAction
        fields = ["text", "owner", "due_date"]
        labels = {"text": "Action"}
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "due_date": DateInput()}
