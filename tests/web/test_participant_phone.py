"""A participant completes the co-production study on a 390 x 844 touch phone:
taps for buttons and cards, real touch drags (Chromium touch events) for some
cards, and screenshots of every step."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import (
    DEFN,
    HEIGHTS,
    SCORES,
    grid_in_dom,
    link,
    pile_for,
    presort_in_dom,
    progress,
    response_with,
    touch_drag,
    wait_step,
)

pytestmark = pytest.mark.browser


def tap(page, locator):
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_phone_participant_completes_the_study(phone, app_url, store, invitation, shots):
    page = phone.new_page()
    cdp = phone.new_cdp_session(page)
    page.goto(link(app_url, invitation))
    wait_step(page, "welcome")
    shots(page, "phone-welcome")
    tap(page, page.get_by_text("I have read this information"))
    expect(page.get_by_role("button", name="Start")).to_be_enabled()
    tap(page, page.get_by_role("button", name="Start"))

    wait_step(page, "instruction")
    shots(page, "phone-instruction")
    tap(page, page.get_by_role("button", name="Continue"))

    # -- pre-sort: tap the pile buttons; drag a few cards by touch ---------------------------
    wait_step(page, "presort")
    shots(page, "phone-presort-start")
    for i in range(len(DEFN.statements)):
        current = page.locator(".ps-current")
        pile = pile_for(current.locator(".text").text_content())
        if i % 9 == 0:
            touch_drag(page, cdp, current, page.locator(f".ps-pile-button[data-pile='{pile}']"))
        else:
            tap(page, page.locator(f".ps-pile-button[data-pile='{pile}']"))
        expect(page.locator(".ps-progress-text")).to_contain_text(f"{i + 1} of 36 sorted")
        if i == 11:
            shots(page, "phone-presort-third")
    piles = presort_in_dom(page)
    shots(page, "phone-presort-done")
    tap(page, page.locator(".ps-done"))

    # -- grid: every card must stay readable on the phone ----------------------------------------
    wait_step(page, "grid")
    shots(page, "phone-grid-start", full=False)
    page.locator(".qs-grid").evaluate("e => e.scrollIntoView({block: 'start'})")
    shots(page, "phone-grid-rows", full=False)
    widths = page.locator(".card .text").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    assert min(w for w in widths if w) >= 200, widths       # whole-width rows, not 30 px slivers
    sizes = page.locator(".card .text").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= 14
    doc_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert doc_width <= 390                                  # no sideways scrolling

    plan = [i for i, h in enumerate(HEIGHTS) for _ in range(h)]
    for k, col in enumerate(plan):
        page.locator(".qs-piles").evaluate("e => e.scrollIntoView({block: 'start'})")
        card = page.locator(".pile.active .card").first
        if k == 1:
            # drag by the grip with a real finger onto the column's row below the piles
            touch_drag(page, cdp, card.locator(".grip"), page.locator(".col").nth(col).locator(".col-head"))
        elif k % 12 == 5:
            # drag by the grip onto the column bar that appears at the bottom
            touch_drag(page, cdp, card.locator(".grip"), lambda col=col: page.locator(".qs-bar .bar-col").nth(col))
            if k == 5:
                expect(page.locator(".qs-bar")).to_be_hidden()
        else:
            tap(page, card.locator(".text"))                  # select ...
            expect(page.locator(".qs-bar")).to_be_visible()
            if k == 0:
                shots(page, "phone-grid-card-selected", full=False)
            tap(page, page.locator(".qs-bar .bar-col").nth(col))  # ... and choose the column
        assert progress(page) == k + 1, f"card {k} did not land in column {col}"
        if k == 17:
            page.locator(".qs-grid").evaluate("e => e.scrollIntoView({block: 'start'})")
            shots(page, "phone-grid-half", full=False)
    placements = grid_in_dom(page)
    shots(page, "phone-grid-complete")
    # the narrowest phones (360 px): still no sideways scrolling, cards readable
    page.set_viewport_size({"width": 360, "height": 740})
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    widths = page.locator(".col .card .text").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)")
    assert min(widths) >= 180, widths
    page.locator(".col").nth(4).evaluate("e => e.scrollIntoView({block: 'start'})")
    shots(page, "phone-360-grid", full=False)
    tap(page, page.locator(".col").nth(4).locator(".card .text").first)
    shots(page, "phone-360-bar", full=False)
    tap(page, page.locator(".qs-bar-cancel"))
    page.set_viewport_size({"width": 390, "height": 844})
    tap(page, page.locator(".qs-done"))

    wait_step(page, "postsort")
    page.get_by_label("Why did you place these statements at +4").fill("Seen it on my estate.")
    page.get_by_label("Is anything about co-production missing").fill(f"marker-phone-{invitation}")
    shots(page, "phone-postsort")
    tap(page, page.get_by_role("button", name="Continue"))

    wait_step(page, "demographics")
    tap(page, page.get_by_text("community member", exact=True))
    shots(page, "phone-demographics")
    tap(page, page.get_by_role("button", name="Submit"))
    wait_step(page, "thanks")
    shots(page, "phone-thanks")

    record = response_with(store, f"marker-phone-{invitation}")
    assert record.placements == placements
    assert record.presort == piles
    assert record.answers["role"] == "community member"
    assert sorted(record.placements.values()) == sorted(
        sc for sc, h in zip(SCORES, HEIGHTS) for _ in range(h))
    page.close()
