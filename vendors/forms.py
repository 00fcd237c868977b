"""The vendor ledger's forms: an entry, and the vendor's acknowledgement of it."""

from django import forms
from django.utils import timezone

from golive.forms import _CrispyForm
from golive.widgets import DateTimeInput
from vendors.models import VendorEngagement
from vendors.services.ledger import EDITABLE_FIELDS


def _this_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class VendorForm(_CrispyForm, forms.ModelForm):
    class Meta:
        model = VendorEngagement
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "informed_at": DateTimeInput(),
            "shared": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.initial.get("informed_at"):
            self.initial["informed_at"] = _this_minute()


class AcknowledgementForm(_CrispyForm, forms.ModelForm):
    """The time the vendor acknowledged (now, unless told otherwise) and what they answered."""

    submit_label = "Record acknowledgement"

    class Meta:
        model = VendorEngagement
        fields = ["acknowledged_at", "acknowledgement_note"]
        widgets = {
            "acknowledged_at": DateTimeInput(),
            "acknowledgement_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acknowledged_at"].required = True
        if self.instance.acknowledged_at is None:
            self.initial["acknowledged_at"] = _this_minute()
