"""A small client for BigBlueButton's API: create, join, isMeetingRunning, end.

Every call is an HTTP GET to ``<server>/bigbluebutton/api/<call>?<query>&checksum=<hex>``,
where the checksum is the hex digest (SHA-1, or SHA-256 and longer on current servers) of
the call name, the query string exactly as sent, and the shared secret. Answers are XML
with a ``returncode`` of SUCCESS or FAILED; a failure carries a ``messageKey`` and a
``message``. Both become `BigBlueButtonError`, as do network faults and answers that are
not the XML the API documents; nothing here returns half a result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode
from xml.etree.ElementTree import Element

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

Algorithm = Literal["sha1", "sha256", "sha384", "sha512"]
Role = Literal["MODERATOR", "VIEWER"]
ALGORITHMS: tuple[str, ...] = ("sha1", "sha256", "sha384", "sha512")


class BigBlueButtonError(Exception):
    """The server refused a call (FAILED) or could not be asked at all."""

    def __init__(self, call: str, message_key: str, message: str) -> None:
        self.call = call
        self.message_key = message_key
        self.message = message
        super().__init__(f"BigBlueButton {call}: {message_key}: {message}")


class BigBlueButtonUnavailable(BigBlueButtonError):
    """Network fault, timeout, HTTP error or an answer that is not the API's XML."""


@dataclass(frozen=True)
class CreatedMeeting:
    meeting_id: str
    internal_meeting_id: str
    create_time: str
    attendee_pw: str
    moderator_pw: str
    # True when the meeting already existed: `create` is idempotent and says so.
    duplicate: bool
    message_key: str = ""


def _encode(params: dict[str, Any]) -> str:
    """The query string as sent; the checksum is computed over exactly these bytes."""
    clean = {
        key: ("true" if value is True else "false" if value is False else value)
        for key, value in params.items()
        if value is not None and value != ""
    }
    return urlencode(clean, quote_via=quote, safe="")


def checksum(call: str, query: str, secret: str, algorithm: str = "sha1") -> str:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"Unknown checksum algorithm {algorithm!r}; use one of {ALGORITHMS}.")
    return hashlib.new(algorithm, f"{call}{query}{secret}".encode()).hexdigest()


class BigBlueButton:
    def __init__(
        self,
        url: str,
        secret: str,
        *,
        algorithm: str = "sha1",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url or not secret:
            raise ValueError("BigBlueButton needs the server's URL and its shared secret.")
        if algorithm not in ALGORITHMS:
            raise ValueError(f"Unknown checksum algorithm {algorithm!r}; use one of {ALGORITHMS}.")
        base = url.rstrip("/")
        # `bbb-conf --secret` prints ".../bigbluebutton/"; accept that or the API address.
        self.api_url = base if base.endswith("/api") else f"{base}/api"
        self.secret = secret
        self.algorithm = algorithm
        self.timeout = timeout
        self.transport = transport

    # --- addresses ----------------------------------------------------------------------

    def url(self, call: str, params: dict[str, Any]) -> str:
        query = _encode(params)
        signature = checksum(call, query, self.secret, self.algorithm)
        separator = "&" if query else ""
        return f"{self.api_url}/{call}?{query}{separator}checksum={signature}"

    def join_url(
        self,
        *,
        meeting_id: str,
        full_name: str,
        role: Role = "VIEWER",
        user_id: str = "",
        create_time: str = "",
    ) -> str:
        """The signed address that puts this user into the meeting (the browser opens it)."""
        params: dict[str, Any] = {
            "fullName": full_name,
            "meetingID": meeting_id,
            "role": role,
            "userID": user_id,
            # With createTime a join link stops working when the meeting is created anew.
            "createTime": create_time,
            "redirect": True,
        }
        return self.url("join", params)

    # --- calls --------------------------------------------------------------------------

    def create(
        self,
        *,
        meeting_id: str,
        name: str,
        attendee_pw: str = "",
        moderator_pw: str = "",
        welcome: str = "",
        logout_url: str = "",
        record: bool = False,
        duration: int = 0,
        meta: dict[str, str] | None = None,
    ) -> CreatedMeeting:
        params: dict[str, Any] = {
            "name": name,
            "meetingID": meeting_id,
            "attendeePW": attendee_pw,
            "moderatorPW": moderator_pw,
            "welcome": welcome,
            "logoutURL": logout_url,
            "record": record,
            "duration": duration or None,
        }
        for key, value in (meta or {}).items():
            params[f"meta_{key}"] = value
        root = self._call("create", params)
        message_key = _text(root, "messageKey")
        return CreatedMeeting(
            meeting_id=_text(root, "meetingID") or meeting_id,
            internal_meeting_id=_text(root, "internalMeetingID"),
            create_time=_text(root, "createTime"),
            attendee_pw=_text(root, "attendeePW"),
            moderator_pw=_text(root, "moderatorPW"),
            duplicate=message_key == "duplicateWarning",
            message_key=message_key,
        )

    def is_meeting_running(self, meeting_id: str) -> bool:
        root = self._call("isMeetingRunning", {"meetingID": meeting_id})
        running = _text(root, "running").lower()
        if running not in {"true", "false"}:
            raise BigBlueButtonUnavailable(
                "isMeetingRunning", "invalidResponse", "The answer has no <running> element."
            )
        return running == "true"

    def end(self, *, meeting_id: str, moderator_pw: str = "") -> str:
        """Ask the server to end the meeting; returns its messageKey (sentEndMeetingRequest)."""
        root = self._call("end", {"meetingID": meeting_id, "password": moderator_pw})
        return _text(root, "messageKey")

    # --- plumbing -----------------------------------------------------------------------

    def _call(self, call: str, params: dict[str, Any]) -> Element:
        url = self.url(call, params)
        try:
            with httpx.Client(
                timeout=self.timeout, transport=self.transport, follow_redirects=False
            ) as client:
                response = client.get(url, headers={"Accept": "application/xml"})
        except httpx.TimeoutException as exc:
            raise BigBlueButtonUnavailable(
                call, "timeout", f"No answer within {self.timeout:g} seconds."
            ) from exc
        except httpx.HTTPError as exc:
            raise BigBlueButtonUnavailable(call, "connectionError", str(exc) or repr(exc)) from exc
        if response.status_code != 200:
            raise BigBlueButtonUnavailable(
                call, f"http{response.status_code}", f"HTTP status {response.status_code}."
            )
        try:
            root = ElementTree.fromstring(response.content)
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise BigBlueButtonUnavailable(
                call, "invalidResponse", f"The answer is not valid XML: {exc}"
            ) from exc
        if root.tag != "response":
            raise BigBlueButtonUnavailable(
                call, "invalidResponse", f"Expected <response>, got <{root.tag}>."
            )
        returncode = _text(root, "returncode")
        if returncode == "SUCCESS":
            return root
        if returncode == "FAILED":
            raise BigBlueButtonError(
                call,
                _text(root, "messageKey") or "failed",
                _text(root, "message") or "The server gave no reason.",
            )
        raise BigBlueButtonUnavailable(
            call, "invalidResponse", f"Unknown returncode {returncode!r}."
        )


def _text(root: Element, tag: str) -> str:
    element = root.find(tag)
    return (element.text or "").strip() if element is not None else ""
