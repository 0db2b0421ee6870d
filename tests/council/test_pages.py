"""Citizen pages of the council information system (/rat/): what each page shows."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.council import selectors
from rathaus.council.models import AgendaItem, Meeting, Organization
from tests.conftest import verified_login
from tests.council.conftest import SECRET_TITLE, SECRET_WORD, Council, make_meeting

pytestmark = pytest.mark.django_db


def html_of(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: HTTP {response.status_code}"
    return response.content.decode()


def text_of(html: str) -> str:
    """The page text without tags and with collapsed white space (inline tags vanish)."""
    html = re.sub(r"</?(?:a|strong|span|time|mark|abbr|em)\b[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def month_url(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.start)
    return f"/rat/kalender/{start.year}/{start.month}/"


# --- index -------------------------------------------------------------------------------


def test_index_shows_upcoming_meetings_recent_papers_bodies_search_and_feeds(
    client: Client, council: Council
) -> None:
    html = html_of(client, "/rat/")
    assert "<h1>Ratsinformation</h1>" in html
    assert f'href="{council.bau_next.get_absolute_url()}"' in html
    assert council.rat_next.name in html
    assert council.bau_past.name not in html  # past meetings are not "upcoming"
    assert council.va_past.name not in html
    assert "2026/060" in html  # newest paper
    assert SECRET_TITLE not in html
    assert f'href="{council.bau.get_absolute_url()}"' in html
    assert 'action="/rat/suche/"' in html
    assert 'href="/rat/kalender/"' in html
    assert 'href="/rat/sitzungen.ics"' in html
    assert 'href="/rat/suche/feed/"' in html


def test_main_navigation_links_to_the_council(client: Client, council: Council) -> None:
    html = html_of(client, "/")
    assert 'href="/rat/"' in html
    assert "Ratsinformation" in html


# --- calendar ----------------------------------------------------------------------------


def test_month_calendar_is_an_accessible_table_grid(client: Client, council: Council) -> None:
    meeting = council.bau_past
    html = html_of(client, month_url(meeting))
    start = timezone.localtime(meeting.start)
    assert '<table class="calendar">' in html
    assert '<caption id="calendar-caption">' in html
    # Seven weekday columns plus the calendar week, each a column header.
    header = html.split("<thead>")[1].split("</thead>")[0]
    assert header.count('<th scope="col">') == 8
    assert 'title="Montag"' in header
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count('<th scope="row">') in {4, 5, 6}
    assert f'datetime="{start.date().isoformat()}"' in body
    assert f'href="{meeting.get_absolute_url()}"' in body
    assert "18:00" in body


def test_month_calendar_navigates_by_month_without_javascript(
    client: Client, council: Council
) -> None:
    html = html_of(client, "/rat/kalender/2026/1/")
    assert 'href="/rat/kalender/2025/12/" rel="prev"' in html
    assert 'href="/rat/kalender/2026/2/" rel="next"' in html
    assert "Januar 2026" in html
    assert "<script" not in html
    html = html_of(client, "/rat/kalender/2026/12/")
    assert 'href="/rat/kalender/2027/1/" rel="next"' in html


def test_month_calendar_shows_only_visible_meetings(client: Client, council: Council) -> None:
    html = html_of(client, month_url(council.va_past))
    assert council.va_past.get_absolute_url() not in html
    assert council.bau_past.get_absolute_url() in html or (
        month_url(council.bau_past) != month_url(council.va_past)
    )


def test_month_calendar_filters_by_body_and_keeps_the_filter_in_links(
    client: Client, council: Council
) -> None:
    url = month_url(council.bau_next)
    html = html_of(client, f"{url}?gremium={council.schule.pk}")
    assert council.bau_next.get_absolute_url() not in html
    assert f"gremium={council.schule.pk}" in html.split('rel="next"')[0].rsplit("href=", 1)[1]
    html = html_of(client, f"{url}?gremium={council.bau.pk}")
    assert council.bau_next.get_absolute_url() in html
    assert f'<option value="{council.bau.pk}" selected>' in html


def test_month_calendar_ignores_an_unknown_body_with_a_notice(
    client: Client, council: Council
) -> None:
    html = html_of(client, "/rat/kalender/?gremium=99999")
    assert "Das Gremium „99999“ kennen wir nicht" in html


def test_month_calendar_marks_cancelled_meetings(client: Client, council: Council) -> None:
    html = html_of(client, month_url(council.schule_next))
    row = html.split(council.schule_next.get_absolute_url())[1].split("</li>")[0]
    assert "abgesagt" in row


@pytest.mark.parametrize("path", ["/rat/kalender/2026/13/", "/rat/kalender/1200/1/"])
def test_impossible_months_are_404(client: Client, council: Council, path: str) -> None:
    assert client.get(path).status_code == 404


def test_current_month_calendar(client: Client, council: Council) -> None:
    today = timezone.localdate()
    html = html_of(client, "/rat/kalender/")
    assert f'datetime="{today.isoformat()}"' in html
    assert 'aria-current="date"' in html


# --- meeting lists -----------------------------------------------------------------------


def test_meeting_list_upcoming_soonest_first(client: Client, council: Council) -> None:
    html = html_of(client, "/rat/sitzungen/")
    positions = [
        html.index(m.get_absolute_url())
        for m in (council.bau_next, council.schule_next, council.rat_next)
    ]
    assert positions == sorted(positions)
    assert council.bau_past.get_absolute_url() not in html
    assert "3 Sitzungen" in html


def test_meeting_list_past_latest_first_without_non_public(
    client: Client, council: Council
) -> None:
    html = html_of(client, "/rat/sitzungen/?zeit=vergangen")
    assert html.index(council.rat_past.get_absolute_url()) < html.index(
        council.bau_past.get_absolute_url()
    )
    assert council.va_past.get_absolute_url() not in html
    assert council.bau_next.get_absolute_url() not in html
    # The body filter keeps the period.
    assert '<input type="hidden" name="zeit" value="vergangen">' in html


def test_meeting_list_filters_by_body(client: Client, council: Council) -> None:
    html = html_of(client, f"/rat/sitzungen/?gremium={council.rat.pk}")
    assert council.rat_next.get_absolute_url() in html
    assert council.bau_next.get_absolute_url() not in html


def test_meeting_list_is_paginated(client: Client, council: Council) -> None:
    for n in range(25):
        make_meeting(f"Sondersitzung {n + 1}", [council.schule], days=40 + n)
    html = html_of(client, "/rat/sitzungen/")
    assert "28 Sitzungen" in html
    assert "Seite 1 von 2" in html
    assert 'href="/rat/sitzungen/?seite=2" rel="next"' in html
    page2 = html_of(client, "/rat/sitzungen/?seite=2")
    assert "Sondersitzung 25" in page2
    assert 'href="/rat/sitzungen/" rel="prev"' in page2
    notice = html_of(client, "/rat/sitzungen/?seite=9")
    assert "Seite 9 gibt es nicht" in notice
    assert "Sondersitzung 25" in notice
    assert "keine Seitenzahl" in html_of(client, "/rat/sitzungen/?seite=abc")


# --- meeting page ------------------------------------------------------------------------


def test_meeting_page_shows_facts_documents_and_ical_link(client: Client, council: Council) -> None:
    meeting = council.bau_past
    html = html_of(client, meeting.get_absolute_url())
    text = text_of(html)
    assert f">{meeting.name}</h1>" in html
    assert f'href="{council.bau.get_absolute_url()}"' in html
    start = timezone.localtime(meeting.start)
    assert f"{start:%d}".lstrip("0") + "." in text
    assert "18:00" in text
    assert "21:00" in text
    assert "Rathaus, Großer Sitzungssaal" in text
    assert "Bahnhofstraße 7" in text
    assert "durchgeführt" in text
    assert f'href="/rat/dateien/{council.invitation_bau.pk}/"' in html
    assert f'href="/rat/dateien/{council.minutes_bau.pk}/"' in html
    assert f'href="/rat/dateien/{council.minutes_bau.pk}/download/"' in html
    assert "Einladung:" in text
    assert "Niederschrift:" in text
    assert f'href="/rat/sitzungen/{meeting.pk}/ical/"' in html


def test_meeting_page_agenda_with_papers_results_and_files(
    client: Client, council: Council
) -> None:
    html = html_of(client, council.bau_past.get_absolute_url())
    item = council.items["bau_vorlage"]
    entry = html.split(f'id="top-{item.pk}"')[1].split("</li>\n    \n")[0]
    assert "TOP 2" in entry
    assert f'href="{council.vorlage.get_absolute_url()}"' in entry
    assert "Ergebnis:" in entry
    assert "<strong>empfohlen</strong>" in entry
    assert "Der Ausschuss empfiehlt dem Rat" in entry
    assert f'href="/rat/dateien/{council.plan_pdf.pk}/"' in entry
    # Agenda in order.
    order = [html.index(f'id="top-{council.items[k].pk}"') for k in ("bau_opening", "bau_vorlage")]
    assert order == sorted(order)


def test_non_public_item_is_a_placeholder_without_title_for_the_public(
    client: Client, council: Council
) -> None:
    html = html_of(client, council.bau_past.get_absolute_url())
    assert "Nicht öffentlicher Teil" in html
    assert SECRET_TITLE not in html
    assert SECRET_WORD not in html
    assert f'id="top-{council.items["bau_secret"].pk}"' not in html
    assert council.secret.get_absolute_url() not in html


def test_members_of_the_body_see_the_non_public_item(
    client: Client, council: Council, council_member: Any
) -> None:
    verified_login(client, council_member)
    html = html_of(client, council.bau_past.get_absolute_url())
    assert SECRET_TITLE in html
    assert "Nicht öffentlicher Teil" not in html
    assert council.secret.get_absolute_url() in html


def test_consecutive_hidden_items_make_one_placeholder(client: Client, council: Council) -> None:
    meeting = council.bau_past
    AgendaItem.objects.create(meeting=meeting, order=5, number="5", name="Personal", public=False)
    AgendaItem.objects.create(meeting=meeting, order=6, number="6", name="Verschiedenes")
    AgendaItem.objects.create(meeting=meeting, order=7, number="7", name="Vertrag", public=False)
    html = html_of(client, meeting.get_absolute_url())
    # Items 4 and 5 are one placeholder; 6 is public; 7 is a second placeholder.
    assert html.count("Nicht öffentlicher Teil") == 2
    assert "Verschiedenes" in html
    assert "Personal" not in html
    assert "Vertrag" not in html


def test_meeting_page_shows_votes_per_faction_and_per_person(
    client: Client, council: Council
) -> None:
    html = html_of(client, council.rat_past.get_absolute_url())
    faction_table = html.split("<caption>Abstimmung nach Fraktionen</caption>")[1].split(
        "</table>"
    )[0]
    cdu_row = faction_table.split("CDU-Fraktion")[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', cdu_row) == ["2", "0", "0"]
    spd_row = faction_table.split("SPD-Fraktion")[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', spd_row) == ["1", "0", "1"]
    person_table = html.split("<caption>Namentliche Abstimmung</caption>")[1].split("</table>")[0]
    assert "Bernd Brandt</a></th><td>Enthaltung</td>" in person_table
    assert "Anna Albers</a></th><td>Ja</td>" in person_table
    assert "Frau Albers erläutert die Vorlage" in html  # minutes text


def test_public_hybrid_meeting_shows_only_the_public_stream(
    client: Client, council: Council
) -> None:
    html = html_of(client, council.rat_past.get_absolute_url())
    assert 'href="https://stream.example.org/rat-5"' in html
    assert "rat-5-sitzung" not in html  # the room name is for members only
    other = html_of(client, council.bau_past.get_absolute_url())
    assert "Übertragung" not in other


def test_cancelled_meeting_says_so(client: Client, council: Council) -> None:
    html = html_of(client, council.schule_next.get_absolute_url())
    assert "Diese Sitzung ist abgesagt." in html
    assert "Die Tagesordnung ist noch nicht veröffentlicht." in html


def test_agenda_item_address_leads_to_its_place_on_the_meeting_page(
    client: Client, council: Council
) -> None:
    item = council.items["rat_vorlage"]
    response = client.get(f"/rat/tagesordnungspunkte/{item.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{council.rat_past.get_absolute_url()}#top-{item.pk}"


def test_unknown_and_deleted_meetings_are_404(client: Client, council: Council) -> None:
    assert client.get("/rat/sitzungen/999999/").status_code == 404
    Meeting.objects.filter(pk=council.rat_next.pk).update(deleted=True)
    assert client.get(council.rat_next.get_absolute_url()).status_code == 404


# --- paper page --------------------------------------------------------------------------


def test_paper_page_shows_facts_files_and_status(client: Client, council: Council) -> None:
    paper = council.vorlage
    html = html_of(client, paper.get_absolute_url())
    text = text_of(html)
    assert "2026/041" in text
    assert "Regenrückhaltebecken am Geestrand" in text
    assert "Beschlussvorlage" in text
    assert paper.date.strftime("%Y") in text
    assert f'href="/rat/dateien/{council.vorlage_pdf.pk}/"' in html
    assert f'href="/rat/dateien/{council.plan_pdf.pk}/"' in html
    assert "Drucksache: Beschlussvorlage 2026/041" in text
    assert "Federführung" in text
    assert council.bau.name in text
    assert "<strong>abgeschlossen</strong>: beschlossen (Rat der Hansestadt Buxtehude" in html


def test_paper_page_consultation_history_in_meeting_order_with_results(
    client: Client, council: Council
) -> None:
    html = html_of(client, council.vorlage.get_absolute_url())
    table = html.split('<table class="consultations">')[1].split("</table>")[0]
    # The non-public VA meeting is not part of the history the public sees.
    assert council.va_past.name not in table
    assert council.va.name not in table
    positions = [table.index(m.name) for m in (council.bau_past, council.rat_past)]
    assert positions == sorted(positions)
    assert "empfohlen" in table
    assert "beschlossen" in table
    assert f"{council.rat_past.get_absolute_url()}#top-{council.items['rat_vorlage'].pk}" in table
    assert "beschließend" in table
    assert '<caption id="consultations-caption">' in table
    # wide on a phone: the table scrolls in its own labelled region, not the page
    assert 'role="region" aria-labelledby="consultations-caption"' in html
    assert '<th scope="col">' in table
    assert '<th scope="row">' in table


def test_paper_history_includes_the_non_public_step_for_members(
    client: Client, council: Council, council_member: Any
) -> None:
    verified_login(client, council_member)
    html = html_of(client, council.vorlage.get_absolute_url())
    table = html.split('<table class="consultations">')[1].split("</table>")[0]
    positions = [table.index(m.name) for m in (council.bau_past, council.va_past, council.rat_past)]
    assert positions == sorted(positions)


def test_paper_in_consultation_names_the_next_meeting(client: Client, council: Council) -> None:
    html = html_of(client, council.antrag.get_absolute_url())
    text = text_of(html)
    assert "Stand der Beratung in Beratung (Ausschuss für Stadtentwicklung, Bau und Umwelt" in text
    assert "vertagt" in text
    assert "steht noch aus" in text
    assert "Eingebracht von SPD-Fraktion, Bernd Brandt" in text
    # Related paper (symmetrical).
    assert council.mitteilung.get_absolute_url() in html


def test_inquiry_shows_questions_due_date_status_and_answer(
    client: Client, council: Council
) -> None:
    html = html_of(client, council.anfrage.get_absolute_url())
    text = text_of(html)
    assert "Anfrage und Antwort" in text
    assert "Welche Leistungen der Verwaltung sind bereits online verfügbar?" in text
    assert "Bearbeitungsstand beantwortet" in text
    assert "Antwort fällig bis" in text
    assert "Derzeit sind 42 Leistungen vollständig online verfügbar." in text
    assert f'href="/rat/dateien/{council.answer_pdf.pk}/"' in html
    open_html = html_of(client, council.anfrage_open.get_absolute_url())
    assert "Die Antwort der Verwaltung steht noch aus." in open_html
    assert "eingegangen" in open_html
    assert "eingebracht, noch nicht beraten" in open_html


# --- paper status (selector) -------------------------------------------------------------


def test_paper_status_from_consultations(council: Council) -> None:
    viewer = selectors.visibility.PUBLIC
    decided = selectors.paper_page(viewer, council.vorlage.pk).status
    assert (decided.code, decided.result) == ("decided", "beschlossen")
    assert decided.organizations == council.rat.name
    in_consultation = selectors.paper_page(viewer, council.antrag.pk).status
    assert in_consultation.code == "in_consultation"
    assert in_consultation.date == council.bau_next.start
    assert selectors.paper_page(viewer, council.anfrage_open.pk).status.code == "new"
    # Taken note of at its only (not deciding) consultation: done.
    assert selectors.paper_page(viewer, council.anfrage.pk).status.code == "decided"
    item = council.items["next_antrag"]
    item.result = "zurückgezogen"
    item.save()
    assert selectors.paper_page(viewer, council.antrag.pk).status.code == "withdrawn"


def test_paper_status_ignores_results_the_reader_may_not_see(
    council: Council, council_member: Any
) -> None:
    # The secret paper is decided in the non-public VA; only members learn that.
    member = selectors.visibility.viewer_for(council_member)
    assert selectors.paper_page(member, council.secret.pk).status.code == "decided"
    # A public paper decided only in a non-public meeting looks undecided to the public.
    council.secret.is_public = True
    council.secret.save()
    public = selectors.paper_page(selectors.visibility.PUBLIC, council.secret.pk).status
    assert public.code == "in_consultation"


# --- persons and organizations -----------------------------------------------------------


def test_person_page_shows_current_and_past_memberships(client: Client, council: Council) -> None:
    html = html_of(client, council.clara.get_absolute_url())
    text = text_of(html)
    assert "Dr. Clara Claussen" in text
    current, past = html.split('id="current-heading"')[1].split('id="past-heading"')
    assert "SPD-Fraktion" in current
    assert "stellvertretende Vorsitzende" in current
    assert council.bau.name in current
    assert "CDU-Fraktion" in past  # changed faction at the start of the current term
    assert council.previous_term.end_date.strftime("%Y") in text_of(past)
    assert council.anfrage_open.get_absolute_url() in html  # her inquiry


def test_person_contact_details_and_text_from_mirrored_systems(
    client: Client, council: Council
) -> None:
    person = council.katja
    person.email = ["buergermeisterin@example.org"]
    person.phone = "04161 501-100"  # a mirrored system sent text instead of a list
    person.life = "Seit 2014 Bürgermeisterin der Hansestadt."
    person.save()
    html = html_of(client, person.get_absolute_url())
    assert 'href="mailto:buergermeisterin@example.org"' in html
    assert 'href="tel:+494161501100"' in html
    assert "Seit 2014 Bürgermeisterin" in html
    paper = council.anfrage_open
    paper.questions = "Wie viele Ladesäulen gibt es?"
    paper.save()
    questions = html_of(client, paper.get_absolute_url()).split('<ol class="questions">')[1]
    assert questions.split("</ol>")[0].count("<li>") == 1


def test_person_list_names_factions(client: Client, council: Council) -> None:
    html = html_of(client, "/rat/personen/")
    assert f'href="{council.anna.get_absolute_url()}"' in html
    assert 'Anna Albers</a> <span class="person-meta">(CDU)</span>' in html
    assert html.index("Anna Albers") < html.index("Bernd Brandt") < html.index("Katja Oldenburg")


def test_organization_page_lists_members_by_faction_meetings_and_papers(
    client: Client, council: Council
) -> None:
    html = html_of(client, council.bau.get_absolute_url())
    members = html.split('id="members-heading"')[1].split('id="meetings-heading"')[0]
    assert "Mitglieder" in html
    assert "(2)" in members
    cdu_group = members.split("CDU-Fraktion")[1].split("</ul>")[0]
    assert "Anna Albers" in cdu_group
    assert "Vorsitzende" in cdu_group
    spd_group = members.split("SPD-Fraktion")[1].split("</ul>")[0]
    assert "Clara Claussen" in spd_group
    assert council.bau_next.get_absolute_url() in html
    assert council.bau_past.get_absolute_url() in html
    assert council.vorlage.get_absolute_url() in html
    assert council.antrag.get_absolute_url() in html
    assert SECRET_TITLE not in html
    assert f'href="/rat/gremien/{council.bau.pk}-{council.bau.slug}/sitzungen.ics"' in html
    assert f'href="/rat/gremien/{council.bau.pk}-{council.bau.slug}/rss/"' in html


def test_faction_page_lists_its_members_and_former_members(
    client: Client, council: Council
) -> None:
    html = html_of(client, council.cdu.get_absolute_url())
    members = html.split('id="members-heading"')[1].split('id="meetings-heading"')[0]
    assert "Anna Albers" in members
    assert "Dieter Dreyer" in members
    assert "Fraktionsvorsitzende" in members
    former = members.split("<details>")[1]
    assert "Clara Claussen" in former


def test_organization_without_members_vote_right_and_wrong_slug(
    client: Client, council: Council
) -> None:
    response = client.get(f"/rat/gremien/{council.bau.pk}-falsch/")
    assert response.status_code == 301
    assert response["Location"] == council.bau.get_absolute_url()
    assert client.get("/rat/gremien/99999-x/").status_code == 404
    Organization.objects.filter(pk=council.schule.pk).update(deleted=True)
    assert client.get(council.schule.get_absolute_url()).status_code == 404


def test_organization_list_groups_committees_and_factions(client: Client, council: Council) -> None:
    council.schule.end_date = timezone.localdate() - datetime.timedelta(days=3)
    council.schule.save()
    html = html_of(client, "/rat/gremien/")
    committees = html.split('id="committees-heading"')[1].split('id="factions-heading"')[0]
    factions = html.split('id="factions-heading"')[1].split('id="former-heading"')[0]
    former = html.split('id="former-heading"')[1]
    assert council.bau.name in committees
    assert "(2 Mitglieder)" in committees
    assert council.rat.name in committees
    assert "CDU-Fraktion" in factions
    assert "SPD-Fraktion" in factions
    assert council.schule.name in former


# --- files -------------------------------------------------------------------------------


def test_file_download_with_content_disposition(client: Client, council: Council) -> None:
    response = client.get(f"/rat/dateien/{council.vorlage_pdf.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="vorlage-2026-041.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    download = client.get(f"/rat/dateien/{council.vorlage_pdf.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="vorlage-2026-041.pdf"'


def test_file_of_an_unsafe_type_is_always_a_download(client: Client, council: Council) -> None:
    file = council.plan_pdf
    file.mime_type = "text/html"
    file.file_name = "plan.html"
    file.save()
    response = client.get(f"/rat/dateien/{file.pk}/")
    assert response["Content-Disposition"] == 'attachment; filename="plan.html"'


def test_mirrored_file_without_content_redirects_to_the_remote_server(
    client: Client, council: Council
) -> None:
    from rathaus.council.models import File

    file = File.objects.create(
        name="Fremde Datei",
        remote_access_url="https://ris.example.org/file/1/access",
        remote_download_url="https://ris.example.org/file/1/download",
    )
    assert client.get(f"/rat/dateien/{file.pk}/")["Location"].endswith("/access")
    assert client.get(f"/rat/dateien/{file.pk}/download/")["Location"].endswith("/download")
    empty = File.objects.create(name="Leer")
    assert client.get(f"/rat/dateien/{empty.pk}/").status_code == 404


# --- cookies, language, query counts -----------------------------------------------------


def public_pages(council: Council) -> list[str]:
    return [
        "/rat/",
        "/rat/kalender/",
        month_url(council.bau_past),
        "/rat/sitzungen/",
        "/rat/sitzungen/?zeit=vergangen",
        council.bau_past.get_absolute_url(),
        council.vorlage.get_absolute_url(),
        council.anna.get_absolute_url(),
        "/rat/personen/",
        council.bau.get_absolute_url(),
        "/rat/gremien/",
        "/rat/suche/?q=Regenrückhaltebecken",
    ]


def test_anonymous_council_pages_set_no_cookie(client: Client, council: Council) -> None:
    for url in public_pages(council):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, f"{url} set {list(response.cookies)}"


def test_council_pages_render_in_english(client: Client, council: Council) -> None:
    for url in public_pages(council):
        response = client.get("/en" + url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.content.decode()


def grow_meeting(council: Council, meeting: Meeting, n: int) -> None:
    """Give `meeting` n more public items, each with a paper, a file and votes."""
    from rathaus.council.models import Consultation, Paper, Vote
    from tests.council.conftest import make_file

    for i in range(n):
        item = AgendaItem.objects.create(
            meeting=meeting, order=100 + i, number=str(100 + i), name=f"Punkt {i}", result="ok"
        )
        paper = Paper.objects.create(body=council.body, name=f"Vorlage {i}", reference=f"X/{i}")
        consultation = Consultation.objects.create(paper=paper, meeting=meeting, agenda_item=item)
        consultation.organizations.set([council.bau])
        item.auxiliary_files.set([make_file(f"Anlage {i}", "Text")])
        Vote.objects.create(agenda_item=item, faction=council.cdu, yes=3)
        Vote.objects.create(agenda_item=item, person=council.anna, choice=Vote.Choice.YES)
        meeting.auxiliary_files.add(make_file(f"Sitzungsanlage {i}", "Text"))


def test_meeting_page_query_count_does_not_grow_with_the_agenda(
    client: Client, council: Council, django_assert_max_num_queries: Any
) -> None:
    url = council.bau_past.get_absolute_url()
    with django_assert_max_num_queries(10):
        client.get(url)
    grow_meeting(council, council.bau_past, 15)
    with django_assert_max_num_queries(10):
        html = html_of(client, url)
    assert "Punkt 14" in html


def test_meeting_page_query_count_for_a_member_is_bounded_too(
    client: Client, council: Council, council_member: Any, django_assert_max_num_queries: Any
) -> None:
    # A member's visibility costs a few queries of its own (groups, memberships, files).
    verified_login(client, council_member)
    grow_meeting(council, council.bau_past, 15)
    with django_assert_max_num_queries(20):
        html = html_of(client, council.bau_past.get_absolute_url())
    assert "Punkt 14" in html
    assert SECRET_TITLE in html


def test_paper_page_query_count_is_bounded(
    client: Client, council: Council, django_assert_max_num_queries: Any
) -> None:
    from rathaus.council.models import Consultation, Paper

    with django_assert_max_num_queries(13):
        client.get(council.vorlage.get_absolute_url())
    for i in range(10):
        meeting = make_meeting(f"Sitzung {i}", [council.bau], days=-100 + i)
        item = AgendaItem.objects.create(meeting=meeting, order=1, name="Vorlage", result="ok")
        c = Consultation.objects.create(paper=council.vorlage, meeting=meeting, agenda_item=item)
        c.organizations.set([council.bau, council.rat])
        other = Paper.objects.create(body=council.body, name=f"Verwandt {i}")
        council.vorlage.related_papers.add(other)
    with django_assert_max_num_queries(13):
        html = html_of(client, council.vorlage.get_absolute_url())
    assert "Sitzung 9" in html
    assert "Verwandt 9" in html


def test_calendar_query_count_is_bounded(
    client: Client, council: Council, django_assert_max_num_queries: Any
) -> None:
    url = month_url(council.bau_next)
    with django_assert_max_num_queries(4):
        client.get(url)
    start = timezone.localtime(council.bau_next.start).date().replace(day=1)
    for n in range(20):
        meeting = make_meeting(f"Zusatzsitzung {n}", [council.bau, council.schule], days=0)
        meeting.start = selectors.day_start(start) + datetime.timedelta(days=n % 28, hours=17)
        meeting.save()
    with django_assert_max_num_queries(4):
        html = html_of(client, url)
    assert html.count("Zusatzsitzung") == 20
