from django import forms

from golive.forms import _CrispyForm


class RedactForm(_CrispyForm, forms.Form):
    submit_label = "Redact"
    field_name = forms.ChoiceField(label="Field")
    secret = forms.CharField(
        label="The secret, exactly as it appears",
        max_length=2000,
        strip=False,
        help_text="Only this text is replaced with “[redacted]”, in the record and in the audit trail.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_name"].choices = [
            (field.name, field.verbose_name.capitalize()) for field in fields
        ]
