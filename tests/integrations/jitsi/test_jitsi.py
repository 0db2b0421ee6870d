"""Jitsi room names and join links; tokens as Jitsi's token authentication reads them."""

from __future__ import annotations

import datetime
import json
import re
from urllib.parse import unquote, urlsplit

import jwt
import pytest

from rathaus.integrations.jitsi import JitsiConfig, join_url, new_room_name, room_token

NOW = datetime.datetime(2026, 3, 12, 17, 30, tzinfo=datetime.UTC)
CONFIG = JitsiConfig(
    base_url="https://meet.example.org/",
    app_id="rathaus",
    jwt_secret="s3cr3t-shared-with-prosody-0123456789",
)


def test_room_names_are_readable_and_unguessable() -> None:
    names = {new_room_name("5. Sitzung des Ausschusses für Straßen") for _ in range(200)}
    assert len(names) == 200
    for name in names:
        prefix, token = name.rsplit("-", 1)
        assert prefix == "5-sitzung-des-ausschusses-fur-strassen"
        assert re.fullmatch(r"[0-9a-f]{32}", token)  # 128 random bits
    assert re.fullmatch(r"[0-9a-f]{32}", new_room_name(""))


def test_token_claims_follow_jitsi_token_auth() -> None:
    token = room_token(
        CONFIG,
        "rat-abc",
        display_name="Anna Albers",
        user_id="7",
        email="anna@example.org",
        moderator=True,
        now=NOW,
    )
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    claims = jwt.decode(
        token,
        CONFIG.jwt_secret,
        algorithms=["HS256"],
        audience="jitsi",
        issuer="rathaus",
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert claims["sub"] == "meet.example.org"
    assert claims["room"] == "rat-abc"
    assert claims["exp"] == int((NOW + datetime.timedelta(hours=8)).timestamp())
    assert claims["nbf"] < int(NOW.timestamp())
    assert claims["context"]["user"] == {
        "name": "Anna Albers",
        "id": "7",
        "email": "anna@example.org",
        "moderator": True,
    }
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token, "another secret of thirty-two bytes!", algorithms=["HS256"], audience="jitsi"
        )


def test_token_expires() -> None:
    old = room_token(
        CONFIG,
        "rat-abc",
        display_name="Anna",
        now=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=9),
    )
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(old, CONFIG.jwt_secret, algorithms=["HS256"], audience="jitsi")


def test_join_url_with_token() -> None:
    url = join_url(CONFIG, "rat-abc", display_name="Anna Albers", now=NOW)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://meet.example.org/rat-abc"
    token = parts.query.removeprefix("jwt=")
    claims = jwt.decode(
        token,
        CONFIG.jwt_secret,
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert claims["room"] == "rat-abc"
    assert "moderator" not in claims["context"]["user"]


def test_join_url_without_token_puts_the_name_in_the_fragment() -> None:
    config = JitsiConfig(base_url="https://meet.example.org")
    assert not config.uses_tokens
    url = join_url(config, "rat-abc", display_name="Dr. Clara „Claussen“")
    parts = urlsplit(url)
    assert parts.query == ""
    assert parts.path == "/rat-abc"
    key, _sep, value = unquote(parts.fragment).partition("=")
    assert key == "userInfo.displayName"
    assert json.loads(value) == "Dr. Clara „Claussen“"
    with pytest.raises(ValueError, match="secret"):
        room_token(config, "rat-abc", display_name="x")


def test_join_url_needs_a_server() -> None:
    with pytest.raises(ValueError, match="Jitsi"):
        join_url(JitsiConfig(base_url=""), "rat-abc", display_name="x")
