from django import forms
from django.contrib.auth import get_user_model

from golive.forms import _CrispyForm
from golive.models import Release
from golive.validators import limit_inputs, within_planning_years
from golive.widgets import DateInput, DateTimeInput
from gonogo.decision_rule import Choice, Outcome, Rule
from gonogo.models import MeetingState


def _members_of(release: Release):
    return get_user_model().objects.filter(memberships__release=release).distinct().order_by("username")


def _possible_chairs(release: Release):
    """Members with a voting role; the service checks the same rule for any other caller."""
    from gonogo.services.meetings import VOTING_ROLES

    return (
        get_user_model()
        .objects.filter(memberships__release=release, memberships__role__in=VOTING_ROLES)
        .distinct()
        .order_by("username")
    )


class _MemberChoiceLabels:
    @staticmethod
    def label(user) -> str:
        return f"{user.get_full_name() or user.username} ({user.username})"


class ScheduleMeetingForm(_CrispyForm, forms.Form):
    submit_label = "Schedule meeting"
    scheduled_at = forms.DateTimeField(
        label="When", widget=DateTimeInput(), validators=[within_planning_years]
    )
    chair = forms.ModelChoiceField(queryset=None)
    invitees = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Participants",
        help_text="The product owner votes as required with veto; the release manager as required.",
    )
    decision_rule = forms.ChoiceField(
        choices=[
            (Rule.UNANIMOUS, "Unanimous (default)"),
            (Rule.MAJORITY, "Majority of votes cast, vetoes apply"),
        ]
    )
    hide_votes = forms.BooleanField(required=False, label="Hide votes until voting closes (only counts show)")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Agenda notes")

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        members = _members_of(release)
        self.fields["chair"].queryset = _possible_chairs(release)
        self.fields["invitees"].queryset = members
        self.fields["chair"].label_from_instance = _MemberChoiceLabels.label
        self.fields["invitees"].label_from_instance = _MemberChoiceLabels.label


class EditMeetingForm(ScheduleMeetingForm):
    """Reschedule or correct a meeting; once voting is open only the chair can still change."""

    submit_label = "Save meeting"

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, release=meeting.release, **kwargs)
        del self.fields["invitees"]
        if meeting.state != MeetingState.SCHEDULED:
            for name in list(self.fields):
                if name != "chair":
                    del self.fields[name]


class CancelMeetingForm(_CrispyForm, forms.Form):
    submit_label = "Cancel the meeting"
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why is it cancelled?")


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[
            (Choice.GO, "Go"),
            (Choice.GO_WITH_CONDITIONS, "Go with conditions"),
            (Choice.NO_GO, "No-go"),
        ],
        widget=forms.RadioSelect,
        label="Your vote",
    )
    conditions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One condition per line."
    )
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("choice")
        if choice == Choice.GO_WITH_CONDITIONS and not cleaned.get("conditions", "").strip():
            self.add_error("conditions", "Say which conditions must be met for a go with conditions.")
        if choice == Choice.NO_GO and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give the reason for a no-go.")
        return cleaned


class ParticipantFlagsForm(forms.Form):
    required = forms.BooleanField(required=False)
    can_veto = forms.BooleanField(required=False)


class CloseVotingForm(_CrispyForm, forms.Form):
    submit_label = "Close voting and record the decision"
    chair_outcome = forms.ChoiceField(
        required=False,
        label="Chair's decision",
        choices=[
            ("", "—"),
            (Outcome.GO, "GO"),
            (Outcome.CONDITIONAL_GO, "CONDITIONAL GO"),
            (Outcome.NO_GO, "NO-GO"),
        ],
    )
    rationale = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    override = forms.BooleanField(
        required=False, label="Override: record a go although blockers are open (needs a rationale)"
    )

    def __init__(self, *args, chair_decides: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not chair_decides:
            del self.fields["chair_outcome"]


class ConditionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Condition")
    owner = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(widget=DateInput(), validators=[within_planning_years])

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        limit_inputs(self)
        self.fields["owner"].queryset = _members_of(release)
        self.fields["owner"].label_from_instance = _MemberChoiceLabels.label


# Two blank rows let the chair add conditions nobody voted with; rows left blank are ignored.
ConditionFormSet = forms.formset_factory(ConditionForm, extra=2, min_num=0, can_delete=True)
