"""Saved analysis runs of the workspace (storage.runs), on SQLite and PostgreSQL."""
import dataclasses

import pandas as pd
import pytest

from qmethod.analysis_file import data_fingerprint, data_to_json
from qmethod.data import QSortData
from storage import StorageError, UnknownRun
from storage.staleness import DELETED, EXCLUDED, INCLUDED


def _data(n_sorts=4):
    values = [[-2, -1, -1, 0, 0, 0, 1, 1, 2][k:] + [-2, -1, -1, 0, 0, 0, 1, 1, 2][:k]
              for k in range(n_sorts)]
    sorts = pd.DataFrame(list(zip(*values)), index=[f"t{i}" for i in range(1, 10)],
                         columns=[f"p{j}" for j in range(n_sorts)])
    return QSortData(sorts=sorts)


def _save(store, slug="tiny", name="first try", **kw):
    data = _data(kw.pop("n_sorts", 4))
    args = dict(name=name, params={"nfactors": 2, "rotation_history": [["rotate", 0, 1, 15.0]]},
                result_json='{"ok": true}', data_json=data_to_json(data),
                fingerprint=data_fingerprint(data), interpretation={"f1": {"name": "A"}},
                created_by=7, source="upload")
    args.update(kw)
    return store.save_run(slug, **args)


def test_save_and_read_a_run_in_full(store, tiny):
    store.publish_study(tiny)
    rid = _save(store, name="  first   try ", n_sorts=5)
    r = store.run("tiny", rid)
    data = _data(5)
    assert (r.id, r.study_slug, r.study_version, r.name, r.created_by, r.source) == \
        (rid, "tiny", 1, "first try", 7, "upload")
    assert r.params == {"nfactors": 2, "rotation_history": [["rotate", 0, 1, 15.0]]}
    assert r.result_json == '{"ok": true}' and r.data_json == data_to_json(data)
    assert r.fingerprint == data_fingerprint(data) and r.n_responses == 5
    assert r.interpretation == {"f1": {"name": "A"}}
    assert r.reported is False and r.stale_at is None and r.stale_reason is None
    assert r.created_at.tzinfo is not None
    # the older API still works and sees the new fields
    old = store.record_analysis_run("tiny", {"k": 1}, "{}")
    runs = store.analysis_runs("tiny")
    assert [x.id for x in runs] == [old, rid] and runs[1].name == "first try"
    assert runs[0].name is None and runs[0].reported is False


def test_list_rename_interpret_delete(store, tiny, make_tiny):
    store.publish_study(tiny)
    a = _save(store, name="a")
    store.publish_study(dataclasses.replace(tiny, title="A tiny study, version 2"))
    b = _save(store, name="b", data_json=None, fingerprint=None, interpretation=None,
              source="responses")
    listed = store.saved_runs("tiny")
    assert [(x.id, x.name, x.study_version) for x in listed] == [(b, "b", 2), (a, "a", 1)]
    assert not hasattr(listed[0], "result_json")
    assert store.run("tiny", b).n_responses == 0     # no data: the version's responses
    store.rename_run("tiny", a, "renamed")
    store.update_run_interpretation("tiny", a, {"f2": {"name": "B", "narrative": "..."}})
    r = store.run("tiny", a)
    assert r.name == "renamed" and r.interpretation == {"f2": {"name": "B", "narrative": "..."}}
    store.update_run_interpretation("tiny", a, None)
    assert store.run("tiny", a).interpretation is None
    store.delete_run("tiny", a)
    assert [x.id for x in store.saved_runs("tiny")] == [b]
    with pytest.raises(UnknownRun):
        store.run("tiny", a)


def test_runs_of_another_study_are_out_of_reach(store, tiny, make_tiny):
    store.publish_study(tiny)
    store.publish_study(make_tiny("other"))
    theirs = _save(store, slug="other", name="theirs")
    for call in (lambda: store.run("tiny", theirs),
                 lambda: store.rename_run("tiny", theirs, "mine now"),
                 lambda: store.update_run_interpretation("tiny", theirs, {}),
                 lambda: store.delete_run("tiny", theirs),
                 lambda: store.mark_reported("tiny", theirs),
                 lambda: store.run("tiny", "not a number")):
        with pytest.raises(UnknownRun, match="no saved analysis run"):
            call()
    r = store.run("other", theirs)
    assert r.name == "theirs" and r.interpretation == {"f1": {"name": "A"}} and not r.reported


def test_at_most_one_reported_run_per_study(store, tiny, make_tiny):
    store.publish_study(tiny)
    store.publish_study(make_tiny("other"))
    a, b = _save(store, name="a"), _save(store, name="b")
    other = _save(store, slug="other", name="o")
    store.mark_reported("other", other)
    assert store.reported_run("tiny") is None
    store.mark_reported("tiny", a)
    assert store.reported_run("tiny").id == a
    store.mark_reported("tiny", b)
    assert store.reported_run("tiny").id == b
    assert [x.reported for x in store.saved_runs("tiny")] == [True, False]
    assert store.reported_run("other").id == other       # another study's mark stays
    store.unmark_reported("tiny")
    assert store.reported_run("tiny") is None and store.reported_run("other").id == other


def test_deleting_a_published_run_keeps_the_publication(store, tiny):
    store.publish_study(tiny)
    rid = _save(store)
    store.mark_reported("tiny", rid)
    store.publish_results("tiny", {"title": "x"}, run_id=rid)
    store.delete_run("tiny", rid)
    assert store.reported_run("tiny") is None
    live = store.live_publication("tiny")
    assert live is not None and live.run_id is None


@pytest.mark.parametrize("change, fragment", [
    ({"name": "   "}, "needs a name"),
    ({"name": "x" * 201}, "at most 200"),
    ({"params": {"x": object()}}, "cannot be saved as JSON"),
    ({"interpretation": ["not", "a", "dict"]}, "must be a dict"),
    ({"interpretation": {"score": float("nan")}}, "cannot be saved as JSON"),
    ({"source": "elsewhere"}, "unknown run source"),
    ({"fingerprint": "abc"}, "64 lower-case hexadecimal"),
    ({"data_json": "[1, 2]"}, "data section"),
    ({"result_json": {"ok": True}}, "JSON string"),
])
def test_bad_runs_are_refused_and_nothing_is_stored(store, tiny, change, fragment):
    store.publish_study(tiny)
    with pytest.raises(StorageError, match=fragment):
        _save(store, **change)
    assert store.saved_runs("tiny") == []
    rid = _save(store)
    with pytest.raises(StorageError, match="needs a name"):
        store.rename_run("tiny", rid, "")
    assert store.run("tiny", rid).name == "first try"


def test_saved_runs_travel_with_the_study_file(store, backend, tiny):
    from storage.transfer import export_study, import_study
    store.publish_study(tiny)
    a = _save(store, name="reported one")
    _save(store, name="draft", interpretation=None, source="responses")
    store.record_analysis_run("tiny", {"k": 1}, "{}")
    store.mark_reported("tiny", a)
    data = export_study(store, "tiny")
    assert all("created_by" not in r for r in data["analysis_runs"])   # ids stay home
    other = backend.open()
    import_study(other, data)
    mine = {r.name: r for r in store.analysis_runs("tiny")}
    theirs = {r.name: r for r in other.analysis_runs("tiny")}
    assert set(theirs) == {"reported one", "draft", None}
    for name, r in mine.items():
        t = theirs[name]
        assert (t.source, t.data_json, t.fingerprint, t.interpretation, t.reported, t.params) == \
            (r.source, r.data_json, r.fingerprint, r.interpretation, r.reported, r.params)
        assert t.created_by is None
    assert other.reported_run("tiny").name == "reported one"
    for run in data["analysis_runs"]:
        run["reported"] = True if run.get("name") else run.get("reported")
    with pytest.raises(StorageError, match="more than one analysis run is marked as reported"):
        import_study(other, data, slug="tiny-two")
    data["analysis_runs"][0]["interpretation"] = "not an object"
    with pytest.raises(StorageError, match="interpretation must be an object"):
        import_study(other, data, slug="tiny-three")


def _fill(store, defn, sorts):
    from storage import Submission
    store.publish_study(defn)
    for t, p in zip(store.create_invitations(defn.slug, len(sorts)), sorts):
        store.start_session(defn.slug, t)
        store.record_consent(t)
        store.submit(t, Submission(placements=p, presort={"t1": "agree"},
                                   answers={"why": "a reason"}, timings={"sort": 42.5}))


def test_changing_the_responses_makes_earlier_runs_stale(store, tiny, sort_of):
    _fill(store, tiny, [sort_of(k) for k in range(4)])
    on_responses = _save(store, name="on responses", source="responses")
    on_upload = _save(store, name="on upload", source="upload")
    recorded = store.record_analysis_run("tiny", {"k": 1}, "{}")
    store.publish_results("tiny", {"title": "x"}, run_id=on_responses)
    first, second = store.responses("tiny")[:2]
    store.exclude_response("tiny", first.id, "too fast")
    stale = {r.id: r for r in store.saved_runs("tiny")}
    assert stale[on_responses].stale_reason == EXCLUDED
    assert stale[recorded].stale_at is not None and stale[on_upload].stale_at is None
    pub = store.live_publication("tiny")
    assert pub.stale_at is not None and pub.stale_reason == stale[on_responses].stale_reason
    # a run made after the change is current; the first reason is kept
    later = _save(store, name="later", source="responses")
    store.delete_response("tiny", second.id, reason="withdrew")
    runs = {r.id: r for r in store.saved_runs("tiny")}
    assert runs[later].stale_reason == DELETED
    assert runs[on_responses].stale_reason == EXCLUDED
    assert store.run("tiny", later).stale_at is not None
    newest = _save(store, name="newest", source="responses")
    store.include_response("tiny", first.id)
    assert store.run("tiny", newest).stale_reason == INCLUDED
    assert store.run("tiny", on_upload).stale_at is None
