"""The public results page in Chromium: a study's results published through the
Store API, opened signed out, every section checked against the run's numbers;
no participant id, token or unconsented comment in the page source, the HTML
download or the PDF; unpublished, replaced and bad links refused plainly; a
phone screenshot; the demo study's page linked from the home page."""
from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
import warnings
from html import unescape

import pytest
from playwright.sync_api import expect
from qsweb import DEFN, DESKTOP, PHONE, ROOT

import qmethod as qm
from analysis.report import FactorInterpretation, Interpretation, build_report, collect_comments
from analysis.viewpoints import match_result
from storage.models import ParticipantToken
from studies.quotation import QUOTE_CONSENT_ID
from studies.seed import simulated_submissions

pytestmark = pytest.mark.browser

SLUG = "resultspage"                   # its demo copy: "resultspage-demo"
DOCS = ROOT / "tests" / "screenshots" / "results"


def _norm(text: str) -> str:
    """Spaces collapsed and ligatures undone (the PDF's text has "\ufb01" for "fi")."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@dataclasses.dataclass
class Published:
    slug: str
    token: str
    report: object
    result: object
    secrets: list[str]             # participant labels and tokens, unconsented comments
    quoted: list[str]              # the consented comments picked
    unpicked: list[str]            # consented but not picked


@pytest.fixture(scope="module")
def published(store) -> Published:
    """A demo study of 40 simulated participants whose written answers are all
    unique, analysed, interpreted and published through the Store API."""
    defn = dataclasses.replace(DEFN, slug=SLUG, title="Results page test study")
    info = store.publish_study(defn, demo=True)
    subs = simulated_submissions(info.definition, 40, seed=7)
    for i, sub in enumerate(subs):
        for q in ("why_most_agree", "why_most_disagree", "missing"):
            if sub["answers"].get(q):
                sub["answers"][q] = f"{sub['answers'][q]} [comment {q} {i:02d}]"
    store.add_simulated_responses(info.slug, subs)
    records = store.responses(info.slug)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = qm.analyze(store.sorts_frame(info.slug), 3, grid=defn.grid)
    match = match_result(result, info.definition, permutations=999, seed=0)
    comments = collect_comments(info.definition, records)
    consented = [c for c in comments if c.quote_consent]
    picks = {f: [c.id for c in consented if c.participant in
                 set(result.flags.index[result.flags[f].to_numpy(bool)])][:2] for f in result.factor_names}
    interp = Interpretation(summary="What the study found, in brief.", factors={
        f: FactorInterpretation(name=f"Viewpoint named {f.upper()}", narrative=f"Narrative of {f}.",
                                decision="renamed", quotes=tuple(picks[f])) for f in result.factor_names})
    report = build_report(result, info.definition, match=match, interpretation=interp, comments=comments)
    run = store.record_analysis_run(info.slug, {"nfactors": 3}, result.to_json())
    link = store.publish_results(info.slug, report.to_dict(), run_id=run)
    picked = {cid for ids in picks.values() for cid in ids}
    with store.engine.connect() as conn:
        tokens = [t for (t,) in conn.execute(ParticipantToken.__table__.select()
                                             .with_only_columns(ParticipantToken.token)
                                             .where(ParticipantToken.label == "demo data"))]
    assert len(tokens) >= 40 and len(picked) >= 3
    secrets = ([r.participant for r in records] + tokens
               + [c.text for c in comments if not c.quote_consent])
    return Published(slug=info.slug, token=link.token, report=report, result=result, secrets=secrets,
                     quoted=[c.text for c in comments if c.id in picked],
                     unpicked=[c.text for c in consented if c.id not in picked])


def _leaks(text: str, pub: Published) -> list[str]:
    flat = _norm(text)
    return [s for s in pub.secrets + pub.unpicked
            if (re.search(rf"\b{re.escape(s)}\b", flat) if re.fullmatch(r"r\d{4}", s) else _norm(s) in flat)]


def _open(ctx, url: str):
    page = ctx.new_page()
    page.goto(url)
    page.locator(".qr h1").first.wait_for()
    return page


def test_every_section_against_the_run(browser, app_url, published, shots):
    ctx = browser.new_context(**DESKTOP)          # a fresh browser: signed out, no cookies
    ctx.set_default_timeout(30_000)
    page = _open(ctx, f"{app_url}/results?r={published.token}")
    rep, res = published.report, published.result
    expect(page.locator("h1")).to_have_text(rep.title)
    expect(page.locator("[data-section=simulated]")).to_contain_text("Simulated data")
    # Streamlit's chrome is hidden: no menu, toolbar or navigation
    for sel in ("[data-testid=stToolbar]", "header[data-testid=stHeader]", "#MainMenu",
                "[data-testid=stSidebarNav]", "[data-testid=stTopNavLinkContainer]"):
        assert not page.locator(sel).is_visible(), sel
    for vp in rep.viewpoints:
        sec = page.locator(f"section[data-key={vp.key}]")
        expect(sec.locator("h2")).to_have_text(f"Viewpoint {vp.number}: Viewpoint named {vp.key.upper()}")
        n_def = int(res.characteristics.loc[vp.key, "defining_sorts"])
        expect(sec.locator("[data-section=defining]")).to_contain_text(f"defined by {n_def} participants")
        expect(sec.locator("[data-section=defining]")).to_contain_text(
            f"{res.characteristics.loc[vp.key, 'explained_variance']:.0f}% of the variance")
        expect(sec).to_contain_text(f"Narrative of {vp.key}.")
        # the composite sort: each grid column holds the statements of the factor array
        fa = res.factor_arrays[vp.key]
        for score in DEFN.grid.scores:
            numbers = sec.locator(f"li.qr-col[data-score='{score}'] li.qr-card").evaluate_all(
                "els => els.map(e => +e.dataset.number)")
            expected = {DEFN.statement_ids().index(s) + 1 for s in fa.index[fa == score]}
            assert set(numbers) == expected, (vp.key, score)
        # distinguishing statements with their marks
        rows = sec.locator("[data-section=distinguishing] tbody tr")
        dist = res.distinguishing[f"distinguishes_{vp.key}"]
        assert int(dist.sum()) > 0
        expect(rows).to_have_count(int(dist.sum()))
        shown = rows.evaluate_all("rs => rs.map(r => [+r.dataset.number, r.cells[4].innerText.trim(), "
                                  "r.cells[3].innerText.trim()])")
        for (number, mark, z), s in zip(shown, vp.distinguishing):
            assert (number, mark) == (s.number, s.mark) and mark in ("*", "**")
            sid = DEFN.statement_ids()[number - 1]
            assert z == f"{res.zscores.loc[sid, vp.key]:.2f}"
        # the viewpoint matching in plain words, with the adjusted p
        expect(sec.locator("[data-section=matching]")).to_contain_text(vp.match.headline)
        expect(sec.locator("[data-section=matching]")).to_contain_text("adjusted p")
        # quotes: the picked, consented ones
        for q in vp.quotes:
            expect(sec.locator("[data-section=quotes]")).to_contain_text(q.text)
    # across viewpoints
    cons = res.distinguishing["consensus"]
    expect(page.locator("[data-section=consensus] tbody tr")).to_have_count(int(cons.sum()))
    cells = page.locator("[data-section=correlations] tbody tr").evaluate_all(
        "rs => rs.map(r => Array.from(r.cells).slice(1).map(c => c.innerText.trim()))")
    assert cells == [[f"{v:.2f}" for v in row] for row in res.factor_correlations.to_numpy()]
    methods = page.locator("[data-section=methods]")
    for words in ("Sorts analysed", "40", "Statements", "36", "Pearson", "principal components", "varimax",
                  "1.96/\u221a36", "999 times (seed 0)", f"qmethod engine {qm.__version__}", "not run"):
        expect(methods).to_contain_text(words)
    # the z-score chart: one trace per viewpoint, statement texts on hover, a sort menu
    chart = page.locator(".stPlotlyChart .js-plotly-plot")
    chart.wait_for()
    fig = chart.evaluate("el => ({names: el.data.map(t => t.name), hover: el.data[0].hovertext, "
                         "buttons: el.layout.updatemenus[0].buttons.map(b => b.label)})")
    assert fig["names"] == [v.name for v in rep.viewpoints]
    assert len(fig["hover"]) == 36 and all("<br>" in h for h in fig["hover"])
    assert any(DEFN.statements[0].text[:30] in h.replace("<br>", " ") for h in fig["hover"])
    assert fig["buttons"][:2] == ["Sort by disagreement", "Sort by statement"] and len(fig["buttons"]) == 5
    chart.locator(".updatemenu-header-group").click()
    page.locator(".updatemenu-item-text", has_text="Sort by statement").click()
    top = chart.evaluate("el => el.layout.yaxis.categoryarray.slice(-1)[0]")
    assert top == "1"                                      # statement 1 now at the top
    # privacy: the page source holds no participant id, token or unconsented comment
    assert _leaks(page.content(), published) == []
    assert _leaks(page.content() + " r0007 " + published.secrets[-1], published) == ["r0007", published.secrets[-1]]
    assert all(_norm(q) in _norm(page.content()) for q in published.quoted)
    shots(page, "results-desktop")
    ctx.close()


def test_downloads_html_offline_and_pdf(browser, app_url, published, tmp_path):
    from pypdf import PdfReader

    ctx = browser.new_context(**DESKTOP, accept_downloads=True)
    ctx.set_default_timeout(60_000)
    page = _open(ctx, f"{app_url}/results?r={published.token}")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download as HTML").click()
    html_path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(html_path)
    assert html_path.suffix == ".html"
    html = unescape(html_path.read_text(encoding="utf-8"))
    assert _leaks(html, published) == [] and published.token not in html
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", html_path.read_text(encoding="utf-8"))
    for q in published.quoted:
        assert _norm(q) in _norm(html)
    # it opens offline, chart included
    off = browser.new_context(**DESKTOP, offline=True)
    local = off.new_page()
    local.goto(html_path.as_uri())
    local.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert local.locator("section[data-section=viewpoint]").count() == len(published.report.viewpoints)
    assert local.evaluate("() => document.querySelector('.js-plotly-plot').data.length") == 3
    off.close()

    # the PDF: same content, printed by Chromium
    page.get_by_role("button", name="Make a PDF").click()
    button = page.get_by_role("button", name="Download the PDF")
    button.wait_for(timeout=60_000)
    with page.expect_download() as dl:
        button.click()
    pdf_path = tmp_path / "results.pdf"
    dl.value.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    flat = _norm(text)
    for vp in published.report.viewpoints:
        assert f"Viewpoint {vp.number}: {vp.name}" in flat
    assert "Simulated data" in flat and "How the analysis was done" in flat and "Consensus statements" in flat
    assert _norm(DEFN.statements[5].text) in flat
    for q in published.quoted:
        assert _norm(q)[:40] in flat
    assert _leaks(text, published) == []
    ctx.close()


def test_phone_reads_the_composite_sort_as_rows(browser, app_url, published, shots):
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(30_000)
    page = _open(ctx, f"{app_url}/results?r={published.token}")
    grid = page.locator("section[data-key=f1] .qr-grid")
    grid.scroll_into_view_if_needed()
    cols = grid.locator("li.qr-col").evaluate_all("els => els.map(e => e.getBoundingClientRect())"
                                                  ".map(r => [r.left, r.top, r.width])")
    assert len(cols) == 9
    assert len({round(c[0]) for c in cols}) == 1                   # one above the other
    assert [c[1] for c in cols] == sorted(c[1] for c in cols)
    assert min(c[2] for c in cols) > 300                            # each a full-width row
    size = page.locator("section[data-key=f1] .qr-card").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 14
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    shots(page, "results-phone", full=False)
    ctx.close()


@pytest.mark.parametrize("query", ["r=" + "A" * 32, "r=short", "r=%3Cscript%3E", "r=", "demo=coproduction",
                                   "demo=../../etc", "r=" + "a" * 500, "demo=no-such-study-demo", ""])
def test_bad_links_get_a_plain_message(browser, app_url, published, query):
    ctx = browser.new_context(**DESKTOP)
    page = ctx.new_page()
    page.goto(f"{app_url}/results?{query}")
    msg = page.locator("[data-section=message]")
    msg.wait_for(timeout=30_000)
    expect(msg).to_contain_text("There is no results page at this address")
    content = page.content()
    assert "Traceback" not in content and page.locator("[data-testid=stException]").count() == 0
    assert published.report.title not in content and DEFN.statements[0].text not in content
    ctx.close()


def test_unpublished_and_replaced_links_are_refused(browser, app_url, published, store):
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(30_000)
    first = published.token
    second = store.publish_results(published.slug, published.report.to_dict()).token
    page = ctx.new_page()
    page.goto(f"{app_url}/results?r={first}")
    expect(page.locator("[data-section=message]")).to_contain_text("These results have been replaced")
    assert published.report.title not in page.content()
    assert DEFN.statements[3].text not in page.content()
    page = _open(ctx, f"{app_url}/results?r={second}")
    expect(page.locator("h1")).to_have_text(published.report.title)
    assert store.unpublish_results(published.slug) == 1
    page.reload()
    expect(page.locator("[data-section=message]")).to_contain_text("These results have been withdrawn")
    content = page.content()
    assert published.report.title not in content and DEFN.statements[3].text not in content
    assert "Traceback" not in content
    # publish again for any test that runs after this one
    published.token = store.publish_results(published.slug, published.report.to_dict()).token
    ctx.close()


def test_home_page_links_to_the_demo_results(browser, app_url, store, shots):
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(app_url)
    link = page.get_by_role("link", name=re.compile("results page, made from simulated participants"))
    link.click()
    page.locator(".qr h1").first.wait_for()
    assert "/results?demo=coproduction-demo" in page.url
    expect(page.locator("[data-section=simulated]")).to_contain_text("Simulated data, not real people")
    expect(page.locator("section[data-section=viewpoint]")).to_have_count(3)   # drawn one by one
    consent_q = next(q for q in DEFN.postsort_questions if q.id == QUOTE_CONSENT_ID)
    assert consent_q.options[0] not in page.content()
    ctx.close()
