"""The BigBlueButton client against recorded answers served over real HTTP on loopback."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlsplit

import pytest

from rathaus.integrations.bigbluebutton import (
    BigBlueButton,
    BigBlueButtonError,
    BigBlueButtonUnavailable,
    checksum,
)
from tests.integrations.bigbluebutton.server import SECRET, FakeBigBlueButton, running_server


def client(fake: FakeBigBlueButton, **kwargs: object) -> BigBlueButton:
    return BigBlueButton(fake.url, SECRET, **kwargs)  # type: ignore[arg-type]


def test_checksum_is_the_documented_sha1_of_call_query_and_secret() -> None:
    # As the API reference explains it: the call name, the query string, the secret.
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    expected = hashlib.new("sha1", f"create{query}{SECRET}".encode()).hexdigest()  # noqa: S324
    assert checksum("create", query, SECRET) == expected
    assert checksum("create", query, SECRET, "sha256") == (
        hashlib.sha256(f"create{query}{SECRET}".encode()).hexdigest()
    )
    with pytest.raises(ValueError, match="md5"):
        checksum("create", query, SECRET, "md5")


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_create_sends_a_valid_checksum_and_reads_the_answer(
    bbb_server: FakeBigBlueButton, algorithm: str
) -> None:
    created = client(bbb_server, algorithm=algorithm).create(
        meeting_id="rathaus-test-meeting",
        name="5. Sitzung des Rates – öffentlich & hybrid",
        attendee_pw="ap",
        moderator_pw="mp",
        logout_url="http://127.0.0.1:8000/rat/sitzungen/1/",
        record=False,
    )
    assert created.meeting_id == "rathaus-test-meeting"
    assert created.create_time == "1767254400000"
    assert created.internal_meeting_id.endswith("-1767254400000")
    assert created.duplicate is False
    (request,) = bbb_server.calls("create")
    assert request.checksum_ok, request
    assert request.algorithm == algorithm
    assert len(request.checksum) == {"sha1": 40, "sha256": 64, "sha512": 128}[algorithm]
    # Umlauts, dashes and ampersands arrive intact; empty values are not sent at all.
    assert request.params["name"] == "5. Sitzung des Rates – öffentlich & hybrid"
    assert request.params["record"] == "false"
    assert request.params["attendeePW"] == "ap"
    assert "welcome" not in request.params
    assert "duration" not in request.params


def test_create_on_an_existing_meeting_reports_the_duplicate(bbb_server: FakeBigBlueButton) -> None:
    bbb_server.answers["create"] = "create_duplicate.xml"
    created = client(bbb_server).create(meeting_id="rathaus-test-meeting", name="Rat")
    assert created.duplicate is True
    assert created.message_key == "duplicateWarning"


def test_wrong_secret_gives_a_clear_error_with_the_message_key(
    bbb_server: FakeBigBlueButton,
) -> None:
    wrong = BigBlueButton(bbb_server.url, "not-the-secret")
    with pytest.raises(BigBlueButtonError) as caught:
        wrong.create(meeting_id="m1", name="Rat")
    assert caught.value.message_key == "checksumError"
    assert caught.value.call == "create"
    assert "checksumError" in str(caught.value)
    assert "Checksums do not match" in str(caught.value)
    assert not isinstance(caught.value, BigBlueButtonUnavailable)
    assert bbb_server.requests[0].checksum_ok is False


def test_is_meeting_running(bbb_server: FakeBigBlueButton) -> None:
    bbb = client(bbb_server)
    assert bbb.is_meeting_running("rathaus-test-meeting") is True
    bbb_server.answers["isMeetingRunning"] = "is_meeting_running_false.xml"
    assert bbb.is_meeting_running("rathaus-test-meeting") is False
    requests = bbb_server.calls("isMeetingRunning")
    assert [r.params for r in requests] == [{"meetingID": "rathaus-test-meeting"}] * 2
    assert all(r.checksum_ok for r in requests)


def test_end_and_its_not_found_failure(bbb_server: FakeBigBlueButton) -> None:
    bbb = client(bbb_server)
    assert bbb.end(meeting_id="rathaus-test-meeting", moderator_pw="mp") == "sentEndMeetingRequest"
    (request,) = bbb_server.calls("end")
    assert request.params == {"meetingID": "rathaus-test-meeting", "password": "mp"}
    assert request.checksum_ok
    bbb_server.answers["end"] = "end_not_found.xml"
    with pytest.raises(BigBlueButtonError, match="notFound"):
        bbb.end(meeting_id="rathaus-test-meeting", moderator_pw="mp")


def test_join_url_is_signed_and_accepted_by_the_server(bbb_server: FakeBigBlueButton) -> None:
    bbb = client(bbb_server, algorithm="sha256")
    url = bbb.join_url(
        meeting_id="rathaus-test-meeting",
        full_name="Anna Albers",
        role="MODERATOR",
        user_id="7",
        create_time="1767254400000",
    )
    parts = urlsplit(url)
    assert url.startswith(bbb_server.url + "api/join?")
    params = dict(parse_qsl(parts.query))
    assert params["fullName"] == "Anna Albers"
    assert params["role"] == "MODERATOR"
    assert params["redirect"] == "true"
    query = parts.query.rsplit("&checksum=", 1)[0]
    assert params["checksum"] == hashlib.sha256(f"join{query}{SECRET}".encode()).hexdigest()
    # The join address is not fetched by Rathaus (the browser opens it); the server's own
    # check accepts it all the same.
    bbb_server.answers["join"] = "create_success.xml"
    import httpx

    assert httpx.get(url).status_code == 200
    assert bbb_server.calls("join")[0].checksum_ok


@pytest.mark.parametrize(
    ("answer", "key"),
    [(500, "http500"), (404, "http404"), ("not xml at all <", "invalidResponse")],
)
def test_server_faults_become_unavailable_errors(
    bbb_server: FakeBigBlueButton, answer: str | int, key: str
) -> None:
    bbb_server.answers["create"] = answer
    with pytest.raises(BigBlueButtonUnavailable) as caught:
        client(bbb_server).create(meeting_id="m1", name="Rat")
    assert caught.value.message_key == key


def test_an_answer_without_returncode_or_running_is_refused(
    bbb_server: FakeBigBlueButton,
) -> None:
    bbb_server.answers["isMeetingRunning"] = "end_success.xml"  # no <running>
    with pytest.raises(BigBlueButtonUnavailable, match="running"):
        client(bbb_server).is_meeting_running("m1")
    bbb_server.answers["create"] = "README.md"  # served as text, not the API's XML
    with pytest.raises(BigBlueButtonUnavailable):
        client(bbb_server).create(meeting_id="m1", name="Rat")


def test_timeout_and_unreachable_server() -> None:
    with running_server(FakeBigBlueButton(delay=1.0)) as slow:
        with pytest.raises(BigBlueButtonUnavailable) as caught:
            BigBlueButton(slow.url, SECRET, timeout=0.2).is_meeting_running("m1")
        assert caught.value.message_key == "timeout"
    # The server is gone: connection refused.
    with pytest.raises(BigBlueButtonUnavailable) as refused:
        BigBlueButton(slow.url, SECRET, timeout=1).is_meeting_running("m1")
    assert refused.value.message_key == "connectionError"


def test_entity_expansion_is_refused(bbb_server: FakeBigBlueButton, tmp_path: object) -> None:
    # defusedxml: a "billion laughs" answer must not be expanded.
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<response><returncode>&b;</returncode></response>"
    )
    bbb_server.answers["create"] = bomb
    with pytest.raises(BigBlueButtonUnavailable, match=r"invalidResponse"):
        client(bbb_server).create(meeting_id="m1", name="Rat")


def test_configuration_is_checked() -> None:
    with pytest.raises(ValueError, match="URL"):
        BigBlueButton("", SECRET)
    with pytest.raises(ValueError, match="md5"):
        BigBlueButton("https://bbb.example.org/bigbluebutton/", SECRET, algorithm="md5")
    # The API address is accepted with or without the trailing /api.
    assert BigBlueButton("https://bbb.example.org/bigbluebutton/api/", SECRET).api_url == (
        "https://bbb.example.org/bigbluebutton/api"
    )
    assert BigBlueButton("https://bbb.example.org/bigbluebutton", SECRET).api_url == (
        "https://bbb.example.org/bigbluebutton/api"
    )
