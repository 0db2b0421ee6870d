"""ClamAV: virus scanning of uploaded files through a running clamd (INSTREAM protocol)."""

from rathaus.integrations.clamav.client import (
    ClamdClient,
    ScannerUnavailable,
    ScanResult,
    client_from_settings,
)

__all__ = ["ClamdClient", "ScanResult", "ScannerUnavailable", "client_from_settings"]
