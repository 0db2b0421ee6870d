from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integrations.bigbluebutton.server import FakeBigBlueButton, running_server


@pytest.fixture
def bbb_server() -> Iterator[FakeBigBlueButton]:
    """The recorded-response BigBlueButton API on loopback (see server.py)."""
    with running_server() as fake:
        yield fake
