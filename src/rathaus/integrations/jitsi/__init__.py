"""Jitsi Meet: room names and join links, optionally with a token for Jitsi's token auth."""

from rathaus.integrations.jitsi.client import JitsiConfig, join_url, new_room_name, room_token

__all__ = ["JitsiConfig", "join_url", "new_room_name", "room_token"]
