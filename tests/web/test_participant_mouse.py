"""A participant completes the co-production study with the mouse (dragging
every card), on a desktop screen; the stored response equals what was placed."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import (
    DEFN,
    HEIGHTS,
    SCORES,
    grid_in_dom,
    link,
    mouse_drag,
    pile_for,
    presort_in_dom,
    progress,
    response_with,
    wait_step,
)

pytestmark = pytest.mark.browser


def test_mouse_participant_completes_the_study(desktop, app_url, store, invitation, shots):
    page = desktop.new_page()
    page.goto(link(app_url, invitation))
    wait_step(page, "welcome")
    expect(page.get_by_role("button", name="Start")).to_be_disabled()
    shots(page, "welcome")
    page.get_by_text("I have read this information").click()
    page.get_by_role("button", name="Start").click()

    wait_step(page, "instruction")
    shots(page, "instruction")
    page.get_by_role("button", name="Continue").click()

    # -- pre-sort: drag each card onto its pile -----------------------------------
    wait_step(page, "presort")
    shots(page, "presort-start")
    expected_piles = {}
    for i in range(len(DEFN.statements)):
        current = page.locator(".ps-current")
        text = current.locator(".text").text_content()
        pile = pile_for(text)
        mouse_drag(page, current, page.locator(f".ps-pile[data-pile='{pile}'] .ps-pile-head"))
        expect(page.locator(".ps-progress-text")).to_contain_text(f"{i + 1} of 36 sorted")
        expected_piles[text] = pile
        if i == 17:
            shots(page, "presort-half")
    shots(page, "presort-done")
    on_screen = presort_in_dom(page)
    page.locator(".ps-done").click()

    # -- grid: drag every card from the piles into the columns -----------------------
    wait_step(page, "grid")
    shots(page, "grid-start")
    page.locator(".qs-piles").evaluate("e => e.scrollIntoView({block: 'center'})")
    placed = 0
    for col, height in enumerate(HEIGHTS):
        for _ in range(height):
            card = page.locator(".pile .card").first
            # bring the card to the top of its (scrolling) pile and the piles to mid-screen
            card.evaluate("e => { const b = e.parentElement; b.scrollTop = e.offsetTop - b.offsetTop; }")
            page.locator(".qs-piles").evaluate("e => e.scrollIntoView({block: 'center'})")
            mouse_drag(page, card, page.locator(".col").nth(col).locator(".col-head"))
            placed += 1
            assert progress(page) == placed
        if col == 4:
            shots(page, "grid-half")
    expect(page.locator(".col.full")).to_have_count(len(SCORES))

    # a full column refuses one more card; dropping onto a card there swaps the two
    # (first bring the top of the grid to mid-screen, clear of Streamlit's header)
    page.locator(".col").nth(0).evaluate("e => e.scrollIntoView({block: 'center'})")
    first = page.locator(".col").nth(0).locator(".card").first
    other = page.locator(".col").nth(8).locator(".card").first
    first_text, other_text = first.locator(".text").text_content(), other.locator(".text").text_content()
    mouse_drag(page, first, page.locator(".col").nth(8).locator(".card").first)
    expect(page.locator(".col").nth(8).get_by_text(first_text)).to_have_count(1)
    expect(page.locator(".col").nth(0).get_by_text(other_text)).to_have_count(1)
    # (by the card: a card's text runs on, hidden, below its clamped lines)
    mouse_drag(page, page.locator(".col").nth(0).locator(".card", has_text=other_text),
               page.locator(".col").nth(8).locator(".col-head"))
    expect(page.locator(".qs-toast")).to_contain_text("is full")
    expect(page.locator(".col").nth(0).get_by_text(other_text)).to_have_count(1)

    placements = grid_in_dom(page)
    assert len(placements) == 36
    shots(page, "grid-complete")
    page.locator(".qs-done").click()

    # -- post-sort: the extreme statements are shown -------------------------------------
    wait_step(page, "postsort")
    most_agree = [t for t, sc in placements.items() if sc == SCORES[-1]]
    for sid in most_agree:
        expect(page.get_by_text(DEFN.statement(sid).text, exact=False)).to_be_visible()
    page.get_by_label("Why did you place these statements at +4").fill("They match my work.")
    page.get_by_label("Why did you place these statements at -4").fill("I have seen the opposite.")
    page.get_by_label("Is anything about co-production missing").fill(f"marker-mouse-{invitation}")
    shots(page, "postsort")
    page.get_by_role("button", name="Continue").click()

    # -- demographics, submit ---------------------------------------------------------------------
    wait_step(page, "demographics")
    page.get_by_text("researcher", exact=True).click()
    page.get_by_label("For how many years").fill("7")
    page.get_by_label("Which sector").fill("health")
    shots(page, "demographics")
    page.get_by_role("button", name="Submit").click()
    wait_step(page, "thanks")
    expect(page.get_by_text("Your answers have been submitted")).to_be_visible()
    shots(page, "thanks")
    # the browser's draft copies are removed once the response is stored
    page.wait_for_function("t => !Object.keys(localStorage).some(k => k.includes(t))", arg=invitation)

    # -- what was stored is what was placed ----------------------------------------------------------
    record = response_with(store, f"marker-mouse-{invitation}")
    assert record.placements == placements
    assert record.presort == on_screen
    assert {DEFN.statement(sid).text: pile for sid, pile in record.presort.items()} == expected_piles
    assert record.answers["role"] == "researcher"
    assert record.answers["years_involved"] == 7
    assert record.answers["sector"] == "health"
    assert set(record.timings) >= {"instruction", "presort", "grid", "postsort"}
    assert "Chrome" in record.user_agent

    # reloading the thank-you page shows it again
    page.reload()
    wait_step(page, "thanks")
    expect(page.get_by_text("Your answers have been submitted")).to_be_visible()
    expect(page.get_by_text("already been used")).to_have_count(0)

    # the link cannot be used again; opening it later says so kindly
    page.goto(link(app_url, invitation))
    page.locator(".qs-problem[data-kind='used_link']").wait_for(state="attached")
    expect(page.get_by_text("You have already taken part. Thank you!")).to_be_visible()
    expect(page.get_by_text("contact the research team")).to_have_count(0)
    shots(page, "used-link")
    page.close()

