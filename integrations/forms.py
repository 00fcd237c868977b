from django import forms

from integrations.models import WebhookEvent, WebhookFormat

_SUBSCRIBABLE = [(value, label) for value, label in WebhookEvent.choices if value != WebhookEvent.PING]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What will use the token, e.g. “GitLab deploy job for the portal”."
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    format = forms.ChoiceField(
        choices=WebhookFormat.choices,
        initial=WebhookFormat.GENERIC,
        required=False,
        help_text="Slack and Teams: paste the channel's incoming webhook URL and pick its format.",
    )
    events = forms.MultipleChoiceField(
        choices=_SUBSCRIBABLE,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to receive every event.",
    )

    def clean_format(self) -> str:
        return self.cleaned_data["format"] or WebhookFormat.GENERIC
