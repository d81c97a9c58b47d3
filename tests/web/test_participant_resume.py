"""Nothing is lost: closing the page halfway and opening the same link resumes
exactly where the participant was (from this browser's copy, or from the
server's copy in another browser), and a lost connection is announced."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import (
    DEFN,
    DESKTOP,
    PILE_KEYS,
    grid_in_dom,
    link,
    pile_for,
    place_by_keyboard,
    presort_in_dom,
    response_with,
    wait_step,
)

pytestmark = pytest.mark.browser


def pile_texts(page) -> list[str]:
    return page.locator(".pile .card .text").all_text_contents()


def test_close_halfway_and_resume(browser, app_url, store, invitation, shots):
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(link(app_url, invitation))
    wait_step(page, "welcome")
    page.get_by_text("I have read this information").click()
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")
    page.get_by_role("button", name="Continue").click()

    # -- pre-sort 14 cards, close the tab at once, open the link again ------------------------
    wait_step(page, "presort")
    first_card = page.locator(".ps-current .text").text_content()
    page.locator(".ps-current").focus()
    for _ in range(14):
        page.keyboard.press(PILE_KEYS[pile_for(page.locator(".ps-current .text").text_content())])
    expect(page.locator(".ps-progress-text")).to_contain_text("14 of 36 sorted")
    piles = presort_in_dom(page)
    current = page.locator(".ps-current").text_content()
    page.close()
    kept = [e["name"] for o in ctx.storage_state()["origins"] for e in o["localStorage"]]
    assert any(invitation in name for name in kept)      # this browser's copy of the piles

    page = ctx.new_page()
    page.goto(link(app_url, invitation))
    wait_step(page, "presort")
    assert presort_in_dom(page) == piles
    assert page.locator(".ps-current").text_content() == current
    assert page.locator(".ps-small[data-n='1'] .text").text_content() == first_card  # same order
    shots(page, "resumed-presort", full=False)
    page.locator(".ps-current").focus()
    for _ in range(36 - 14):
        page.keyboard.press(PILE_KEYS[pile_for(page.locator(".ps-current .text").text_content())])
    piles = presort_in_dom(page)
    page.locator(".ps-done").click()

    # -- grid: place 15 cards, wait for the server copy, close ----------------------------------------
    wait_step(page, "grid")
    order_before = pile_texts(page)
    place_by_keyboard(page, 15)
    expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=15_000)
    grid = grid_in_dom(page)
    remaining = pile_texts(page)
    page.close()
    ctx.close()

    # -- another browser (no local copy): the server's draft restores the same grid ----------------------
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(link(app_url, invitation))
    wait_step(page, "grid")
    assert grid_in_dom(page) == grid
    assert pile_texts(page) == remaining
    assert [t for t in order_before if t in remaining] == remaining
    shots(page, "resumed-grid-other-browser", full=False)

    # -- the connection drops: the page says so and keeps working -----------------------------------------
    ctx.set_offline(True)
    expect(page.locator(".qs-alert")).to_contain_text("connection is lost")
    place_by_keyboard(page, 3)
    expect(page.locator(".qs-saved")).to_contain_text("Offline")
    shots(page, "offline", full=False)
    ctx.set_offline(False)
    expect(page.locator(".qs-alert")).to_be_hidden()
    expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=20_000)

    place_by_keyboard(page, 36 - 18)
    final = grid_in_dom(page)
    page.locator(".qs-done").click()
    wait_step(page, "postsort")
    page.get_by_label("Is anything about co-production missing").fill(f"marker-resume-{invitation}")
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "demographics")
    page.get_by_role("button", name="Submit").click()
    wait_step(page, "thanks")

    record = response_with(store, f"marker-resume-{invitation}")
    assert record.placements == final
    assert record.presort == piles
    assert set(final) == {s.id for s in DEFN.statements}

    # submitting again (a second tab, a double click) stores nothing new
    again = store.submit(invitation, {"placements": final})
    assert again.created is False and again.response_id == record.id
    ctx.close()
