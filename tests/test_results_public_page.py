"""The public results page's script (webapp/results/public.py) with Streamlit's
AppTest, no browser: a published report, its messages for every kind of link,
no traceback whatever fails, and a plain line when no PDF can be made."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import qmethod as qm
from analysis.report import build_report
from storage import Store
from studies.loader import load_study
from studies.seed import seed_demo
from webapp.results import public

REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
from webapp.results import public
public.page()
"""


@pytest.fixture(scope="module", autouse=True)
def fresh_caches():
    """The store Streamlit keeps per process would outlive this module's database:
    forget it after this module, as before it (see _run)."""
    yield
    st.cache_resource.clear()
    public.clear_views()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = "sqlite:///" + str(tmp_path_factory.mktemp("results") / "db.sqlite3")
    store = Store.from_url(url)
    info = seed_demo(store, load_study(REPO / "statements" / "coproduction.yaml"), n=20, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = qm.analyze(store.sorts_frame(info.slug), 2, grid=info.definition.grid)
    link = store.publish_results(info.slug, build_report(res, info.definition).to_dict())
    yield url, store, info, link
    store.close()


def _run(monkeypatch, url, **params) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    # the process-wide store and views of other tests' databases are not this one's
    st.cache_resource.clear()
    public.clear_views()
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _html(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_published_results_and_the_pdf_line(monkeypatch, site):
    url, store, info, link = site
    monkeypatch.setenv("QP_CHROMIUM", "no-such-browser")
    at = _run(monkeypatch, url, r=link.token)
    assert not at.exception
    page = _html(at)
    assert page.count('data-section="viewpoint"') == 2 and "Simulated data" in page
    assert [b.label for b in at.get("download_button")] == ["Download as HTML (opens offline)"]
    assert any("PDF download is not available" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Make a PDF"]
    assert len(at.get("plotly_chart")) == 1
    assert 'header[data-testid="stHeader"]' in page and "#MainMenu" in page     # Streamlit's chrome hidden


@pytest.mark.parametrize("params, kind", [
    ({"r": "B" * 32}, "unknown"), ({"r": "nope"}, "unknown"), ({}, "unknown"),
    ({"demo": "coproduction"}, "unknown"), ({"demo": "Not A Slug!"}, "unknown")])
def test_links_that_lead_nowhere(monkeypatch, site, params, kind):
    at = _run(monkeypatch, site[0], **params)
    assert not at.exception
    page = _html(at)
    assert f'data-kind="{kind}"' in page and "There is no results page at this address" in page
    assert "viewpoint" not in page and site[2].definition.statements[0].text not in page


def test_demo_link_shows_the_demo_studys_results(monkeypatch, site):
    at = _run(monkeypatch, site[0], demo=site[2].slug)
    assert not at.exception and _html(at).count('data-section="viewpoint"') == 2


def test_a_failing_store_or_snapshot_shows_a_plain_message(monkeypatch, site):
    url, store, info, link = site

    def broken(*a, **k):
        raise RuntimeError("connection to server at 10.0.0.1 failed: secret details")

    monkeypatch.setattr(Store, "published_results", broken)
    at = _run(monkeypatch, url, r=link.token)
    assert not at.exception
    page = _html(at)
    assert 'data-kind="error"' in page and "secret details" not in page and "10.0.0.1" not in page
    monkeypatch.undo()
    # a snapshot this version cannot read (a newer format) is refused, not shown
    monkeypatch.setattr(Store, "published_results", lambda self, token: type(
        "R", (), {"live": True, "status": "live", "content": {"format": "qplatform-results", "version": 99},
                  "publication_id": -1, "published_at": None})())
    at = _run(monkeypatch, url, r=link.token)
    assert not at.exception and 'data-kind="unreadable"' in _html(at)


def test_the_view_of_a_publication_is_kept(site):
    url, store, info, link = site
    found = store.published_results(link.token)
    a = public.view_of(found.publication_id, found.content, found.published_at)
    b = public.view_of(found.publication_id, {"not": "read again"}, found.published_at)
    assert a is b and a.file_stem.startswith("results-demo-what-is-co-production")
