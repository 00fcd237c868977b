"""GoLive Desk settings, read from the environment.

Without any variable set the project runs on embedded parts, debugging off: SQLite for the data and for
the Celery broker, both under var/, and a secret key generated once into var/. Production sets SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL and the HTTPS settings at the end (see README.md).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.api_settings import rest_framework_settings
from config.beat_schedule import celery_beat_schedule
from config.env import env_bool, env_cache, env_int, env_list, env_str, secret_key_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GOLIVE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Django's debug pages list every URL and setting: only for someone who asks for them.
DEBUG = env_bool("DEBUG", False)

# Without SECRET_KEY, a random key is generated once into SECRET_KEY_FILE (readable by its owner only) and
# read from there on, so sessions survive restarts. Several hosts must share one key: set SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY") or secret_key_from_file(
    Path(env_str("SECRET_KEY_FILE", str(VAR_DIR / "secret_key")))
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "golive",
    "registers",
    "gonogo",
    "runbook",
    "communications",
    "freezes",
    "smoketests",
    "handover",
    "vendors",
    "integrations",
    "forge",
    "statuspage",
    "reviews",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    # A live page's poll that the shared cache can answer stops here, before the session (README).
    "golive.live_updates.LiveWatchMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Under /api/ every error is the API's JSON error, also those answered outside its views.
    "integrations.api.errors.ApiErrorsAsJsonMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses NUL and other characters no column can hold, and over-size bodies, before any view runs.
    "golive.input_guard.InputGuardMiddleware",
    # Every page needs a signed-in user unless its view is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx; a response that depends on an htmx header says so in Vary (golive/htmx.py).
    "golive.htmx.HtmxVaryMiddleware",
    # Turns a log-in refused for too many failures into the log-in page with the wait (last, as axes asks).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'golive.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process, a worker and beat share the file: wait for locks instead of failing at once,
    # and take the write lock at the start of a transaction so readers never have to upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Log-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failed log-ins from one address, or for one
# username, further log-ins from it or for it are refused for LOGIN_COOLOFF_MINUTES, even with the right
# password. Attempts are recorded; staff see and lift lock-outs in the admin ("Access attempts"). The
# throttle guards password log-ins only (PASSWORD_AUTHENTICATION_BACKENDS below).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "golive.views.login.locked_out"
# Behind reverse proxies, how many of them append to X-Forwarded-For (0: count the connection's address).
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "golive.auth_backends.client_address"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboards:portfolio"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on with OpenID Connect (README, "Single sign-on"): on when a client id and the issuer (or its
# discovery document's address) are set; the provider's endpoints come from its discovery document.
OIDC_ISSUER = env_str("OIDC_ISSUER")
OIDC_DISCOVERY_URL = env_str("OIDC_DISCOVERY_URL")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGORITHM", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on")
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
# Members of these provider groups may create releases / are site staff; empty: not managed by the provider.
OIDC_RELEASE_CREATOR_GROUPS = env_list("OIDC_RELEASE_CREATOR_GROUPS")
OIDC_STAFF_GROUPS = env_list("OIDC_STAFF_GROUPS")
OIDC_USE_PKCE = True
# PASSWORD_LOGIN=false hides and refuses the password form (and the admin's): single sign-on only.
PASSWORD_LOGIN_ENABLED = env_bool("PASSWORD_LOGIN", True)
if not PASSWORD_LOGIN_ENABLED and not (OIDC_RP_CLIENT_ID and (OIDC_ISSUER or OIDC_DISCOVERY_URL)):
    raise ImproperlyConfigured(
        "PASSWORD_LOGIN=false needs single sign-on: set OIDC_ISSUER and OIDC_CLIENT_ID."
    )
PASSWORD_AUTHENTICATION_BACKENDS = [
    "golive.auth_backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTHENTICATION_BACKENDS = [
    "golive.auth_backends.OneQueryPermissionsBackend",
    *(PASSWORD_AUTHENTICATION_BACKENDS if PASSWORD_LOGIN_ENABLED else []),
    "golive.sso.SingleSignOnBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Every page shows dates and times in TIME_ZONE in the one style of config/formats (a 24-hour clock).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.static_storage.CompressedManifestStaticFilesStorageWithUrlCache"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# Handover uploads (documents, delivery evidence): served only to release members, never via MEDIA_URL.
HANDOVER_UPLOAD_MAX_BYTES = env_int("HANDOVER_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
HANDOVER_UPLOAD_EXTENSIONS = env_list(
    "HANDOVER_UPLOAD_EXTENSIONS",
    ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt", "md", "csv", "png", "jpg", "jpeg"],
)

# The disband guard (README "Disband guard"): how many verified holders each system of the access ledger
# needs in its receiving team, and after how many days a holder re-confirms a verified access.
HANDOVER_MIN_VERIFIED_HOLDERS = env_int("HANDOVER_MIN_VERIFIED_HOLDERS", 2)
ACCESS_RECONFIRM_DAYS = env_int("ACCESS_RECONFIRM_DAYS", 30)
for _name, _lowest, _highest in (
    ("HANDOVER_MIN_VERIFIED_HOLDERS", 1, 50),
    ("ACCESS_RECONFIRM_DAYS", 1, 3650),
):
    if not _lowest <= globals()[_name] <= _highest:
        raise ImproperlyConfigured(f"{_name} must be between {_lowest} and {_highest}.")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: the file backend by default, so development never sends real mail.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "golive-desk@localhost")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# A failed send is retried after this many seconds, doubling each time (3 attempts in all).
COMMUNICATION_RETRY_SECONDS = env_int("COMMUNICATION_RETRY_SECONDS", 30)

# Where people reach this site, for links in e-mails, chat messages and calendar entries.
# Unset, it is where `make run` serves (WEB_PORT), so the demo's printed links work on any port.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('WEB_PORT', 8000)}")
# The right-hand part of every calendar event's UID; keep it once calendars have the events.
CALENDAR_UID_DOMAIN = env_str("CALENDAR_UID_DOMAIN", "golive-desk")

# One-click voting links in invitations work this long; those who have not voted are reminded this many
# minutes before the meeting (README, "One-click voting").
VOTE_LINK_MAX_AGE_HOURS = env_int("VOTE_LINK_MAX_AGE_HOURS", 72)
VOTING_REMINDER_MINUTES = env_int("VOTING_REMINDER_MINUTES", 60)

# Celery: by default a table in a SQLite file under var/, which needs no server (README, "The broker");
# CELERY_BROKER_URL=redis://… switches to Redis, the production broker.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'broker.sqlite3'}")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Tests and benchmarks give their worker a queue of its own, so no other worker takes their tasks.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")

# The cache holds the dashboards' shared rows and cards and the API throttle's counts. The default lives in
# each process's memory; with several web processes or hosts, CACHE_URL=redis://… makes them share one.
CACHES = {"default": env_cache("CACHE_URL")}
# The live pages' change stamps and shared fragments must be seen by every web process: the CACHE_URL
# Redis when set, else files under var/ (README, "Live pages").
CACHES["live_updates"] = (
    CACHES["default"]
    if env_str("CACHE_URL", "").strip() not in ("", "locmem://")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "live-updates"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
)
LIVE_UPDATES_CACHE = "live_updates"
# A live page's watch token lets its polls be answered from that cache for at most this long; then the
# view checks the session and the membership again and issues a new one.
LIVE_WATCH_TOKEN_SECONDS = env_int("LIVE_WATCH_TOKEN_SECONDS", 120)

# The release dashboard's cards are shared by everyone watching a release for this many seconds (0: off);
# a change recorded in the audit trail shows at once (README, "Dashboards").
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 5)

# Readiness warns when a vendor on the release has not acknowledged being informed and the target go-live
# is this many days away or closer (README, "Vendor support ledger").
VENDOR_ACKNOWLEDGEMENT_DAYS = env_int("VENDOR_ACKNOWLEDGEMENT_DAYS", 5)
if not 0 <= VENDOR_ACKNOWLEDGEMENT_DAYS <= 365:
    raise ImproperlyConfigured("VENDOR_ACKNOWLEDGEMENT_DAYS must be between 0 and 365.")

# Smoke tests and monitors (README, "Smoke tests and monitoring"). An empty host list lets checks
# target any host but link-local and metadata addresses (golive/outbound.py); production should name its
# own, e.g. ".example.com" for the domain and below.
SMOKETESTS_ALLOWED_HOSTS = env_list("SMOKETESTS_ALLOWED_HOSTS")
# Checks of one run (or one batch of monitor slots) in flight at once; each may hold up to 1 MB of an answer.
SMOKETESTS_MAX_CONCURRENCY = env_int("SMOKETESTS_MAX_CONCURRENCY", 500)
# Of those, at most this many to any one host and port (connections kept alive and reused), so a large
# suite never floods one service.
SMOKETESTS_MAX_CONNECTIONS_PER_HOST = env_int("SMOKETESTS_MAX_CONNECTIONS_PER_HOST", 200)
for _name in ("SMOKETESTS_MAX_CONCURRENCY", "SMOKETESTS_MAX_CONNECTIONS_PER_HOST"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1.")
SMOKETESTS_RUN_LEASE_SECONDS = env_int("SMOKETESTS_RUN_LEASE_SECONDS", 30)
SMOKETESTS_QUEUED_RUN_RESEND_SECONDS = env_int("SMOKETESTS_QUEUED_RUN_RESEND_SECONDS", 60)
SMOKETESTS_QUEUED_RUN_EXPIRY_SECONDS = env_int("SMOKETESTS_QUEUED_RUN_EXPIRY_SECONDS", 3600)
SMOKETESTS_MISSED_SLOT_AFTER_SECONDS = env_int("SMOKETESTS_MISSED_SLOT_AFTER_SECONDS", 300)
SMOKETESTS_RESULT_RETENTION_DAYS = env_int("SMOKETESTS_RESULT_RETENTION_DAYS", 30)
SMOKETESTS_DISPATCH_EVERY_SECONDS = env_int("SMOKETESTS_DISPATCH_EVERY_SECONDS", 2)
CELERY_BEAT_SCHEDULE = celery_beat_schedule(dispatch_every_seconds=SMOKETESTS_DISPATCH_EVERY_SECONDS)

# The JSON API for pipelines (README, "Pipeline integration"). API_TOKEN_RATE limits each token; the
# throttle counts in the default cache, which is per process unless CACHE_URL points at a shared one.
API_TOKEN_RATE = env_str("API_TOKEN_RATE", "600/minute")
REST_FRAMEWORK, SPECTACULAR_SETTINGS = rest_framework_settings(token_rate=API_TOKEN_RATE)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
# The first retry waits this long, each next one twice as long (at most an hour).
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 10)
# An empty list lets webhooks go to any public host; a host named here may also be loopback or private
# (golive/outbound.py). Production should name the receivers' hosts or domains.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")

# Status pages (README, "Status page"): how long a rendered page is kept (0: never), how long a
# confirmation link works, and how soon one address may be sent another confirmation mail.
STATUS_PAGE_CACHE_SECONDS = env_int("STATUS_PAGE_CACHE_SECONDS", 30)
STATUS_PAGE_CONFIRM_HOURS = env_int("STATUS_PAGE_CONFIRM_HOURS", 72)
STATUS_PAGE_CONFIRM_RESEND_MINUTES = env_int("STATUS_PAGE_CONFIRM_RESEND_MINUTES", 10)

# The deploy gate inside GitHub and GitLab (README, "The deploy gate inside GitHub and GitLab").
GITHUB_APP_ID = env_str("GITHUB_APP_ID")
GITHUB_APP_PRIVATE_KEY_PATH = env_str("GITHUB_APP_PRIVATE_KEY_PATH")
GITHUB_WEBHOOK_SECRET = env_str("GITHUB_WEBHOOK_SECRET")
GITHUB_API_URL = env_str("GITHUB_API_URL", "https://api.github.com")
GITLAB_API_URL = env_str("GITLAB_API_URL", "https://gitlab.com/api/v4")
GITLAB_TOKEN = env_str("GITLAB_TOKEN")
GITLAB_WEBHOOK_TOKEN = env_str("GITLAB_WEBHOOK_TOKEN")
FORGE_TIMEOUT_SECONDS = env_int("FORGE_TIMEOUT_SECONDS", 10)

# Post-implementation reviews draft themselves this many days after go-live (or when the handover
# completes, whichever comes first); the sweep runs every hour (README, "Post-implementation review").
REVIEW_DRAFT_DAYS = env_int("REVIEW_DRAFT_DAYS", 7)
if REVIEW_DRAFT_DAYS < 0:
    raise ImproperlyConfigured("REVIEW_DRAFT_DAYS must be 0 or more.")

# HTTPS. Each applies only when set, so the embedded stack answers on plain http://127.0.0.1; production
# behind TLS sets them all (README, "Running in production").
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself and drops the client's: trusting the header
    # otherwise lets any client claim its plain-http request was https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy on every response (django-csp): scripts and styles only from this site's files, so
# injected markup can neither run nor restyle the page. Pages declare behaviour with data- attributes read
# by static/js/, and bar lengths with classes (static/css/bars.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap draws its form controls' icons as data: SVG
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Every log-in attempt is kept in the database (admin, "Access attempts"); the log: lock-outs only.
        "axes": {"level": "WARNING"},
        # A line per task dispatched, started (with its wait since dispatch) and ended; read by bench/soak.py.
        "golive.taskflow": {"level": env_str("TASK_FLOW_LOG_LEVEL", "WARNING")},
    },
}
