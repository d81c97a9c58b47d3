"""A participant withdraws their submitted response from their own link: from
the thank-you page (with a confirmation that can be cancelled) and from the
"already taken part" page of their personal link. The response and its
answers are deleted, the log says only "withdraw", the link then says the
response was withdrawn, and the study's published results page says that
some responses it used were later withdrawn or deleted."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import STUDY, grid_columns, link, session_at, wait_step

from storage import Submission
from webapp.results.public import STALE_NOTICE

pytestmark = pytest.mark.browser


def response_of(store, token: str):
    with store._tx() as s:
        from sqlalchemy import select

        from storage.models import ParticipantToken, Response
        return s.scalar(select(Response.id).join(ParticipantToken,
                                                 ParticipantToken.id == Response.token_id)
                        .where(ParticipantToken.token == token))


def test_withdraw_from_the_thank_you_page(desktop, app_url, store):
    token = session_at(store, "demographics", columns=grid_columns())
    page = desktop.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "demographics")
    page.get_by_role("button", name="Submit").click()
    wait_step(page, "thanks")
    rid = response_of(store, token)
    assert rid is not None
    # a results page published with this response in it
    from webapp.results.demo_results import ensure_demo_results

    ensure_demo_results(store)
    published = store.publish_results(STUDY, store.demo_results("coproduction-demo").content)

    # the first button asks; Cancel keeps everything
    page.get_by_role("button", name="Withdraw my response").click()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Withdraw my response")).to_be_visible()
    assert response_of(store, token) == rid

    page.get_by_role("button", name="Withdraw my response").click()
    page.get_by_role("button", name="Yes, withdraw my response").click()
    wait_step(page, "problem-withdrawn")
    expect(page.get_by_role("heading", name="Your response was withdrawn")).to_be_visible()
    expect(page.get_by_text("Your response has been withdrawn and deleted.")).to_be_visible()
    assert response_of(store, token) is None
    assert rid not in [r.id for r in store.responses(STUDY)]
    [event] = store.study_events(STUDY, response_id=rid)
    assert (event.action, event.detail, event.who) == ("withdraw", "", None)

    page.goto(link(app_url, token))                     # the link says so from now on
    wait_step(page, "problem-withdrawn")
    expect(page.get_by_role("button", name="Withdraw my response")).to_have_count(0)

    # the results page built on it says so, without any participant detail
    page.goto(f"{app_url}/results?r={published.token}")
    notice = page.locator("[data-section=stale]")
    expect(notice).to_contain_text(STALE_NOTICE)
    assert token not in notice.inner_text() and str(rid) not in notice.inner_text()
    page.close()


def test_withdraw_from_the_already_taken_part_page(desktop, app_url, store):
    token = session_at(store, "demographics", columns=grid_columns())
    rid = store.submit(token, Submission(placements={
        sid: int(score) for score, ids in grid_columns().items() for sid in ids})).response_id
    page = desktop.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "problem-used_link")
    page.get_by_role("button", name="Withdraw my response").click()
    page.get_by_role("button", name="Yes, withdraw my response").click()
    wait_step(page, "problem-withdrawn")
    assert response_of(store, token) is None
    assert rid not in [r.id for r in store.responses(STUDY)]
    page.close()


def test_withdraw_from_the_open_link_in_the_same_browser(desktop, app_url, store):
    page = desktop.new_page()
    page.goto(link(app_url))
    wait_step(page, "welcome")
    page.get_by_text("I have read this information").click()
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")
    token = page.evaluate("() => new URL(location.href).searchParams.get('t')")
    page.wait_for_function("() => document.cookie.includes('qsort_coproduction=')")
    rid = store.submit(token, Submission(placements={
        sid: int(score) for score, ids in grid_columns().items() for sid in ids})).response_id

    page.goto(link(app_url))                          # the study's link, clicked again
    wait_step(page, "taken_part")
    page.get_by_role("button", name="Withdraw my response").click()
    page.get_by_role("button", name="Yes, withdraw my response").click()
    expect(page.get_by_text("Your response has been withdrawn and deleted.")).to_be_visible()
    wait_step(page, "welcome")                         # someone may take part afresh
    assert response_of(store, token) is None
    assert rid not in [r.id for r in store.responses(STUDY)]
    page.close()
