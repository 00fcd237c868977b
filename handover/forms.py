from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from golive.forms import _CrispyForm
from golive.models import Release
from golive.people import DELIVERING_ROLES, members_of, offer_people
from golive.secret_detection import reject_secrets
from golive.widgets import DateInput, DateTimeInput
from handover.files import validate_upload
from handover.models import (
    AccessTransfer,
    HandoverItem,
    HandoverPlan,
    RequiredDocument,
    SupportTeam,
    TrainingSession,
)


def release_members(release: Release):
    return get_user_model().objects.filter(memberships__release=release).distinct().order_by("username")


def _https(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class PlanCreateForm(_CrispyForm, forms.Form):
    submit_label = "Create the handover plan"
    teams = forms.ModelMultipleChoiceField(
        queryset=SupportTeam.objects.order_by("name"),
        required=False,
        label="Receiving support teams",
        widget=forms.CheckboxSelectMultiple,
    )
    from_template = forms.BooleanField(
        required=False,
        initial=True,
        label="Start from the template list",
        help_text="Seeds the typical items: a stable system, support documentation, training of production "
        "staff, and every system-management function and logon assigned to production.",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, validators=[reject_secrets]
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_template") and not cleaned.get("teams"):
            self.add_error("teams", "Choose at least one receiving team: the template's items go to teams.")
        return cleaned


class PlanSettingsForm(_CrispyForm, forms.ModelForm):
    teams = forms.ModelMultipleChoiceField(
        queryset=SupportTeam.objects.order_by("name"),
        required=False,
        label="Receiving support teams",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = HandoverPlan
        fields = [
            "teams",
            "notes",
            "require_hypercare_exit",
            "hypercare_hours",
            "uptime_target_percent",
            "require_unaided_operational_steps",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class SupportTeamForm(_CrispyForm, forms.ModelForm):
    submit_label = "Create team"

    class Meta:
        model = SupportTeam
        fields = ["name", "kind", "lead", "members", "description"]
        widgets = {"members": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = release_members(release)
        self.fields["members"].queryset = release_members(release)
        self.fields["members"].help_text = "The lead is always a member too."


class ItemForm(_CrispyForm, forms.ModelForm):
    class Meta:
        model = HandoverItem
        formfield_callback = _https
        fields = [
            "title",
            "description",
            "category",
            "receiving_team",
            "delivering_owner",
            "due_date",
            "needed_by",
            "required_training",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "due_date": DateInput()}

    def __init__(self, *args, plan: HandoverPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_team"].queryset = plan.teams.order_by("name")
        offer_people(self.fields["delivering_owner"], members_of(plan.release, roles=DELIVERING_ROLES))
        self.fields["required_training"].queryset = plan.training_sessions.all()


class DeliverForm(_CrispyForm, forms.Form):
    submit_label = "Mark delivered"
    note = forms.CharField(
        label="Evidence: note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        validators=[reject_secrets],
        help_text="What was delivered and where to find it.",
    )
    link = forms.URLField(
        label="Evidence: link",
        required=False,
        max_length=500,
        validators=[reject_secrets],
        assume_scheme="https",
    )
    file = forms.FileField(label="Evidence: file", required=False, validators=[validate_upload])

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("note") or cleaned.get("link") or cleaned.get("file")):
            raise forms.ValidationError("Give the evidence of delivery: a note, a link or a file.")
        return cleaned


class ReasonForm(_CrispyForm, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, validators=[reject_secrets]
    )

    def __init__(self, *args, submit_label: str = "Save", required: bool = True, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


class DocumentForm(_CrispyForm, forms.ModelForm):
    upload = forms.FileField(label="Upload a new version", required=False, validators=[validate_upload])

    class Meta:
        model = RequiredDocument
        formfield_callback = _https
        fields = ["link", "version", "status", "owner"]

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = release_members(release)
        self.order_fields(["upload", "link", "version", "status", "owner"])


class AccessTransferForm(_CrispyForm, forms.ModelForm):
    class Meta:
        model = AccessTransfer
        fields = [
            "system",
            "access_level",
            "current_holder",
            "receiving_team",
            "credential_location",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan: HandoverPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_team"].queryset = plan.teams.order_by("name")


class RevokeForm(_CrispyForm, forms.Form):
    submit_label = "Record project access revoked"
    revoked_on = forms.DateField(label="Project access removed on", widget=DateInput())


class KeepProjectAccessForm(_CrispyForm, forms.Form):
    submit_label = "Keep the project's access"
    reason = forms.CharField(
        label="Why the project team keeps this access",
        max_length=AccessTransfer._meta.get_field("project_access_kept_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_secrets],
        help_text="For example: the vendor's escalation contact keeps read-only access until the "
        "contract ends.",
    )


class TrainingSessionForm(_CrispyForm, forms.ModelForm):
    invited = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = TrainingSession
        fields = ["topic", "trainer", "team", "scheduled_for", "invited", "notes"]
        widgets = {"scheduled_for": DateTimeInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan: HandoverPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = plan.teams.order_by("name")
        self.fields["invited"].queryset = release_members(plan.release)


class AttendanceForm(_CrispyForm, forms.Form):
    submit_label = "Record the session as held"
    attended = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = release_members(release)


class SignOffForm(_CrispyForm, forms.Form):
    submit_label = "Sign off"
    typed_name = forms.CharField(
        label="Your full name",
        max_length=150,
        help_text="Typing your name confirms the sign-off for your team.",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, validators=[reject_secrets]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.attrs["data-confirm"] = (
            "Sign off the handover for your team? A sign-off cannot be changed afterwards."
        )


class TeamMembersForm(_CrispyForm, forms.Form):
    submit_label = "Save members"
    members = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members accept items, verify access and sign off. The lead is always a member.",
    )

    def __init__(self, *args, team: SupportTeam, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        # Members from other releases stay selectable: a team outlives any one release.
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(Q(memberships__release=release) | Q(support_teams=team))
            .distinct()
            .order_by("username")
        )


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class RunbookCopyForm(_CrispyForm, forms.Form):
    """Copy the runbook into the next release: per receiving team, who owns its operational steps there
    (the team lead unless another member is chosen), and per operational step, which team owns it
    (at first the team lowest on the knowledge-transfer ladder for that step)."""

    submit_label = "Copy the runbook"
    target = forms.TypedChoiceField(label="Into the release", coerce=int)

    def __init__(self, *args, targets, teams, matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self._targets = {release.pk: release for release in targets}
        self.fields["target"].choices = [
            (release.pk, f"{release.application} {release.version} — {release.name}") for release in targets
        ]
        self._people = {}
        for team in teams:
            people = [team.lead, *sorted(team.members.exclude(pk=team.lead_id), key=_person)]
            self._people.update({person.pk: person for person in people})
            self.fields[f"owner_{team.pk}"] = forms.TypedChoiceField(
                label=f"Owner from {team.name}",
                choices=[(person.pk, _person(person)) for person in people],
                coerce=int,
                initial=team.lead_id,
            )
        self._steps = [row.step for row in matrix]
        for row in matrix:
            lowest = min(row.cells, key=lambda cell: cell.rung, default=None)
            self.fields[f"team_{row.step.pk}"] = forms.TypedChoiceField(
                label=f"“{row.step.title}” is owned by",
                choices=[(team.pk, team.name) for team in teams],
                coerce=int,
                initial=lowest.team.pk if lowest else None,
            )

    def clean(self):
        cleaned = super().clean()
        if self._steps and not any(name.startswith("owner_") for name in self.fields):
            raise forms.ValidationError("Add the receiving teams first: support owns the operational steps.")
        return cleaned

    def target_release(self) -> Release:
        return self._targets[self.cleaned_data["target"]]

    def operational_owners(self) -> dict:
        """Step id → the person chosen for the team that owns the step."""
        return {
            step.pk: self._people[self.cleaned_data[f"owner_{self.cleaned_data[f'team_{step.pk}']}"]]
            for step in self._steps
        }
