from django import forms

from golive.choices import Role
from golive.forms import _CrispyForm
from golive.models import Release
from golive.people import members_of, offer_people
from golive.widgets import DateTimeInput
from runbook.models import GoLiveStep, Rehearsal

_DATETIME = DateTimeInput()


def _label(user) -> str:
    return f"{user.get_full_name() or user.username} ({user.username})"


class StepForm(_CrispyForm, forms.ModelForm):
    class Meta:
        model = GoLiveStep
        fields = [
            "title",
            "instructions",
            "owner",
            "shadows",
            "planned_start",
            "planned_duration_minutes",
            "depends_on",
            "kind",
            "message_kind",
            "point_of_no_return",
            "operational",
            "rollback_note",
        ]
        widgets = {
            "planned_start": _DATETIME,
            "instructions": forms.Textarea(attrs={"rows": 3}),
            "rollback_note": forms.Textarea(attrs={"rows": 2}),
            "shadows": forms.CheckboxSelectMultiple,
            "depends_on": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        users = members_of(release)
        offer_people(self.fields["owner"], users)
        self.fields["shadows"].queryset = users.filter(
            memberships__release=release, memberships__role=Role.PRODUCTION_SUPPORT
        )
        self.fields["shadows"].label_from_instance = _label
        self.fields[
            "shadows"
        ].help_text = "Production-support members who observe, to run it themselves next time."
        # Worded for the runbook importer too, which names people by username rather than offering choices.
        self.fields["owner"].error_messages["invalid_choice"] = "Choose a member of this release."
        self.fields["shadows"].error_messages["invalid_choice"] = (
            "Shadows are production-support members of this release; “%(value)s” is not one."
        )
        others = release.steps.order_by("order")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["depends_on"].queryset = others


# Notes and reasons are free text kept in the audit trail; a few paragraphs is plenty.
NOTE_MAX_LENGTH = 2000


class FailStepForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What went wrong",
        max_length=NOTE_MAX_LENGTH,
        required=False,  # the service says why an empty note is refused
    )


class SkipStepForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why skip it",
        max_length=NOTE_MAX_LENGTH,
        required=False,  # the service says why an empty reason is refused
    )


class AbortForm(_CrispyForm, forms.Form):
    submit_label = "Abort the go-live and roll back"
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX_LENGTH)


class RunbookImportForm(_CrispyForm, forms.Form):
    submit_label = "Import"
    csv_file = forms.FileField(label="Runbook CSV", help_text="As exported from a release's runbook.")

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError("The file is larger than 1 MB; a runbook CSV is much smaller.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text; export it again as CSV (UTF-8)."
            ) from None


class RehearsalForm(_CrispyForm, forms.Form):
    submit_label = "Start rehearsal"
    environment = forms.CharField(
        max_length=Rehearsal._meta.get_field("environment").max_length, initial="staging"
    )


class RehearsalTimingForm(forms.Form):
    timing = forms.IntegerField(min_value=1, max_value=2**63 - 1)


_SELECT = "form-select form-select-sm"


class CoPerformanceForm(forms.Form):
    performer = forms.ModelChoiceField(
        queryset=None, label="Performed by", empty_label=None, widget=forms.Select(attrs={"class": _SELECT})
    )
    rehearsal = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="In",
        empty_label="the go-live",
        widget=forms.Select(attrs={"class": _SELECT}),
    )

    def __init__(self, *args, step: GoLiveStep, **kwargs):
        super().__init__(*args, **kwargs)
        release = step.release
        self.fields["performer"].queryset = members_of(release, roles=[Role.PRODUCTION_SUPPORT]).exclude(
            pk=step.owner_id
        )
        self.fields["performer"].label_from_instance = _label
        self.fields["rehearsal"].queryset = release.rehearsals.all()
