"""The full-text search, on whichever database runs (SQLite FTS5 or PostgreSQL `german`)."""

from __future__ import annotations

import pytest
from django.db import connection

from rathaus.core import search
from rathaus.core.models import SearchDocument, Synonym
from rathaus.core.search import Document

pytestmark = pytest.mark.django_db

KIND = "test.doc"


def doc(
    object_id: int, title: str, body: str = "", keywords: str = "", kind: str = KIND
) -> Document:
    return Document(
        kind=kind,
        object_id=object_id,
        title=title,
        url=f"/x/{object_id}/",
        keywords=keywords,
        body=body,
    )


def found(text: str, kinds: list[str] | None = None) -> list[int]:
    hits, _query = search.search(text, kinds=kinds or [KIND])
    return [h.object_id for h in hits]


@pytest.fixture
def index() -> None:
    search.index_documents(
        [
            doc(
                1,
                "Personalausweis beantragen",
                "Einen neuen Personalausweis beantragen Sie persönlich im Bürgerbüro.",
                keywords="Ausweis",
            ),
            doc(2, "Reisepass beantragen", "Den Reisepass stellt das Bürgerbüro aus."),
            doc(
                3,
                "Wohnsitz anmelden",
                "Nach einem Umzug melden Sie Ihre Wohnung innerhalb von zwei Wochen an.",
            ),
            doc(4, "Führerschein umtauschen", "Alte Führerscheine werden umgetauscht."),
            doc(5, "Hundesteuer anmelden", "Jeder Hund wird zur Steuer angemeldet."),
            doc(
                6,
                "Gewerbe anmelden",
                "Wer ein Gewerbe beginnt, zeigt es an. Die Hundesteuer ist etwas anderes.",
            ),
        ]
    )


def test_stemming_matches_other_word_forms(index: None) -> None:
    assert found("Wohnungen") == [3]
    assert found("Führerscheins") == [4]
    # "Anmeldung" and "anmelden" share the stem "anmeld".
    assert set(found("Anmeldung")) == {3, 5, 6}


def test_prefix_perso_finds_personalausweis(index: None) -> None:
    assert found("Perso") == [1]
    assert found("perso") == [1]


def test_synonyms_come_from_the_synonym_table(index: None) -> None:
    assert found("Vierbeiner") == []
    Synonym.objects.create(term="Vierbeiner", alternatives="Hund, Haustier")
    assert 5 in found("Vierbeiner")
    assert 5 in found("vierbeiner")  # terms are stored and looked up in lower case


def test_typo_is_corrected_and_reported(index: None) -> None:
    hits, query = search.search("Persnalausweis", kinds=[KIND])
    assert [h.object_id for h in hits] == [1]
    assert query.corrections == {"persnalausweis": "personalausweis"}


def test_known_words_are_not_corrected(index: None) -> None:
    _hits, query = search.search("Reisepass", kinds=[KIND])
    assert query.corrections == {}


def test_transliterated_umlauts_find_the_word(index: None) -> None:
    # Keyboards without umlauts: "ue" for "ü" must work on both databases.
    assert found("Fuehrerschein") == [4]
    assert set(found("Buergerbuero")) == {1, 2}


def test_title_ranks_above_body(index: None) -> None:
    hits, _query = search.search("Hundesteuer", kinds=[KIND])
    assert [h.object_id for h in hits] == [5, 6]
    assert hits[0].rank > hits[1].rank


def test_all_words_must_match_when_possible(index: None) -> None:
    assert found("Personalausweis beantragen") == [1]
    assert found("Reisepass Bürgerbüro") == [2]


def test_falls_back_to_any_word_when_no_document_has_all(index: None) -> None:
    assert set(found("Personalausweis Reisepass")) == {1, 2}
    assert found("Reisepass Xylophon") == [2]


def test_stopwords_and_punctuation_only_give_an_empty_query(index: None) -> None:
    hits, query = search.search("der die das ?!", kinds=[KIND])
    assert hits == []
    assert query.empty


@pytest.mark.parametrize(
    "text", ['"Reisepass', "Reisepass*", "NEAR(Reisepass", "Reisepass OR -x", "Reise:pass'", "(%)"]
)
def test_query_syntax_characters_are_harmless(index: None, text: str) -> None:
    # The backends' own query languages must never see raw user input.
    hits, _query = search.search(text, kinds=[KIND])
    assert all(h.kind == KIND for h in hits)


def test_kinds_restrict_the_result(index: None) -> None:
    search.index_documents([doc(1, "Reisepass im Rat", kind="other.kind")])
    assert found("Reisepass") == [2]
    assert found("Reisepass", kinds=["other.kind"]) == [1]
    assert set(found("Reisepass", kinds=[KIND, "other.kind"])) == {1, 2}


def test_reindexing_replaces_the_document(index: None) -> None:
    search.index_documents([doc(2, "Kinderreisepass beantragen", "Für Kinder unter zwölf.")])
    assert SearchDocument.objects.filter(kind=KIND, object_id=2).count() == 1
    assert found("Bürgerbüro") == [1]  # the old body is gone from the index
    assert found("Kinderreisepass") == [2]


def test_removed_documents_are_not_found(index: None) -> None:
    removed = list(
        SearchDocument.objects.filter(kind=KIND, object_id__in=[1, 2]).values_list("pk", flat=True)
    )
    search.remove_documents(KIND, [1, 2])
    assert found("Personalausweis") == []
    assert found("Reisepass") == []
    assert not SearchDocument.objects.filter(kind=KIND, object_id__in=[1, 2]).exists()
    if connection.vendor == "sqlite":
        # The FTS5 rows go too, not only the documents.
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM core_search_fts WHERE rowid IN (%s, %s)",
                removed,
            )
            assert cur.fetchone()[0] == 0
    # Removing what is not there is not an error.
    search.remove_documents(KIND, [1, 999])


def test_snippet_marks_matches_around_the_first_hit() -> None:
    body = (
        "Einleitung. " * 40 + "Hier steht der Personalausweis mitten im Text. " + "Schluss. " * 40
    )
    search.index_documents([doc(7, "Ein langer Text", body)])
    hits, _query = search.search("Personalausweis", kinds=[KIND])
    snippet = hits[0].snippet
    assert "\x02Personalausweis\x03" in snippet
    assert snippet.startswith("… ")
    assert snippet.endswith(" …")
    assert len(snippet) < 260


def test_snippet_marks_stemmed_and_prefix_matches_and_keeps_html_raw() -> None:
    search.index_documents(
        [doc(8, "Wohnung", "Die <b>Wohnungen</b> und die Wohnung werden gemeldet.")]
    )
    hits, _query = search.search("Wohnung", kinds=[KIND])
    snippet = hits[0].snippet
    assert snippet.count("\x02") == 2
    assert "\x02Wohnungen\x03" in snippet
    # HTML in the text is left for the template filter to escape.
    assert "<b>" in snippet


def test_snippet_of_a_title_only_match_starts_at_the_beginning() -> None:
    search.index_documents([doc(9, "Sperrmüll", "Große Gegenstände holen wir ab.")])
    hits, _query = search.search("Sperrmüll", kinds=[KIND])
    assert hits[0].snippet == "Große Gegenstände holen wir ab."


def test_parse_query_limits_words_and_drops_duplicates() -> None:
    query = search.parse_query("Hund hund HUND " + " ".join(f"wort{i}" for i in range(20)))
    assert query.groups[0][0] == "hund"
    assert len(query.groups) == search.MAX_QUERY_WORDS


def test_hits_without_snippets_and_snippets_for_a_page(index: None) -> None:
    hits, query = search.search("Bürgerbüro", kinds=[KIND], snippets=False)
    assert {h.object_id for h in hits} == {1, 2}
    # Without snippets the hits are ids in rank order only; callers load the page they show.
    assert all(h.snippet == "" and h.title == "" for h in hits)
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)
    snippets = search.snippets(KIND, [2], query)
    assert snippets == {2: "Den Reisepass stellt das \x02Bürgerbüro\x03 aus."}


def test_suggestion_keeps_case_and_punctuation() -> None:
    corrections = {"persnalausweis": "personalausweis", "hundsteuer": "hundesteuer"}
    assert search.suggest("Persnalausweis, hundsteuer?", corrections) == (
        "Personalausweis, hundesteuer?"
    )
    assert search.suggest("Hundesteuer", {}) == ""
    assert search.suggest("Hundesteuer", {"katze": "katzen"}) == ""
