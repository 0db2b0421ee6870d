"""OpenID Connect relying party for state service accounts (mozilla-django-oidc)."""
