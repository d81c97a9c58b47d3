"""Submitting: one transaction, idempotent per token, validated on the server."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from storage import InvalidSubmission, Submission, UnknownToken, validate_submission
from storage.models import Response
from studies.errors import ColumnCount


def consented(store, slug="tiny", n=1):
    tokens = store.create_invitations(slug, n)
    for t in tokens:
        store.start_session(slug, t)
        store.record_consent(t)
    return tokens


def test_submit_is_idempotent(store, tiny, sort_of):
    store.publish_study(tiny)
    [token] = consented(store)
    sub = Submission(placements=sort_of(0), presort={"t1": "disagree"},
                     answers={"why": "It matters.", "role": "other", "years": "3"},
                     timings={"presort": 30.5, "sort": 95}, user_agent="Firefox/140")
    first = store.submit(token, sub)
    assert first.created
    again = store.submit(token, sub)                     # a double click
    other = store.submit(token, Submission(placements=sort_of(3)))   # a retry with other data
    assert (again.response_id, again.created) == (first.response_id, False)
    assert (other.response_id, other.created) == (first.response_id, False)
    with store._tx() as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 1
    [rec] = store.responses("tiny")
    assert rec.placements == sort_of(0)                   # the first one is kept
    assert rec.presort == {"t1": "disagree"}
    assert rec.answers == {"why": "It matters.", "role": "other", "years": 3}
    assert rec.timings == {"presort": 30.5, "sort": 95.0}
    assert (rec.user_agent, rec.participant, rec.is_demo) == ("Firefox/140", "r0001", False)


def test_submit_accepts_a_plain_dict_and_coerces_whole_numbers(store, tiny, sort_of):
    store.publish_study(tiny)
    [token] = consented(store)
    placements = {k: (str(v) if i % 2 else float(v)) for i, (k, v) in enumerate(sort_of(0).items())}
    result = store.submit(token, {"placements": placements, "answers": {"why": "x"}})
    assert result.created
    assert store.responses("tiny")[0].placements == sort_of(0)


@pytest.mark.parametrize("change, message", [
    (lambda p: p.pop("t9"), r"^Your Q-sort leaves 1 statement unplaced: 't9'\.$"),
    (lambda p: p.update(t99=0), "places 1 unknown statement: 't99'"),
    (lambda p: p.update(t1=2), r"column \+2 holds 2 statements, 1 over its 1"),
    (lambda p: p.update(t1=1.5), "not a whole number"),
    (lambda p: p.update(t1=7), r"score \+7 is not a column of the grid"),
])
def test_placements_are_checked_against_the_grid(store, tiny, sort_of, change, message):
    store.publish_study(tiny)
    [token] = consented(store)
    placements = sort_of(0)
    change(placements)
    with pytest.raises(InvalidSubmission, match=message) as info:
        store.submit(token, Submission(placements=placements, answers={"why": "x"}))
    assert "\n" not in str(info.value)
    # nothing was stored, and the participant can still submit a valid sort
    assert store.count_responses("tiny") == 0
    assert store.submit(token, Submission(placements=sort_of(0), answers={"why": "x"})).created


def test_everything_else_is_checked_too(store, tiny, sort_of):
    store.publish_study(tiny)
    [token] = consented(store)
    bad = Submission(placements=sort_of(0), presort={"t1": "maybe", "zz": "agree"},
                     answers={"role": "astronaut", "years": "many", "nope": "x"},
                     timings={"sort": -1})
    with pytest.raises(InvalidSubmission) as info:
        store.submit(token, bad)
    problems = info.value.problems
    text = str(info.value)
    assert text.startswith("Your Q-sort has 7 problems:")
    for expected in ["unknown statements: 'zz'", "unknown piles: 'maybe'",
                     "'role' must be one of the options", "'years' must be a number",
                     "no question 'nope'", "question 'why' needs an answer",
                     "timing 'sort' must be a number of seconds"]:
        assert any(expected in p for p in problems), expected
    # each problem also comes as data: a code and the ids it is about
    assert problems == [p.message for p in info.value.details]
    by_code = {p.code: p for p in info.value.details}
    assert set(by_code) == {"presort_unknown_statements", "presort_unknown_piles", "not_an_option",
                            "not_a_number", "unknown_question", "answer_required", "bad_timing"}
    assert by_code["presort_unknown_statements"].statements == ("zz",)
    assert by_code["presort_unknown_piles"].values == ("maybe",)
    assert [by_code[c].question for c in ("not_an_option", "not_a_number", "unknown_question",
                                          "answer_required")] == ["role", "years", "nope", "why"]
    assert (by_code["bad_timing"].values, by_code["bad_timing"].value) == (("sort",), "-1")
    assert info.value.code == "invalid_submission"
    with pytest.raises(InvalidSubmission, match="unknown parts: extra") as info:
        store.submit(token, {"placements": sort_of(0), "extra": 1})
    [problem] = info.value.details
    assert (problem.code, problem.values) == ("submission_unreadable", ("extra",))
    with pytest.raises(UnknownToken):
        store.submit("no-such-token", Submission(placements=sort_of(0)))


def _details(defn, placements, **parts):
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(defn, Submission(placements=placements, answers={"why": "x"}, **parts))
    return info.value.details


def test_grid_problems_carry_statements_and_columns(tiny, sort_of):
    # sort_of(0): t1 -> -2, t2 t3 -> -1, t4 t5 t6 -> 0, t7 t8 -> +1, t9 -> +2
    missing = sort_of(0)
    missing.pop("t9")
    [d] = _details(tiny, missing)
    assert (d.code, d.statements) == ("unplaced", ("t9",))
    [d] = _details(tiny, dict(sort_of(0), t99=0))
    assert (d.code, d.statements) == ("unknown_statements", ("t99",))
    [d] = _details(tiny, dict(sort_of(0), t1=1.5))
    assert (d.code, d.statements, d.value) == ("not_whole", ("t1",), "1.5")
    [d] = _details(tiny, dict(sort_of(0), t1=2))
    assert d.code == "grid" and d.columns == (ColumnCount(-2, 0, 1, True, ()),
                                              ColumnCount(2, 2, 1, True, ("t1", "t9")))
    [d] = _details(tiny, dict(sort_of(0), t1=7))
    assert d.columns == (ColumnCount(7, 1, 0, False, ("t1",)), ColumnCount(-2, 0, 1, True, ()))
    # with a statement unplaced, an over-full column is still said, an under-full one is not
    both = dict(sort_of(0), t1=2)
    both.pop("t4")
    unplaced, grid = _details(tiny, both)
    assert (unplaced.code, unplaced.statements) == ("unplaced", ("t4",))
    assert grid.columns == (ColumnCount(2, 2, 1, True, ("t1", "t9")),)
    assert str(grid) == "your Q-sort does not follow the grid: column +2 holds 2 statements, 1 over its 1"
    [d] = _details(tiny, [1, 2])
    assert d.code == "placements_unreadable"


def test_sorts_frame_is_the_engine_input(store, tiny, sort_of):
    store.publish_study(tiny)
    assert store.sorts_frame("tiny").shape == (9, 0)
    tokens = consented(store, n=3)
    for k, t in enumerate(tokens):
        store.submit(t, Submission(placements=sort_of(k), answers={"why": "x"}))
    frame = store.sorts_frame("tiny")
    expected = pd.DataFrame({f"r000{k + 1}": list(sort_of(k).values()) for k in range(3)},
                            index=pd.Index([f"t{i}" for i in range(1, 10)], name="statement"))
    expected.columns.name = "participant"
    pd.testing.assert_frame_equal(frame, expected.astype("int64"))
    from qmethod.data import validate_sorts
    validate_sorts(frame, grid=tiny.grid)             # the engine accepts it as it is
    run = store.record_analysis_run("tiny", {"k": 1}, "{}")
    assert store.analysis_runs("tiny")[0].id == run
    assert store.analysis_runs("tiny")[0].n_responses == 3


# -- whatever the browser sent: only InvalidSubmission, never a crash ---------------------
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True),
                     st.text(max_size=5), st.sampled_from(["t1", "t9", "agree", "2", "-1"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=6)
_keys = st.one_of(st.sampled_from([f"t{i}" for i in range(12)] + ["why", "role", "years"]),
                  st.text(max_size=4))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(placements=st.one_of(_values, st.dictionaries(_keys, _values, max_size=12)),
       presort=st.one_of(_values, st.dictionaries(_keys, _values, max_size=4)),
       answers=st.one_of(_values, st.dictionaries(_keys, _values, max_size=4)),
       timings=st.one_of(_values, st.dictionaries(_keys, _values, max_size=4)),
       user_agent=_values)
# Found in CI: a key holding a line break made the message two lines.
@example(placements=None, presort={}, answers={}, timings={"\n\x00": None}, user_agent=None)
def test_any_payload_is_either_clean_or_invalid(tiny, placements, presort, answers, timings,
                                                user_agent):
    defn = tiny                      # immutable, so sharing it between examples is fine
    sub = Submission(placements=placements, presort=presort, answers=answers, timings=timings,
                     user_agent=user_agent)
    try:
        clean = validate_submission(defn, sub)
    except InvalidSubmission as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    defn.check_placements(clean["placements"])
    assert set(clean["placements"]) == set(defn.statement_ids())
    assert isinstance(clean["user_agent"], str)


def test_huge_numbers_are_refused_not_crashing(store, tiny, sort_of):
    from storage import InvalidSubmission, Submission
    store.publish_study(tiny)
    [token] = store.create_invitations("tiny", 1)
    store.start_session("tiny", token)
    store.record_consent(token)
    with pytest.raises(InvalidSubmission, match="must be a number of seconds"):
        store.submit(token, Submission(placements=sort_of(0), answers={"why": "x"},
                                       timings={"grid": 10 ** 400}))
    assert store.submit(token, Submission(placements=sort_of(0), answers={"why": "x"},
                                          timings={"grid": 12.5})).created


def test_database_url_errors_never_show_the_password():
    from storage import StorageError, Store
    with pytest.raises(StorageError) as e:
        Store.from_url("postgresql://qp:Sup3rSecret@db.internal:PORT/qp")
    assert "Sup3rSecret" not in str(e.value)


def test_number_answers_are_bounded(store, tiny, sort_of):
    store.publish_study(tiny)
    [token] = store.create_invitations("tiny", 1)
    store.start_session("tiny", token)
    store.record_consent(token)
    for bad in ("1e308", 10 ** 400):
        with pytest.raises(InvalidSubmission, match="'years'"):
            store.submit(token, Submission(placements=sort_of(0), answers={"why": "x", "years": bad}))
