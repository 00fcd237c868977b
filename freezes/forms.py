from django import forms

from freezes.models import FreezeWindow
from golive.forms import _CrispyForm
from golive.widgets import DateInput, DateTimeInput


class FreezeWindowForm(_CrispyForm, forms.ModelForm):
    class Meta:
        model = FreezeWindow
        fields = [
            "name",
            "reason",
            "environment",
            "application",
            "recurrence",
            "starts_at",
            "ends_at",
            "repeat_until",
        ]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 2}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "repeat_until": DateInput(),
        }


class FreezeOverrideForm(_CrispyForm, forms.Form):
    submit_label = "Record emergency override"
    window = forms.ModelChoiceField(queryset=FreezeWindow.objects.none(), label="Freeze window")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, windows: list[FreezeWindow], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = FreezeWindow.objects.filter(pk__in=[window.pk for window in windows])
        # The form is shown only while some window holds the release back: the first one is preselected.
        self.fields["window"].empty_label = None
