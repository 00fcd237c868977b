from django import forms

from golive.models import WebhookEvent

_SUBSCRIBABLE = [(value, label) for value, label in WebhookEvent.choices if value != WebhookEvent.PING]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What will use the token, e.g. “GitLab deploy job for the portal”."
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=_SUBSCRIBABLE,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to receive every event.",
    )
