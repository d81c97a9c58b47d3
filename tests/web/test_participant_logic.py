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
def db_url(tmp_path_factory) -> str:
    return "sqlite:///" + str(tmp_path_factory.mktemp("logic") / "db.sqlite3")


@pytest.fixture(scope="module")
def store(db_url):
    st = s.open_store(db_url)
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
        if "querySelector" in text or "createElement" in text:     # it shows text
            assert "textContent" in text, path
    for path in (ROOT / "webapp" / "participant").rglob("*.js"):
        text = path.read_text()
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, path


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

    half = {"rev": 3, "ts": s.now_ms(), "columns": {"-4": [5, 6], "0": [1]}}
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


def test_a_study_without_questions_is_submitted_when_the_grid_is_finished(store):
    bare = dataclasses.replace(DEFN, slug="no-questions", postsort_questions=(),
                               demographic_questions=())
    store.publish_study(bare)
    token = store.create_invitations("no-questions", 1)[0]
    p = s.load_participant(store, "no-questions", token)
    s.give_consent(p)
    p.save(step="grid")
    assert grid.accept(p, full_grid(p)) is None
    assert store.count_responses("no-questions") == 1
    assert p.step == "thanks"
    record = store.responses("no-questions")[0]
    assert record.placements == p.placements()


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


def at_grid(store) -> s.Participant:
    p = consented(store)
    p.save(step="presort")
    assert presort.accept(p, {"rev": 1, "piles": {str(n): "agree" for n in range(1, 37)}}) is None
    assert p.step == "grid"
    return p


def test_drafts_are_ordered_by_time_not_by_each_devices_revision(store):
    # revisions count per device: the time stamps decide, the revision breaks ties
    assert s.is_newer({"rev": 3, "ts": 2000}, {"rev": 30, "ts": 1000})
    assert not s.is_newer({"rev": 30, "ts": 1000}, {"rev": 3, "ts": 2000})
    assert s.is_newer({"rev": 4, "ts": 2000}, {"rev": 3, "ts": 2000})
    assert s.is_newer({"rev": 4}, {"rev": 3}) and not s.is_newer({"rev": 3, "ts": 5}, {"rev": 4})

    p = at_grid(store)
    now = s.now_ms()
    laptop = {"rev": 20, "ts": now - 60_000, "columns": {"-4": [1, 2]}}
    phone = {"rev": 2, "ts": now - 30_000, "columns": {"-4": [3]}}        # later, fewer revisions
    assert grid.save_draft(p, laptop)
    assert grid.save_draft(p, phone)
    assert p.columns() == {"-4": [p.order[2]]}
    # the laptop's older copy (a higher revision) does not overwrite the phone's work
    stale = {"rev": 21, "ts": now - 45_000, "columns": {"-4": [1, 2, ]}}
    assert not grid.save_draft(p, stale)
    assert s.load_participant(store, p.slug, p.token).columns() == {"-4": [p.order[2]]}
    data = grid.component_data(s.load_participant(store, p.slug, p.token))
    assert data["draft"]["ts"] == phone["ts"] and data["draft"]["rev"] == 2
    assert abs(data["now_ms"] - s.now_ms()) < 5_000     # the browser corrects its clock by this
    # a browser clock far in the future cannot win every later comparison
    future = {"rev": 3, "ts": now + 10 * 60_000, "columns": {"-4": [4]}}
    assert grid.save_draft(p, future)
    assert s.stamp(p.draft["grid"])[0] <= s.now_ms()

    # the same for the pre-sort
    q = consented(store)
    q.save(step="presort")
    assert presort.save_draft(q, {"rev": 9, "ts": now - 9_000, "piles": {"1": "agree"}})
    assert presort.save_draft(q, {"rev": 1, "ts": now - 1_000, "piles": {"1": "disagree"}})
    assert not presort.save_draft(q, {"rev": 10, "ts": now - 5_000, "piles": {"1": "neutral"}})
    assert q.presort() == {q.order[0]: "disagree"}


def test_no_grid_draft_is_taken_after_continue(store):
    p = at_grid(store)
    complete = full_grid(p)
    complete["ts"] = s.now_ms()
    assert grid.accept(p, complete) is None
    assert p.step == "postsort"
    accepted = p.columns()
    # a later autosave (sent after Continue, or by a stale tab) changes nothing
    late = {"rev": 99, "ts": s.now_ms() + 1_000, "columns": {"-4": [1]}}
    assert grid.save_draft(p, late) is False
    assert s.load_participant(store, p.slug, p.token).columns() == accepted
    # a second Continue (double press, another tab) keeps the accepted grid and step
    other = full_grid(p)
    other["columns"]["-4"], other["columns"]["4"] = other["columns"]["4"], other["columns"]["-4"]
    assert grid.accept(p, other) is None
    again = s.load_participant(store, p.slug, p.token)
    assert again.columns() == accepted and again.step == "postsort"
    # going back to the grid on purpose makes it editable again
    p.save(step="grid")
    assert grid.save_draft(p, late)
    # the pre-sort likewise: no pile changes once the grid step has begun
    q = at_grid(store)
    assert presort.save_draft(q, {"rev": 50, "ts": s.now_ms() + 1_000, "piles": {"1": "disagree"}}) is False
    assert set(q.presort().values()) == {"agree"}


def test_problems_speak_of_numbers_and_questions_not_ids(store):
    from webapp.participant import demographics

    p = at_grid(store)
    half = {"rev": 3, "ts": s.now_ms(), "columns": {"-4": [5, 6], "0": [1]}}
    message = grid.accept(p, half)
    assert message.startswith("The grid is not complete yet")
    assert "33 statements are not placed yet (2, 3, 4, 7, 8, 9 …)" in message
    two_gaps = full_grid(p)
    two_gaps["columns"] = {k: [n for n in v if n not in (4, 7)] for k, v in two_gaps["columns"].items()}
    assert "statements 4 and 7 are not placed yet." in grid.accept(p, two_gaps)
    too_full = {"rev": 4, "ts": s.now_ms(), "columns": {"-4": [1, 2, 3]}}
    assert "column -4 holds 3 statements but has room for 2" in grid.accept(p, too_full)
    # the same rule as the server's (studies.fit), worded for the participant
    placed = {p.statement_id(n): int(score)
              for score, ns in full_grid(p)["columns"].items() for n in ns}
    assert p.grid_problems(placed) == []
    assert p.grid_problems(dict(placed, **{p.order[0]: 7})) == [
        "statement 1 is in column +7, which the grid does not have; "
        "column -4 holds 1 statement but needs 2"]
    assert p.grid_problems(dict(placed, nope=0)) == [
        "the grid holds a statement that is not in this study"]
    missing_and_unknown = {k: v for k, v in placed.items() if k != p.order[3]}
    assert p.grid_problems(dict(missing_and_unknown, nope=0)) == ["statement 4 is not placed yet"]

    # the grid stored is somehow incomplete when the participant submits
    grid.save_draft(p, half)
    p.save(step="demographics")
    problem = demographics.submit(p, "agent")
    assert problem.startswith("Your answers could not be submitted yet")
    assert "your grid is not complete (33 statements are not placed yet (2, 3" in problem
    ids = [st.id for st in DEFN.statements] + [q.id for q in DEFN.questions()]
    for sid in ids:
        assert f"'{sid}'" not in problem and f" {sid}" not in problem, (sid, problem)
    assert demographics.submission_problems(p)
    assert p.unplaced() and 5 not in p.unplaced()

    # the store's problems carry data (codes, ids), worded here in the participant's terms
    sid, qid = p.order[6], "years_involved"
    placements = {p.statement_id(n): int(score)
                  for score, ns in full_grid(p)["columns"].items() for n in ns}
    del placements[sid]
    with pytest.raises(storage.InvalidSubmission) as refused:
        storage.validate_submission(p.definition, storage.Submission(
            placements=placements, answers={qid: "many"}))
    assert [(x.code, x.statements, x.question) for x in refused.value.details] == [
        ("unplaced", (sid,), None), ("not_a_number", (), qid)]
    assert sid in str(refused.value)                     # the researcher's text names ids
    assert p.problem_texts(refused.value) == [
        "statement 7 is not placed yet",
        "the answer to “For how many years have you been involved in co-production?” must be a number"]
    problem = s.problem_for(refused.value, p)
    assert problem.kind == "invalid" and sid not in problem.message
    assert problem.message.startswith("Statement 7 is not placed yet; the answer to “For how")

    # a required question left empty is named by its text
    required = dataclasses.replace(
        DEFN, slug="required-demo",
        demographic_questions=tuple(dataclasses.replace(q, required=(q.id == "role"))
                                    for q in DEFN.demographic_questions))
    store.publish_study(required)
    token = store.create_invitations("required-demo", 1)[0]
    r = s.load_participant(store, "required-demo", token)
    s.give_consent(r)
    r.save(step="presort")
    presort.accept(r, {"rev": 1, "piles": {str(n): "agree" for n in range(1, 37)}})
    grid.accept(r, full_grid(r))
    r.save(step="demographics")
    problem = demographics.submit(r)
    # (escaped: the message is shown as markdown)
    assert "“Which best describes your main role in co\\-production\\?”" in problem
    assert "'role'" not in problem


def test_demographics_say_optional_only_when_every_question_is():
    from webapp.participant import demographics

    questions = DEFN.demographic_questions
    assert "optional" in demographics.intro(questions)
    one = tuple(dataclasses.replace(q, required=(i == 0)) for i, q in enumerate(questions))
    assert "These questions are optional" not in demographics.intro(one)
    assert "not marked “(optional)”" in demographics.intro(one)
    every = tuple(dataclasses.replace(q, required=True) for q in questions)
    assert "optional" not in demographics.intro(every)


def test_a_used_link_is_met_kindly_and_its_thanks_can_be_shown_again(store):
    problem = s.problem_for(storage.AlreadySubmitted())
    assert problem.kind == "used_link"
    assert problem.title == "You have already taken part. Thank you!"
    assert "contact the research team" not in problem.message
    assert "did not submit" not in problem.message

    p = at_grid(store)
    grid.accept(p, full_grid(p))
    assert s.submitted_study(store, p.slug, p.token) is None          # not submitted yet
    p.submit("agent")
    study = s.submitted_study(store, p.slug, p.token)
    assert study is not None and study.version == p.study.version
    assert s.submitted_study(store, "coproduction-demo", p.token) is None
    assert s.submitted_study(store, p.slug, "no-such-token") is None


def test_typed_answers_restored_from_the_browser_are_checked_and_saved(store):
    from webapp.participant import questions as qs

    by_id = {q.id: q for q in DEFN.questions()}
    assert qs.restored_value(by_id["years_involved"], " 12 ") == 12
    assert qs.restored_value(by_id["years_involved"], "2.5") == 2.5
    for bad in ("twelve", "-3", "nan", "inf", None, 7):
        assert qs.restored_value(by_id["years_involved"], bad) is None
    assert qs.restored_value(by_id["missing"], "x" * 20_000) == "x" * 10_000
    assert qs.widget_class("why_most_agree") == "st-key-qs_q_why_most_agree"
    assert qs.widget_class("a.b c") == "st-key-qs_q_a-b-c"

    p = at_grid(store)
    grid.accept(p, full_grid(p))
    before = s.now_ms()
    qs.save_answers(p, DEFN.postsort_questions,
                    values={"missing": "typed at last", "why_most_agree": None})
    again = s.load_participant(store, p.slug, p.token)
    assert again.answers()["missing"] == "typed at last"
    assert again.answer_times()["missing"] >= before      # the browser keeps older copies out


@pytest.fixture
def app(db_url, store, monkeypatch):
    """Run the participant page with Streamlit's AppTest (no browser) on the test store."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", db_url)
    s._cached_store.clear()

    def page():
        from webapp.participant import flow
        flow.page()

    def run(slug: str, token: str, **params) -> AppTest:
        at = AppTest.from_function(page, default_timeout=30)
        at.query_params.update({"study": slug, "t": token, **params})
        at.run()
        assert not at.exception, at.exception
        return at

    yield run
    s._cached_store.clear()


def test_pages_after_the_grid_offer_the_way_back_to_an_incomplete_grid(store, app):
    p = at_grid(store)
    grid.save_draft(p, {"rev": 3, "ts": s.now_ms(), "columns": {"-4": [5, 6]}})
    p.save(step="demographics")
    at = app(p.slug, p.token)
    assert any("Your grid is not complete: 34 statements are not placed yet" in w.value
               for w in at.warning), [w.value for w in at.warning]
    at.button(key="qs_fix_grid").click().run()
    assert not at.exception
    assert store.get_session(p.token).step == "grid"
    assert any("the grid" in x.value for x in at.title)

    # a complete grid: no such warning, and the button is not there
    q = at_grid(store)
    grid.accept(q, full_grid(q))
    at = app(q.slug, q.token)
    assert not at.warning and "qs_fix_grid" not in [b.key for b in at.button]


def test_thank_you_page_again_on_reload_and_kind_words_later(store, app):
    p = at_grid(store)
    grid.accept(p, full_grid(p))
    p.submit("agent")
    # the thank-you page marks its address; reloading it shows it again
    at = app(p.slug, p.token, done="1")
    assert [x.value for x in at.title] == ["Thank you"]
    assert at.success[0].value == "Your answers have been submitted."
    # the link opened later (without the mark)
    at = app(p.slug, p.token)
    assert [x.value for x in at.title] == ["You have already taken part. Thank you!"]
    # the mark does not open another study's page, nor a link not yet used
    q = at_grid(store)
    at = app(q.slug, q.token, done="1")
    assert [x.value for x in at.title] == ["Step 2: the grid"]
