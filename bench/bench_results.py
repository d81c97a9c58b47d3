"""Server time of a published results page, and the time to make its files.

    .venv/bin/python bench/bench_results.py               # temporary SQLite file
    .venv/bin/python bench/bench_results.py --repeat 30 --pdf-repeat 5

A study of 60 statements (grid -5..+5) with four designed perspectives and
200 simulated participants is analysed with 4 factors, matched (9,999
permutations), interpreted and published; then:

1. AppTest: whole script runs of the results page (``webapp/results/public.py``
   for ``?r=<token>``), once cached: the first run builds and keeps the
   publication's view, the timed runs are what every later visitor costs
   (Streamlit's script overhead included, no network);
2. direct: the publication lookup by token (one indexed query) alone;
3. the self-contained HTML file (first build) and the PDF (Chromium's print of
   it): the first PDF of a process starts the browser, later ones reuse it,
   as the server does (:mod:`analysis.report_pdf`).

Budgets: the cached page under 300 ms (95th percentile), the PDF under 5 s
(best run with the browser kept; the first one, which starts it, is shown too). Prints a table; exits 1 when a budget is missed. The machine is
shared, so the best and median of several runs are printed.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE_BUDGET_MS = 300.0
PDF_BUDGET_S = 5.0
SCRIPT = """
from webapp.results import public
public.page()
"""


def big_study():
    """60 statements, 4 perspectives of 15, a quasi-normal grid -5..+5."""
    from qmethod.grid import Grid
    from studies.definition import Pile, Question, Statement, StudyDefinition
    from studies.quotation import QUOTE_CONSENT_ID

    names = ["clarity", "power", "action", "care"]
    statements = tuple(Statement(f"s{i + 1:02d}", f"Statement number {i + 1} about {names[i % 4]}, written "
                                 f"to be about as long as a real one in a Q-set.", {"perspective": names[i % 4]})
                       for i in range(60))
    heights = (2, 3, 5, 6, 7, 14, 7, 6, 5, 3, 2)
    grid = Grid(tuple(range(-5, 6)), heights, tuple(f"{s:+d}" if s else "0" for s in range(-5, 6)))
    return StudyDefinition(
        slug="bench-results", title="A 60-statement study", statements=statements, grid=grid,
        instruction="Sort.", welcome="Welcome.", consent="Consent.", thank_you="Thanks.",
        presort_piles=(Pile("disagree", "Disagree"), Pile("neutral", "Neutral"), Pile("agree", "Agree")),
        postsort_questions=(Question("why_most_agree", "Why?", "textarea", about="agree_extreme"),
                            Question(QUOTE_CONSENT_ID, "May we quote you?", "choice",
                                     options=("Yes", "No"))))


def publish(store, participants: int):
    import qmethod as qm
    from analysis.report import FactorInterpretation, Interpretation, build_report, collect_comments
    from analysis.viewpoints import match_result
    from studies.seed import seed_demo

    info = seed_demo(store, big_study(), n=participants, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = qm.analyze(store.sorts_frame(info.slug), 4, grid=info.definition.grid)
    match = match_result(result, info.definition, permutations=9999, seed=0)
    comments = collect_comments(info.definition, store.responses(info.slug))
    ok = [c.id for c in comments if c.quote_consent]
    interp = Interpretation(factors={f: FactorInterpretation(name=f"Viewpoint {f}", narrative="A narrative. " * 40,
                                                             quotes=tuple(ok[2 * i:2 * i + 2]))
                                     for i, f in enumerate(result.factor_names)})
    report = build_report(result, info.definition, match=match, interpretation=interp, comments=comments)
    run = store.record_analysis_run(info.slug, {"nfactors": 4}, result.to_json())
    return store.publish_results(info.slug, report.to_dict(), run_id=run), report


def line(name: str, samples: list[float], unit: str, budget: str = "") -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return (f"| {name:<48} | {len(s):>3} | {s[0]:9.1f} | {statistics.median(s):9.1f} | {p95:9.1f} | "
            f"{unit:<2} | {budget}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--pdf-repeat", type=int, default=4)
    ap.add_argument("--participants", type=int, default=200)
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)

    tmp = tempfile.TemporaryDirectory(prefix="bench-results-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    from streamlit.testing.v1 import AppTest

    from analysis.report_html import standalone_html
    from analysis.report_pdf import pdf_engine, report_pdf
    from storage import Store

    store = Store.from_url(os.environ["DATABASE_URL"])
    t0 = time.perf_counter()
    link, report = publish(store, args.participants)
    print(f"published a study of {len(report.statements)} statements, {len(report.viewpoints)} viewpoints, "
          f"{args.participants} simulated sorts in {time.perf_counter() - t0:.1f} s")

    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.query_params["r"] = link.token
    t0 = time.perf_counter()
    at.run()
    assert not at.exception, at.exception
    first = (time.perf_counter() - t0) * 1000
    shown = [h for h in at.get("html") if 'data-section="viewpoint"' in h.proto.body]
    assert len(shown) == 4, "the page did not show the four viewpoints"
    page = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        at.run()
        page.append((time.perf_counter() - t0) * 1000)
        assert not at.exception
    lookup = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        store.published_results(link.token)
        lookup.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    html = standalone_html(report)
    html_ms = (time.perf_counter() - t0) * 1000
    pdf = []
    if pdf_engine():
        for _ in range(args.pdf_repeat):
            t0 = time.perf_counter()
            data = report_pdf(report)
            pdf.append(time.perf_counter() - t0)
        pdf_size = len(data)

    print()
    print("| measurement                                      |   n |      best |    median |       p95 |    | budget")
    print("|---|---:|---:|---:|---:|---|---")
    print(line("AppTest: first run (builds the view)", [first], "ms"))
    ok_page = sorted(page)[min(len(page) - 1, round(0.95 * (len(page) - 1)))] < PAGE_BUDGET_MS
    print(line("AppTest: results page, cached, whole script run", page, "ms",
               f"< {PAGE_BUDGET_MS:.0f} (p95) " + ("ok" if ok_page else "OVER BUDGET")))
    print(line("direct: publication lookup by token", lookup, "ms"))
    print(line(f"self-contained HTML ({len(html) / 1e6:.1f} MB), first build", [html_ms], "ms"))
    ok_pdf = True
    if pdf:
        print(line(f"PDF, first (starts the browser; {pdf_size / 1e6:.2f} MB; the page starts it "
                   "at the first view)", pdf[:1], "s"))
        warm = pdf[1:] or pdf
        ok_pdf = min(warm) < PDF_BUDGET_S
        print(line("PDF, browser kept (every later PDF)", warm, "s",
                   f"< {PDF_BUDGET_S:.0f} (best) " + ("ok" if ok_pdf else "OVER BUDGET")))
    else:
        print("PDF: no Chromium on this machine (set QP_CHROMIUM or install the Debian package 'chromium')")
    store.close()
    tmp.cleanup()
    return 0 if ok_page and ok_pdf else 1


if __name__ == "__main__":
    sys.exit(main())
