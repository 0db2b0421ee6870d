"""Feeds of the council information system: iCalendar (all meetings, per body, one meeting),
RSS 2.0 and Atom (per body, per search, per paper). Feeds are anonymous: public objects only,
whoever asks, and no cookies."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from rathaus.council.feeds import meeting_uid
from rathaus.council.models import Meeting
from tests.council.conftest import (
    PDF_ONLY_WORD,
    ROLES_SEEING_NON_PUBLIC,
    SECRET_TITLE,
    SECRET_WORD,
    Council,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def get(client: Client, url: str, content_type: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    assert response["Content-Type"].startswith(content_type), response["Content-Type"]
    assert not response.cookies, f"{url} set {list(response.cookies)}"
    assert "cookie" not in response.get("Vary", "").lower(), f"{url} varies on the cookie"
    return response.content


def calendar(client: Client, url: str) -> Calendar:
    return Calendar.from_ical(get(client, url, "text/calendar"))


def events(cal: Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def rss_items(client: Client, url: str) -> list[dict[str, str]]:
    root = ElementTree.fromstring(get(client, url, "application/rss+xml"))
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    return [{child.tag: (child.text or "") for child in item} for item in root.iter("item")]


def atom_entries(client: Client, url: str) -> list[dict[str, str]]:
    root = ElementTree.fromstring(get(client, url, "application/atom+xml"))
    assert root.tag == f"{ATOM}feed"
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        data = {child.tag.removeprefix(ATOM): (child.text or "") for child in entry}
        link = entry.find(f"{ATOM}link")
        data["link"] = link.get("href", "") if link is not None else ""
        entries.append(data)
    return entries


# --- iCalendar ---------------------------------------------------------------------------


def test_all_meetings_calendar_has_public_meetings_with_stable_uids_in_berlin_time(
    client: Client, council: Council
) -> None:
    cal = calendar(client, "/rat/sitzungen.ics")
    assert str(cal["VERSION"]) == "2.0"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    found = events(cal)
    public = [m for m in council.meetings if m.is_public]
    assert set(found) == {meeting_uid(m) for m in public}
    assert (
        meeting_uid(council.bau_next)
        == f"council-meeting-{council.bau_next.pk}@" + (meeting_uid(council.bau_next).split("@")[1])
    )
    event = found[meeting_uid(council.bau_next)]
    assert str(event["SUMMARY"]) == council.bau_next.name
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Berlin"
    assert start.dt == council.bau_next.start
    assert start.dt.hour == 18
    assert str(start.dt.tzinfo) == "Europe/Berlin"
    assert event["DTEND"].dt == council.bau_next.end
    assert "Großer Sitzungssaal" in str(event["LOCATION"])
    assert str(event["URL"]).endswith(council.bau_next.get_absolute_url())
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Tempo 30 vor allen Grundschulen" in str(event["DESCRIPTION"])
    # The raw file names the zone on DTSTART, as calendar apps expect.
    assert b"DTSTART;TZID=Europe/Berlin:" in cal.to_ical()


def test_calendar_uids_stay_the_same_when_a_meeting_moves(client: Client, council: Council) -> None:
    uid = meeting_uid(council.rat_next)
    before = events(calendar(client, "/rat/sitzungen.ics"))[uid]
    council.rat_next.start += datetime.timedelta(days=1)
    council.rat_next.name = "6. Sitzung des Rates (verlegt)"
    council.rat_next.save()
    after = events(calendar(client, "/rat/sitzungen.ics"))[uid]
    assert after["DTSTART"].dt == before["DTSTART"].dt + datetime.timedelta(days=1)
    assert "verlegt" in str(after["SUMMARY"])


def test_cancelled_and_scheduled_meetings_have_their_status(
    client: Client, council: Council
) -> None:
    found = events(calendar(client, "/rat/sitzungen.ics"))
    cancelled = found[meeting_uid(council.schule_next)]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]).startswith("Abgesagt: ")
    scheduled = found[meeting_uid(council.rat_next)]
    assert str(scheduled["STATUS"]) == "TENTATIVE"


def test_calendar_leaves_out_non_public_agenda_items(client: Client, council: Council) -> None:
    body = get(client, "/rat/sitzungen.ics", "text/calendar").decode()
    assert SECRET_TITLE not in body.replace("\r\n ", "")
    assert council.va_past.name not in body


def test_calendar_leaves_out_meetings_older_than_a_year(client: Client, council: Council) -> None:
    old = Meeting.objects.create(
        name="Alte Sitzung", start=timezone.now() - datetime.timedelta(days=400)
    )
    assert meeting_uid(old) not in events(calendar(client, "/rat/sitzungen.ics"))


def test_body_calendar_has_only_that_bodys_public_meetings(
    client: Client, council: Council
) -> None:
    url = f"/rat/gremien/{council.bau.pk}-{council.bau.slug}/sitzungen.ics"
    found = events(calendar(client, url))
    assert set(found) == {meeting_uid(m) for m in (council.bau_past, council.bau_next)}
    va_url = f"/rat/gremien/{council.va.pk}-{council.va.slug}/sitzungen.ics"
    assert events(calendar(client, va_url)) == {}
    wrong_slug = client.get(f"/rat/gremien/{council.bau.pk}-x/sitzungen.ics")
    assert wrong_slug.status_code == 301
    assert client.get("/rat/gremien/99999-x/sitzungen.ics").status_code == 404


def test_public_hybrid_meeting_carries_the_public_stream(client: Client, council: Council) -> None:
    event = events(calendar(client, "/rat/sitzungen.ics"))[meeting_uid(council.rat_past)]
    assert str(event["CONFERENCE"]) == "https://stream.example.org/rat-5"


def test_single_meeting_calendar_file(client: Client, council: Council) -> None:
    response = client.get(f"/rat/sitzungen/{council.bau_next.pk}/ical/")
    assert response["Content-Disposition"] == (
        f'inline; filename="sitzung-{council.bau_next.pk}.ics"'
    )
    found = events(Calendar.from_ical(response.content))
    assert list(found) == [meeting_uid(council.bau_next)]


@pytest.mark.parametrize("role", list(ROLES_SEEING_NON_PUBLIC))
def test_calendar_feeds_are_public_only_for_every_role(
    client: Client, council: Council, login_as: Callable[[str], Any], role: str
) -> None:
    login_as(role)
    found = events(calendar(client, "/rat/sitzungen.ics"))
    assert meeting_uid(council.va_past) not in found
    va_url = f"/rat/gremien/{council.va.pk}-{council.va.slug}/sitzungen.ics"
    assert events(calendar(client, va_url)) == {}
    # The single meeting file is a download from the page and follows the reader like it.
    single = client.get(f"/rat/sitzungen/{council.va_past.pk}/ical/")
    assert single.status_code == (200 if ROLES_SEEING_NON_PUBLIC[role] else 404)


# --- RSS and Atom per body ---------------------------------------------------------------


def test_body_rss_has_new_papers_and_meetings(client: Client, council: Council) -> None:
    items = rss_items(client, f"/rat/gremien/{council.bau.pk}-{council.bau.slug}/rss/")
    titles = [i["title"] for i in items]
    assert str(council.vorlage) in titles
    assert str(council.antrag) in titles
    assert council.bau_next.name in titles
    assert council.bau_past.name in titles
    assert all(SECRET_TITLE not in t for t in titles)
    vorlage = next(i for i in items if i["title"] == str(council.vorlage))
    assert vorlage["link"] == "http://testserver" + council.vorlage.get_absolute_url()
    assert vorlage["guid"] == vorlage["link"]
    assert vorlage["pubDate"]
    # Newest first.
    dates = [i["pubDate"] for i in items]
    parsed = [datetime.datetime.strptime(d, "%a, %d %b %Y %H:%M:%S %z") for d in dates]
    assert parsed == sorted(parsed, reverse=True)


def test_body_atom_feed(client: Client, council: Council) -> None:
    entries = atom_entries(client, f"/rat/gremien/{council.bau.pk}-{council.bau.slug}/atom/")
    assert {str(council.vorlage), council.bau_next.name} <= {e["title"] for e in entries}
    assert all(e["id"] and e["updated"] for e in entries)
    assert client.get("/rat/gremien/99999-x/atom/").status_code == 404


def test_va_feed_stays_empty_of_non_public_things(client: Client, council: Council) -> None:
    items = rss_items(client, f"/rat/gremien/{council.va.pk}-{council.va.slug}/rss/")
    titles = " ".join(i["title"] for i in items)
    assert SECRET_TITLE not in titles
    assert council.va_past.name not in titles
    assert str(council.vorlage) in titles  # a public paper the VA consulted


# --- RSS and Atom per search -------------------------------------------------------------


def test_search_feed(client: Client, council: Council) -> None:
    items = rss_items(client, f"/rat/suche/feed/?q={PDF_ONLY_WORD}")
    assert len(items) == 1
    assert items[0]["link"].endswith(council.vorlage.get_absolute_url())
    assert PDF_ONLY_WORD in items[0]["description"]
    assert "\x02" not in items[0]["description"]
    entries = atom_entries(client, "/rat/suche/atom/?q=Regenr%C3%BCckhaltebecken")
    assert len(entries) >= 4
    assert len({e["id"] for e in entries}) == len(entries)


def test_search_feed_without_words_lists_new_papers_and_keeps_filters(
    client: Client, council: Council
) -> None:
    items = rss_items(client, "/rat/suche/feed/?typ=Anfrage")
    assert [i["title"] for i in items] == [str(council.anfrage_open), str(council.anfrage)]


@pytest.mark.parametrize("role", list(ROLES_SEEING_NON_PUBLIC))
def test_search_feed_is_public_only_for_every_role(
    client: Client, council: Council, login_as: Callable[[str], Any], role: str
) -> None:
    login_as(role)
    for text in (SECRET_WORD, SECRET_TITLE):
        assert rss_items(client, f"/rat/suche/feed/?q={text}") == []
        assert atom_entries(client, f"/rat/suche/atom/?q={text}") == []


# --- RSS and Atom per paper --------------------------------------------------------------


def test_paper_feed_follows_the_consultations(client: Client, council: Council) -> None:
    url = council.vorlage.get_absolute_url()
    items = rss_items(client, f"{url}rss/")
    titles = [i["title"] for i in items]
    assert f"Drucksache {council.vorlage} eingebracht" in titles
    bau = next(t for t in titles if council.bau.name in t)
    assert bau.endswith("– empfohlen")
    rat = next(t for t in titles if council.rat.name in t)
    assert rat.endswith("– beschlossen")
    assert all(council.va.name not in t for t in titles)  # consulted in private
    guids = [i["guid"] for i in items]
    assert len(set(guids)) == len(guids)
    rat_item = next(i for i in items if council.rat.name in i["title"])
    assert rat_item["link"].endswith(council.rat_past.get_absolute_url())
    assert "Der Rat beschließt den Neubau" in rat_item["description"]


def test_paper_feed_announces_a_new_result(client: Client, council: Council) -> None:
    url = f"{council.antrag.get_absolute_url()}atom/"
    before = {e["id"]: e for e in atom_entries(client, url)}
    item = council.items["next_antrag"]
    item.result = "beschlossen"
    item.save()
    after = {e["id"]: e for e in atom_entries(client, url)}
    assert set(after) == set(before)
    changed = [i for i in after if after[i]["title"] != before[i]["title"]]
    assert len(changed) == 1
    assert after[changed[0]]["title"].endswith("– beschlossen")
    assert after[changed[0]]["updated"] >= before[changed[0]]["updated"]


def test_answered_inquiry_feed_has_the_answer(client: Client, council: Council) -> None:
    items = rss_items(client, f"{council.anfrage.get_absolute_url()}rss/")
    answer = next(i for i in items if i["title"].startswith("Antwort der Verwaltung"))
    assert "42 Leistungen" in answer["description"]


@pytest.mark.parametrize("role", list(ROLES_SEEING_NON_PUBLIC))
def test_non_public_paper_has_no_feed_for_any_role(
    client: Client, council: Council, login_as: Callable[[str], Any], role: str
) -> None:
    login_as(role)
    assert client.get(f"{council.secret.get_absolute_url()}rss/").status_code == 404
    assert client.get(f"{council.secret.get_absolute_url()}atom/").status_code == 404


def test_feeds_are_linked_from_the_pages(client: Client, council: Council) -> None:
    paper = client.get(council.vorlage.get_absolute_url()).content.decode()
    rss = f'href="{council.vorlage.get_absolute_url()}rss/"'
    assert f'type="application/rss+xml" title="Beratungen dieser Drucksache (RSS)" {rss}' in paper
    body = client.get(council.bau.get_absolute_url()).content.decode()
    assert 'type="text/calendar"' in body
    search = client.get("/rat/suche/?q=Tempo").content.decode()
    assert 'href="/rat/suche/feed/?q=Tempo"' in search


def test_feeds_work_in_english(client: Client, council: Council) -> None:
    assert rss_items(client, f"/en/rat/gremien/{council.bau.pk}-{council.bau.slug}/rss/")
    assert events(calendar(client, "/en/rat/sitzungen.ics"))
