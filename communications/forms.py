from django import forms

from communications.models import (
    Audience,
    AudienceAddresses,
    Communication,
    CommunicationKind,
    ProductionIssue,
    PublicIssueUpdate,
)
from communications.services.outbox import split_addresses
from golive.forms import _CrispyForm
from golive.models import Release
from golive.widgets import DateTimeInput
from registers.selectors import release_defects, release_risks

_DATETIME = DateTimeInput()


class DraftRequestForm(_CrispyForm, forms.Form):
    """Which template to draft a message from (and, for a production issue, which issue)."""

    submit_label = "Write from template"
    kind = forms.ChoiceField(choices=CommunicationKind.choices, label="Kind of message")
    issue = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput, label="Production issue"
    )


class CommunicationForm(_CrispyForm, forms.ModelForm):
    submit_label = "Save draft"
    audiences = forms.MultipleChoiceField(choices=Audience.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Communication
        fields = ["audiences", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The drafted body ends with a line break; stripping it would make an unchanged save a change.
        self.fields["body"].strip = False


class AudienceAddressesForm(_CrispyForm, forms.Form):
    submit_label = "Save addresses"

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        kept = {a.audience: a.addresses for a in AudienceAddresses.objects.filter(release=release)}
        for audience in Audience:
            help_text = (
                "The end users' distribution address."
                if audience == Audience.END_USERS
                else "Extra addresses, on top of the members with this audience's role."
            )
            self.fields[audience.value] = forms.CharField(
                label=audience.label,
                required=False,
                initial=kept.get(audience.value, ""),
                help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        cleaned = super().clean()
        validator = forms.EmailField()
        for name, value in list(cleaned.items()):
            for address in split_addresses(value):
                try:
                    validator.clean(address)
                except forms.ValidationError:
                    self.add_error(name, f"“{address}” is not an e-mail address.")
        return cleaned


class ProductionIssueForm(_CrispyForm, forms.ModelForm):
    class Meta:
        model = ProductionIssue
        fields = [
            "title",
            "severity",
            "status",
            "what_happened",
            "impact",
            "workaround",
            "fix_plan",
            "next_update_at",
            "caused_by_defect",
            "caused_by_risk",
        ]
        widgets = {
            "next_update_at": _DATETIME,
            "what_happened": forms.Textarea(attrs={"rows": 3}),
            "impact": forms.Textarea(attrs={"rows": 2}),
            "workaround": forms.Textarea(attrs={"rows": 2}),
            "fix_plan": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this release's defects and risks can be named; another release's id is "not a valid choice".
        self.fields["caused_by_defect"].queryset = release_defects(release)
        self.fields["caused_by_risk"].queryset = release_risks(release)
        self.fields["caused_by_defect"].label_from_instance = _defect_label


class PublicIssueUpdateForm(_CrispyForm, forms.ModelForm):
    """What end users are told; prefilled from the last published update, never from the internal notes."""

    submit_label = "Publish to the status page"

    class Meta:
        model = PublicIssueUpdate
        fields = ["title", "what_it_is", "impact", "workaround", "fix_plan", "next_update_at"]
        widgets = {
            "next_update_at": _DATETIME,
            "what_it_is": forms.Textarea(attrs={"rows": 3}),
            "impact": forms.Textarea(attrs={"rows": 2}),
            "workaround": forms.Textarea(attrs={"rows": 2}),
            "fix_plan": forms.Textarea(attrs={"rows": 2}),
        }


def _defect_label(defect) -> str:
    return f"{defect.external_key} — {defect.title}" if defect.external_key else defect.title
