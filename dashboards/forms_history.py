"""The filters of a release's history page; values it does not know are form errors, never a 500."""

from django import forms

from golive.validators import browser_limits, within_planning_years
from golive.widgets import DateInput

SYSTEM_ACTOR = "-"


def kind_of(verb: str) -> str:
    """The kind of record an event is about: "risk" for risk.created."""
    return verb.split(".", 1)[0]


def _kind_label(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


class HistoryFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="Kind")
    actor = forms.ChoiceField(required=False, label="Who")
    since = forms.DateField(
        required=False, label="From", widget=DateInput(), validators=[within_planning_years]
    )
    until = forms.DateField(
        required=False, label="To", widget=DateInput(), validators=[within_planning_years]
    )

    def __init__(self, *args, verbs_and_actors: list[tuple[str, str]], **kwargs):
        """`verbs_and_actors`: the (verb, actor name) pairs of the release's trail, for the choices."""
        super().__init__(*args, **kwargs)
        kinds = sorted({kind_of(verb) for verb, _ in verbs_and_actors})
        self.fields["kind"].choices = [("", "Any kind")] + [(kind, _kind_label(kind)) for kind in kinds]
        names = sorted({name for _, name in verbs_and_actors if name})
        self.fields["actor"].choices = [("", "Anyone"), (SYSTEM_ACTOR, "The system")] + [
            (n, n) for n in names
        ]
        for name in ("since", "until"):
            self.fields[name].widget.attrs.update(browser_limits("date"))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def actor_name(self) -> str | None:
        """The actor name to match: "" for the system's own events, None for anyone."""
        actor = self.cleaned_data.get("actor")
        if not actor:
            return None
        return "" if actor == SYSTEM_ACTOR else actor
