"""Settings for Rathaus, read from the environment (see docs/operations.md).

One module serves the embedded default (SQLite, database task queue, local memory cache)
and the scale-out deployment (PostgreSQL, RQ on Redis, Redis cache); only environment
variables choose between them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("RATHAUS_DATA_DIR", "var")).resolve()
DEBUG = env_bool("RATHAUS_DEBUG", default=False)
HTTPS = env_bool("RATHAUS_HTTPS", default=False)


def _secret_key() -> str:
    """Take the key from the environment, or keep one per installation in the data folder."""
    if key := os.environ.get("RATHAUS_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("RATHAUS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("RATHAUS_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("RATHAUS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",  # API tokens for machine clients of the case API
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "django_tasks_rq",
    "django_rq",  # the RQ backend's system check requires it (and it brings `rqworker`)
    "rathaus.core",
    "rathaus.accounts",
    "rathaus.catalog",
    "rathaus.oparl",
    "rathaus.council",
    "rathaus.forms",
    "rathaus.cases",
    "rathaus.news",
    "rathaus.newsletter",
    "rathaus.monitor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rathaus.core.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rathaus.accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "rathaus.core.middleware.ContentSecurityPolicyMiddleware",
    "rathaus.monitor.middleware.UsageCountingMiddleware",
]

ROOT_URLCONF = "rathaus.config.urls"
WSGI_APPLICATION = "rathaus.config.wsgi.application"
ASGI_APPLICATION = "rathaus.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "rathaus.core.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'rathaus.sqlite3'}"),
        conn_max_age=int(os.environ.get("RATHAUS_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-rathaus.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "locmem://")
if CACHE_URL.startswith("redis"):
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks -------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
TASKS_BACKEND = os.environ.get("RATHAUS_TASKS_BACKEND", "database")
TASK_QUEUES = ["default", "mail", "import"]
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"RATHAUS_TASKS_BACKEND={TASKS_BACKEND!r} is not a task backend: "
        f"choose one of {', '.join(_TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": TASK_QUEUES}}
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in TASK_QUEUES}

# --- Email ------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = os.environ.get(
    "RATHAUS_FROM_EMAIL", "Hansestadt Buxtehude <rathaus@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "127.0.0.1"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = EMAIL_URL.startswith("smtp+tls")
    EMAIL_USE_SSL = EMAIL_URL.startswith("smtps")
    EMAIL_TIMEOUT = 10
elif EMAIL_URL.startswith("file://"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = EMAIL_URL.removeprefix("file://") or str(DATA_DIR / "mail")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"
# Staff must confirm a TOTP code before any staff page; the demo may switch this off.
RATHAUS_STAFF_SECOND_FACTOR = env_bool("RATHAUS_STAFF_SECOND_FACTOR", default=True)
OTP_TOTP_ISSUER = "Rathaus"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Citizen identity (docs/identity.md) ------------------------------------------------
# Local sign-up with a confirmed email address; the link is valid this many hours.
RATHAUS_SIGNUP = env_bool("RATHAUS_SIGNUP", default=True)
RATHAUS_SIGNUP_LINK_HOURS = int(os.environ.get("RATHAUS_SIGNUP_LINK_HOURS", "48"))
# OpenID Connect (state service accounts): on when issuer and client id are set. Endpoints
# come from the issuer's discovery document unless given one by one.
RATHAUS_OIDC_ISSUER = os.environ.get("RATHAUS_OIDC_ISSUER", "")
RATHAUS_OIDC_CLIENT_ID = os.environ.get("RATHAUS_OIDC_CLIENT_ID", "")
RATHAUS_OIDC_CLIENT_SECRET = os.environ.get("RATHAUS_OIDC_CLIENT_SECRET", "")
RATHAUS_OIDC_AUTHORIZATION_ENDPOINT = os.environ.get("RATHAUS_OIDC_AUTHORIZATION_ENDPOINT", "")
RATHAUS_OIDC_TOKEN_ENDPOINT = os.environ.get("RATHAUS_OIDC_TOKEN_ENDPOINT", "")
RATHAUS_OIDC_USERINFO_ENDPOINT = os.environ.get("RATHAUS_OIDC_USERINFO_ENDPOINT", "")
RATHAUS_OIDC_JWKS_URI = os.environ.get("RATHAUS_OIDC_JWKS_URI", "")
RATHAUS_OIDC_SCOPES = os.environ.get("RATHAUS_OIDC_SCOPES", "openid profile email")
RATHAUS_OIDC_SIGN_ALGO = os.environ.get("RATHAUS_OIDC_SIGN_ALGO", "RS256")
RATHAUS_OIDC_LABEL = os.environ.get("RATHAUS_OIDC_LABEL", "Servicekonto")
# "acr value=trust level" pairs, added to the built-in eIDAS and STORK mapping.
RATHAUS_OIDC_ACR_LEVELS = os.environ.get("RATHAUS_OIDC_ACR_LEVELS", "")
RATHAUS_OIDC_ACR_VALUES = os.environ.get("RATHAUS_OIDC_ACR_VALUES", "")
RATHAUS_OIDC_DEFAULT_LEVEL = os.environ.get("RATHAUS_OIDC_DEFAULT_LEVEL", "niedrig")
RATHAUS_OIDC_TIMEOUT = float(os.environ.get("RATHAUS_OIDC_TIMEOUT", "10"))
# SAML 2.0 (BundID): on when the identity provider's metadata (file or https URL) is set.
# Key and certificate of this service provider are made in DATA_DIR/saml/ on first use.
RATHAUS_SAML_IDP_METADATA = os.environ.get("RATHAUS_SAML_IDP_METADATA", "")
RATHAUS_SAML_SP_ENTITY_ID = os.environ.get("RATHAUS_SAML_SP_ENTITY_ID", "")
RATHAUS_SAML_KEY_FILE = os.environ.get("RATHAUS_SAML_KEY_FILE", str(DATA_DIR / "saml" / "sp.key"))
RATHAUS_SAML_CERT_FILE = os.environ.get("RATHAUS_SAML_CERT_FILE", str(DATA_DIR / "saml" / "sp.crt"))
RATHAUS_SAML_LABEL = os.environ.get("RATHAUS_SAML_LABEL", "BundID")
# The weakest AuthnContextClassRef asked for (comparison "minimum") and extra mappings.
RATHAUS_SAML_REQUESTED_CONTEXT = os.environ.get("RATHAUS_SAML_REQUESTED_CONTEXT", "")
RATHAUS_SAML_CONTEXT_LEVELS = os.environ.get("RATHAUS_SAML_CONTEXT_LEVELS", "")
RATHAUS_SAML_XMLSEC_BINARY = os.environ.get("RATHAUS_SAML_XMLSEC_BINARY", "")

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["rathaus.formats"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Personal data (applications, scans, letters): outside the web root, served only by views
# that check permissions (see `rathaus.core.storage`).
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("RATHAUS_MANIFEST_STATIC", default=True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS and env_bool("RATHAUS_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rathaus.core.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rathaus.core.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rathaus API",
    "DESCRIPTION": (
        "Open data of the Rathaus service catalog (Leistungen and offices), read-only; "
        "and the case API for staff and applicants (token or session, see docs/api.md)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Name shared enums after what they are, not after the first field that uses them.
    "ENUM_NAME_OVERRIDES": {
        "TopicEnum": "rathaus.catalog.models.Topic.choices",
        "CaseStateEnum": "rathaus.cases.models.State.choices",
        "CaseChannelEnum": "rathaus.cases.models.Channel.choices",
    },
}

# --- Logging ----------------------------------------------------------------------------
LOG_FORMAT = os.environ.get("RATHAUS_LOG_FORMAT", "console" if DEBUG else "json")
LOG_LEVEL = os.environ.get("RATHAUS_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": "rathaus.core.logging.StructuredFormatter",
            "renderer": LOG_FORMAT,
        }
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# --- Rathaus ----------------------------------------------------------------------------
RATHAUS_MUNICIPALITY = os.environ.get("RATHAUS_MUNICIPALITY", "Hansestadt Buxtehude")
RATHAUS_AGS = os.environ.get("RATHAUS_AGS", "03359010")  # Amtlicher Gemeindeschlüssel
# OParl System object (`/oparl/v1.1/`): contact, licence of the open data, software.
RATHAUS_OPARL_CONTACT_EMAIL = os.environ.get("RATHAUS_OPARL_CONTACT_EMAIL", "")
RATHAUS_OPARL_CONTACT_NAME = os.environ.get("RATHAUS_OPARL_CONTACT_NAME", "Ratsbüro")
RATHAUS_OPARL_LICENSE = os.environ.get(
    "RATHAUS_OPARL_LICENSE", "https://www.govdata.de/dl-de/by-2-0"
)
RATHAUS_VENDOR_URL = os.environ.get("RATHAUS_VENDOR_URL", SITE_URL + "/")
RATHAUS_PRODUCT_URL = os.environ.get("RATHAUS_PRODUCT_URL", SITE_URL + "/")
# Size of the council in `load_demo`: 1 = about 1,000 papers and 190 meetings, 0 = none.
RATHAUS_DEMO_COUNCIL_SCALE = float(os.environ.get("RATHAUS_DEMO_COUNCIL_SCALE", "1"))
# Historic cases `load_demo` generates over the last twelve months (0 = none).
RATHAUS_DEMO_CASES = int(os.environ.get("RATHAUS_DEMO_CASES", "2000"))
# Newsletter (docs/newsletter.md): sender shown to readers; envelope sender where the mail
# server returns bounces (also the mailto: unsubscribe address); the mailbox (Maildir or
# mbox) `rathaus process_bounces` reads.
RATHAUS_NEWSLETTER_FROM = os.environ.get("RATHAUS_NEWSLETTER_FROM", DEFAULT_FROM_EMAIL)
RATHAUS_BOUNCE_ADDRESS = os.environ.get("RATHAUS_BOUNCE_ADDRESS", "")
RATHAUS_BOUNCE_MAILDIR = os.environ.get("RATHAUS_BOUNCE_MAILDIR", "")

# --- Video conferences for council meetings (see council/video.py) ------------------------
# Jitsi Meet: the server's address; with app id and secret, join links carry a signed token.
RATHAUS_JITSI_URL = os.environ.get("RATHAUS_JITSI_URL", "").rstrip("/")
RATHAUS_JITSI_APP_ID = os.environ.get("RATHAUS_JITSI_APP_ID", "")
RATHAUS_JITSI_JWT_SECRET = os.environ.get("RATHAUS_JITSI_JWT_SECRET", "")
RATHAUS_JITSI_JWT_AUDIENCE = os.environ.get("RATHAUS_JITSI_JWT_AUDIENCE", "jitsi")
# BigBlueButton: the API address (".../bigbluebutton/") and the shared secret (bbb-conf --secret).
RATHAUS_BBB_URL = os.environ.get("RATHAUS_BBB_URL", "").rstrip("/")
RATHAUS_BBB_SECRET = os.environ.get("RATHAUS_BBB_SECRET", "")
RATHAUS_BBB_CHECKSUM = os.environ.get("RATHAUS_BBB_CHECKSUM", "sha256")
RATHAUS_VIDEO_TIMEOUT = float(os.environ.get("RATHAUS_VIDEO_TIMEOUT", "10"))

# --- Records retention (docs/records.md) -------------------------------------------------
# What happens to a closed case once its retention period is over: "anonymise" (keep what
# the statistics need, remove everything personal) or "delete" (remove the case entirely).
RATHAUS_CASE_RETENTION = os.environ.get("RATHAUS_CASE_RETENTION", "anonymise")
if RATHAUS_CASE_RETENTION not in {"anonymise", "delete"}:
    raise ValueError(
        f"RATHAUS_CASE_RETENTION={RATHAUS_CASE_RETENTION!r}: use 'anonymise' or 'delete'."
    )

# --- Uploads and fees of online applications (see docs/operations.md) --------------------
# clamd for virus scans: tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl; empty = no
# scan. When set but unreachable, uploads are refused (fail closed).
RATHAUS_CLAMAV_URL = os.environ.get("RATHAUS_CLAMAV_URL", "")
RATHAUS_CLAMAV_TIMEOUT = float(os.environ.get("RATHAUS_CLAMAV_TIMEOUT", "30"))
# Fee payments: "test" (a test page on this site, no money moves) or "none" (the fee is
# recorded as open and collected by invoice). Real platforms plug in as further providers.
RATHAUS_PAYMENT_PROVIDER = os.environ.get("RATHAUS_PAYMENT_PROVIDER", "test")

# --- Digitalization monitor -------------------------------------------------------------
# Hosts the accessibility auditor may crawl besides this site (comma-separated), e.g. the
# hosts of online services run for the town; Chromium as installed by the distribution.
RATHAUS_AUDIT_HOSTS = os.environ.get("RATHAUS_AUDIT_HOSTS", "")
RATHAUS_CHROMIUM = os.environ.get("RATHAUS_CHROMIUM", "")
# Cookieless counting of page views per service (no addresses or identifiers are stored).
RATHAUS_USAGE_COUNTING = env_bool("RATHAUS_USAGE_COUNTING", default=True)
# The OParl system the monitor rates (question 8); empty: this installation's own.
RATHAUS_MONITOR_OPARL_URL = os.environ.get("RATHAUS_MONITOR_OPARL_URL", "")
# Hosts of other operators' online services that share the town's sign-in or payment
# (question 4, uniform access); comma-separated.
RATHAUS_UNIFORM_SIGNIN_HOSTS = os.environ.get("RATHAUS_UNIFORM_SIGNIN_HOSTS", "")
RATHAUS_UNIFORM_PAYMENT_HOSTS = os.environ.get("RATHAUS_UNIFORM_PAYMENT_HOSTS", "")
# Device inventory from Snipe-IT (question B1): base address, API token, and the custom
# field that marks devices for mobile work (optional).
RATHAUS_SNIPEIT_URL = os.environ.get("RATHAUS_SNIPEIT_URL", "")
RATHAUS_SNIPEIT_TOKEN = os.environ.get("RATHAUS_SNIPEIT_TOKEN", "")
RATHAUS_SNIPEIT_MOBILE_FIELD = os.environ.get("RATHAUS_SNIPEIT_MOBILE_FIELD", "")
# Page views from Matomo (question 5), if the town runs it: `rathaus import_matomo`.
RATHAUS_MATOMO_URL = os.environ.get("RATHAUS_MATOMO_URL", "")
RATHAUS_MATOMO_SITE_ID = int(os.environ.get("RATHAUS_MATOMO_SITE_ID", "1"))
RATHAUS_MATOMO_TOKEN = os.environ.get("RATHAUS_MATOMO_TOKEN", "")
# The demo computes a year of monitor figures (every 14 days); tests switch it off for speed.
RATHAUS_DEMO_MONITOR_HISTORY = env_bool("RATHAUS_DEMO_MONITOR_HISTORY", default=True)
# The demo loader audits the demo site and faulty fixture pages with Chromium (about a minute).
RATHAUS_DEMO_AUDIT = env_bool("RATHAUS_DEMO_AUDIT", default=True)
