"""Clear messages for bad, incomplete and closed links; the home page lists
the open studies with a link to start."""
from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.sync_api import expect
from qsweb import DEFN, ROOT, expect_problem, link, wait_step

pytestmark = pytest.mark.browser


def test_home_lists_open_studies(desktop, app_url, shots):
    page = desktop.new_page()
    page.goto(app_url + "/")
    # (the first page view of a fresh server also seeds the demo copy: allow time)
    expect(page.get_by_role("heading", name=DEFN.title)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("[DEMO]")).to_have_count(0)        # the demo copy is not offered
    shots(page, "home")
    page.locator("a[href*='study=coproduction']", has_text="Start sorting").click()
    wait_step(page, "welcome")
    assert "study=coproduction" in page.url and "t=" not in page.url
    page.close()


def test_bad_and_closed_links(desktop, app_url, store, shots):
    page = desktop.new_page()
    page.goto(link(app_url, "not-a-real-token"))
    expect_problem(page, "bad_token", "personal code at the end of this link")
    shots(page, "bad-token")

    page.goto(link(app_url, study="no-such-study"))
    expect_problem(page, "bad_link", "could not find a study")

    page.goto(app_url + "/take-part")
    expect_problem(page, "bad_link", "does not name a study")

    # a token of another study does not open this one (demo studies take no
    # invitations, so the other study is a real one)
    store.publish_study(dataclasses.replace(DEFN, slug="another-study", title="Another study"))
    other = store.create_invitations("another-study", 1)[0]
    store.set_study_status("another-study", "closed")        # not offered on the home page
    page.goto(link(app_url, other))
    expect_problem(page, "bad_token", "personal code at the end of this link")

    # a closed study refuses its open link and unused invitations
    closed = dataclasses.replace(DEFN, slug="closed-study", title="A closed study")
    store.publish_study(closed)
    token = store.create_invitations("closed-study", 1)[0]
    store.set_study_status("closed-study", "closed")
    page.goto(link(app_url, token, study="closed-study"))
    expect_problem(page, "closed", "no longer taking new participants")
    shots(page, "closed-study")
    page.goto(link(app_url, study="closed-study"))
    expect_problem(page, "closed", "no longer taking new participants")
    page.close()


def test_a_wrong_personal_code_says_the_personal_link_is_not_recognised(desktop, app_url, shots):
    page = desktop.new_page()
    page.goto(link(app_url, "Xq9-not-issued-by-us"))
    expect_problem(page, "bad_token", "personal code at the end of this link")
    expect(page.get_by_role("heading", name="This personal link is not recognised")).to_be_visible()
    expect(page.get_by_text("could not find a study")).to_have_count(0)
    shots(page, "wrong-personal-code")
    page.close()


def test_study_names_in_links_match_whatever_their_case(desktop, app_url, store):
    page = desktop.new_page()
    page.goto(link(app_url, study="CoProduction"))
    wait_step(page, "welcome")
    expect(page.get_by_role("heading", name=DEFN.title)).to_be_visible()
    assert "study=coproduction" in page.url                   # the address is tidied up
    token = store.create_invitations("coproduction", 1)[0]
    page.goto(link(app_url, token, study="COPRODUCTION"))
    wait_step(page, "welcome")
    page.get_by_text("I have read this information").click()
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")
    assert store.get_session(token).status != "new"
    page.close()


def test_the_demo_copy_link_says_it_is_a_demo(desktop, app_url, store, shots):
    page = desktop.new_page()
    page.goto(link(app_url, study="coproduction-demo"))
    expect_problem(page, "demo", "simulated participants")
    expect(page.get_by_role("heading", name="This is a demo study")).to_be_visible()
    expect(page.get_by_text("closed")).to_have_count(0)
    shots(page, "demo-link")
    page.close()


def test_participant_links_load_without_404s(desktop, app_url, store):
    """The links given out (home page, README, the personal link) open at the
    app's root, where Streamlit finds its server at once: no 404 for
    ``<page>/_stcore/health`` or ``<page>/_stcore/host-config`` in the console."""
    missing = []
    page = desktop.new_page()
    page.on("response", lambda r: r.status == 404 and missing.append(r.url))
    page.goto(app_url + "/")
    page.locator("a[href*='study=coproduction']", has_text="Start sorting").click()
    wait_step(page, "welcome")
    assert "study=coproduction" in page.url
    page.reload()                                              # as a participant may
    wait_step(page, "welcome")

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"http://localhost:8501(/[^\s`)]*\?study=coproduction)", readme)
    assert documented, "the README names the participant link"
    page.goto(app_url + documented.group(1))
    wait_step(page, "welcome")
    assert missing == [], missing

    token = store.create_invitations("coproduction", 1)[0]
    page.goto(link(app_url, token))
    wait_step(page, "welcome")
    page.get_by_text("I have read this information").click()
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")
    personal = page.get_by_label("Your personal link").input_value()
    page.goto(personal)
    wait_step(page, "instruction")
    assert missing == [], missing
    page.close()
