"""Starting points for a study in the workspace, the suggested grid, and the
loader's problems attached to the fields of a draft."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studies.drafting import (
    column_labels,
    content_from_yaml,
    definition_of,
    editable,
    field_problems,
    new_study_content,
    slug_from_title,
    statements_from_csv,
    statements_from_sta,
    suggested_grid,
    suggested_heights,
)
from studies.errors import StudyError
from studies.loader import study_to_yaml

REPO = Path(__file__).resolve().parents[1]


@given(st.integers(min_value=3, max_value=400))
def test_suggested_heights_are_a_quasi_normal_grid(n):
    h = suggested_heights(n)
    assert sum(h) == n
    assert h == h[::-1]                                   # symmetric
    k = len(h) // 2
    assert all(h[i] <= h[i + 1] for i in range(k))        # never taller away from the middle
    assert h[0] >= 1


def test_suggested_grid_for_common_sizes():
    assert suggested_heights(36) == [2, 3, 5, 5, 6, 5, 5, 3, 2]
    assert len(suggested_heights(60)) == 13 and len(suggested_heights(12)) == 5
    g = suggested_grid(36)
    assert (g["low"], g["high"]) == (-4, 4) and len(g["labels"]) == 9
    assert column_labels(-2, 2) == ["Most disagree", "Disagree", "Neutral or unsure", "Agree",
                                    "Most agree"]
    with pytest.raises(StudyError):
        suggested_heights(1)


def test_statements_from_csv_with_and_without_header():
    found = statements_from_csv(b"\xef\xbb\xbfid,text,perspective,theme\n"
                                b"c1,\"First, with a comma\",clarify,1\n\nc2,  Second  one ,,2\n")
    assert found == [{"id": "c1", "text": "First, with a comma",
                      "tags": {"perspective": "clarify", "theme": "1"}},
                     {"id": "c2", "text": "Second one", "tags": {"theme": "2"}}]
    assert statements_from_csv("a;Eins;x\nb;Zwei\n") == [
        {"id": "a", "text": "Eins", "tags": {"tag1": "x"}}, {"id": "b", "text": "Zwei", "tags": {}}]
    with pytest.raises(StudyError, match="row 3: expected an id and a text"):
        statements_from_csv("id,text\nc1,One\nlonely\n")
    with pytest.raises(StudyError, match="holds no statements"):
        statements_from_csv("\n\n")
    with pytest.raises(StudyError, match="line 2: the file is not UTF-8"):
        statements_from_csv(b"id,text\nc1,caf\xe9\n")


def test_statements_from_pqmethod_sta():
    data = (REPO / "tests" / "reference" / "formats" / "LIPSET.STA").read_bytes()
    found = statements_from_sta(data, "LIPSET.STA")
    assert len(found) == 33 and found[0]["id"] == "s01" and found[-1]["id"] == "s33"
    assert found[0]["text"] == "1We accept improvements in status and power of lower class"
    with pytest.raises(StudyError, match="LIPSET.STA"):
        statements_from_sta(b"", "LIPSET.STA")


def test_new_study_from_statements_is_publishable_and_problems_are_by_field():
    statements = [{"id": f"q{i}", "text": f"Statement {i}", "tags": {}} for i in range(1, 13)]
    content = new_study_content("twelve", "Twelve statements", statements)
    assert field_problems(content) == []
    defn = definition_of(content)
    assert defn.grid.n_statements == 12 and len(defn.presort_piles) == 3
    content["grid"]["heights"][2] += 1                    # 13 places for 12 statements
    content["statements"][4]["text"] = " "
    content["statements"][7]["id"] = "q1"
    problems = field_problems(content)
    assert [p.path for p in problems] == [("statements", 4, "text"), ("statements", 7, "id"),
                                          ("grid", "heights")]
    assert "hold 13 statements" in problems[2].message
    assert "duplicate statement id 'q1'" in problems[1].message and "@" not in problems[1].message
    assert problems[2].under("grid") and not problems[2].under("statements")
    with pytest.raises(StudyError):
        definition_of(content)


def test_yaml_study_file_valid_or_with_problems():
    text = (REPO / "statements" / "coproduction.yaml").read_text(encoding="utf-8")
    ok = content_from_yaml(text, "coproduction.yaml")
    assert ok.problems == () and len(ok.content["statements"]) == 36
    assert definition_of(ok.content).fingerprint() == definition_of(
        editable(ok.content)).fingerprint()
    broken = text.replace("heights: [2, 3, 4, 6, 6, 6, 4, 3, 2]", "heights: [2, 3, 4, 6, 6, 6, 4, 3, 3]")
    got = content_from_yaml(broken, "co.yaml")
    assert len(got.problems) == 1 and "co.yaml, line" in got.problems[0]
    assert [p.path for p in field_problems(got.content)] == [("grid", "heights")]
    with pytest.raises(StudyError, match="YAML syntax error"):
        content_from_yaml("title: [unclosed", "bad.yaml")


def test_round_trip_through_the_editor_keeps_the_fingerprint():
    from studies.loader import load_study

    defn = load_study(REPO / "statements" / "coproduction.yaml")
    assert definition_of(editable(defn.to_dict())).fingerprint() == defn.fingerprint()
    assert "heights: [2, 3, 4, 6, 6, 6, 4, 3, 2]" in study_to_yaml(definition_of(defn.to_dict()))


def test_slug_from_title():
    assert slug_from_title("What's co-production good for?") == "whats-co-production-good-for"
    assert slug_from_title("Ça va, l'été") == "ca-va-lete"
    assert slug_from_title("!!!") == "study"
