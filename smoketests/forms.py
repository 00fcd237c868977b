from django import forms
from django.core.validators import validate_email

from golive.forms import _CrispyForm
from golive.models import Release
from golive.widgets import DateTimeInput
from smoketests.models import Monitor, SmokeCheck


class HeadersField(forms.CharField):
    """Request headers typed one per line as `Name: value`, stored as a dict."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "Accept: application/json"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{name}: {header_value}" for name, header_value in value.items())
        return value

    def to_python(self, value):
        headers = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, separator, header_value = line.partition(":")
            if not separator or not name.strip():
                raise forms.ValidationError(f"Line {number} is not “Name: value”.")
            headers[name.strip()] = header_value.strip()
        return headers


class SmokeCheckForm(_CrispyForm, forms.ModelForm):
    headers = HeadersField(required=False, label="Request headers", help_text="One per line: Name: value")

    class Meta:
        model = SmokeCheck
        fields = [
            "name",
            "method",
            "url",
            "headers",
            "body",
            "expected_statuses",
            "body_contains",
            "body_regex",
            "max_latency_ms",
            "timeout_seconds",
            "verify_tls",
            "enabled",
        ]
        widgets = {
            "url": forms.TextInput(attrs={"placeholder": "https://portal.example.com/health"}),
            "body": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.release = release


class MonitorForm(_CrispyForm, forms.ModelForm):
    class Meta:
        model = Monitor
        fields = [
            "smoke_check",
            "interval_seconds",
            "starts_at",
            "ends_at",
            "failure_threshold",
            "alert_emails",
            "enabled",
        ]
        labels = {"smoke_check": "Check"}
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
        }

    def __init__(self, *args, release: Release, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.release = release
        # A check has at most one monitor: offer the checks without one, plus this monitor's own.
        checks = SmokeCheck.objects.filter(release=release)
        if self.instance.pk:
            checks = checks.filter(pk=self.instance.smoke_check_id)
        else:
            checks = checks.filter(monitor__isnull=True)
        self.fields["smoke_check"].queryset = checks.order_by("name")
        self.fields[
            "alert_emails"
        ].help_text += (
            " Webhooks hear of it as monitor.down and monitor.up, from the release's Webhooks page."
        )

    def clean_alert_emails(self):
        addresses = [part.strip() for part in self.cleaned_data["alert_emails"].split(",") if part.strip()]
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(f"“{address}” is not an e-mail address.") from None
        return ", ".join(addresses)
