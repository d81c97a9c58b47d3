"""The design page shows the study's language and which participant texts it
lacks (the study's own wording counts as present), and the picker changes
the draft's language. In Streamlit's AppTest (no browser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from workspace import app_store, run_page, shown_text

from studies.languages import available_languages, template
from studies.loader import load_study
from webapp.researcher import language_panel

ROOT = Path(__file__).resolve().parents[2]
DEFN = load_study(ROOT / "statements" / "coproduction.yaml")
LABEL = "Language of the participant pages"


@pytest.fixture
def world(tmp_path):
    with app_store("sqlite:///" + str(tmp_path / "lang.sqlite3")) as store:
        ana = store.create_researcher("ana@example.org", "correct horse")
        content = {**DEFN.to_dict(), "slug": "mine", "language": "de",
                   "messages": {"Start": "Los geht's"}}
        store.create_study("mine", content, owner=ana)
        yield store, store.sign_in("ana@example.org", "correct horse")


def picker(at):
    [box] = [s for s in at.selectbox if s.label == LABEL]
    return box


def test_a_complete_language_says_so(world):
    store, token = world
    at = run_page("design", token, slug="mine")
    assert not at.exception, [e.value for e in at.exception]
    box = picker(at)
    assert box.value == "de" and set(box.options) >= {f"{language_panel.language_name(c)} ({c})"
                                                        for c in available_languages()}
    n = len(template())
    assert f"German: all {n} texts translated (1 in the study's own wording)." in shown_text(at)


def test_a_language_lacking_texts_lists_them_but_not_the_studys_own(world, monkeypatch):
    store, token = world
    lacking = ["Start", "Continue", "Back"]
    assert set(lacking) <= set(template())
    monkeypatch.setattr(language_panel, "missing_messages",
                        lambda lang: list(lacking) if lang == "de" else [])
    at = run_page("design", token, slug="mine")
    assert not at.exception, [e.value for e in at.exception]
    n = len(template())
    [warning] = [w.value for w in at.warning if "German" in w.value]
    assert warning.startswith(f"German: 2 of {n} texts have no translation (1 in the study's "
                              "own wording)")
    listed = [list(df.value.iloc[:, 0]) for df in at.dataframe
              if list(df.value.columns) == ["text (English)"]]
    assert listed == [["Continue", "Back"]]              # "Start" is worded by the study


def test_the_picker_changes_the_drafts_language(world):
    store, token = world
    at = run_page("design", token, slug="mine")
    picker(at).set_value("es").run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.study_draft("mine").content["language"] == "es"
    assert "Spanish: all" in shown_text(at)


def test_a_draft_keeps_its_language_and_own_wording():
    from studies.drafting import editable, to_definition_dict

    content = editable({**DEFN.to_dict(), "language": "de", "messages": {"Start": "Los"}})
    assert (content["language"], content["messages"]) == ("de", {"Start": "Los"})
    assert to_definition_dict(content)["language"] == "de"
    plain = to_definition_dict(editable(DEFN.to_dict()))      # English, no own wording
    assert "language" not in plain and "messages" not in plain
