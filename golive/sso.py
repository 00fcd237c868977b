"""Single sign-on with OpenID Connect, on mozilla-django-oidc.

Only the issuer (or its discovery document's address), a client id and a client secret are configured;
the provider's endpoints come from its discovery document, fetched when someone first signs in and kept
in the cache. A user is found by e-mail address (so an existing account can move to single sign-on) or
created on first sign-in. When group mapping is configured, the ID token's group claim decides on every
sign-in whether the user may create releases and whether they are site staff.
"""

import logging

import httpx
import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from golive.audit import record_event

logger = logging.getLogger(__name__)

# The group whose members may create releases because the provider says so; golive.permissions grants
# "create releases" to holders of golive.add_release, directly or through a group.
RELEASE_CREATORS_GROUP = "Release creators (single sign-on)"
# Site staff from the provider use the admin and may do everything: this group holds
# golive.act_on_every_release, which is what golive.permissions asks (is_staff alone only opens the admin).
SITE_STAFF_GROUP = "Site staff (single sign-on)"
REFUSAL_SESSION_KEY = "single_sign_on_refusal"

# mozilla-django-oidc setting → the discovery document's field that provides it.
_DISCOVERED_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_DISCOVERY_CACHE_SECONDS = 3600


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read."""


def single_sign_on_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID and discovery_url())


def password_login_enabled() -> bool:
    return settings.PASSWORD_LOGIN_ENABLED


def login_page_choices() -> dict:
    """What the log-in page offers: the password form, single sign-on, or both."""
    return {
        "password_login_enabled": password_login_enabled(),
        "single_sign_on_enabled": single_sign_on_enabled(),
        "single_sign_on_label": oidc_setting("OIDC_PROVIDER_NAME", "single sign-on"),
    }


def discovery_url() -> str:
    if settings.OIDC_DISCOVERY_URL:
        return settings.OIDC_DISCOVERY_URL
    if settings.OIDC_ISSUER:
        return settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    return ""


def provider_metadata() -> dict:
    url = discovery_url()
    key = f"oidc-discovery:{url}"
    metadata = cache.get(key)
    if metadata is None:
        try:
            response = httpx.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            metadata = response.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("Could not read the OpenID Connect discovery document %s: %s", url, error)
            raise ProviderUnavailable(str(error)) from error
        missing = [field for field in _DISCOVERED_SETTINGS.values() if field not in metadata]
        if missing:
            raise ProviderUnavailable(f"The discovery document lacks {', '.join(missing)}.")
        cache.set(key, metadata, _DISCOVERY_CACHE_SECONDS)
    return metadata


def oidc_setting(name: str, *default):
    """A mozilla-django-oidc setting: an explicit Django setting wins, else the discovery document."""
    if name in _DISCOVERED_SETTINGS and not getattr(settings, name, None):
        return provider_metadata()[_DISCOVERED_SETTINGS[name]]
    return import_from_settings(name, *default)


def _groups_in(claims: dict) -> set[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(group) for group in value}
    return set()


class SingleSignOnBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Django builds every backend on every sign-in and session load; the provider's endpoints are
        # looked up only when a sign-in through the provider actually happens.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or not single_sign_on_enabled() or "code" not in request.GET:
            return None
        try:
            self.OIDC_OP_TOKEN_ENDPOINT = oidc_setting("OIDC_OP_TOKEN_ENDPOINT")
            self.OIDC_OP_USER_ENDPOINT = oidc_setting("OIDC_OP_USER_ENDPOINT")
            self.OIDC_OP_JWKS_ENDPOINT = oidc_setting("OIDC_OP_JWKS_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
            self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
            self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
            self.OIDC_RP_IDP_SIGN_KEY = None
            user = super().authenticate(request, **kwargs)
        except ProviderUnavailable:
            return _refuse(request, "The sign-in provider cannot be reached right now; try again later.")
        except (
            requests.RequestException,
            jwt.PyJWTError,
            SuspiciousOperation,
            KeyError,
            ValueError,
        ) as error:
            logger.warning("Single sign-on failed: %s", error)
            return _refuse(request, "The sign-in provider's answer could not be verified; try again.")
        if user is None:
            return _refuse(request, "The sign-in provider gave no e-mail address, so no account matches.")
        if not user.is_active:
            return _refuse(request, "Your GoLive Desk account is deactivated; ask an administrator.")
        return user

    def retrieve_matching_jwk(self, token):
        """The provider's key for this token: the one its `kid` names, or, for a token without a `kid`,
        the provider's only key of the token's algorithm (the library insists on a `kid`)."""
        header = jwt.get_unverified_header(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        candidates = [
            key
            for key in response.json().get("keys", [])
            if key.get("alg", header.get("alg")) == header.get("alg")
            and ("kid" not in header or key.get("kid") == header["kid"])
        ]
        if len(candidates) != 1:
            raise SuspiciousOperation(f"{len(candidates)} of the provider's keys match the ID token.")
        return jwt.PyJWK(candidates[0])

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("email"))

    def get_userinfo(self, access_token, id_token, payload):
        # The group claim may come in the ID token only; the userinfo answer wins where both have a claim.
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def create_user(self, claims):
        username = self._free_username(claims.get("preferred_username") or claims["email"])
        user = self.UserModel.objects.create_user(
            username,
            email=claims["email"],
            first_name=str(claims.get("given_name", ""))[:150],
            last_name=str(claims.get("family_name", ""))[:150],
        )
        record_event(verb="user.created_by_single_sign_on", target=user, data={"username": username})
        return self.update_user(user, claims)

    def _free_username(self, wanted: str) -> str:
        base = wanted[:140]
        username, number = base, 1
        while self.UserModel.objects.filter(username__iexact=username).exists():
            number += 1
            username = f"{base}-{number}"
        return username

    @transaction.atomic
    def update_user(self, user, claims):
        groups = _groups_in(claims)
        changes = {}
        if settings.OIDC_RELEASE_CREATOR_GROUPS:
            creators = _release_creators_group()
            may_create = bool(groups & set(settings.OIDC_RELEASE_CREATOR_GROUPS))
            had = user.groups.filter(pk=creators.pk).exists()
            if may_create != had:
                (user.groups.add if may_create else user.groups.remove)(creators)
                changes["may_create_releases"] = [had, may_create]
        if settings.OIDC_STAFF_GROUPS:
            is_staff = bool(groups & set(settings.OIDC_STAFF_GROUPS))
            if user.is_staff != is_staff:
                changes["is_staff"] = [user.is_staff, is_staff]
                user.is_staff = is_staff
                user.save(update_fields=["is_staff"])
            (user.groups.add if is_staff else user.groups.remove)(_site_staff_group())
        if changes:
            record_event(verb="user.roles_from_single_sign_on", target=user, changes=changes)
        return user


def _release_creators_group() -> Group:
    group, created = Group.objects.get_or_create(name=RELEASE_CREATORS_GROUP)
    if created:
        group.permissions.add(
            Permission.objects.get(content_type__app_label="golive", codename="add_release")
        )
    return group


def _site_staff_group() -> Group:
    group, created = Group.objects.get_or_create(name=SITE_STAFF_GROUP)
    if created:
        group.permissions.add(
            Permission.objects.get(content_type__app_label="golive", codename="act_on_every_release")
        )
    return group


def _refuse(request, message: str) -> None:
    request.session[REFUSAL_SESSION_KEY] = message
    return None
