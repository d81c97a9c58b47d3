"""Typed answers are kept in the browser until the server has them: closing
the tab while typing (before leaving the field, when Streamlit would send
the text) loses nothing; opening the link again puts the text back and
saves it."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from qsweb import grid_columns, link, session_at, wait_step

pytestmark = pytest.mark.browser

MISSING = "Is anything about co-production missing"


def kept(page, question: str) -> None:
    """Wait until the page's answer keeper listens to ``question``'s field."""
    page.wait_for_selector(f"html[data-qs-answer-keeper~='{question}']", state="attached")


def server_answers(store, token: str) -> dict:
    return dict((store.get_session(token).draft or {}).get("answers") or {})


def test_typed_answer_survives_closing_the_tab(desktop, app_url, store):
    token = session_at(store, "postsort", columns=grid_columns())
    page = desktop.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "postsort")
    box = page.get_by_label(MISSING)
    box.click()
    typed = f"Typed but never left the field {token[:6]}"
    page.keyboard.type(typed, delay=5)
    kept(page, "missing")               # (it also copies what was typed before it listened)
    page.wait_for_timeout(100)
    page.close()                                    # without leaving the field
    time.sleep(0.5)
    assert typed not in str(server_answers(store, token))     # Streamlit never sent it

    page = desktop.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "postsort")
    expect(page.get_by_label(MISSING)).to_have_value(typed, timeout=15_000)
    # ... and it is saved on the server at once
    deadline = time.monotonic() + 10
    while server_answers(store, token).get("missing") != typed and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server_answers(store, token).get("missing") == typed

    # an answer saved later (e.g. from another device) is not replaced by an older copy
    draft = dict(store.get_session(token).draft)
    draft["answers"] = {**draft["answers"], "missing": "Newer, from the phone"}
    draft["answer_ts"] = {**draft.get("answer_ts", {}), "missing": int(time.time() * 1000) + 5_000}
    store.save_draft(token, draft, step="postsort")
    page.close()
    page = desktop.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "postsort")
    page.wait_for_timeout(1_500)
    expect(page.get_by_label(MISSING)).to_have_value("Newer, from the phone")
    assert server_answers(store, token)["missing"] == "Newer, from the phone"

    # the number field of the demographics is kept too
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "demographics")
    kept(page, "years_involved")        # not the page's first keeper: it copies keystrokes only
    page.get_by_label("For how many years").click()
    page.keyboard.type("14")
    page.wait_for_timeout(100)
    page.close()
    page = desktop.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "demographics")
    expect(page.get_by_label("For how many years")).to_have_value("14", timeout=15_000)
    page.close()
