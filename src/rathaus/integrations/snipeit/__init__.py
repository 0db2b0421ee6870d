"""Snipe-IT asset management: hardware read over its REST API for the device inventory."""

from rathaus.integrations.snipeit.client import Asset, SnipeIt, SnipeItConfig, SnipeItError

__all__ = ["Asset", "SnipeIt", "SnipeItConfig", "SnipeItError"]
