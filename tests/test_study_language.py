"""A study file names its language and may give its own wording of single
participant texts; the loader checks both with clear one-line errors."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from studies import StudyDefinition, StudyError, dump_study, load_study, parse_study
from studies.languages import language_problem, message_problem

REPO = Path(__file__).resolve().parents[1]
COPRO = (REPO / "statements" / "coproduction.yaml").read_text(encoding="utf-8")

TEA = """\
slug: tea
title: Wie trinken Sie Ihren Tee?
language: {language}
grid:
  low: -1
  high: 1
  heights: [1, 2, 1]
  labels: [Nein, Neutral, Ja]
instruction: Sortieren Sie.
welcome: Willkommen.
consent: Freiwillig.
thank_you: Danke.
statements:
  - {{id: t1, text: Kochendes Wasser.}}
  - {{id: t2, text: Milch zuerst.}}
  - {{id: t3, text: Jeder Tee ist gut.}}
  - {{id: t4, text: Beutel sind gut.}}
"""


def tea(language: str = "de", messages: str = "") -> str:
    return TEA.format(language=language) + messages


def problems_of(text: str) -> list[str]:
    with pytest.raises(StudyError) as err:
        parse_study(text, name="tea.yaml")
    return err.value.problems


def test_a_study_names_its_language_and_keeps_it_through_storage_and_yaml(tmp_path):
    defn = parse_study(tea("de"), name="tea.yaml")
    assert defn.language == "de" and defn.messages == ()
    again = StudyDefinition.from_dict(defn.to_dict())          # what the store keeps
    assert again.language == "de" and again.fingerprint() == defn.fingerprint()
    dump_study(defn, tmp_path / "tea.yaml")
    assert "language: de" in (tmp_path / "tea.yaml").read_text(encoding="utf-8")
    assert load_study(tmp_path / "tea.yaml") == defn
    # a regional variant speaks its language's catalogue
    assert parse_study(tea("de_AT"), name="tea.yaml").language == "de_AT"
    assert parse_study(tea("es-MX"), name="tea.yaml").language == "es-MX"


def test_english_is_the_default_and_leaves_older_fingerprints_alone():
    copro = parse_study(COPRO, name="coproduction.yaml")
    assert copro.language == "en" and copro.messages == ()
    assert "language" not in copro.to_dict() and "messages" not in copro.to_dict()
    german = dataclasses.replace(copro, language="de")
    assert german.fingerprint() != copro.fingerprint()      # a new version for new participants


def test_an_unknown_language_is_a_clear_error():
    assert problems_of(tea("xx")) == [
        "tea.yaml, line 3: unknown language 'xx' (use a language code such as 'de' or 'es'; "
        "participant texts exist in: ar, de, en, es)"]
    fr = problems_of(tea("fr"))
    assert len(fr) == 1 and fr[0].startswith("tea.yaml, line 3: the participant pages have no "
                                             "texts in 'fr' yet (available: ar, de, en, es)")
    assert problems_of(tea("'deutsch bitte'")) == [
        "tea.yaml, line 3: language 'deutsch bitte' is not a language code such as 'de' or 'pt_BR'"]
    assert language_problem("de") is None and language_problem("ar") is None


def test_a_study_may_give_its_own_wording_of_participant_texts():
    defn = parse_study(tea("de", """\
messages:
  Start: Los geht’s
  "{count} statement": ["{count} Karte", "{count} Karten"]
  "Saved": Gesichert
"""), name="tea.yaml")
    assert defn.message_overrides() == {"Start": "Los geht’s", "Saved": "Gesichert",
                                        "{count} statement": ("{count} Karte", "{count} Karten")}
    assert StudyDefinition.from_dict(defn.to_dict()) == defn

    from webapp.i18n import for_study
    tr = for_study(defn)
    assert tr.gettext("Start") == "Los geht’s" and tr.gettext("Back") == "Zurück"
    assert tr.ngettext("{count} statement", "{count} statements", 2, count=2) == "2 Karten"


def test_wording_of_a_text_that_does_not_exist_is_a_clear_error():
    found = problems_of(tea("de", """\
messages:
  Strat: Los
  Continue: Weiter
"""))
    assert found == ["tea.yaml, line 19: messages: 'Strat' is not a participant text of this "
                     "version (did you mean 'Start'?)"]


def test_wording_must_keep_placeholders_and_plural_forms():
    found = problems_of(tea("de", """\
messages:
  "Statement {n}:": "Karte {nummer}:"
  "{count} statement": ["eine", "zwei", "drei"]
  Back: [Zurück, Zurück]
  Saved: 3
"""))
    assert found == [
        "tea.yaml, line 19: messages: the text for 'Statement {n}:' uses {nummer}, which it does "
        "not have (it has: {n})",
        "tea.yaml, line 20: messages: '{count} statement' has plural forms: give one text, or 2 "
        "texts (one per plural form of 'de')",
        "tea.yaml, line 21: messages: 'Back' has no plural forms: give one text",
        "tea.yaml, line 22: messages: the text for 'Saved' must be text (or a list of texts, one "
        "per plural form), not a number",
    ]
    # Arabic has six plural forms
    assert message_problem("ar", "{count} statement", ["{count}"] * 6) is None
    assert "6 texts" in message_problem("ar", "{count} statement", ["a", "b"])


def test_a_stored_version_loads_even_if_a_text_it_words_no_longer_exists():
    """Only the file loader checks msgids: the code's texts change between
    versions, and a version in the database must always load."""
    d = parse_study(tea("de"), name="tea.yaml").to_dict()
    d["messages"] = {"A text the code once had": "Ein alter Text"}
    d["language"] = "de"
    defn = StudyDefinition.from_dict(d)
    assert defn.message_overrides() == {"A text the code once had": "Ein alter Text"}
