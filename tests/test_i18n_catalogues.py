"""The participant texts' catalogues: every message the code uses is in the
template and translated in every shipped language, translations keep their
placeholders, a study's language and own wording reach the texts, and pages
shown before a study is known follow the browser's languages."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from studies import languages
from webapp import i18n
from webapp.components.presort import SCRIPTS as PRESORT_SCRIPTS
from webapp.components.qsort_grid import SCRIPTS as GRID_SCRIPTS
from webapp.components.resume_link import SCRIPTS as LINK_SCRIPTS

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("de", "es", "ar")


def extracted() -> dict[str, str | None]:
    """{msgid: plural msgid or None} of the code, as `pybabel extract -F babel.cfg` finds them."""
    with open(REPO / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map):
        if isinstance(message, tuple):
            found[message[0]] = message[1]
        else:
            found.setdefault(message, None)
    return found


def test_the_shipped_languages_are_english_german_spanish_and_arabic():
    assert languages.available_languages() == ("ar", "de", "en", "es")


def test_the_template_holds_exactly_the_messages_of_the_code():
    code = extracted()
    template = languages.template()
    assert len(code) > 150                  # the participant pages, the components, the link pages
    assert set(code) - set(template) == set(), "run pybabel extract (README: Adding a language)"
    assert set(template) - set(code) == set(), "the template has messages the code no longer uses"
    assert {k: m.plural for k, m in template.items()} == code


@pytest.mark.parametrize("language", SHIPPED)
def test_every_catalogue_translates_every_message_the_code_uses(language):
    code = extracted()
    cat = languages.catalog(language)
    for msgid, plural in code.items():
        entry = cat.get(msgid)
        assert entry is not None, f"{language}: {msgid!r} is not in the catalogue"
        assert not entry.fuzzy, f"{language}: {msgid!r} is fuzzy"
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert len(forms) == (cat.num_plurals if plural else 1), (language, msgid)
        assert all(f.strip() for f in forms), f"{language}: {msgid!r} is not translated"
    assert languages.missing_messages(language) == []


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_placeholders_of_their_message(language):
    template = languages.template()
    for entry in languages.catalog(language):
        if not entry.id:
            continue
        m = template[entry.id[0] if entry.pluralizable else entry.id]
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for form in forms:
            names = languages.placeholders(form)
            assert names <= m.names, (language, m.msgid, form)
            if m.plural is None:            # one form says everything the English says
                assert names == m.names, (language, m.msgid, form)


def test_a_missing_or_fuzzy_or_untranslated_message_is_reported(tmp_path, monkeypatch):
    """The check itself: a catalogue that lacks a message fails it."""
    locales = tmp_path / "locales"
    shutil.copytree(languages.LOCALES_DIR, locales)
    po = locales / "de" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        cat = read_po(f)
    del cat["Saved"]
    cat["Continue"].flags.add("fuzzy")
    cat["Back"].string = ""
    with po.open("wb") as f:
        write_po(f, cat)
    monkeypatch.setattr(languages, "LOCALES_DIR", locales)
    for cached in (languages.catalog, languages.available_languages, languages.template):
        cached.cache_clear()
    try:
        assert set(i18n.missing_messages("de")) == {"Saved", "Continue", "Back"}
        assert i18n.missing_messages("es") == []
        assert i18n.missing_messages("en") == []
        assert i18n.missing_messages("de_AT") == i18n.missing_messages("de")
        assert i18n.missing_messages("fr") == list(languages.template())   # no catalogue
    finally:
        for cached in (languages.catalog, languages.available_languages, languages.template):
            cached.cache_clear()


def test_texts_counts_and_numbers_follow_the_language():
    de, ar, es = i18n.translator("de"), i18n.translator("ar"), i18n.translator("es")
    assert de.gettext("Saved") == "Gespeichert" and es.gettext("Saved") == "Guardado"
    assert i18n.ENGLISH.gettext("Saved") == "Saved"
    assert de.ngettext("{count} statement", "{count} statements", 1, count=1) == "1 Aussage"
    assert de.ngettext("{count} statement", "{count} statements", 36, count=36) == "36 Aussagen"
    # Arabic has six plural forms: zero, one, two, few (3-10), many (11-99), other
    forms = {ar.ngettext("{count} statement", "{count} statements", n, count=n)
             for n in (0, 1, 2, 5, 11, 100)}
    assert len(forms) == 6 and "عبارتان" in forms
    assert de.number(10000) == "10.000" and i18n.ENGLISH.number(10000) == "10,000"
    assert de.list(["4", "9", "12"]) == "4, 9 und 12"
    assert de.date(__import__("datetime").date(2026, 3, 3)) == "3. März 2026"
    assert (de.direction, ar.direction, i18n.ENGLISH.direction) == ("ltr", "rtl", "ltr")
    assert i18n.translator("de_AT").tag == "de-AT" and i18n.translator("de_AT").gettext("Back") == "Zurück"
    # a signed score stays "+4" inside right-to-left text (isolated)
    assert ar.score(4) == "\u2066+4\u2069" and de.score(-4) == "-4" and de.score(0) == "0"


def test_a_study_language_without_a_catalogue_speaks_english():
    fr = i18n.translator("fr")
    assert fr.gettext("Saved") == "Saved" and fr.direction == "ltr"
    assert fr.number(10000) == "10\u202f000"       # but numbers are French


def test_a_studys_own_wording_comes_first_in_python_and_javascript():
    tr = i18n.translator("de", {"Start": "Los geht’s", "{count} statement": ["{count} Karte",
                                                                            "{count} Karten"]})
    assert tr.gettext("Start") == "Los geht’s" and tr.gettext("Back") == "Zurück"
    assert tr.ngettext("{count} statement", "{count} statements", 3, count=3) == "3 Karten"
    data = i18n.translator("de", {"Saved": "Gesichert"}).js(GRID_SCRIPTS)
    assert data["messages"]["Saved"] == "Gesichert"
    assert data["messages"]["Continue"] == "Weiter"


@pytest.mark.parametrize("scripts", [GRID_SCRIPTS, PRESORT_SCRIPTS, LINK_SCRIPTS])
def test_each_component_gets_the_messages_of_its_own_scripts(scripts):
    data = i18n.translator("ar").js(scripts)
    assert (data["lang"], data["dir"]) == ("ar", "rtl")
    assert data["plural"] == languages.catalog("ar").plural_expr
    for msgid in i18n.js_msgids(tuple(scripts)):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        value = data["messages"][key]
        if isinstance(msgid, tuple):
            assert isinstance(value, list) and len(value) == 6
        else:
            assert isinstance(value, str) and (value != key or key in ("Tab", "Esc"))
    assert "Saved" not in i18n.translator("de").js(LINK_SCRIPTS)["messages"]    # not its text


def test_pages_before_a_study_is_known_follow_the_browsers_languages():
    assert i18n.accepted_languages("de-CH, de;q=0.9, en;q=0.5") == ["de_CH", "de", "en"]
    assert i18n.accepted_languages("en;q=0.2, es;q=0.8, *;q=0.1, fr;q=0") == ["es", "en"]
    assert i18n.negotiate("de-CH, de;q=0.9, en;q=0.5") == "de"
    assert i18n.negotiate("fr-FR, es;q=0.5") == "es"
    assert i18n.negotiate("ar-EG") == "ar"
    assert i18n.negotiate("fr-FR, fr;q=0.9") == "en"
    assert i18n.negotiate(None) == "en" and i18n.negotiate("q=;;,") == "en"
    assert i18n.for_browser("es-MX,es;q=0.9").gettext("Try again") == "Volver a intentarlo"
