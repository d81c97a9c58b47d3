"""The participant pages' logic without a browser: order, neutral numbers,
component data, drafts, errors and idempotent submission."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import storage
from studies.loader import load_study
from webapp.participant import grid, postsort, presort
from webapp.participant import session as s

ROOT = Path(__file__).resolve().parents[2]
DEFN = load_study(ROOT / "statements" / "coproduction.yaml")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    st = s.open_store("sqlite:///" + str(tmp_path_factory.mktemp("logic") / "db.sqlite3"))
    yield st
    st.close()


def consented(store) -> s.Participant:
    token = store.create_invitations("coproduction", 1)[0]
    p = s.load_participant(store, "coproduction", token)
    s.give_consent(p)
    return p


def full_grid(p: s.Participant) -> dict:
    """A complete grid in the component's format (neutral numbers)."""
    numbers = list(range(1, len(p.order) + 1))
    columns, i = {}, 0
    for score, height in zip(p.definition.grid.scores, p.definition.grid.heights):
        columns[str(score)] = numbers[i:i + height]
        i += height
    return {"rev": 5, "columns": columns}


def test_order_is_random_but_fixed_per_token():
    ids = DEFN.statement_ids()
    a = s.shuffled_ids(ids, "coproduction", "token-a")
    assert sorted(a) == sorted(ids) and a != ids
    assert s.shuffled_ids(ids, "coproduction", "token-a") == a
    assert s.shuffled_ids(ids, "coproduction", "token-b") != a


def test_components_get_texts_and_neutral_numbers_only(store):
    p = consented(store)
    for data in (grid.component_data(p), presort.component_data(p)):
        blob = json.dumps(data)
        assert [c["n"] for c in data["cards"]] == list(range(1, 37))
        assert [c["text"] for c in data["cards"]] == [p.text(i) for i in p.order]
        for st in DEFN.statements:           # no ids, no design tags
            assert f'"{st.id}"' not in blob
            for value in st.tags.values():
                assert f'"{value}"' not in blob
    cols = grid.component_data(p)["columns"]
    assert [c["capacity"] for c in cols] == [2, 3, 4, 6, 6, 6, 4, 3, 2]
    assert [pl["id"] for pl in presort.component_data(p)["piles"]] == ["disagree", "neutral", "agree"]


def test_component_js_never_writes_html():
    for path in (ROOT / "webapp" / "components").rglob("*.js"):
        text = path.read_text()
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, path
        assert "textContent" in text


def test_statement_text_goes_through_data_unchanged(store):
    nasty = dataclasses.replace(
        DEFN, slug="escape-test",
        statements=tuple(dataclasses.replace(st, text=st.text + " <img src=x onerror=alert(1)>")
                         if i == 0 else st for i, st in enumerate(DEFN.statements)))
    store.publish_study(nasty)
    token = store.create_invitations("escape-test", 1)[0]
    p = s.load_participant(store, "escape-test", token)
    texts = [c["text"] for c in grid.component_data(p)["cards"]]
    assert any(t.endswith("<img src=x onerror=alert(1)>") for t in texts)


def test_presort_and_grid_drafts_and_steps(store):
    p = consented(store)
    assert p.step == "instruction"
    p.save(step="presort")
    p.mark_entered()                                        # what the page does on showing a step
    presort.save_draft(p, {"rev": 2, "piles": {"1": "agree", "2": "disagree"}})
    assert p.presort() == {p.order[0]: "agree", p.order[1]: "disagree"}
    presort.save_draft(p, {"rev": 1, "piles": {}})          # an older copy is ignored
    assert len(p.presort()) == 2
    assert presort.accept(p, {"rev": 3, "piles": {"1": "agree"}}).startswith("Please put every")
    with pytest.raises(ValueError):
        presort.to_ids(p, {"rev": 3, "piles": {"99": "agree"}})
    with pytest.raises(ValueError):
        presort.to_ids(p, {"rev": 3, "piles": {"1": "maybe"}})
    all_piles = {str(n): "neutral" for n in range(1, 37)}
    assert presort.accept(p, {"rev": 4, "piles": all_piles}) is None
    assert p.step == "grid"
    p.mark_entered()

    # a reloaded participant gets the same draft back, in numbers
    again = s.load_participant(store, p.slug, p.token)
    assert again.step == "grid"
    assert presort.component_data(again)["draft"]["piles"] == all_piles

    half = {"rev": 3, "columns": {"-4": [5, 6], "0": [1]}}
    grid.save_draft(p, half)
    assert p.columns() == {"-4": [p.order[4], p.order[5]], "0": [p.order[0]]}
    assert grid.component_data(s.load_participant(store, p.slug, p.token))["draft"] == half
    with pytest.raises(ValueError):
        grid.to_ids(p, {"rev": 4, "columns": {"-4": [1, 1]}})
    with pytest.raises(ValueError):
        grid.to_ids(p, {"rev": 4, "columns": {"7": [1]}})
    assert "not complete" in grid.accept(p, half)
    assert grid.accept(p, full_grid(p)) is None
    assert p.step == "postsort"
    assert set(p.timings()) >= {"presort", "grid"}

    extremes = postsort.extreme_statements(p)
    assert [n for n, _ in extremes["agree_extreme"]] == [35, 36]
    assert [n for n, _ in extremes["disagree_extreme"]] == [1, 2]


def test_submit_is_idempotent_and_stores_the_placement(store):
    p = consented(store)
    p.save(step="presort")
    presort.accept(p, {"rev": 1, "piles": {str(n): "agree" for n in range(1, 37)}})
    grid.accept(p, full_grid(p))
    p.save(step="demographics", answers={"role": "funder", "missing": ""})
    first = p.submit("test-agent")
    second = p.submit("test-agent")
    assert first.created and not second.created and first.response_id == second.response_id
    record = next(r for r in store.responses("coproduction") if r.id == first.response_id)
    assert record.placements == p.placements()
    assert record.answers == {"role": "funder"}
    assert p.step == "thanks"
    with pytest.raises(storage.AlreadySubmitted):
        s.load_participant(store, p.slug, p.token)


def test_link_problems_have_clear_messages(store):
    with pytest.raises(storage.UnknownToken) as bad:
        s.load_participant(store, "coproduction", "nope")
    assert s.problem_for(bad.value).kind == "bad_link"
    with pytest.raises(storage.UnknownStudy) as unknown:
        s.load_participant(store, "nothing-here", "nope")
    assert s.problem_for(unknown.value).kind == "bad_link"
    assert s.problem_for(storage.AlreadySubmitted()).kind == "used_link"
    assert s.problem_for(storage.StudyClosed("x")).kind == "closed"
    assert s.problem_for(storage.DatabaseUnavailable("down")).kind == "connection"
    assert s.problem_for(OSError("network")).kind == "connection"

    # the page was opened on one version of the study and the store pinned another
    p = consented(store)
    p.study = dataclasses.replace(p.study, version=p.study.version + 1)
    with pytest.raises(storage.StudyVersionChanged) as changed:
        p.save(step="presort")
    problem = s.problem_for(changed.value)
    assert problem.kind == "version_changed" and "reload" in problem.message


def test_steps_skip_what_a_study_does_not_have():
    bare = dataclasses.replace(DEFN, presort_piles=(), postsort_questions=(), demographic_questions=())
    assert s.steps_for(bare) == ["welcome", "instruction", "grid", "thanks"]
    assert s.steps_for(DEFN) == list(s.STEPS)
    assert presort.pile_side("a", "Agree", 0, 3) == 1
    assert presort.pile_side("b", "Disagree", 2, 3) == -1
    assert presort.pile_side("x", "Middle", 1, 3) == 0
