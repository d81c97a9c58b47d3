"""Fuzz the participant path and the study import on both backends (issue 14).

Submissions break the grid, name unknown statements, carry huge strings,
wrong types, NUL characters and lone surrogates; tokens are malformed or
replayed; study export files are mutated. Each case must end in a result or
in a known :class:`storage.errors.StorageError` (one line), and a refused case
stores nothing. The pytest report ends with how many cases each test ran
(tests/fuzzcount.py).
"""
from __future__ import annotations

import copy
import itertools

import pytest
from fuzzcount import count, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from storage.errors import AlreadySubmitted, StorageError, UnknownToken

TINY_IDS = [f"t{i}" for i in range(1, 10)]
NASTY_TEXT = st.sampled_from(["\x00", "\ud800", "P\udc00x", "ok", "", " ", "=cmd|x", "x" * 20_000,
                              "é" * 3, "t1", "t10", "why", "role", "agree", "-1"])
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=20))
ANY = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                             st.floats(allow_nan=True), TEXT),
                   lambda inner: st.one_of(st.lists(inner, max_size=3),
                                           st.dictionaries(TEXT, inner, max_size=3)), max_leaves=8)
SCORE = st.one_of(st.integers(-3, 3), st.integers(-3, 3), st.integers(-10**12, 10**12),
                  st.floats(allow_nan=True), TEXT, st.none(), st.booleans())


@st.composite
def placements(draw):
    """A valid sort, then a few changes: a score changed, a statement dropped or
    unknown, a value of the wrong type."""
    values = draw(st.permutations([-2, -1, -1, 0, 0, 0, 1, 1, 2]))
    p: dict = dict(zip(TINY_IDS, values))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        action = draw(st.sampled_from(["score", "drop", "add"]))
        if action == "score":
            p[draw(st.sampled_from(TINY_IDS))] = draw(SCORE)
        elif action == "drop" and p:
            p.pop(draw(st.sampled_from(sorted(p))))
        else:
            p[draw(TEXT)] = draw(SCORE)
    return p


VALID_SORT = st.permutations([-2, -1, -1, 0, 0, 0, 1, 1, 2]).map(lambda v: dict(zip(TINY_IDS, v)))
# a whole sort whose texts are the nasty part
TEXTS_ONLY = st.fixed_dictionaries({"placements": VALID_SORT,
                                    "answers": st.fixed_dictionaries({"why": TEXT.filter(str.strip)}),
                                    "user_agent": TEXT})
SUBMISSION = st.one_of(
    TEXTS_ONLY, TEXTS_ONLY,
    st.fixed_dictionaries({"placements": placements(),
                           "answers": st.one_of(st.just({"why": "fine"}), st.just({"why": "fine"}),
                                                st.fixed_dictionaries({"why": TEXT}),
                                                st.dictionaries(TEXT, ANY, max_size=3), ANY)},
                          optional={"presort": st.one_of(st.dictionaries(TEXT, TEXT, max_size=3), ANY),
                                    "timings": st.one_of(st.dictionaries(TEXT, ANY, max_size=3), ANY),
                                    "user_agent": st.one_of(TEXT, ANY)}),
    st.dictionaries(TEXT, ANY, max_size=3), ANY)


def _one_line_storage_error(exc: Exception) -> str:
    assert isinstance(exc, StorageError), f"{type(exc).__name__}: {exc}"
    message = str(exc)
    assert message.strip() and "\n" not in message, message
    message.encode("utf-8")
    return type(exc).__name__


@pytest.fixture
def study(backend, tiny):
    store = backend.fresh()
    store.publish_study(tiny)
    return store


def _consented(store):
    token = store.create_invitations("tiny", 1)[0]
    store.start_session("tiny", token)
    store.record_consent(token)
    return token


@fuzz_settings(50)
@given(sub=SUBMISSION, draft=st.one_of(st.none(), ANY))
def test_fuzz_submission(study, sub, draft):
    store = study
    token = _consented(store)
    before = store.count_responses("tiny")
    if draft is not None:
        try:
            store.save_draft(token, draft, step="grid")
        except Exception as exc:  # noqa: BLE001 - the check is the point
            _one_line_storage_error(exc)
    try:
        result = store.submit(token, sub)
    except Exception as exc:  # noqa: BLE001
        outcome = _one_line_storage_error(exc)
        assert store.count_responses("tiny") == before           # nothing stored
        assert store.get_session(token).status != "submitted"
    else:
        outcome = "stored"
        assert result.created and store.count_responses("tiny") == before + 1
        # replayed: the same response back, nothing new; the link is used up
        assert not store.submit(token, sub).created
        assert store.count_responses("tiny") == before + 1
        for replay in (lambda: store.save_draft(token, {"placements": {}}, step="grid"),
                       lambda: store.start_session("tiny", token),
                       lambda: store.record_consent(token)):
            with pytest.raises(AlreadySubmitted):
                replay()
        stored = store.responses("tiny")[-1]
        stored_text = repr((stored.answers, stored.presort, stored.user_agent))
        assert "\x00" not in stored_text
    count(f"submission ({store.backend})", outcome)


@fuzz_settings(30)
@given(token=st.one_of(TEXT, ANY, st.text(alphabet="ABCxyz019_-", min_size=16, max_size=64)))
def test_fuzz_tokens(study, token):
    store = study
    for call in (lambda: store.start_session("tiny", token), lambda: store.get_session(token),
                 lambda: store.record_consent(token),
                 lambda: store.save_draft(token, {"placements": {}}, step="grid"),
                 lambda: store.submit(token, {"placements": {}})):
        with pytest.raises(UnknownToken):
            call()
    count(f"tokens ({store.backend})", "UnknownToken")


_slugs = itertools.count()


@st.composite
def mutated_export(draw, base):
    """The export ``base`` with a few values replaced at random places."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(0, 3))):
        node, key = data, None
        for _depth in range(draw(st.integers(1, 8))):
            if isinstance(node, dict) and node:
                key = draw(st.sampled_from(sorted(node)))
            elif isinstance(node, list) and node:
                key = draw(st.integers(0, len(node) - 1))
            else:
                key = None
                break
            if not isinstance(node[key], (dict, list)) or not node[key]:
                break
            node, key = node[key], None
        if key is not None:
            node[key] = draw(ANY)
    return data


@pytest.fixture
def export(study, sort_of):
    from storage.transfer import export_study
    for k in range(3):
        token = _consented(study)
        study.submit(token, {"placements": sort_of(k), "answers": {"why": f"because {k}"}})
    return export_study(study, "tiny")


def test_fuzz_study_import(study, export):
    from storage.transfer import import_study

    @fuzz_settings(20)
    @given(mutated_export(export))
    def run(data):
        slug = f"fz-{next(_slugs)}"
        try:
            import_study(study, data, slug=slug)
            outcome = "imported"
        except Exception as exc:  # noqa: BLE001
            outcome = _one_line_storage_error(exc)
            assert slug not in [i.slug for i in study.list_studies()]     # nothing stored
        count(f"study import ({study.backend})", outcome)

    run()
