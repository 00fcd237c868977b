"""The log-in page while an address or a user is locked out after too many failed log-ins."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

from golive.sso import login_page_choices


def locked_out(request, original_response=None, credentials=None):
    """Shown instead of the log-in result (django-axes' lock-out response): the form again, and the wait."""
    minutes = max(1, round(get_cool_off(request).total_seconds() / 60))
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD, "")
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "next": request.POST.get("next", ""),
            **login_page_choices(),
            "locked_out_message": (
                f"Too many failed log-ins from this address or for this user. Wait {minutes} minutes, "
                "then try again; an administrator can lift the lock sooner."
            ),
        },
        status=429,
    )
