"""The researcher's analysis in the Debian Chromium (issue 12's done-means):
sign in, open the demo study's analysis, switch to 4 factors, rotate f1/f2 by
15 degrees and undo once, toggle one sort's flag, save the run, download the
XLSX workbook and the reproducible analysis file. The workbook's numbers
equal qmethod.analyze's for the same settings (history after the undo, the
manual flag) to 1e-9, and ``python -m qmethod rerun`` on the downloaded file
writes the same numbers."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

import qmethod as qm
from qmethod.analysis_file import read_analysis_file

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "analyst@example.org", "correct horse battery"
DEMO = "coproduction-demo"
TABLES = {"loadings": "Loadings", "zscores": "Z-scores", "characteristics": "Characteristics"}


def wait_idle(page: Page) -> None:
    """Until Streamlit has finished the run a change started."""
    page.wait_for_timeout(250)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=30_000)


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    box = page.get_by_test_id("stSelectbox").filter(
        has=page.get_by_text(label, exact=True)).locator("input")
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def to_top(locator) -> None:
    """Scroll so that ``locator`` is at the top of the window (for a screenshot)."""
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")
    locator.page.wait_for_timeout(300)


def section(page: Page, name: str) -> None:
    page.get_by_test_id("stButtonGroup").get_by_text(name, exact=True).click()
    wait_idle(page)


def expected_result(store, manual: dict) -> qm.QResult:
    defn = store.get_study(DEMO).definition
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qm.analyze(store.sorts_frame(DEMO), 4, grid=defn.grid, manual_flags=manual,
                          judgmental=qm.RotationHistory([]))


def sort_to_toggle(store) -> tuple[str, int, list[int]]:
    """(participant, factor to toggle (1-based), its flags after the toggle): a
    sort flagged on f1, flagged also on f4 by hand."""
    res = expected_result(store, {})
    pid = next(str(p) for p in res.flags.index if res.flags.loc[p, "f1"])
    now = [i + 1 for i, f in enumerate(res.flags.columns) if res.flags.loc[pid, f]]
    return pid, 4, sorted(set(now) ^ {4})


def sheet(path, title: str) -> pd.DataFrame:
    """A sheet of the workbook as a frame indexed by its first column."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    rows = list(wb[title].iter_rows(values_only=True))
    wb.close()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    return frame.set_index(rows[0][0])


@pytest.fixture
def slow_expect():
    expect.set_options(timeout=30_000)      # a shared machine: some reruns take seconds
    yield
    expect.set_options(timeout=5_000)       # Playwright's default, for the other tests


def test_analysis_in_the_browser(app_url, store, browser, tmp_path, slow_expect, shots):
    if store.researcher_by_email(EMAIL) is None:
        store.create_researcher(EMAIL, PASSWORD)
    pid, factor, flags_after = sort_to_toggle(store)
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(app_url + "/signin")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"You are signed in as {EMAIL}").first).to_be_visible()
    page.wait_for_function("() => document.cookie.includes('qp_session=')")   # for the next page

    page.goto(app_url + f"/analysis?slug={DEMO}")
    expect(page.get_by_role("heading", name="Analysis")).to_be_visible()
    expect(page.get_by_text("Recommended:")).to_be_visible(timeout=60_000)
    box = page.get_by_label("Number of factors")
    box.fill("4")
    box.press("Enter")
    wait_idle(page)

    section(page, "Rotation and flags")
    angle = page.get_by_label("Angle (degrees), exactly")
    angle.fill("15")
    angle.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("preview: f1 and f2 turned by +15°")).to_be_visible()
    to_top(page.get_by_role("heading", name="Judgmental rotation"))
    shots(page, "rotation", full=False)
    page.get_by_role("button", name="Apply rotation of f1 and f2 by +15°").click()
    wait_idle(page)
    expect(page.get_by_text("rotate f1 and f2 by +15 degrees")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    wait_idle(page)
    expect(page.get_by_text("rotate f1 and f2 by +15 degrees")).to_have_count(0)
    expect(page.get_by_role("button", name="Redo")).to_be_enabled()

    choose(page, "Sort", pid)
    choose(page, "Factor", f"f{factor}")
    page.get_by_role("button", name=f"Flag on f{factor}").click()
    wait_idle(page)
    expect(page.get_by_text(f"{pid}: {', '.join(f'f{f}' for f in flags_after)}")).to_be_visible()
    expect(page.get_by_text("The last flag change")).to_be_visible()

    section(page, "Saved runs")
    page.get_by_label("Name of the run").fill("four factors, one flag by hand")
    page.get_by_role("button", name="Save the run").click()
    expect(page.get_by_text("is saved.")).to_be_visible()
    runs = [r for r in store.saved_runs(DEMO) if r.name == "four factors, one flag by hand"]
    assert len(runs) == 1
    saved = store.run(DEMO, runs[0].id)
    assert saved.params["rotation_history"] == [] and saved.params["manual_flags"] == {pid: flags_after}

    section(page, "Results")
    page.get_by_role("tab", name="Composite sorts").click()
    expect(page.get_by_text("Composite Q-sort of f1")).to_be_visible()
    to_top(page.get_by_role("tab", name="Composite sorts"))
    shots(page, "results", full=False)

    section(page, "Exports")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Workbook (.xlsx)").click()
    xlsx = tmp_path / "analysis.xlsx"
    dl.value.save_as(xlsx)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Reproducible analysis file (.json)").click()
    analysis_file = tmp_path / "analysis.json"
    dl.value.save_as(analysis_file)
    ctx.close()

    want = expected_result(store, {pid: flags_after})
    for name, title in TABLES.items():
        exp = getattr(want, name)
        table = sheet(xlsx, title)
        table.index = table.index.astype(str)
        got = table.loc[exp.index.astype(str), [str(c) for c in exp.columns]].astype(float)
        assert np.allclose(got.to_numpy(), exp.to_numpy(float), atol=1e-9, rtol=0,
                           equal_nan=True), name
    defines = sheet(xlsx, "Loadings")["defines"].fillna("")
    assert list(defines) == [", ".join(f for f in want.flags.columns if want.flags.loc[p, f])
                             for p in want.flags.index]

    data, settings, history, manual = read_analysis_file(analysis_file)
    assert settings.nfactors == 4 and history.steps == [] and manual == {pid: flags_after}
    out = tmp_path / "rerun"
    done = subprocess.run([sys.executable, "-m", "qmethod", "rerun", str(analysis_file), "--out",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("loadings", "zscores"):
        written = pd.read_csv(out / f"{name}.csv", index_col=0)
        exp = getattr(want, name)
        assert np.allclose(written.loc[exp.index.astype(str), list(exp.columns)].to_numpy(float),
                           exp.to_numpy(float), atol=1e-9, rtol=0, equal_nan=True), name
