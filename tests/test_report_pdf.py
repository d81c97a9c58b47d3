"""The PDF of a report (analysis.report_pdf) printed by Debian's Chromium, and
what happens without a browser or when the kept browser dies."""
from __future__ import annotations

import io
import os
import re
import signal
import time
import unicodedata
import warnings
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

import qmethod as qm
from analysis import report_pdf
from analysis.report import FactorInterpretation, Interpretation, build_report
from studies.demo import demo_definition, simulate_participants
from studies.loader import load_study

REPO = Path(__file__).resolve().parents[1]
DEFN = demo_definition(load_study(REPO / "statements" / "coproduction.yaml"))


@pytest.fixture(scope="module")
def report():
    people = simulate_participants(DEFN, 30, seed=2)
    ids = DEFN.statement_ids()
    data = pd.DataFrame({f"p{i}": [p["placements"][s] for s in ids] for i, p in enumerate(people)}, index=ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = qm.analyze(data, 2, grid=DEFN.grid)
    return build_report(res, DEFN, interpretation=Interpretation(factors={
        "f1": FactorInterpretation(name="The first one", narrative="Its narrative, in plain words.")}))


def _text(pdf: bytes) -> str:
    raw = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw))


def test_pdf_has_the_reports_content(report):
    assert report_pdf.pdf_engine(), "the tests need Debian's chromium (apt-get install chromium)"
    pdf = report_pdf.report_pdf(report, published="2 December 2026")
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for words in ("Viewpoint 1: The first one", "Its narrative, in plain words.", "Viewpoint 2: Viewpoint 2",
                  "published 2 December 2026", "Simulated data, not real people", "The composite sort",
                  "Distinguishing statements", "How the viewpoints relate", "How the analysis was done",
                  "The z-scores as a table", DEFN.statements[10].text):
        assert words in text, words
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert abs(width - 595) < 2 and abs(height - 842) < 2            # A4, from the print stylesheet


def test_the_browser_is_kept_and_replaced_when_it_dies(report):
    report_pdf.html_to_pdf("<!DOCTYPE html><p>one</p>")
    first = report_pdf._BROWSER[0].proc.pid
    assert _text(report_pdf.html_to_pdf("<!DOCTYPE html><p>two</p>")).strip() == "two"
    assert report_pdf._BROWSER[0].proc.pid == first                   # kept
    os.kill(first, signal.SIGKILL)
    report_pdf._BROWSER[0].proc.wait(timeout=10)
    assert _text(report_pdf.html_to_pdf("<!DOCTYPE html><p>three</p>")).strip() == "three"
    assert report_pdf._BROWSER[0].proc.pid != first                   # a new one took over


def test_without_a_browser_the_reason_is_plain(monkeypatch, report):
    monkeypatch.setenv(report_pdf.ENV_VAR, "no-such-browser-here")
    assert report_pdf.pdf_engine() is None
    reason = report_pdf.unavailable_reason()
    assert "not available" in reason and "no-such-browser-here" in reason and "\n" not in reason
    with pytest.raises(report_pdf.PdfUnavailable, match="not available"):
        report_pdf.report_pdf(report)
    monkeypatch.delenv(report_pdf.ENV_VAR)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert report_pdf.pdf_engine() is None
    assert "Debian package 'chromium'" in report_pdf.unavailable_reason()


def test_warm_up_starts_the_browser_in_the_background():
    report_pdf._close_browser()
    report_pdf.warm_up()
    for _ in range(100):
        if report_pdf._BROWSER and report_pdf._BROWSER[0].alive():
            break
        time.sleep(0.05)
    assert report_pdf._BROWSER and report_pdf._BROWSER[0].alive()
    pid = report_pdf._BROWSER[0].proc.pid
    report_pdf.warm_up()                                             # one is running: nothing new
    assert _text(report_pdf.html_to_pdf("<!DOCTYPE html><p>warm</p>")).strip() == "warm"
    assert report_pdf._BROWSER[0].proc.pid == pid
