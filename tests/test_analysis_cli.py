"""python -m analysis viewpoints: the files written, and one-line errors with exit code 2."""
import dataclasses
import subprocess
import sys

import pandas as pd
import pytest
from refdata import REPO, reference_path

from studies import Statement
from studies.demo import simulate_participants
from studies.loader import dump_study, load_study

STUDY = REPO / "statements" / "coproduction.yaml"
DEMO = REPO / "docs" / "examples" / "coproduction-demo.csv"
CONTRACT = {"loadings.csv", "flags.csv", "zscores.csv", "factor_arrays.csv", "characteristics.csv",
            "factor_correlations.csv", "distinguishing.csv", "result.json", "result.npz"}


def run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "viewpoints", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_example_file_is_the_demo_studys_simulated_participants():
    study = load_study(STUDY)
    parts = simulate_participants(study, 40, 0)
    expected = pd.DataFrame({p["participant_id"]: p["placements"] for p in parts}).loc[study.statement_ids()]
    shipped = pd.read_csv(DEMO, index_col=0)
    assert shipped.index.tolist() == expected.index.tolist()
    assert (shipped.to_numpy() == expected.to_numpy()).all()
    assert shipped.columns.tolist() == expected.columns.tolist()


def test_writes_the_contract_and_the_viewpoints(tmp_path):
    p = run(DEMO, "--study", STUDY, "--factors", 3, "--seed", 1, "--permutations", 999, "--out", tmp_path)
    assert p.returncode == 0, p.stderr
    assert CONTRACT | {"viewpoints.csv", "viewpoint_evidence.csv"} == {f.name for f in tmp_path.iterdir()}
    vp = pd.read_csv(tmp_path / "viewpoints.csv", keep_default_na=False)
    assert list(vp.columns[:7]) == ["factor", "tag", "perspective", "status", "statistic", "p_adjusted",
                                    "explanation"]
    assert vp.factor.tolist() == ["f1", "f2", "f3"]
    assert (vp.status == "matched").all()
    assert sorted(vp.perspective) == ["clarification", "elucidation", "provocation"]
    assert (vp.seed == 1).all() and (vp.permutations == 999).all()
    assert all(e.startswith(f"Factor {f} matches {q}:") for f, q, e in zip(vp.factor, vp.perspective,
                                                                            vp.explanation))
    ev = pd.read_csv(tmp_path / "viewpoint_evidence.csv", keep_default_na=False)
    rest = ev[ev.contrast == "rest"]
    assert len(rest) == 9 and {"statistic", "p_adjusted", "perspective", "factor"} <= set(ev.columns)
    for _, row in vp.iterrows():
        cell = rest[(rest.factor == row.factor) & (rest.perspective == row.perspective)].iloc[0]
        assert cell.statistic == pytest.approx(row.statistic) and cell.p_adjusted == row.p_adjusted
    # The z-scores are those of the plain analysis.
    z = pd.read_csv(tmp_path / "zscores.csv", index_col=0)
    assert z.shape == (36, 3)
    assert "f1: matched" in p.stdout and "999 permutations, seed 1" in p.stdout


def test_any_tag_and_other_settings(tmp_path):
    p = run(DEMO, "--study", STUDY, "-k", 2, "--tag", "theme", "--extraction", "centroid",
            "--correlation", "spearman", "--permutations", 199, "--out", tmp_path)
    assert p.returncode == 0, p.stderr
    vp = pd.read_csv(tmp_path / "viewpoints.csv", keep_default_na=False)
    assert (vp.tag == "theme").all() and len(vp) == 2
    ev = pd.read_csv(tmp_path / "viewpoint_evidence.csv", keep_default_na=False)
    assert sorted(set(ev.perspective.astype(str))) == ["1", "2", "3", "4", "5", "6"]


@pytest.fixture(scope="module")
def untagged_study(tmp_path_factory):
    study = load_study(STUDY)
    bare = dataclasses.replace(study, statements=tuple(Statement(s.id, s.text) for s in study.statements))
    path = tmp_path_factory.mktemp("study") / "bare.yaml"
    dump_study(bare, path)
    return path


@pytest.mark.parametrize("args, message", [
    (("--tag", "colour"), "has no statement tagged 'colour' (its tags: angle, perspective, theme, theme_name)"),
    (("--permutations", "10"), "--permutations must be at least 99"),
    (("--factors", "0"), "must be at least 1"),
    (("--rotation", "spin"), "invalid choice: 'spin'"),
])
def test_option_errors_are_one_line(tmp_path, args, message):
    base = {"--factors": "3"}
    extra = list(args)
    if "--factors" not in extra:
        extra += ["--factors", base["--factors"]]
    p = run(DEMO, "--study", STUDY, *extra, "--out", tmp_path / "out")
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and message in p.stderr
    assert "Traceback" not in p.stderr


def test_file_errors_are_one_line(tmp_path, untagged_study):
    bad = tmp_path / "bad.csv"
    bad.write_text("statement,p1\nc01,x\n", encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("slug: [\n", encoding="utf-8")
    cases = [
        ((reference_path("datasets", "lipset", "sorts.csv"), "--study", STUDY),
         "do not match the study 'coproduction': 33 not in the study"),
        ((DEMO, "--study", untagged_study), "has no statement tagged 'perspective' (its tags: none)"),
        ((bad, "--study", STUDY), "bad.csv"),
        ((tmp_path / "missing.csv", "--study", STUDY), "missing.csv"),
        ((DEMO, "--study", broken), "broken.yaml"),
        ((DEMO, "--study", tmp_path / "nowhere.yaml"), "nowhere.yaml"),
    ]
    for args, message in cases:
        p = run(*args, "--factors", 3, "--out", tmp_path / "out")
        assert p.returncode == 2, (args, p.stdout)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], p.stderr
    assert not (tmp_path / "out").exists()        # nothing written before the inputs are known good
