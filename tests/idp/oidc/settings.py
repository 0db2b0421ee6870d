"""A minimal OpenID Connect provider (django-oauth-toolkit) that the identity tests start.

It runs in its own process with its own SQLite file, key and users; everything it needs
comes from environment variables set by `tests/idp/oidc/server.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK_DIR = Path(os.environ["IDP_WORK_DIR"])

SECRET_KEY = "loopback-identity-provider-for-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.idp.oidc.urls"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(WORK_DIR / "idp.sqlite3")}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/konto/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; test users only

# Each test user's `acr` value, as a state service account reports the assurance level.
IDP_ACR_BY_USER: dict[str, str] = json.loads(os.environ.get("IDP_ACR_BY_USER", "{}"))

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (WORK_DIR / "idp-key.pem").read_text(),
    "OAUTH2_VALIDATOR_CLASS": "tests.idp.oidc.validators.AcrValidator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Name",
        "email": "E-Mail-Adresse",
    },
    "PKCE_REQUIRED": True,
}
