"""The English translation: complete, compiled, in sync with the code, and actually shown.

German is the source language (the msgids); English lives in `locale/en/LC_MESSAGES/django.po`
and its compiled `django.mo`, both committed so that the demo runs without gettext installed.
When a test here fails after you added or changed a UI string, update the catalogue:

    cd src/rathaus
    rathaus makemessages -l en --no-obsolete --add-location file
    (translate the new or fuzzy entries in locale/en/LC_MESSAGES/django.po)
    rathaus compilemessages -l en
"""

from __future__ import annotations

import gettext
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from rathaus.accounts.models import Office
from rathaus.catalog.models import LifeSituation, Service
from tests.conftest import make_service

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "rathaus"
LOCALE_DIR = PACKAGE_DIR / "locale"
PO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"
HOW_TO_FIX = (
    "Run `rathaus makemessages -l en --no-obsolete --add-location file` and "
    "`rathaus compilemessages -l en` in src/rathaus and translate what is new."
)


# --- a small reader for .po files ---------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)

    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def parse_po(path: Path) -> list[PoEntry]:
    """Entries of a .po file in file order; obsolete (`#~`) entries are left out."""
    entries: list[PoEntry] = []
    flags: set[str] = set()
    current: PoEntry | None = None
    target: tuple[str, int | None] = ("", None)
    seen_msgstr = False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            # A comment after the strings of an entry belongs to the next one.
            if current is not None and seen_msgstr:
                entries.append(current)
                current = None
            if line.startswith("#~"):
                flags = set()
            elif line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        keyword = _KEYWORD.match(line)
        if keyword:
            name, index, value = keyword.group(1), keyword.group(2), _unquote(keyword.group(3))
            if name in {"msgctxt", "msgid"} and (current is None or seen_msgstr):
                if current is not None:
                    entries.append(current)
                current, flags, seen_msgstr = (
                    PoEntry(msgid="", flags=flags, line=number),
                    set(),
                    False,
                )
            assert current is not None, f"{path}:{number}: {name} before msgid"
            if name == "msgctxt":
                current.msgctxt = value
            elif name == "msgid":
                current.msgid = value
            elif name == "msgid_plural":
                current.msgid_plural = value
            elif index is not None:
                current.msgstr_plural[int(index)] = value
                seen_msgstr = True
            else:
                current.msgstr = value
                seen_msgstr = True
            target = (
                name if index is None else "msgstr_plural",
                None if index is None else int(index),
            )
            continue
        continuation = _CONTINUATION.match(line)
        assert continuation, f"{path}:{number}: cannot read {raw!r}"
        assert current is not None, f"{path}:{number}: text before the first msgid"
        value = _unquote(continuation.group(1))
        kind, plural_index = target
        if plural_index is not None:
            current.msgstr_plural[plural_index] += value
        else:
            setattr(current, kind, (getattr(current, kind) or "") + value)
    if current is not None:
        entries.append(current)
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    assert PO_PATH.is_file(), f"The English catalogue {PO_PATH} is missing. {HOW_TO_FIX}"
    return parse_po(PO_PATH)


def test_po_reader_handles_plurals_context_flags_and_escapes(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#: a.py\n#, python-format\nmsgid "Hallo %(name)s"\nmsgstr "Hello %(name)s"\n\n'
        '#, fuzzy\nmsgctxt "Monat"\nmsgid "Mai"\nmsgstr ""\n\n'
        'msgid ""\n"Ein \\"langer\\" "\n"Text"\nmsgid_plural "Texte"\n'
        'msgstr[0] "A \\"long\\" text"\n'
        'msgstr[1] ""\n"Texts"\n\n'
        '#~ msgid "alt"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )
    header, greeting, month, plural = parse_po(po)
    assert header.is_header
    assert "Plural-Forms" in header.msgstr
    assert not header.fuzzy
    assert (greeting.msgid, greeting.msgstr, greeting.flags) == (
        "Hallo %(name)s",
        "Hello %(name)s",
        {"python-format"},
    )
    assert (month.msgctxt, month.msgid, month.fuzzy, month.translated) == (
        "Monat",
        "Mai",
        True,
        False,
    )
    assert (plural.msgid, plural.msgid_plural) == ('Ein "langer" Text', "Texte")
    assert plural.msgstr_plural == {0: 'A "long" text', 1: "Texts"}
    assert plural.translated


# --- (1) every entry translated, nothing fuzzy, placeholders and markup kept -------------------


def test_catalogue_has_a_clean_header(po_entries: list[PoEntry]) -> None:
    header = po_entries[0]
    assert header.is_header, "The catalogue must start with its header entry."
    # msgfmt drops a fuzzy header, and with it the plural rule.
    assert not header.fuzzy, "Remove the `#, fuzzy` flag from the header of the catalogue."
    assert "Language: en\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr
    assert "charset=UTF-8" in header.msgstr


def test_every_entry_is_translated_and_not_fuzzy(po_entries: list[PoEntry]) -> None:
    entries = [entry for entry in po_entries if not entry.is_header]
    assert len(entries) > 400, "The catalogue looks truncated."
    untranslated = [entry.label() for entry in entries if not entry.translated]
    fuzzy = [entry.label() for entry in entries if entry.fuzzy]
    assert not untranslated, f"Untranslated in {PO_PATH.name}:\n" + "\n".join(untranslated)
    assert not fuzzy, f"Fuzzy (check, then drop the flag) in {PO_PATH.name}:\n" + "\n".join(fuzzy)


def test_plural_entries_have_both_english_forms(po_entries: list[PoEntry]) -> None:
    wrong = [
        entry.label()
        for entry in po_entries
        if entry.msgid_plural is not None and sorted(entry.msgstr_plural) != [0, 1]
    ]
    assert not wrong, "Plural entries need msgstr[0] and msgstr[1]:\n" + "\n".join(wrong)


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|%%|\{\w*(?:![rsa])?(?::[^{}]*)?\}")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _shape(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER.findall(text) + _TAG.findall(text))


def test_translations_keep_placeholders_and_markup(po_entries: list[PoEntry]) -> None:
    wrong = []
    for entry in po_entries:
        if entry.is_header or not entry.translated:
            continue
        if entry.msgid_plural is None:
            pairs = [(entry.msgid, entry.msgstr)]
        else:
            # The singular may name the count or not; the plural form must match msgid_plural.
            singular_source = entry.msgid
            if _shape(entry.msgstr_plural[0]) == _shape(entry.msgid_plural):
                singular_source = entry.msgid_plural
            pairs = [
                (singular_source, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
        for source, translation in pairs:
            if _shape(source) != _shape(translation):
                wrong.append(f"{entry.label()} -> {translation!r}")
    assert not wrong, "Placeholders or HTML differ from the German:\n" + "\n".join(wrong)


# --- (2) the compiled catalogue matches the .po -------------------------------------------


def test_compiled_catalogue_matches_the_po(po_entries: list[PoEntry]) -> None:
    assert MO_PATH.is_file(), f"{MO_PATH} is missing. {HOW_TO_FIX}"
    with MO_PATH.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    assert mo.info().get("language") == "en"
    catalog: dict[Any, str] = mo._catalog  # type: ignore[attr-defined]

    expected: dict[Any, str] = {}
    for entry in po_entries:
        if entry.is_header or entry.fuzzy or not entry.translated:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr
        else:
            for index, text in entry.msgstr_plural.items():
                expected[(key, index)] = text
    actual = {key: text for key, text in catalog.items() if key != ""}

    stale = sorted(
        repr(key) for key in expected if key not in actual or actual[key] != expected[key]
    )
    extra = sorted(repr(key) for key in actual if key not in expected)
    assert not stale, (
        f"{MO_PATH.name} is older than {PO_PATH.name}; recompile with "
        f"`rathaus compilemessages -l en`. Differing entries:\n" + "\n".join(stale[:30])
    )
    assert not extra, f"{MO_PATH.name} has entries the .po no longer has:\n" + "\n".join(extra[:30])
    # The plural rule of the header made it into the compiled file.
    assert mo.ngettext("%(n)s Leistung", "%(n)s Leistungen", 1) == "%(n)s service"
    assert mo.ngettext("%(n)s Leistung", "%(n)s Leistungen", 2) == "%(n)s services"


# --- the catalogue holds exactly the strings the code uses ---------------------------------


def _msg_keys(entries: list[PoEntry]) -> set[tuple[str | None, str, str | None]]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in entries if not e.is_header}


def test_catalogue_is_in_sync_with_the_code(
    po_entries: list[PoEntry], tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        pytest.skip("GNU gettext is not installed; cannot extract the strings of the code")
    # Extract from a copy, so the committed catalogue is never touched by the test.
    copy = tmp_path / "rathaus"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("locale", "__pycache__", "static", "fixtures", "*.pyc"),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    extracted = _msg_keys(parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    committed = _msg_keys(po_entries)

    def show(keys: set[tuple[str | None, str, str | None]]) -> str:
        return "\n".join(sorted(repr(key[1]) for key in keys))

    missing = extracted - committed
    assert not missing, (
        f"Strings in the code but not in the English catalogue. {HOW_TO_FIX}\n" + show(missing)
    )
    obsolete = committed - extracted
    assert not obsolete, (
        f"Entries of the English catalogue no longer used by the code. {HOW_TO_FIX}\n"
        + show(obsolete)
    )


# --- (3) pages render in English (and still in German) --------------------------------------


class _VisibleText(HTMLParser):
    """Text a reader sees or hears: text nodes and labelling attributes, without scripts.

    Parts marked with a `lang` other than the page's own (the language switch) are left out.
    """

    SPOKEN_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang = ""
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "html":
            self.page_lang = a.get("lang", "")
            return
        other_language = bool(a.get("lang")) and a.get("lang") != self.page_lang
        hidden = tag in {"script", "style"} or other_language
        if not (hidden or self._hidden()):
            self.parts.extend(a[name] for name in self.SPOKEN_ATTRIBUTES if a.get(name))
        if tag not in self.VOID:
            self._stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self._stack) - 1, -1, -1):
            if self._stack[position][0] == tag:
                del self._stack[position:]
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden() and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> tuple[str, str]:
    reader = _VisibleText()
    reader.feed(html)
    return reader.page_lang, "\n".join(reader.parts)


# Navigation and page furniture shared by every public page.
ENGLISH_CHROME = [
    "Skip to content",
    "Online Town Hall",
    "Main navigation",
    "Find services",
    "Services A–Z",
    "Offices",
    "Legal notice",
    "Privacy",
    "Accessibility",
    "Open data (API)",
    "What would you like to do?",
]
GERMAN_CHROME = [
    "Zum Inhalt springen",
    "Rathaus online",
    "Hauptnavigation",
    "Leistungen finden",
    "Leistungen A–Z",
    "Dienststellen",
    "Impressum",
    "Datenschutz",
    "Barrierefreiheit",
    "Offene Daten (API)",
    "Was möchten Sie erledigen?",
]
# German UI words that must not show on an English page. Service texts are German content
# (no English version yet), so the demo service below avoids these words in its texts.
GERMAN_UI_WORDS = [
    *GERMAN_CHROME,
    "Start",
    "Suche",
    "Suchen",
    "Anmelden",
    "Abmelden",
    "Mein Konto",
    "Rechtliches",
    "Leistung",
    "Leistungen",
    "Dienststelle",
    "Lebenslage",
    "Lebenslagen",
    "Themenfeld",
    "Reifegrad",
    "Reifegrade",
    "Stufe",
    "Seite",
    "Weiter",
    "Zurück",
    "Benutzername",
    "Passwort",
    "Öffnungszeiten",
    "Kosten",
    "Voraussetzungen",
    "Erforderliche Unterlagen",
    "Zuständige Stelle",
    "online verfügbar",
    "Online beantragen",
    "Alle",
    "Sie sind hier",
    "Erklärung",
    "Kontakt",
    "Telefon",
    "E-Mail",
    "Häufig gefragt",
    "Meinten Sie",
]

ENGLISH_PAGES = {
    "/en/": ["Home", "Services by life situation", "How digital the town hall is", "Moving house"],
    "/en/leistungen/": ["Search and filter services", "Search term", "Narrow down the results"],
    "/en/leistungen/?q=Personalausweis": ["service found for", "available online"],
    "/en/leistungen/a-z/": ["Services from A to Z", "Initial letters", "in alphabetical order"],
    "/en/leistungen/personalausweis-beantragen/": [
        "Apply online",
        "Fees",
        "How to obtain this service",
        "Responsible office",
        "Opening hours",
        "State of digitalisation",
        "Maturity model 1.1 (levels 0 to 4)",
    ],
    "/en/leistungen/dienststellen/": ["Who is responsible for what?"],
    "/en/barrierefreiheit/": [
        "Accessibility statement",
        "Compliance status",
        "Conciliation procedure",
        "Preparation of this statement",
    ],
    "/en/impressum/": ["Publisher", "Responsibility for the content", "Links to other websites"],
    "/en/konto/anmelden/": ["Sign in", "Username", "Password"],
    "/en/rat/": [
        "Council information",
        "Search papers, agendas and documents",
        "Subscribe and reuse",
    ],
}


@pytest.fixture
def catalog_page_data(db: None, office: Office, life_situation: LifeSituation) -> Service:
    # German content words here (name, summary, office) must not collide with GERMAN_UI_WORDS.
    service = make_service(
        office=office,
        life_situations=[life_situation],
        maturity_level=3,
        maturity_level_v2=3,
        channel_online=True,
        channel_in_person=True,
        online_service_url="https://www.example.org/ausweis",
        fees="37,00 Euro",
        annual_cases=900,
    )
    assert service.slug == "personalausweis-beantragen"
    return service


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def _words_found(text: str, words: list[str]) -> list[str]:
    return [word for word in words if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]


@pytest.mark.parametrize("url", list(ENGLISH_PAGES))
def test_english_pages_show_english_ui(
    client: Client, catalog_page_data: Service, url: str
) -> None:
    lang, text = visible_text(_get(client, url))
    assert lang == "en", f"{url}: <html lang> is {lang!r}"
    missing = [phrase for phrase in [*ENGLISH_CHROME, *ENGLISH_PAGES[url]] if phrase not in text]
    assert not missing, f"{url} lacks the English UI text {missing}"
    german = _words_found(text, GERMAN_UI_WORDS)
    assert not german, f"{url} shows German UI words {german} in English:\n{text}"


@pytest.mark.parametrize(
    ("url", "phrases"),
    [
        ("/", ["Leistungen nach Lebenslagen", "So digital ist das Rathaus", "Umzug"]),
        ("/leistungen/", ["Leistungen durchsuchen und filtern", "Suchbegriff"]),
        ("/leistungen/a-z/", ["Leistungen von A bis Z", "Anfangsbuchstaben"]),
        ("/leistungen/personalausweis-beantragen/", ["Online beantragen", "Kosten"]),
        ("/barrierefreiheit/", ["Erklärung zur Barrierefreiheit", "Schlichtungsverfahren"]),
        ("/konto/anmelden/", ["Anmelden", "Benutzername", "Passwort"]),
        ("/rat/", ["Ratsinformation", "Drucksachen, Tagesordnungen und Dokumente durchsuchen"]),
    ],
)
def test_german_pages_stay_german(
    client: Client, catalog_page_data: Service, url: str, phrases: list[str]
) -> None:
    lang, text = visible_text(_get(client, url))
    assert lang == "de", f"{url}: <html lang> is {lang!r}"
    missing = [phrase for phrase in [*GERMAN_CHROME, *phrases] if phrase not in text]
    assert not missing, f"{url} lacks the German UI text {missing}"
    english = _words_found(text, [p for p in ENGLISH_CHROME if p not in {"Online Town Hall"}])
    assert not english, f"{url} shows English UI text {english} in German"


def test_english_messages_from_python_code(client: Client, catalog_page_data: Service) -> None:
    # A message built in a view (not a template) follows the language of the address.
    _, english = visible_text(_get(client, "/en/leistungen/?lebenslage=gibt-es-nicht"))
    assert "We do not know the life situation “gibt-es-nicht”; this filter was ignored." in english
    _, german = visible_text(_get(client, "/leistungen/?lebenslage=gibt-es-nicht"))
    assert "Die Lebenslage „gibt-es-nicht“ kennen wir nicht" in german


def test_plural_forms_in_english(client: Client, catalog_page_data: Service) -> None:
    _, one = visible_text(_get(client, "/en/leistungen/a-z/"))
    assert "1 service, in alphabetical order." in one
    make_service(leika_key="99010004002000", name="Reisepass beantragen")
    _, two = visible_text(_get(client, "/en/leistungen/a-z/"))
    assert "2 services, in alphabetical order." in two


# --- (4) templates carry no German text outside translation tags -------------------------

TEMPLATES_DIR = PACKAGE_DIR / "templates"
# Text that is the same in every language: names of places, streets and the product.
PROPER_NAMES = {"Rathaus", "Buxtehude", "Hansestadt", "Bahnhofstraße"}
_TEMPLATE_SYNTAX = [
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
    re.compile(r"\{%.*?%\}", re.S),
]
_WORD = re.compile(r"[^\W\d_]{2,}")


def _blank(match: re.Match[str]) -> str:
    # Keep the newlines so that reported line numbers stay right.
    return re.sub(r"[^\n]", " ", match.group(0))


class _LiteralText(HTMLParser):
    ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label"}
    # Code, commands and keys are the same in every language.
    CODE = {"script", "style", "code", "kbd", "samp", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_code = 0
        self.found: list[tuple[int, str]] = []

    def _check(self, line: int, text: str) -> None:
        words = [word for word in _WORD.findall(text) if word not in PROPER_NAMES]
        if words:
            self.found.append((line, " ".join(text.split())))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.CODE:
            self.in_code += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self._check(self.getpos()[0], value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.CODE:
            self.in_code = max(0, self.in_code - 1)

    def handle_data(self, data: str) -> None:
        if not self.in_code:
            leading = len(data) - len(data.lstrip())
            self._check(self.getpos()[0] + data[:leading].count("\n"), data)


def untranslated_template_text(source: str) -> list[tuple[int, str]]:
    for pattern in _TEMPLATE_SYNTAX:
        source = pattern.sub(_blank, source)
    reader = _LiteralText()
    reader.feed(source)
    return reader.found


def test_template_scanner_finds_literal_text() -> None:
    source = (
        '{% load i18n %}<h1>{% translate "Titel" %}</h1>\n'
        "<p>{% blocktranslate %}Hallo {{ name }}{% endblocktranslate %}</p>\n"
        "<p>Nicht übersetzt</p>{# Kommentar #}\n"
        '<input placeholder="Suchbegriff"><script>var x = "Text";</script>\n'
        "<p>{% translate 'Befehl:' %} <code>rathaus import_services DATEI</code></p>\n"
        "<address>21614 Buxtehude · {{ email }}</address>\n"
    )
    assert untranslated_template_text(source) == [(3, "Nicht übersetzt"), (4, "Suchbegriff")]


def test_templates_have_no_text_outside_translation_tags() -> None:
    templates = sorted(TEMPLATES_DIR.rglob("*.html")) + sorted(
        PACKAGE_DIR.glob("*/templates/**/*.html")
    )
    assert templates
    found = [
        f"{path.relative_to(PACKAGE_DIR)}:{line}: {text!r}"
        for path in templates
        for line, text in untranslated_template_text(path.read_text(encoding="utf-8"))
    ]
    assert not found, (
        "Text in templates outside {% translate %} / {% blocktranslate %}:\n" + "\n".join(found)
    )
