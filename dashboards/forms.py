from django import forms


class HeatCellForm(forms.Form):
    """Which heat-map cell was clicked; anything outside 1–5 is a form error."""

    probability = forms.IntegerField(min_value=1, max_value=5)
    impact = forms.IntegerField(min_value=1, max_value=5)
