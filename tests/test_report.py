"""The results content (analysis.report): every section against the run's numbers,
privacy by construction, the quotation-consent rule, JSON round trips and the HTML."""
from __future__ import annotations

import dataclasses
import json
import re
import typing
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qmethod as qm
from analysis import report_html
from analysis.report import (
    MIN_GROUP,
    Comment,
    FactorInterpretation,
    Interpretation,
    Report,
    ReportError,
    build_report,
    collect_comments,
    comment_id,
    fewer_than,
    summarise_bootstrap,
)
from analysis.viewpoints import match_result
from qmethod.bootstrap import bootstrap
from qmethod.distinguishing import LEVELS
from qmethod.rotation import RotationHistory
from studies.demo import demo_definition, simulate_participants
from studies.loader import load_study
from studies.quotation import QUOTE_CONSENT_ID, consents_to_quotation

REPO = Path(__file__).resolve().parents[1]
DEFN = demo_definition(load_study(REPO / "statements" / "coproduction.yaml"))
#: participant labels that cannot occur in any statement or text by chance
LABEL = "PERSON-{:03d}-XQ"


@pytest.fixture(scope="module")
def people():
    return simulate_participants(DEFN, 40, seed=0)


@pytest.fixture(scope="module")
def data(people) -> pd.DataFrame:
    ids = DEFN.statement_ids()
    return pd.DataFrame({LABEL.format(i): [p["placements"][s] for s in ids] for i, p in enumerate(people)},
                        index=pd.Index(ids, name="statement"))


def _analyze(data, k=3, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qm.analyze(data, k, grid=DEFN.grid, **kw)


@pytest.fixture(scope="module")
def result(data):
    return _analyze(data)


@pytest.fixture(scope="module")
def match(result):
    return match_result(result, DEFN, permutations=999, seed=3)


@pytest.fixture(scope="module")
def comments(people):
    return collect_comments(DEFN, [{"participant": LABEL.format(i), "answers": p["answers"]}
                                   for i, p in enumerate(people)])


@pytest.fixture(scope="module")
def report(result, match, comments):
    ok = [c for c in comments if c.quote_consent]
    interp = Interpretation(title="", summary="A summary.", factors={
        "f1": FactorInterpretation(name="First view", narrative="One.\n\nTwo.", decision="renamed",
                                   quotes=(ok[0].id, ok[1].id)),
        "f2": FactorInterpretation(decision="accepted"),
        "f3": FactorInterpretation(name="Third", decision="rejected")})
    return build_report(result, DEFN, match=match, interpretation=interp, comments=comments)


NUMBER = {sid: i + 1 for i, sid in enumerate(DEFN.statement_ids())}


# ---------------------------------------------------------------------------
# every section against the run's numbers
# ---------------------------------------------------------------------------
def test_composite_sorts_are_the_factor_arrays_as_the_study_grid(report, result):
    for vp in report.viewpoints:
        assert [c.score for c in vp.grid] == list(DEFN.grid.scores)
        assert [c.label for c in vp.grid] == list(DEFN.grid.labels)
        fa = result.factor_arrays[vp.key]
        for col in vp.grid:
            expected = {NUMBER[s] for s in fa.index[fa == col.score]}
            assert set(col.statements) == expected
            z = [result.zscores.loc[DEFN.statement_ids()[n - 1], vp.key] for n in col.statements]
            assert z == sorted(z, reverse=True)          # highest z-score at the top
        assert sum(len(c.statements) for c in vp.grid) == 36


def test_distinguishing_statements_and_their_marks(report, result):
    Z, sed = result.zscores, result.sed
    for vp in report.viewpoints:
        f = vp.key
        expected = {NUMBER[s] for s in result.distinguishing.index[result.distinguishing[f"distinguishes_{f}"]]}
        assert {s.number for s in vp.distinguishing} == expected and expected
        assert [s.zscore for s in vp.distinguishing] == sorted((s.zscore for s in vp.distinguishing), reverse=True)
        crit01 = dict(LEVELS)["**"]
        for s in vp.distinguishing:
            sid = DEFN.statement_ids()[s.number - 1]
            others = [g for g in result.factor_names if g != f]
            strong = all(abs(Z.loc[sid, f] - Z.loc[sid, g]) > crit01 * sed.loc[f, g] for g in others)
            assert s.mark == ("**" if strong else "*")
            assert s.position == result.factor_arrays.loc[sid, f]
            assert s.zscore == pytest.approx(Z.loc[sid, f])
            assert dict(s.others) == {g: result.factor_arrays.loc[sid, g] for g in others}
    marks = {s.mark for vp in report.viewpoints for s in vp.distinguishing}
    assert marks == {"*", "**"}                          # both levels occur in the demo data


def test_consensus_zscores_correlations_and_characteristics(report, result):
    cons = result.distinguishing["consensus"]
    assert {c.number for c in report.consensus} == {NUMBER[s] for s in cons.index[cons]}
    z = report.zscore_frame()
    assert list(z.columns) == result.factor_names
    np.testing.assert_allclose(z.to_numpy(), result.zscores.loc[DEFN.statement_ids()].to_numpy())
    np.testing.assert_allclose(np.array(report.factor_correlations, dtype=float),
                               result.factor_correlations.to_numpy())
    for vp in report.viewpoints:
        ch = result.characteristics.loc[vp.key]
        assert vp.defining_sorts == int(ch.defining_sorts) >= MIN_GROUP
        assert vp.explained_variance == pytest.approx(ch.explained_variance)
        assert vp.composite_reliability == pytest.approx(ch.composite_reliability)
    assert report.statements == tuple(s.text for s in DEFN.statements)
    assert report.simulated and report.title == f"Results: {DEFN.title}" and report.summary == "A summary."


def test_matching_in_plain_words_with_the_researchers_decision(report, match):
    by_key = {v.key: v for v in report.viewpoints}
    for f, row in match.proposals.iterrows():
        m = by_key[f].match
        assert m.status == row.status == "matched" and m.proposal == row.perspective
        assert m.statistic == pytest.approx(row.statistic) and m.p_adjusted == pytest.approx(row.p_adjusted)
        assert f"matches the {row.perspective} perspective" in m.headline
        assert "adjusted p \u2264 0.001" in m.headline            # 999 permutations: the smallest p
        assert m.explanation.startswith("This viewpoint matches") and "statement " in m.explanation
        assert not re.search(r"\bc\d\d\b", m.explanation)             # numbers, not the design's ids
        assert {e.perspective for e in m.evidence} == set(match.statistic.columns)
        for e in m.evidence:
            assert e.statistic == pytest.approx(match.statistic.loc[f, e.perspective])
            assert e.p_adjusted == pytest.approx(match.p_adjusted.loc[f, e.perspective])
    assert "named the viewpoint \u201cFirst view\u201d" in by_key["f1"].match.headline
    assert by_key["f1"].name == "First view"
    assert "accepted this proposal" in by_key["f2"].match.headline
    assert by_key["f2"].name == match.proposals.loc["f2", "perspective"].capitalize()
    assert "rejected this proposal" in by_key["f3"].match.headline and by_key["f3"].name == "Third"


def test_methods_box(report, result, data):
    m = report.methods
    assert (m.n_statements, m.n_sorts, m.nfactors) == (36, 40, 3)
    assert m.correlation == "Pearson" and m.extraction.startswith("principal components")
    assert m.rotation == "varimax" and m.judgmental == () and m.manual_flags == "none"
    assert "1.96/\u221a36 = 0.33" in m.flagging and "999 times (seed 3)" in m.matching
    assert qm.__version__ in m.software and m.analysed == str(result.info["created"])[:10]
    # judgmental steps and flags changed by hand, without naming any sort
    res = _analyze(data, judgmental=RotationHistory().rotate(0, 1, 10).invert(2),
                   manual_flags={LABEL.format(1): [], LABEL.format(2): [1], LABEL.format(3): [2], LABEL.format(4): [3]})
    auto = _analyze(data, judgmental=RotationHistory().rotate(0, 1, 10).invert(2))
    changed = int((auto.flags.to_numpy() != res.flags.to_numpy()).any(axis=1).sum())
    r2 = build_report(res, DEFN)
    assert r2.methods.judgmental == ("rotate f1 and f2 by +10 degrees", "invert f3")
    assert r2.methods.manual_flags == f"for {fewer_than(changed, 'sorts')}"
    assert r2.methods.flagging.startswith("automatic, then changed by hand")
    few = _analyze(data, manual_flags={LABEL.format(i): [] if auto.flags.iloc[i].any() else [1]
                                       for i in range(2)})
    n_few = int((_analyze(data).flags.to_numpy() != few.flags.to_numpy()).any(axis=1).sum())
    assert 0 < n_few < MIN_GROUP
    assert build_report(few, DEFN).methods.manual_flags == "for fewer than 3 sorts"
    assert "PERSON" not in r2.to_json()


def test_bootstrap_summary_names_no_sort(result, data):
    boot = bootstrap(data, 3, resamples=20, seed=1)
    rep = build_report(result, DEFN, bootstrap=boot)
    b = rep.bootstrap
    assert b.resamples == 20 and b.seed == 1 and [f.key for f in b.factors] == result.factor_names
    for f in b.factors:
        phi = boot.congruence[f.key].to_numpy()
        assert f.mean_congruence == pytest.approx(np.nanmean(phi))
        assert f.stable_positions == int((boot.array_max[f.key] == boot.array_min[f.key]).sum())
        assert f.verdict
    assert "PERSON" not in rep.to_json()
    assert summarise_bootstrap(boot) == b


# ---------------------------------------------------------------------------
# privacy
# ---------------------------------------------------------------------------
FORBIDDEN_FIELDS = {"participant", "participants", "token", "tokens", "loading", "loadings", "flags",
                    "sorts", "data", "answers", "comments", "id", "ids", "author"}


def _walk_types(tp, seen):
    origin = typing.get_origin(tp)
    if origin is not None:
        for a in typing.get_args(tp):
            yield from _walk_types(a, seen)
        return
    if dataclasses.is_dataclass(tp):
        if tp in seen:
            return
        seen.add(tp)
        hints = typing.get_type_hints(tp)
        for f in dataclasses.fields(tp):
            yield tp.__name__, f.name, hints[f.name]
            yield from _walk_types(hints[f.name], seen)


def test_the_content_type_has_no_field_for_people():
    fields = list(_walk_types(Report, set()))
    assert len(fields) > 60
    names = {name for _, name, _ in fields}
    assert not names & FORBIDDEN_FIELDS, names & FORBIDDEN_FIELDS
    leaves = {tp for _, _, tp in fields if typing.get_origin(tp) is None and not dataclasses.is_dataclass(tp)}
    assert leaves <= {str, int, float, bool, type(None)}
    assert "Comment" not in {cls for cls, _, _ in fields}


def test_a_viewpoint_of_fewer_than_3_sorts_is_withheld(data):
    base = _analyze(data)
    keep = list(base.flags.index[base.flags["f3"]])[:2]
    manual = {p: [] for p in base.flags.index[base.flags["f3"]] if p not in keep}
    res = _analyze(data, manual_flags=manual)
    assert int(res.characteristics.loc["f3", "defining_sorts"]) == 2
    rep = build_report(res, DEFN, match=match_result(res, DEFN, permutations=99, seed=0))
    vp = rep.viewpoint("f3")
    assert vp.withheld and vp.defining_sorts is None and vp.defining_words == "fewer than 3 participants"
    assert vp.grid == () and vp.distinguishing == () and vp.composite_reliability is None
    assert vp.match.explanation == "" and vp.match.headline
    assert "f3" not in dict(rep.zscores)
    assert all("f3" not in dict(v.distinguishing[0].others) for v in rep.viewpoints if v.distinguishing)
    assert all("f3" not in dict(c.positions) for c in rep.consensus)
    page = report_html.viewpoint_html(rep, vp)
    assert "fewer than 3 participants" in page and "qr-card" not in page
    # nor in the chart or the z-score table
    assert [t.name for t in report_html.zscore_figure(rep).data] == [rep.name("f1"), rep.name("f2")]
    assert report_html.zscores_table_html(rep).count('scope="col"') == 2 + 2


def test_quotation_consent_rule():
    q = next(q for q in DEFN.postsort_questions if q.id == QUOTE_CONSENT_ID)
    assert q.kind == "choice" and q.options[0].startswith("Yes")
    assert consents_to_quotation(DEFN, {QUOTE_CONSENT_ID: q.options[0]})
    assert not consents_to_quotation(DEFN, {QUOTE_CONSENT_ID: q.options[1]})
    assert not consents_to_quotation(DEFN, {QUOTE_CONSENT_ID: q.options[0].lower()})
    assert not consents_to_quotation(DEFN, {})
    without = dataclasses.replace(DEFN, postsort_questions=tuple(p for p in DEFN.postsort_questions
                                                                 if p.id != QUOTE_CONSENT_ID))
    assert not consents_to_quotation(without, {QUOTE_CONSENT_ID: q.options[0]})


def test_adding_the_consent_question_leaves_the_simulated_data_as_it_was(people):
    without = dataclasses.replace(DEFN, postsort_questions=tuple(p for p in DEFN.postsort_questions
                                                                 if p.id != QUOTE_CONSENT_ID))
    before = simulate_participants(without, 40, seed=0)
    for a, b in zip(before, people):
        assert a["placements"] == b["placements"] and a["demographics"] == b["demographics"]
        assert {k: v for k, v in b["answers"].items() if k != QUOTE_CONSENT_ID} == a["answers"]
    said = [p["answers"][QUOTE_CONSENT_ID] for p in people]
    assert 0 < said.count(DEFN.postsort_questions[-1].options[0]) < 40


def test_collect_comments(comments, people):
    assert comments and all(c.question_id != QUOTE_CONSENT_ID for c in comments)
    for c in comments:
        i = int(c.participant.split("-")[1])
        assert c.id == comment_id(c.participant, c.question_id)
        assert c.text == people[i]["answers"][c.question_id]
        assert c.quote_consent == (people[i]["answers"].get(QUOTE_CONSENT_ID, "").startswith("Yes"))
    assert {c.quote_consent for c in comments} == {True, False}


def test_picked_unconsented_or_unknown_comments_are_refused(result, match, comments):
    bad = next(c for c in comments if not c.quote_consent)
    interp = Interpretation(factors={"f1": FactorInterpretation(quotes=(bad.id, "nobody:missing")),
                                     "f7": FactorInterpretation(), "f2": FactorInterpretation(decision="maybe"),
                                     "f3": FactorInterpretation(decision="renamed")})
    with pytest.raises(ReportError) as err:
        build_report(result, DEFN, match=match, interpretation=interp, comments=comments)
    text = "\n".join(err.value.problems)
    assert "did not agree to be quoted" in text and "not one of the study's comments" in text
    assert "no factor 'f7'" in text and "decision must be one of" in text and "needs its new name" in text


texts = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=5, max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.booleans(), st.booleans(), st.sampled_from(["f1", "f2", "f3"])),
                     min_size=1, max_size=25))
def test_only_consented_and_picked_comments_appear(result, rows):
    """Random comments (consented or not, picked or not): exactly the consented
    picked ones are quoted, and no author or other comment appears anywhere."""
    comments, picks = [], {"f1": [], "f2": [], "f3": []}
    for i, (consent, picked, f) in enumerate(rows):
        author = LABEL.format(i % 40)
        c = Comment(id=comment_id(author, f"q{i}"), participant=author, question_id=f"q{i}",
                    question="Why?", text=f"SECRET-COMMENT-{i:03d}-{'OK' if consent else 'NO'}",
                    quote_consent=consent)
        comments.append(c)
        if picked and consent:
            picks[f].append(c.id)
    interp = Interpretation(factors={f: FactorInterpretation(quotes=tuple(ids)) for f, ids in picks.items()})
    rep = build_report(result, DEFN, interpretation=interp, comments=comments)
    shown = {(v.key, q.text) for v in rep.viewpoints for q in v.quotes}
    expected = {(f, next(c.text for c in comments if c.id == cid)) for f, ids in picks.items() for cid in ids}
    assert shown == expected
    blob = rep.to_json() + report_html.standalone_html(rep, include_plotlyjs=False)
    for c in comments:
        assert (c.text in blob) == any(c.id in ids for ids in picks.values())
    assert "PERSON-" not in blob


def test_fewer_than():
    assert fewer_than(None, "sorts") == "fewer than 3 sorts"
    assert fewer_than(2) == "fewer than 3" and fewer_than(0) == "fewer than 3"
    assert fewer_than(3, "sorts") == "3 sorts"


# ---------------------------------------------------------------------------
# JSON and HTML
# ---------------------------------------------------------------------------
def test_report_json_round_trip(report):
    d = report.to_dict()
    assert json.loads(json.dumps(d)) == d
    again = Report.from_dict(d)
    assert again == report
    assert Report.from_json(report.to_json()) == report
    with pytest.raises(ReportError):
        Report.from_dict({"format": "something else"})
    with pytest.raises(ReportError):
        Report.from_dict({**d, "version": 99})
    with pytest.raises(ReportError):
        Report.from_dict({"format": d["format"], "version": 1})


def test_interpretation_json_round_trip():
    i = Interpretation(title="T", summary="S", factors={
        "f1": FactorInterpretation(name="N", narrative="x", decision="renamed", quotes=("a:b",))})
    assert Interpretation.from_dict(json.loads(json.dumps(i.to_dict()))) == i


def test_standalone_html_is_self_contained_with_every_section(report):
    page = report_html.standalone_html(report, published="1 December 2026")
    for section in ("header", "simulated", "viewpoint", "matching", "distinguishing", "quotes", "consensus",
                    "zscores", "zscores-table", "correlations", "methods"):
        assert f'data-section="{section}"' in page, section
    assert page.count('data-section="viewpoint"') == 3
    for text in report.statements:
        assert report_html.esc(text) in page
    assert "Plotly.newPlot" in page or "newPlot" in page
    assert report_html.plotly_js() in page                          # plotly.js inline
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page)  # nothing fetched
    assert "@media print" in page and "@container" in page
    for q in report.viewpoint("f1").quotes:
        assert report_html.esc(q.text) in page
    assert "PERSON-" not in page


def test_html_escapes_researchers_text(result):
    rep = build_report(result, DEFN, interpretation=Interpretation(
        title="<b>T</b>", factors={"f1": FactorInterpretation(name="<script>x()</script>",
                                                              narrative="a & b\n\n<img src=x onerror=y>")}))
    page = report_html.standalone_html(rep, include_plotlyjs=False)
    assert "<script>x()" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;b&gt;T&lt;/b&gt;" in page


def test_study_checks_refuse_a_consent_question_that_cannot_serve():
    from studies.definition import StudyDefinition
    from studies.errors import StudyError

    d = DEFN.to_dict()
    d["postsort_questions"][-1] = {"id": QUOTE_CONSENT_ID, "text": "May we quote you?", "kind": "textarea"}
    with pytest.raises(StudyError, match="consent to quotation"):
        StudyDefinition.from_dict(d)
    d = DEFN.to_dict()
    q = d["postsort_questions"].pop()
    d["demographic_questions"].append(q)
    with pytest.raises(StudyError, match="must be a post-sort question"):
        StudyDefinition.from_dict(d)
    assert StudyDefinition.from_dict(DEFN.to_dict()) == DEFN


def test_the_file_embeds_the_basic_plotly_bundle_of_the_installed_version(report):
    from plotly.offline import get_plotlyjs_version

    assert report_html.vendored_plotly_version() == get_plotlyjs_version(), (
        "plotly was upgraded: replace analysis/vendor/plotly-basic.min.js (analysis/vendor/README.md)")
    js = report_html.plotly_js()
    assert js == report_html.VENDORED_PLOTLY.read_text(encoding="utf-8") and len(js) < 1_500_000
    assert {t.type for t in report_html.zscore_figure(report).data} <= report_html.BASIC_TRACES
