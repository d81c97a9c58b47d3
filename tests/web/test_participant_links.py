"""Clear messages for bad, incomplete and closed links; the home page lists
the open studies with a link to start."""
from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import expect
from qsweb import DEFN, expect_problem, link, wait_step

pytestmark = pytest.mark.browser


def test_home_lists_open_studies(desktop, app_url, shots):
    page = desktop.new_page()
    page.goto(app_url + "/")
    expect(page.get_by_role("heading", name=DEFN.title)).to_be_visible()
    expect(page.get_by_text("[DEMO]")).to_have_count(0)        # the demo copy is not offered
    shots(page, "home")
    page.get_by_role("link", name="Start sorting").first.click()
    wait_step(page, "welcome")
    assert "study=coproduction" in page.url and "t=" not in page.url
    page.close()


def test_bad_and_closed_links(desktop, app_url, store, shots):
    page = desktop.new_page()
    page.goto(link(app_url, "not-a-real-token"))
    expect_problem(page, "bad_link", "check that you copied the whole link")
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
    expect_problem(page, "bad_link", "could not find a study")

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
