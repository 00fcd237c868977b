from django import forms

from golive.forms import _CrispyForm
from statuspage.models import Visibility


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="Your e-mail address", max_length=254)


class StatusPageSettingsForm(_CrispyForm, forms.Form):
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        label="Who may read the page",
        help_text="Sign-in only: anyone with a GoLive Desk account, not only the release's members.",
    )
