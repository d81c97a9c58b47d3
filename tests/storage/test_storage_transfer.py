"""Export / import of whole studies, and the responses in the engine's file formats."""
from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from sqlalchemy import func, select

from qmethod.io import kenq, pqmethod, sorts_csv
from storage import ImportFailed, StorageError, Submission
from storage.models import Response, Study
from storage.transfer import (
    FORMAT,
    FORMAT_VERSION,
    export_sorts,
    export_study,
    import_study,
    read_study_file,
    write_study_file,
)
from studies.seed import seed_demo


def fill(store, defn, placements_list, answers=None):
    """Publish ``defn`` (maybe as a new version) and submit one response per placements."""
    store.publish_study(defn)
    tokens = store.create_invitations(defn.slug, len(placements_list))
    for t, p in zip(tokens, placements_list):
        store.start_session(defn.slug, t)
        store.record_consent(t)
        store.submit(t, Submission(placements=p, presort={"t1": "agree"},
                                   answers=answers or {"why": "a reason", "years": 4},
                                   timings={"sort": 42.5}, user_agent="Test/1.0"))


def strip_ids(records):
    return [(r.participant, r.study_version, r.placements, r.presort, r.answers, r.timings,
             r.user_agent, r.submitted_at) for r in records]


def test_whole_study_round_trip(store, backend, tiny, make_tiny, sort_of, tmp_path):
    fill(store, tiny, [sort_of(k) for k in range(4)])
    v2 = make_tiny(texts={"t2": "A second version of statement two."})
    fill(store, v2, [sort_of(k) for k in range(5, 8)])
    store.record_analysis_run("tiny", {"method": "pca"}, '{"factors": 2}')
    store.set_study_status("tiny", "closed")
    excluded = store.responses("tiny", 1)[2]
    store.exclude_response("tiny", excluded.id, "sorted in 40 seconds")

    path = write_study_file(store, "tiny", tmp_path / "tiny.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["format"], data["format_version"]) == (FORMAT, FORMAT_VERSION)
    assert [len(v["responses"]) for v in data["versions"]] == [4, 3]
    assert [r.get("exclusion_reason") for r in data["versions"][0]["responses"]] == \
        [None, None, "sorted in 40 seconds", None]
    assert "token" not in path.read_text(encoding="utf-8")            # tokens stay home

    # into another database of the same kind, under the same slug
    other = backend.open()
    info = read_study_file(other, path)
    assert (info.slug, info.version, info.status, info.is_demo) == ("tiny", 2, "closed", False)
    for version in (1, 2):
        assert other.get_study("tiny", version).definition == store.get_study("tiny", version).definition
        assert other.get_study("tiny", version).fingerprint == store.get_study("tiny", version).fingerprint
        assert strip_ids(other.responses("tiny", version)) == strip_ids(store.responses("tiny", version))
        pd.testing.assert_frame_equal(other.sorts_frame("tiny", version),
                                      store.sorts_frame("tiny", version))
    assert other.sorts_frame("tiny", 1).shape == (9, 3)             # the exclusion came along
    assert [(r.params, r.result_json, r.n_responses) for r in other.analysis_runs("tiny")] == \
        [({"method": "pca"}, '{"factors": 2}', 3)]
    # exporting the imported study gives the same content back
    again = export_study(other, "tiny")
    for d in (again, data):
        d.pop("exported_at")
    assert again == data

    # into the same database under another slug; the same slug is refused
    copy = import_study(store, data, slug="tiny-copy")
    assert copy.slug == "tiny-copy" and copy.definition.slug == "tiny-copy"
    assert len(store.responses("tiny-copy", 1)) == 4
    with pytest.raises(ImportFailed, match="already exists"):
        import_study(store, data)


def test_import_checks_everything_and_stores_nothing_on_error(store, tiny, sort_of, tmp_path):
    fill(store, tiny, [sort_of(0), sort_of(1)])
    data = export_study(store, "tiny")
    with store._tx() as s:
        before = (s.scalar(select(func.count()).select_from(Study)),
                  s.scalar(select(func.count()).select_from(Response)))

    bad = json.loads(json.dumps(data))
    bad["versions"][0]["responses"][1]["placements"]["t1"] = 2      # column +2 over-full
    with pytest.raises(ImportFailed, match=r"version 1, response 2: .*column \+2 holds 2"):
        import_study(store, bad, slug="broken")
    bad = json.loads(json.dumps(data))
    bad["versions"][0]["definition"]["grid"]["heights"] = [1, 1, 1, 1, 1]
    with pytest.raises(ImportFailed, match="definition is not valid"):
        import_study(store, bad, slug="broken")
    bad = dict(data, format_version=FORMAT_VERSION + 1)
    with pytest.raises(ImportFailed, match="newer than this platform"):
        import_study(store, bad, slug="broken")
    with pytest.raises(ImportFailed, match="not a study export"):
        import_study(store, {"hello": 1})
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ImportFailed, match="invalid JSON at line 1"):
        read_study_file(store, tmp_path / "junk.json")
    with pytest.raises(ImportFailed, match="cannot read"):
        read_study_file(store, tmp_path / "missing.json")

    with store._tx() as s:
        after = (s.scalar(select(func.count()).select_from(Study)),
                 s.scalar(select(func.count()).select_from(Response)))
    assert after == before


def test_sorts_exports_read_back_equal_to_sorts_frame(store, tiny, sort_of, tmp_path):
    fill(store, tiny, [sort_of(k) for k in range(6)])
    frame = store.sorts_frame("tiny")
    ids = list(frame.index)

    written = export_sorts(store, "tiny", tmp_path / "sorts.csv")
    assert [p.name for p in written] == ["sorts.csv", "sorts.statements.csv"]
    data = sorts_csv.read_sorts_csv(tmp_path / "sorts.csv",
                                    statements_path=tmp_path / "sorts.statements.csv")
    pd.testing.assert_frame_equal(data.sorts, frame, check_names=False)
    assert list(data.statements) == [s.text for s in tiny.statements]
    # the texts are named after the table: a statements.csv of the user's own,
    # and the texts of another export in the same folder, are left alone
    (tmp_path / "statements.csv").write_text("mine\n", encoding="utf-8")
    written = export_sorts(store, "tiny", tmp_path / "other.csv")
    assert [p.name for p in written] == ["other.csv", "other.statements.csv"]
    assert (tmp_path / "statements.csv").read_text(encoding="utf-8") == "mine\n"
    assert sorts_csv.read_sorts_csv(tmp_path / "sorts.csv", statements_path=written[1]).sorts \
        .equals(data.sorts)

    written = export_sorts(store, "tiny", tmp_path / "tiny.DAT")
    assert [p.name for p in written] == ["tiny.DAT", "tiny.STA"]
    data = pqmethod.read_dat(tmp_path / "tiny.DAT")
    assert list(data.sorts.columns) == list(frame.columns)
    assert (data.sorts.to_numpy() == frame.to_numpy()).all()       # PQMethod names them s1..sn
    assert data.grid == tiny.grid and data.title == tiny.title
    assert list(data.statements) == [s.text for s in tiny.statements]

    export_sorts(store, "tiny", tmp_path / "tiny.json")
    data = kenq.read_kenq_json(tmp_path / "tiny.json", statement_ids=ids)
    pd.testing.assert_frame_equal(data.sorts, frame, check_names=False)

    with pytest.raises(StorageError, match="cannot tell the format"):
        export_sorts(store, "tiny", tmp_path / "tiny.xlsx")
    store.publish_study(tiny.__class__.from_dict(dict(tiny.to_dict(), slug="empty")))
    with pytest.raises(StorageError, match="no responses"):
        export_sorts(store, "empty", tmp_path / "empty.csv")


def test_coproduction_exports(store, coproduction, tmp_path):
    """The real study's 36 statements and 9-column grid survive every format."""
    info = seed_demo(store, coproduction, n=12, seed=3)
    frame = store.sorts_frame(info.slug)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")              # .STA cuts long texts, with a warning
        export_sorts(store, info.slug, tmp_path / "demo.dat")
    data = pqmethod.read_dat(tmp_path / "demo.dat")
    assert (data.sorts.to_numpy() == frame.to_numpy()).all()
    assert data.grid == coproduction.grid
    export_sorts(store, info.slug, tmp_path / "demo.json")
    data = kenq.read_kenq_json(tmp_path / "demo.json", statement_ids=list(frame.index))
    pd.testing.assert_frame_equal(data.sorts, frame, check_names=False)
