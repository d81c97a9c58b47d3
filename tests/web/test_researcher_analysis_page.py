"""The analysis page in Streamlit's AppTest (no browser): settings the engine
refuses get its one-line error, the rotation buttons (apply, undo, redo,
invert) and the flag toggle change the page's settings and its numbers, and
an uploaded file is read with the importer's error when it is wrong."""
from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from workspace import app_store, page_test

import qmethod as qm
from qmethod.errors import QMethodError
from webapp.researcher.analysis_data import read_upload

ROOT = Path(__file__).resolve().parents[2]
DEMO = "coproduction-demo"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    url = "sqlite:///" + str(tmp_path_factory.mktemp("analysis") / "a.sqlite3")
    with app_store(url) as store:
        store.create_researcher("ana@example.org", "correct horse")
        yield store, store.sign_in("ana@example.org", "correct horse")


def opened(token: str):
    at = page_test("analysis", token, slug=DEMO)
    at.run(timeout=120)
    assert not at.exception, at.exception
    return at


def settings(at):
    return at.session_state["ws_an_settings"]


def test_refused_settings_show_the_engine_error(world):
    store, token = world
    at = opened(token)
    at.selectbox(key="ws_an_extraction").set_value("centroid")
    at.selectbox(key="ws_an_rotation").set_value("promax")
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("These settings cannot be analysed:")
    assert "centroid" in errors[0]


def test_rotation_undo_redo_invert_and_a_flag_by_hand(world):
    store, token = world
    at = opened(token)
    at.segmented_control(key="ws_an_section").set_value("Rotation and flags").run()
    at.number_input(key="ws_an_angle_box").set_value(15).run()
    assert at.slider(key="ws_an_angle").value == 15          # the box and the slider agree
    at.button(key="ws_an_apply").click().run()
    assert settings(at).steps == (("rotate", 0, 1, 15.0),)
    assert at.slider(key="ws_an_angle").value == 0
    at.button(key="ws_an_undo").click().run()
    assert settings(at).steps == () and settings(at).redo == (("rotate", 0, 1, 15.0),)
    at.button(key="ws_an_redo").click().run()
    assert settings(at).steps == (("rotate", 0, 1, 15.0),)
    at.selectbox(key="ws_an_invert").set_value("f2").run()
    at.button(key="ws_an_invert_btn").click().run()
    assert settings(at).steps[-1] == ("invert", 1)
    assert any("invert f2" in m.value for m in at.markdown)

    pid = at.selectbox(key="ws_an_flag_who").options[0]
    at.selectbox(key="ws_an_flag_who").set_value(pid).run()
    at.selectbox(key="ws_an_flag_factor").set_value("f3").run()
    label = at.button(key="ws_an_toggle_flag").label
    at.button(key="ws_an_toggle_flag").click().run()
    assert not at.exception
    s = settings(at)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = qm.analyze(store.sorts_frame(DEMO), 3, judgmental=s.history,
                            grid=store.get_study(DEMO).definition.grid)
    was = [i + 1 for i, f in enumerate(before.flags.columns) if before.flags.loc[pid, f]]
    assert label == ("Unflag on f3" if 3 in was else "Flag on f3")
    assert s.manual_flags == {pid: sorted(set(was) ^ {3})}
    assert any("The last flag change" in i.value for i in at.info)
    # back to automatic
    at.button(key="ws_an_auto_flags").click().run()
    assert settings(at).manual == ()


def test_every_section_draws(world):
    store, token = world
    at = opened(token)
    for name in ("Results", "Interpretation", "Bootstrap", "Saved runs", "Exports", "Factors"):
        at.segmented_control(key="ws_an_section").set_value(name).run(timeout=120)
        assert not at.exception, (name, at.exception)
        assert not at.error, (name, [e.value for e in at.error])
        if name == "Interpretation":       # the matching proposes a name per factor
            assert sum("Proposal:" in m.value for m in at.markdown) == 3
        if name == "Bootstrap":
            at.number_input(key="ws_an_boot_n").set_value(50)
            at.button(key="ws_an_boot_go").click().run(timeout=120)
            assert not at.exception
            assert [c for c in at.code if "Bootstrap of 36 statements x 40 Q-sorts" in c.value]


def test_the_data_export_files_read_back_to_the_same_sorts():
    from webapp.researcher.analysis_exports import data_files

    data = qm.io.read_any(ROOT / "docs" / "examples" / "coproduction-demo.csv")
    files = data_files(data, "demo")
    assert set(files) >= {"demo.DAT", "demo-kenq.json", "demo-sorts.csv"}
    for name in ("demo.DAT", "demo-kenq.json", "demo-sorts.csv"):
        folder = Path(tempfile.mkdtemp())
        for n, blob in files.items():
            (folder / n).write_bytes(blob)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            back = qm.io.read_any(folder / name)
        assert np.array_equal(back.sorts.to_numpy(), data.sorts.to_numpy()), name


class Upload:
    def __init__(self, path: Path, name: str | None = None, data: bytes | None = None):
        self.name = name or path.name
        self._data = path.read_bytes() if data is None else data

    def getvalue(self) -> bytes:
        return self._data


def test_uploads_are_read_and_a_bad_file_gives_the_importer_error(tmp_path):
    csv = ROOT / "docs" / "examples" / "coproduction-demo.csv"
    data = read_upload([Upload(csv)])
    assert data.sorts.shape == (36, 40) and data.source == "upload"
    assert np.array_equal(data.sorts.to_numpy(), qm.io.read_any(csv).sorts.to_numpy())
    bad = tmp_path / "sorts.csv"
    bad.write_text("statement,p1,p2\ns1,1,x\n", encoding="utf-8")
    with pytest.raises(QMethodError) as exc:
        read_upload([Upload(bad)])
    assert "sorts.csv" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(QMethodError, match="upload a sorts table"):
        read_upload([Upload(bad, name="notes.txt")])


@pytest.fixture(scope="module")
def own_study(world):
    """A study of Ana's own with 20 simulated responses (she may publish it)."""
    from storage import Submission
    from studies.demo import simulate_participants
    from studies.loader import load_study

    store, token = world
    ana = store.researcher_by_email("ana@example.org").id
    defn = load_study(ROOT / "statements" / "coproduction.yaml")
    store.create_study("mine", {**defn.to_dict(), "slug": "mine", "title": "Mine"}, owner=ana)
    store.publish_study_draft("mine", by=ana)
    for p, tok in zip(simulate_participants(defn, 20, seed=3), store.create_invitations("mine", 20)):
        store.record_consent(tok)
        store.submit(tok, Submission(placements=p["placements"], answers=p["answers"]))
    return "mine"


def test_save_reopen_compare_mark_and_publish_a_run(world, own_study):
    store, token = world
    at = page_test("analysis", token, slug=own_study)
    at.run(timeout=120)
    at.segmented_control(key="ws_an_section").set_value("Interpretation").run()
    at.text_input(key="ws_an_i_f1_name").set_value("Power first").run()
    at.segmented_control(key="ws_an_section").set_value("Saved runs").run()
    at.text_input(key="ws_an_run_name").set_value("three factors").run()
    at.button(key="ws_an_save").click().run()
    assert not at.exception
    [run] = store.saved_runs(own_study)
    assert run.name == "three factors" and run.params["settings"]["nfactors"] == 3
    assert run.source == "responses" and run.created_by is not None and len(run.fingerprint) == 64
    assert store.run(own_study, run.id).interpretation["factors"]["f1"]["name"] == "Power first"
    at.number_input(key="ws_an_nfactors").set_value(2).run()
    at.button(key="ws_an_save").click().run()        # no name: one made from the settings
    runs = store.saved_runs(own_study)
    assert [r.name for r in runs] == ["2 factors, pca, varimax", "three factors"]
    # compare the two side by side
    assert any("Who changed factor" in m.value for m in at.markdown)
    # reopen the first: its settings come back
    at.selectbox(key="ws_an_run_pick").set_value(run.id).run()
    at.button(key="ws_an_reopen").click().run()
    assert not at.exception
    assert at.number_input(key="ws_an_nfactors").value == 3 and settings(at).nfactors == 3
    # mark it reported and publish it
    at.button(key="ws_an_mark").click().run()
    assert store.reported_run(own_study).id == run.id
    at.button(key="ws_an_publish").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    live = store.live_publication(own_study)
    assert live is not None and live.run_id == run.id
    assert any("/results?r=" in c.value for c in at.code)


def test_the_demo_study_runs_are_the_viewers_own(world):
    """On the read-only demo a researcher saves runs but cannot mark or publish."""
    store, token = world
    at = opened(token)
    at.segmented_control(key="ws_an_section").set_value("Saved runs").run()
    at.button(key="ws_an_save").click().run()
    assert not at.exception
    assert at.button(key="ws_an_mark").disabled
    other = store.create_researcher("bo@example.org", "correct horse")
    bo = page_test("analysis", store.sign_in("bo@example.org", "correct horse"), slug=DEMO)
    bo.session_state["ws_an_section"] = "Saved runs"
    bo.run(timeout=120)
    assert not bo.exception and other
    assert any("No saved run yet" in c.value for c in bo.caption)


def test_a_pqmethod_upload_is_read_with_its_sta():
    import pandas as pd

    from webapp.researcher.analysis_exports import data_files

    sorts = qm.io.read_any(ROOT / "docs" / "examples" / "coproduction-demo.csv").sorts
    texts = pd.Series([f"statement number {i}" for i in range(1, len(sorts) + 1)], index=sorts.index)
    files = data_files(qm.QSortData(sorts, texts), "proj")
    up = read_upload([Upload(Path("proj.DAT"), data=files["proj.DAT"]),
                      Upload(Path("proj.STA"), data=files["proj.STA"])])
    assert np.array_equal(up.sorts.to_numpy(), sorts.to_numpy())
    assert list(up.statements) == list(texts)


def test_every_chart_kind_is_offered_as_an_image(world):
    """What the Exports section turns into PNG/SVG files (the drawing itself is
    analysis.chart_export's, tested there)."""
    from webapp.researcher import analysis_exports as ex
    from webapp.researcher.analysis_state import Dataset, Engine, Settings

    data = Dataset.of(qm.io.read_any(ROOT / "docs" / "examples" / "coproduction-demo.csv"),
                      "upload", "demo")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = Engine().result(data, Settings(3))
    ctx = {"result": result, "data": data, "settings": Settings(3)}
    assert set(ex.chart_figures(ctx, "composite sorts")) == {"composite-f1", "composite-f2",
                                                              "composite-f3"}
    assert set(ex.chart_figures(ctx, "loadings")) == {"loadings-f1-f2"}
    assert set(ex.chart_figures(ctx, "z-scores")) == {"zscores"}


def test_other_data_drop_flags_of_absent_sorts_and_too_many_factors(world):
    """Settings carried to other data (another study, a file): a flag by hand
    of a participant it does not hold is dropped, and the number of factors
    is cut to the number of sorts, instead of an error."""
    from webapp.researcher.analysis_state import Settings

    store, token = world
    at = page_test("analysis", token, slug=DEMO)
    at.session_state["ws_an_settings"] = Settings(3).with_flags("someone-else", [1], [])
    at.run(timeout=120)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert settings(at).manual == ()
    at = page_test("analysis", token, slug=DEMO)
    at.session_state["ws_an_settings"] = Settings(60)
    at.run(timeout=120)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert settings(at).nfactors == 12 and at.number_input(key="ws_an_nfactors").value == 12
