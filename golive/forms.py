from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model

from golive.choices import WORKFLOW_ONLY_STATUSES, ReleaseStatus, Role
from golive.models import Release
from golive.people import members_of, offer_people
from golive.validators import limit_inputs
from golive.widgets import DateTimeInput


class _CrispyForm:
    """Every page form: rendered by crispy-forms, checked by the server only, its inputs given the server's
    date and number limits."""

    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The server's messages, shown next to each field, are the one source of truth for bad input.
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label))
        limit_inputs(self)


class _MembersOnlyOwnerField:
    """Limits an `owner` field to the release's members, so work is never assigned to a stranger."""

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        offer_people(self.fields["owner"], members_of(release))


class ReleaseForm(_CrispyForm, forms.ModelForm):
    class Meta:
        model = Release
        fields = ["name", "application", "version", "environment", "target_go_live", "description"]
        widgets = {"target_go_live": DateTimeInput()}


class ReleaseStatusForm(_CrispyForm, forms.Form):
    submit_label = "Move release"
    to_status = forms.ChoiceField(label="New status")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (status, ReleaseStatus(status).label)
            for status in release.allowed_next_statuses()
            if status not in WORKFLOW_ONLY_STATUSES
        ]


class MembershipForm(_CrispyForm, forms.Form):
    submit_label = "Add member"
    username = forms.CharField(max_length=150)
    # A view-only role unless the release manager chooses more.
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAKEHOLDER)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            self.cleaned_data["user"] = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(f"No active user is called “{username}”.") from None
        return username
