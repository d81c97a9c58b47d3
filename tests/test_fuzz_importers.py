"""Fuzz every importer and the analysis on degenerate data (issue 14).

Each case is a mutated real file (or bytes from nowhere) read by the importer,
and analysed when it reads: it must end in a result or in a one-line error of
a known class (:class:`qmethod.errors.QMethodError`; a study file's
:class:`studies.errors.StudyError` lists its problems one per line), never in
another exception or a hang. Hypothesis runs a fixed, modest number of cases
(derandomized: the same ones every run); the pytest report ends with how many
each test ran (tests/fuzzcount.py).
"""
from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from fuzzcount import count, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from refdata import REPO, reference_path

from qmethod import analyze
from qmethod.errors import QMethodError
from studies.errors import StudyError

NASTY = ["\x00", "\ud800", "\\ud800", "\\udc00x", "\\u0000", "=cmd|' /C calc'!A0", "-1000000",
         "99999999999999999999", "1e309", "nan", "-0", '"', ",", ";", "\t", "\r", "\n", "\r\n",
         "{", "}", "[", "]", ":", "- ", "&a", "*a", "!!python/object/apply:os.system ['true']",
         "é", "\ufeff", "   ", "x" * 3000, "\x1a", "low: -100000000", "high: 100000000",
         "1000000", "|", "+", "0", "  ", " -3"]


def _apply(seed: str, edits) -> str:
    for pos, cut, insert in edits:
        pos %= len(seed) + 1
        seed = seed[:pos] + insert + seed[pos + cut:]
    return seed


def mutated(seed: str):
    """A few edits of ``seed``: cut up to 60 characters at a place and put in a
    nasty or random piece."""
    edit = st.tuples(st.integers(0, len(seed)), st.sampled_from([0, 0, 1, 1, 2, 3, 60]),
                     st.one_of(st.sampled_from(NASTY), st.sampled_from(["1", "-1", " 2", "", "s"]),
                               st.text(max_size=12)))
    return st.lists(edit, min_size=0, max_size=4).map(lambda edits: _apply(seed, edits))


def file_bytes(seed: str):
    """Bytes of a mutated ``seed`` (lone surrogates written as the invalid
    UTF-8 they would be), or random bytes."""
    text = mutated(seed).map(lambda t: t.encode("utf-8", "surrogatepass"))
    return st.one_of(text, text, text, st.binary(max_size=400))


def check_error(exc: Exception) -> str:
    """The error is a known class with a message that prints, one line unless a
    study file's list of problems."""
    assert isinstance(exc, QMethodError), f"{type(exc).__name__}: {exc}"
    message = str(exc)
    assert message.strip()
    message.encode("utf-8")
    if not isinstance(exc, StudyError):
        assert "\n" not in message, message
    return type(exc).__name__


def read_and_analyse(read, name: str, data: bytes, suffix: str, extra: dict | None = None) -> str:
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = Path(d) / f"input{suffix}"
        path.write_bytes(data)
        for other, content in (extra or {}).items():
            (Path(d) / other).write_bytes(content)
        try:
            result = read(path)
            if hasattr(result, "sorts"):
                analyze(result, 1)
            outcome = "result"
        except Exception as exc:  # noqa: BLE001 - the check is the point
            outcome = check_error(exc)
    count(name, outcome)
    return outcome


LIPSET_CSV = Path(reference_path("datasets", "lipset", "sorts.csv")).read_text(encoding="utf-8")
LIPSET_DAT = Path(reference_path("formats", "LIPSET.DAT")).read_text(encoding="utf-8")
LIPSET_STA = Path(reference_path("formats", "LIPSET.STA")).read_bytes()
KENQ = json.dumps(dict(list(json.loads(Path(reference_path("formats", "kenq-senmon.json"))
                                      .read_text(encoding="utf-8")).items())[:5]), indent=1)
STUDY = (REPO / "statements" / "coproduction.yaml").read_text(encoding="utf-8")


@fuzz_settings(60)
@given(file_bytes(LIPSET_CSV[:1500]))
def test_fuzz_sorts_csv(data):
    from qmethod.io import read_sorts_csv
    read_and_analyse(read_sorts_csv, "sorts CSV", data, ".csv")


@fuzz_settings(60)
@given(file_bytes(LIPSET_DAT), st.one_of(st.just(LIPSET_STA), file_bytes(LIPSET_STA.decode("utf-8"))))
def test_fuzz_dat_sta(data, sta):
    from qmethod.io import read_dat
    read_and_analyse(read_dat, ".DAT/.STA", data, ".DAT", {"input.STA": sta})


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                       st.text(max_size=10), st.sampled_from(NASTY))
_json = st.recursive(_json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)


def _kenq_like():
    record = st.fixed_dictionaries({"sort": st.one_of(
        st.lists(st.integers(-5, 5), min_size=2, max_size=6).map(lambda v: "|".join(map(str, v))),
        _json)}, optional={"participantName": _json, "x": _json})
    doc = st.dictionaries(st.one_of(st.text(max_size=6), st.sampled_from(NASTY)), record, max_size=5)
    return doc.map(lambda d: json.dumps(d).encode("utf-8"))


@fuzz_settings(80)
@given(st.one_of(file_bytes(KENQ), _kenq_like()))
def test_fuzz_kenq_json(data):
    from qmethod.io import read_kenq_json
    read_and_analyse(read_kenq_json, "Ken-Q JSON", data, ".json")


@fuzz_settings(60)
@given(file_bytes(STUDY))
def test_fuzz_study_yaml(data):
    from studies.loader import load_study
    read_and_analyse(load_study, "study YAML", data, ".yaml")


# -- the analysis on degenerate data ----------------------------------------------------------
@st.composite
def degenerate(draw):
    n = draw(st.integers(2, 12))
    kind = draw(st.sampled_from(["all equal", "constant", "one sort", "random", "two columns"]))
    grid = np.sort(draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)))
    N = 1 if kind == "one sort" else draw(st.integers(2, 8))
    if kind == "all equal":
        cols = [grid] * N
    elif kind == "constant":
        cols = [np.full(n, draw(st.integers(-2, 2)))] * N
    elif kind == "two columns":
        cols = [grid, grid[::-1]] * (N // 2) + [grid] * (N % 2)
    else:
        cols = [np.array(draw(st.permutations(list(grid)))) for _ in range(N)]
    sorts = pd.DataFrame(np.column_stack(cols), index=[f"s{i}" for i in range(n)],
                         columns=[f"p{j}" for j in range(len(cols))])
    return kind, sorts


@fuzz_settings(70)
@given(degenerate(), st.integers(1, 9), st.sampled_from(["pca", "centroid"]),
       st.sampled_from(["varimax", "none", "quartimax"]), st.booleans())
def test_fuzz_analysis_on_degenerate_data(case, k, extraction, rotation, forced):
    kind, sorts = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = analyze(sorts, k, extraction=extraction, rotation=rotation, forced=forced,
                          grid=None if forced else __import__("qmethod.grid").grid.Grid.from_values(
                              sorts.iloc[:, 0]))
            assert np.isfinite(res.loadings.to_numpy(dtype=float)).all()
            outcome = "result"
        except Exception as exc:  # noqa: BLE001
            outcome = check_error(exc)
    count("analysis, degenerate data", outcome)
