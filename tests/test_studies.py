"""Study definitions: the YAML format, its validation, the co-production Q-set,
ideal-type sorts and the simulated demo participants."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmethod.grid import Grid
from studies import (
    Pile,
    Question,
    Statement,
    StudyDefinition,
    StudyError,
    alternative_ideal_type_sort,
    dump_study,
    ideal_type_profile,
    ideal_type_sort,
    ideal_type_sorts,
    list_studies,
    load_study,
    parse_study,
    perspectives,
    simulate_participants,
    study_to_yaml,
)
from studies.fit import sort_problems

STATEMENTS_DIR = Path(__file__).resolve().parent.parent / "statements"
COPRO = STATEMENTS_DIR / "coproduction.yaml"
PERSPECTIVES = ("clarification", "elucidation", "provocation")


@pytest.fixture(scope="module")
def copro() -> StudyDefinition:
    return load_study(COPRO)


# ---------------------------------------------------------------------------
# a small valid study, as text, to break in many ways
# ---------------------------------------------------------------------------
VALID = """\
slug: tea
title: How do you like your tea?
grid:
  low: -1
  high: 1
  heights: [1, 2, 1]
  labels: [Disagree, Neutral, Agree]
instruction: Sort the statements.
welcome: Welcome.
consent: Taking part is voluntary.
thank_you: Thank you.
presort_piles:
  - {id: disagree, label: Disagree}
  - {id: agree, label: Agree}
statements:
  - id: t1
    text: Tea should be made with boiling water.
    tags: {view: purist}
  - id: t2
    text: Milk goes in first.
  - id: t3
    text: Any tea is better than no tea.
  - id: t4
    text: Tea bags are as good as loose leaves.
postsort_questions:
  - id: why_most_agree
    text: Why this one?
    kind: textarea
    about: agree_extreme
demographic_questions:
  - id: role
    text: Your role?
    kind: choice
    options: [drinker, maker]
"""


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line number of the nth line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not found {nth} times"
    return hits[nth - 1]


def problems_of(text: str, name: str = "tea.yaml") -> list[str]:
    with pytest.raises(StudyError) as info:
        parse_study(text, name=name)
    return info.value.problems


def write(tmp_path: Path, text: str, name: str = "tea.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_example_loads(tmp_path):
    defn = load_study(write(tmp_path, VALID))
    assert defn.slug == "tea"
    assert defn.statement_ids() == ["t1", "t2", "t3", "t4"]
    assert defn.grid == Grid.from_range(-1, 1, [1, 2, 1])
    assert defn.grid.labels == ("Disagree", "Neutral", "Agree")
    assert defn.statements[0].tags == {"view": "purist"}
    assert defn.postsort_questions[0].about == "agree_extreme"
    assert defn.demographic_questions[0].options == ("drinker", "maker")
    assert defn.presort_piles == (Pile("disagree", "Disagree"), Pile("agree", "Agree"))


def test_readme_example_loads():
    readme = (STATEMENTS_DIR / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", readme, re.S).group(1)
    defn = parse_study(example, name="tea.yaml")
    assert len(defn.statements) == defn.grid.n_statements == 4


# ---------------------------------------------------------------------------
# every validation message names the line and the problem
# ---------------------------------------------------------------------------
def _case(old: str, new: str):
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


VALIDATION_CASES = [
    # id, broken text, needle for the expected line, words the message must contain
    ("grid total",
     _case("heights: [1, 2, 1]", "heights: [1, 3, 1]"),
     "heights:", ["grid columns hold 5 statements", "heights 1 + 3 + 1", "4 statements"]),
    ("duplicate statement id",
     _case("  - id: t3\n", "  - id: t2\n"),
     ("id: t2", 2), ["duplicate statement id 't2'", f"line {line_of(VALID, 'id: t2')}"]),
    ("empty text",
     _case("text: Milk goes in first.", "text: ''"),
     "text: ''", ["statement 't2'", "text is empty"]),
    ("blank text",
     _case("text: Milk goes in first.", "text:"),
     ("text:", 2), ["statement 't2'", "text is empty"]),
    ("unknown top-level key",
     _case("thank_you: Thank you.\n", "thank_you: Thank you.\ncolour: blue\n"),
     "colour:", ["unknown key 'colour'", "in the study", "allowed:"]),
    ("unknown statement key with suggestion",
     _case("text: Milk goes in first.", "txt: Milk goes in first."),
     "txt:", ["unknown key 'txt'", "statement 't2'", "did you mean 'text'?"]),
    ("bad question kind",
     _case("kind: textarea", "kind: essay"),
     "kind: essay", ["unknown question kind 'essay'", "text, textarea, choice, number"]),
    ("missing required top-level field",
     _case("thank_you: Thank you.\n", ""),
     "slug:", ["missing the required field 'thank_you'"]),
    ("missing statement text",
     _case("    text: Milk goes in first.\n", ""),
     "id: t2", ["statement 't2' is missing the required field 'text'"]),
    ("missing question kind",
     _case("    kind: textarea\n", ""),
     "id: why_most_agree", ["post-sort question 'why_most_agree' is missing the required "
                            "field 'kind'"]),
    ("labels count",
     _case("labels: [Disagree, Neutral, Agree]", "labels: [Disagree, Agree]"),
     "labels:", ["3 columns but 2 column labels"]),
    ("missing labels",
     _case("  labels: [Disagree, Neutral, Agree]\n", ""),
     "grid:", ["grid is missing the required field 'labels'"]),
    ("heights count against low/high",
     _case("high: 1", "high: 2"),
     "heights:", ["4 columns (-1 to +2) but 3 column heights"]),
    ("non-numeric height",
     _case("heights: [1, 2, 1]", "heights: [1, two, 1]"),
     "heights:", ["grid heights: 'two' is not a whole number"]),
    ("choice without options",
     _case("    options: [drinker, maker]\n", ""),
     "id: role", ["choice question needs at least 2 options"]),
    ("options on a non-choice question",
     _case("kind: textarea", "kind: textarea\n    options: [a, b]"),
     "options: [a, b]", ["only choice questions take options"]),
    ("bad about",
     _case("about: agree_extreme", "about: top"),
     "about: top", ["about must be one of agree_extreme, disagree_extreme"]),
    ("about on a demographic question",
     _case("    options: [drinker, maker]\n", "    options: [drinker, maker]\n    about: agree_extreme\n"),
     ("about: agree_extreme", 2), ["'about' is only for post-sort questions"]),
    ("yes/no read as booleans",
     _case("options: [drinker, maker]", "options: [yes, no]"),
     "options: [yes, no]", ["option 1 must be non-empty text", "put the text in quotes"]),
    ("required not a boolean",
     _case("about: agree_extreme", "about: agree_extreme\n    required: maybe"),
     "required: maybe", ["required must be true or false"]),
    ("duplicate question id",
     _case("  - id: role\n", "  - id: why_most_agree\n"),
     ("id: why_most_agree", 2), ["duplicate question id 'why_most_agree'"]),
    ("duplicate pile id",
     _case("{id: agree, label: Agree}", "{id: disagree, label: Agree}"),
     ("{id: disagree", 2), ["duplicate pre-sort pile id 'disagree'"]),
    ("bad slug",
     _case("slug: tea", "slug: My Tea"),
     "slug:", ["slug 'My Tea' may only use lower-case letters"]),
    ("bad statement id",
     _case("id: t3", "id: t 3"),
     "id: t 3", ["id 't 3' may only use letters, digits"]),
    ("statements not a list",
     VALID.split("statements:")[0] + "statements: none\npostsort_questions: []\n",
     "statements:", ["statements must be a list"]),
    ("text of the wrong type",
     _case("title: How do you like your tea?", "title: [a, b]"),
     "title:", ["title must be text, not a list"]),
    ("tag value not a word",
     _case("tags: {view: purist}", "tags: {view: [a, b]}"),
     "tags:", ["tag 'view' must be a word or number"]),
    ("key twice",
     _case("welcome: Welcome.\n", "welcome: Welcome.\nwelcome: Hello.\n"),
     ("welcome:", 2), ["the key 'welcome' appears twice", f"first on line {line_of(VALID, 'welcome:')}"]),
    ("YAML syntax error",
     _case("title: How do you like your tea?", "title: [unclosed"),
     "grid:", ["YAML syntax error", "expected ',' or ']'",
                  f"started on line {line_of(VALID, 'title:')}"]),
    ("YAML indentation error",
     _case("title: How do you like your tea?", "  title: How do you like your tea?"),
     "title:", ["YAML syntax error", "mapping values are not allowed here"]),
]


@pytest.mark.parametrize("text, needle, words",
                         [c[1:] for c in VALIDATION_CASES], ids=[c[0] for c in VALIDATION_CASES])
def test_validation_message_names_line_and_problem(tmp_path, text, needle, words):
    needle, nth = needle if isinstance(needle, tuple) else (needle, 1)
    line = line_of(text, needle, nth)
    with pytest.raises(StudyError) as info:
        load_study(write(tmp_path, text))
    matching = [p for p in info.value.problems if all(w in p for w in words)]
    assert matching, f"no problem mentions {words}: {info.value.problems}"
    assert matching[0].startswith(f"tea.yaml, line {line}: "), matching[0]
    assert matching[0] in str(info.value)


def test_every_problem_is_reported_at_once_in_line_order():
    broken = (VALID.replace("heights: [1, 2, 1]", "heights: [1, 3, 1]")
              .replace("  - id: t3\n", "  - id: t2\n")
              .replace("kind: textarea", "kind: essay")
              .replace("labels: [Disagree, Neutral, Agree]", "labels: [Disagree]")
              .replace("text: Milk goes in first.", "txt: Milk goes in first.")
              .replace("welcome: Welcome.\n", "welcome: Welcome.\nwelcome: Again.\n"))
    problems = problems_of(broken)
    assert len(problems) >= 7
    text = "\n".join(problems)
    for words in ("grid columns hold 5", "3 columns but 1 column labels", "duplicate statement id",
                  "unknown key 'txt'", "missing the required field 'text'",
                  "unknown question kind 'essay'", "the key 'welcome' appears twice"):
        assert words in text
    lines = [int(re.match(r"tea\.yaml, line (\d+):", p).group(1)) for p in problems]
    assert lines == sorted(lines)


def test_empty_file_and_wrong_top_level(tmp_path):
    assert problems_of("") == ["tea.yaml, line 1: the file is empty"]
    assert "the study must be a mapping" in problems_of("- a\n- b\n")[0]


def test_unreadable_file(tmp_path):
    with pytest.raises(StudyError, match="cannot read the file"):
        load_study(tmp_path / "missing.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(StudyError, match="not UTF-8"):
        load_study(bad)


def test_from_dict_validates_like_the_loader_with_field_paths():
    d = parse_study(VALID, name="tea.yaml").to_dict()
    d["statements"][2]["id"] = "t2"
    d["statements"][0]["text"] = "  "
    d["grid"]["heights"] = [1, 1, 1]
    d["postsort_questions"][0]["kind"] = "essay"
    d["bogus"] = 1
    with pytest.raises(StudyError) as info:
        StudyDefinition.from_dict(d)
    text = str(info.value)
    assert "statements[2].id: duplicate statement id 't2'" in text
    assert "statements[0].text: statement 't1': text is empty" in text
    assert "grid.heights: the grid columns hold 3 statements" in text
    assert "postsort_questions[0].kind: post-sort question 'why_most_agree': unknown question kind" in text
    assert "bogus: unknown key 'bogus'" in text
    assert len(info.value.problems) == 5


def test_direct_construction_is_checked():
    grid = Grid.from_range(-1, 1, [1, 1, 1], ["a", "b", "c"])
    stmts = (Statement("s1", "one"), Statement("s1", "two"), Statement("s3", "three"))
    with pytest.raises(StudyError, match="duplicate statement id 's1'"):
        StudyDefinition("x", "X", stmts, grid, "i", "w", "c", "t")
    with pytest.raises(StudyError, match="unknown question kind 'essay'"):
        StudyDefinition("x", "X", stmts[:1] + stmts[2:] + (Statement("s4", "four"),), grid,
                        "i", "w", "c", "t",
                        postsort_questions=(Question("q", "Why?", "essay"),))
    with pytest.raises(StudyError, match="needs column labels"):
        StudyDefinition("x", "X", (Statement("a", "A"), Statement("b", "B")),
                        Grid.from_range(0, 1, [1, 1]), "i", "w", "c", "t")


def test_dataclasses_are_frozen_and_hashable(copro):
    with pytest.raises(AttributeError):
        copro.title = "other"  # type: ignore[misc]
    assert len({*copro.statements}) == 36
    assert hash(copro) == hash(load_study(COPRO))


# ---------------------------------------------------------------------------
# round trip and fingerprint
# ---------------------------------------------------------------------------
def test_round_trip_load_dump_load(tmp_path, copro):
    out = tmp_path / "copy.yaml"
    dump_study(copro, out)
    again = load_study(out)
    assert again == copro
    assert again.to_dict() == copro.to_dict()
    assert again.grid.labels == copro.grid.labels        # Grid equality ignores labels
    assert again.fingerprint() == copro.fingerprint()
    # and a second dump is byte-identical (stable output)
    dump_study(again, tmp_path / "copy2.yaml")
    assert (tmp_path / "copy2.yaml").read_text() == out.read_text()


def test_round_trip_of_the_small_study_and_non_contiguous_grid(tmp_path):
    defn = parse_study(VALID, name="tea.yaml")
    dump_study(defn, tmp_path / "t.yaml")
    assert load_study(tmp_path / "t.yaml").to_dict() == defn.to_dict()
    d = defn.to_dict()
    d["grid"] = {"scores": [-2, 0, 2], "heights": [1, 2, 1], "labels": ["no", "meh", "yes"]}
    odd = StudyDefinition.from_dict(d)
    dump_study(odd, tmp_path / "odd.yaml")
    assert "scores: [-2, 0, 2]" in (tmp_path / "odd.yaml").read_text()
    assert load_study(tmp_path / "odd.yaml").to_dict() == odd.to_dict()


def test_to_dict_is_json_safe_and_from_dict_inverts_it(copro):
    d = json.loads(json.dumps(copro.to_dict()))
    assert StudyDefinition.from_dict(d) == copro
    assert StudyDefinition.from_dict(d).fingerprint() == copro.fingerprint()


_yaml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn")),
                     min_size=1, max_size=60).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_yaml_text, min_size=4, max_size=4),
       welcome=st.text(min_size=1, max_size=80).filter(lambda s: s.strip()),
       option=st.sampled_from(["yes", "no", "on", "1", "-1", "null", "~", "a: b", "# x", "[x]"]))
def test_round_trip_survives_awkward_text(tmp_path_factory, texts, welcome, option):
    defn = parse_study(VALID, name="tea.yaml")
    d = defn.to_dict()
    for s, t in zip(d["statements"], texts):
        s["text"] = t
    d["welcome"] = welcome.replace("\r", "").replace("\x00", "")
    if not d["welcome"].strip():
        d["welcome"] = "hello"
    d["demographic_questions"][0]["options"] = [option, "other"]
    d["statements"][1]["tags"] = {"theme": "1", "flag": option}
    try:
        defn = StudyDefinition.from_dict(d)
    except StudyError:
        return  # e.g. a welcome made only of characters YAML treats as blank
    again = parse_study(study_to_yaml(defn), name="t.yaml")
    assert again.to_dict() == defn.to_dict()


def test_fingerprint_changes_with_content(copro):
    base = copro.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    d = copro.to_dict()
    d["statements"][0]["text"] += " Really."
    assert StudyDefinition.from_dict(d).fingerprint() != base
    for change in (
        lambda d: d["grid"].update(heights=[3, 2, 4, 6, 6, 6, 4, 3, 2]),
        lambda d: d["grid"]["labels"].__setitem__(0, "Strongly disagree!"),
        lambda d: d["statements"][3]["tags"].update(angle="worry"),
        lambda d: d["postsort_questions"][2].update(required=True),
        lambda d: d["demographic_questions"][0]["options"].append("student"),
        lambda d: d.update(consent=d["consent"] + " More."),
    ):
        d = copro.to_dict()
        change(d)
        assert StudyDefinition.from_dict(d).fingerprint() != base


def test_fingerprint_ignores_reformatting(tmp_path):
    base = parse_study(VALID, name="tea.yaml").fingerprint()
    reformatted = """\
# a comment
title: "How do you like
  your tea?"
slug: 'tea'
grid: {labels: [Disagree, Neutral, Agree], heights: [1,2,1], low: -1, high: 1}
instruction: >
  Sort the
  statements.
welcome: |
  Welcome.
consent:    Taking part is voluntary.
thank_you: Thank you.
presort_piles:
- id: disagree
  label: Disagree
- {label: Agree, id: agree}
statements:
- {id: t1, tags: {view: purist}, text: "Tea should be made   with boiling water."}
- id: t2
  text: >-
    Milk goes
    in first.
- id: t3
  text: Any tea is better than no tea.    # trailing comment
- {id: t4, text: 'Tea bags are as good as loose leaves.'}
postsort_questions:
- {id: why_most_agree, kind: textarea, about: agree_extreme, text: "Why this one?"}
demographic_questions:
- id: role
  kind: choice
  text: Your role?
  options:
  - drinker
  - maker
"""
    assert load_study(write(tmp_path, reformatted, "re.yaml")).fingerprint() == base


# ---------------------------------------------------------------------------
# the co-production study
# ---------------------------------------------------------------------------
def test_coproduction_study_shape(copro):
    assert copro.slug == "coproduction"
    assert len(copro.statements) == 36
    assert copro.grid.scores == tuple(range(-4, 5))
    assert copro.grid.heights == (2, 3, 4, 6, 6, 6, 4, 3, 2)
    assert len(copro.grid.labels) == 9
    assert copro.grid.labels[0] == "Most disagree" and copro.grid.labels[-1] == "Most agree"
    assert "most disagree with (-4)" in copro.instruction and "(+4)" in copro.instruction
    assert {p.id for p in copro.presort_piles} == {"agree", "neutral", "disagree"}
    abouts = [q.about for q in copro.postsort_questions]
    assert abouts.count("agree_extreme") == 1 and abouts.count("disagree_extreme") == 1
    assert any(q.about is None and q.kind == "textarea" for q in copro.postsort_questions)
    demo = {q.id: q for q in copro.demographic_questions}
    assert [q.kind for q in copro.demographic_questions] == ["choice", "number", "text"]
    assert demo["role"].options == ("community member", "practitioner", "researcher",
                                    "policy-maker", "funder", "other")
    assert not any(q.required for q in copro.questions())
    for word in ("anonymous", "voluntary", "stop at any time", "store"):
        assert word in copro.consent
    assert copro.welcome and copro.thank_you
    assert COPRO in list_studies(STATEMENTS_DIR)


def test_coproduction_design_is_balanced(copro):
    cells = Counter((s.tags["perspective"], s.tags["theme"]) for s in copro.statements)
    assert set(cells) == {(p, str(t)) for p in PERSPECTIVES for t in range(1, 7)}
    assert set(cells.values()) == {2}
    for p in PERSPECTIVES:
        for t in range(1, 7):
            angles = sorted(s.tags["angle"] for s in copro.statements
                            if s.tags["perspective"] == p and s.tags["theme"] == str(t))
            assert angles == ["belief", "worry"], (p, t)
    names = {}
    for s in copro.statements:
        assert set(s.tags) == {"perspective", "theme", "theme_name", "angle"}
        names.setdefault(s.tags["theme"], set()).add(s.tags["theme_name"])
    assert all(len(v) == 1 for v in names.values())
    assert len({next(iter(v)) for v in names.values()}) == 6


def test_coproduction_statement_wording(copro):
    texts = [s.text for s in copro.statements]
    assert len(set(texts)) == 36
    for s in copro.statements:
        n_words = len(s.text.split())
        assert 8 <= n_words <= 25, (s.id, n_words)
        assert s.text[0].isupper() and s.text.endswith("."), s.id
        assert s.text.count(".") == 1, f"{s.id}: one sentence, one idea"
        lowered = s.text.lower()
        for tag_word in PERSPECTIVES + ("belief", "worry"):
            assert tag_word not in lowered, (s.id, tag_word)
        # no double negatives
        negatives = re.findall(r"\b(not|no|never|nothing|nobody|none|neither|nor|without|"
                               r"cannot|can't|don't|doesn't|isn't|won't)\b", lowered)
        assert len(negatives) <= 1, (s.id, negatives)


def test_coproduction_ids_are_neutral(copro):
    ids = copro.statement_ids()
    assert ids == [f"c{i:02d}" for i in range(1, 37)]
    # the file order (= id order) does not follow the design: no long runs of one perspective
    seq = [s.tags["perspective"] for s in copro.statements]
    assert max(len(list(g)) for g in _runs(seq)) <= 4
    assert seq[:12] != [seq[0]] * 12


def _runs(seq):
    run = [seq[0]]
    for x in seq[1:]:
        if x == run[-1]:
            run.append(x)
        else:
            yield run
            run = [x]
    yield run


def test_list_studies(tmp_path):
    write(tmp_path, VALID, "b.yaml")
    write(tmp_path, VALID, "a.yml")
    write(tmp_path, VALID, "_draft.yaml")
    write(tmp_path, "notes", "README.md")
    assert [p.name for p in list_studies(tmp_path)] == ["a.yml", "b.yaml"]
    assert list_studies(tmp_path / "nope") == []


# ---------------------------------------------------------------------------
# check_placements
# ---------------------------------------------------------------------------
def _valid_placements(defn, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.permutation(defn.grid.distribution())
    return {sid: int(v) for sid, v in zip(defn.statement_ids(), values)}


def test_check_placements_accepts_any_grid_filling(copro):
    for seed in range(5):
        copro.check_placements(_valid_placements(copro, seed))
    copro.check_placements({k: np.int64(v) for k, v in _valid_placements(copro).items()})


def test_check_placements_errors(copro):
    good = _valid_placements(copro)
    missing = dict(good)
    del missing["c05"]
    with pytest.raises(StudyError, match=r"participant p7 leaves 1 statement unplaced: 'c05'"):
        copro.check_placements(missing, who="participant p7")

    unknown = dict(good, c99=0)
    with pytest.raises(StudyError, match=r"the Q-sort places 1 unknown statement: 'c99'"):
        copro.check_placements(unknown)

    both = dict(missing, zz=1)
    with pytest.raises(StudyError) as info:
        copro.check_placements(both, who="p1")
    assert len(info.value.problems) == 2 and "2 problems with p1" in str(info.value)

    for bad in (1.5, "2", True, None):
        with pytest.raises(StudyError, match="is not a whole number"):
            copro.check_placements(dict(good, c01=bad))

    top = [k for k, v in good.items() if v == 4][0]
    low = [k for k, v in good.items() if v == -4][0]
    over = dict(good, **{low: 4})
    with pytest.raises(StudyError) as info:
        copro.check_placements(over, who="participant 'ann'")
    msg = str(info.value)
    assert "participant 'ann' does not follow the grid" in msg
    assert "column -4 holds 1 statements, 1 under its 2" in msg
    assert "column +4 holds 3 statements, 1 over its 2" in msg
    assert top in good

    with pytest.raises(StudyError, match="score \\+5 is not a column"):
        copro.check_placements(dict(good, **{top: 5}))
    with pytest.raises(StudyError, match="must map statement ids to scores"):
        copro.check_placements([1, 2, 3])


def test_check_placements_gives_the_problems_as_data(copro):
    good = _valid_placements(copro)
    assert sort_problems(copro, good) == []
    both = {k: v for k, v in good.items() if k != "c05"}
    both["zz"] = 1
    with pytest.raises(StudyError) as info:
        copro.check_placements(both, who="p1")
    assert [(d.code, d.statements) for d in info.value.details] == [
        ("unknown_statements", ("zz",)), ("unplaced", ("c05",))]
    assert info.value.problems == [d.message for d in info.value.details]
    top = [k for k, v in good.items() if v == 4]
    low = [k for k, v in good.items() if v == -4]
    [grid] = sort_problems(copro, dict(good, **{low[0]: 4}))
    assert grid.code == "grid"
    assert [(c.score, c.count, c.room) for c in grid.columns] == [(-4, 1, 2), (4, 3, 2)]
    assert set(grid.columns[1].statements) == {*top, low[0]}


# ---------------------------------------------------------------------------
# ideal types
# ---------------------------------------------------------------------------
def test_perspectives(copro):
    assert perspectives(copro) == list(PERSPECTIVES)
    assert perspectives(copro, tag="nope") == []


@pytest.mark.parametrize("perspective", PERSPECTIVES)
@pytest.mark.parametrize("tie_break", [0, 1, 7, "design"])
def test_ideal_type_fits_grid_with_perspective_on_top(copro, perspective, tie_break):
    sort = ideal_type_sort(copro, perspective, tie_break=tie_break)
    copro.check_placements(sort)
    members = {s.id for s in copro.statements if s.tags["perspective"] == perspective}
    assert len(members) == 12
    top12 = sorted(copro.grid.distribution().tolist(), reverse=True)[:12]
    assert sorted((sort[i] for i in members), reverse=True) == top12
    assert min(sort[i] for i in members) >= max(v for k, v in sort.items() if k not in members)


def test_ideal_type_is_deterministic_and_documented_rule(copro):
    a = ideal_type_sort(copro, "elucidation")
    assert a == ideal_type_sort(copro, "elucidation", tie_break=0)
    assert a == ideal_type_sorts(copro)["elucidation"]
    assert a == ideal_type_sort(load_study(COPRO), "elucidation")
    # reordering the statements in the file changes nothing (the rule hashes ids)
    d = copro.to_dict()
    d["statements"].reverse()
    assert ideal_type_sort(StudyDefinition.from_dict(d), "elucidation") == a
    # the design rule: theme then belief before worry within the perspective
    design = ideal_type_sort(copro, "provocation", tie_break="design")
    order = sorted((s for s in copro.statements if s.tags["perspective"] == "provocation"),
                   key=lambda s: (int(s.tags["theme"]), s.tags["angle"]))
    assert [design[s.id] for s in order] == [4, 4, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1]


def test_alternative_tie_break_changes_nothing_material(copro):
    ids = copro.statement_ids()
    for p in PERSPECTIVES:
        a = ideal_type_sort(copro, p)
        b = alternative_ideal_type_sort(copro, p)
        assert a != b                                       # a different tie-break...
        top_a = {k for k, v in a.items() if v >= 1 and k in _members(copro, p)}
        top_b = {k for k, v in b.items() if v >= 1 and k in _members(copro, p)}
        assert top_a == top_b == _members(copro, p)         # ...same statements on top
        # and the tie-free profile correlates identically with both
        prof = np.array([ideal_type_profile(copro, p)[i] for i in ids])
        ra = np.corrcoef(prof, [a[i] for i in ids])[0, 1]
        rb = np.corrcoef(prof, [b[i] for i in ids])[0, 1]
        assert ra == pytest.approx(rb) == pytest.approx(np.sqrt(2.722222 / 4.5), abs=1e-4)


def _members(defn, p):
    return {s.id for s in defn.statements if s.tags["perspective"] == p}


def test_ideal_type_errors(copro):
    with pytest.raises(StudyError, match="known values: clarification, elucidation, provocation"):
        ideal_type_sort(copro, "confusion")
    with pytest.raises(StudyError, match="tie_break must be"):
        ideal_type_sort(copro, "provocation", tie_break=1.5)


# ---------------------------------------------------------------------------
# simulated participants
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(copro):
    return simulate_participants(copro, n=40, seed=0)


def test_simulated_participants_fit_grid_and_are_labelled(copro, demo):
    assert [p["participant_id"] for p in demo] == [f"demo-{i:02d}" for i in range(1, 41)]
    for p in demo:
        assert p["synthetic"] is True
        copro.check_placements(p["placements"], who=p["participant_id"])
        for sid, score in p["placements"].items():
            expected = "agree" if score > 0 else "disagree" if score < 0 else "neutral"
            assert p["presort"][sid] == expected
        assert set(p["answers"]) <= {q.id for q in copro.postsort_questions}
        assert all(isinstance(a, str) and a for a in p["answers"].values())
        demo_q = {q.id: q for q in copro.demographic_questions}
        assert set(p["demographics"]) <= set(demo_q)
        if "role" in p["demographics"]:
            assert p["demographics"]["role"] in demo_q["role"].options
        if "years_involved" in p["demographics"]:
            assert isinstance(p["demographics"]["years_involved"], int)
    json.dumps(demo)                                           # storable as JSON


def test_simulated_composition(demo):
    pure = Counter(next(iter(p["simulated_view"])) for p in demo if len(p["simulated_view"]) == 1)
    mixed = [p for p in demo if len(p["simulated_view"]) == 2]
    assert len(mixed) == 6
    assert sorted(pure.values()) == [11, 11, 12] and set(pure) == set(PERSPECTIVES)
    for p in mixed:
        assert sum(p["simulated_view"].values()) == pytest.approx(1.0, abs=1e-3)
    # shuffled: the first dozen ids are not all one type
    assert len({tuple(p["simulated_view"]) for p in demo[:12]}) > 1
    # most participants answer the post-sort questions
    assert sum("why_most_agree" in p["answers"] for p in demo) >= 30


def test_simulation_is_deterministic_per_seed(copro, demo):
    assert simulate_participants(copro, n=40, seed=0) == demo
    other = simulate_participants(copro, n=40, seed=1)
    assert [p["placements"] for p in other] != [p["placements"] for p in demo]
    small = simulate_participants(copro, n=5, seed=3)
    assert len(small) == 5
    assert len(simulate_participants(copro, n=120, seed=0)[0]["participant_id"]) == len("demo-001")
    with pytest.raises(StudyError, match="positive whole number"):
        simulate_participants(copro, n=0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_simulated_members_correlate_most_with_their_own_ideal_type(copro, seed):
    ids = copro.statement_ids()
    ideal = {p: np.array([ideal_type_sort(copro, p)[i] for i in ids]) for p in PERSPECTIVES}
    alt = {p: np.array([alternative_ideal_type_sort(copro, p)[i] for i in ids]) for p in PERSPECTIVES}
    own, others = [], []
    for person in simulate_participants(copro, n=40, seed=seed):
        view = person["simulated_view"]
        x = np.array([person["placements"][i] for i in ids])
        r = {p: np.corrcoef(x, ideal[p])[0, 1] for p in PERSPECTIVES}
        r_alt = {p: np.corrcoef(x, alt[p])[0, 1] for p in PERSPECTIVES}
        if len(view) == 1:
            (p,) = view
            assert r[p] > max(r[q] for q in PERSPECTIVES if q != p), (person["participant_id"], r)
            # the tie-break rule does not change whom a member matches best
            assert max(r_alt, key=r_alt.get) == p
            own.append(r[p])
            others += [r[q] for q in PERSPECTIVES if q != p]
        else:
            # a mixed participant is closer to its two perspectives, on average, than to the third
            (third,) = set(PERSPECTIVES) - set(view)
            assert np.mean([r[q] for q in view]) > r[third], (person["participant_id"], r)
    assert np.mean(own) > 0.4
    assert np.mean(others) < 0.0


def test_simulation_needs_perspective_tags(tmp_path):
    defn = parse_study(VALID, name="tea.yaml")
    with pytest.raises(StudyError, match="no statements tagged 'perspective'"):
        simulate_participants(defn)
    sims = simulate_participants(defn, n=6, seed=0, tag="view")
    for p in sims:
        defn.check_placements(p["placements"])
