"""BigBlueButton: meetings created and joined through its checksum-signed API."""

from rathaus.integrations.bigbluebutton.client import (
    BigBlueButton,
    BigBlueButtonError,
    BigBlueButtonUnavailable,
    CreatedMeeting,
    checksum,
)

__all__ = [
    "BigBlueButton",
    "BigBlueButtonError",
    "BigBlueButtonUnavailable",
    "CreatedMeeting",
    "checksum",
]
