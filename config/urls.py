from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from golive.views import accounts


@login_not_required
def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API's pages).
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    # Single sign-on: the names are the ones mozilla-django-oidc reverses.
    path("accounts/sso/start/", accounts.SingleSignOnStartView.as_view(), name="oidc_authentication_init"),
    path(
        "accounts/sso/callback/",
        accounts.SingleSignOnCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
    # The JSON API for pipelines, its schema and docs; the profile (API tokens) and webhook pages.
    path("api/", include("integrations.api.urls")),
    path("", include("integrations.urls")),
    path("", include("golive.urls")),
    path("", include("registers.urls")),
    path("", include("gonogo.urls")),
    path("", include("runbook.urls")),
    path("", include("communications.urls")),
    path("", include("freezes.urls")),
    path("", include("smoketests.urls")),
    path("", include("handover.urls")),
    path("", include("vendors.urls")),
    path("", include("forge.urls")),
    path("", include("statuspage.urls")),
    path("", include("reviews.urls")),
    path("", include("dashboards.urls")),
]
