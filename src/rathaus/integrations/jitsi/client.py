"""Jitsi Meet needs no API calls: a room exists as soon as someone opens its address.

So the protection of a room is its name and, where the Jitsi server uses token
authentication (Prosody's `token` auth with an app id and a shared secret), a JSON Web
Token signed with HS256 that names the room, the user and an expiry. Without a token the
room name is the only secret, so it carries 128 random bits.
"""

from __future__ import annotations

import datetime
import json
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import jwt
from django.utils.text import slugify

ROOM_RANDOM_BYTES = 16  # 128 bits: not guessable, not enumerable


@dataclass(frozen=True)
class JitsiConfig:
    base_url: str
    app_id: str = ""
    jwt_secret: str = ""
    audience: str = "jitsi"
    token_lifetime: datetime.timedelta = datetime.timedelta(hours=8)

    @property
    def domain(self) -> str:
        return (urlsplit(self.base_url).hostname or "").lower()

    @property
    def uses_tokens(self) -> bool:
        return bool(self.jwt_secret and self.app_id)


def new_room_name(label: str = "") -> str:
    """A readable prefix (from the meeting's name) and a random part nobody can guess."""
    prefix = slugify(label.replace("ß", "ss"))[:40].strip("-")
    token = secrets.token_hex(ROOM_RANDOM_BYTES)
    return f"{prefix}-{token}" if prefix else token


def room_token(
    config: JitsiConfig,
    room: str,
    *,
    display_name: str,
    user_id: str = "",
    email: str = "",
    moderator: bool = False,
    now: datetime.datetime | None = None,
) -> str:
    """A token for one room and one user, valid from now for `config.token_lifetime`."""
    if not config.uses_tokens:
        raise ValueError("Jitsi tokens need both an app id and a secret.")
    now = now or datetime.datetime.now(tz=datetime.UTC)
    user: dict[str, str | bool] = {"name": display_name}
    if user_id:
        user["id"] = user_id
    if email:
        user["email"] = email
    if moderator:
        user["moderator"] = True
    claims = {
        "aud": config.audience,
        "iss": config.app_id,
        "sub": config.domain or "*",
        "room": room,
        # A little slack for clocks that run behind the Jitsi server's.
        "nbf": int((now - datetime.timedelta(minutes=1)).timestamp()),
        "exp": int((now + config.token_lifetime).timestamp()),
        "context": {"user": user},
    }
    return jwt.encode(claims, config.jwt_secret, algorithm="HS256")


def join_url(
    config: JitsiConfig,
    room: str,
    *,
    display_name: str,
    user_id: str = "",
    email: str = "",
    moderator: bool = False,
    now: datetime.datetime | None = None,
) -> str:
    """The address that opens the room in the browser, as this user."""
    if not config.base_url:
        raise ValueError("No Jitsi server is configured.")
    url = f"{config.base_url.rstrip('/')}/{quote(room, safe='')}"
    if config.uses_tokens:
        token = room_token(
            config,
            room,
            display_name=display_name,
            user_id=user_id,
            email=email,
            moderator=moderator,
            now=now,
        )
        return f"{url}?jwt={token}"
    # Without a token, Jitsi takes the display name from the URL's fragment (never sent
    # to the server, so it does not end up in its logs).
    fragment = quote(f"userInfo.displayName={json.dumps(display_name)}", safe="=.")
    return f"{url}#{fragment}"
