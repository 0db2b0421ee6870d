"""Matomo web analytics: page views per URL and day from its Reporting API."""

from rathaus.integrations.matomo.client import Matomo, MatomoConfig, MatomoError, PageDay

__all__ = ["Matomo", "MatomoConfig", "MatomoError", "PageDay"]
