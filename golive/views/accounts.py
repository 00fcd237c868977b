"""Signing in: the password form (unless turned off) and single sign-on through an OpenID Connect provider."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from golive.sso import (
    REFUSAL_SESSION_KEY,
    ProviderUnavailable,
    login_page_choices,
    oidc_setting,
    password_login_enabled,
    single_sign_on_enabled,
)

PASSWORDS_OFF = "Signing in with a password is turned off here; use single sign-on."


class PasswordLoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets the username's max_length after the field was built, so nothing checks it:
        # a longer name would reach authentication and the log-in throttle's records (a 500 on PostgreSQL).
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))

    def clean(self):
        if not password_login_enabled():
            raise forms.ValidationError(PASSWORDS_OFF, code="passwords_off")
        return super().clean()


class LoginView(auth_views.LoginView):
    form_class = PasswordLoginForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(**login_page_choices(), **kwargs)


@method_decorator(login_not_required, name="dispatch")
class SingleSignOnStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's sign-in page."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoints are looked up per request, in get()

    def get(self, request):
        if not single_sign_on_enabled():
            raise Http404("Single sign-on is not set up here.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable:
            messages.error(request, "The sign-in provider cannot be reached right now; try again later.")
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class SingleSignOnCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signs the user in, or says why not."""

    def get(self, request):
        if not single_sign_on_enabled():
            raise Http404("Single sign-on is not set up here.")
        if request.GET.get("error"):
            return super().get(request)
        if not ("code" in request.GET and "state" in request.GET):
            messages.error(request, "That sign-in link is incomplete; start again from the login page.")
            return redirect("login")
        if request.GET["state"] not in request.session.get("oidc_states", {}):
            messages.error(request, "That sign-in has expired or was already used; start again.")
            return redirect("login")
        return super().get(request)

    def login_failure(self):
        error = self.request.GET.get("error")
        if error:
            message = f"The sign-in provider refused the sign-in ({error[:100]}); you are not signed in."
        else:
            message = self.request.session.pop(REFUSAL_SESSION_KEY, "Single sign-on did not sign you in.")
        messages.error(self.request, message)
        return redirect("login")
