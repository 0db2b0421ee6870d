"""A payment provider for demos and tests: a "Testzahlung" page on this site, no money moves."""

from rathaus.integrations.payments.testprovider.provider import TestProvider

__all__ = ["TestProvider"]
