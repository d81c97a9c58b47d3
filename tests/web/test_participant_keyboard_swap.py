"""Keyboard: holding a card, Tab to a card in a full column and press Enter
to swap the two; a full column is said next to the column (announced, no
layout shift) in the keyboard's own words."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import active, fully_visible, link, order_of, progress, session_at, tab_to, wait_step

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1280, "height": 800}}


def test_keyboard_swap_into_a_full_column(browser, app_url, store):
    token = store.create_invitations("coproduction", 1)[0]
    order = order_of(token)
    session_at(store, "grid", token=token, columns={"4": order[:2]})   # +4 holds 2 of 2
    full = {"1", "2"}                                     # their neutral numbers
    ctx = browser.new_context(**LAPTOP)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "grid")
    page.wait_for_timeout(1200)
    grid_top = page.locator(".qs-grid").bounding_box()["y"]

    card = page.locator(".pile.active .card:not(.away)").first
    n = card.get_attribute("data-n")
    card.focus()
    page.keyboard.press("Enter")                          # pick it up
    page.keyboard.press("End")                            # the +4 column
    expect(page.locator(".col.target")).to_have_attribute("data-index", "8")
    page.keyboard.press("Enter")                          # refused: +4 is full

    toast = page.locator(".qs-toast")
    expect(toast).to_be_visible()
    expect(toast).to_have_attribute("role", "alert")
    expect(toast).to_contain_text("+4 is full (2 of 2)")
    expect(toast).to_contain_text("press Tab until you reach a card in it and press Enter")
    expect(toast).not_to_contain_text("drop onto")
    box, column = toast.bounding_box(), page.locator(".col").nth(8).bounding_box()
    assert fully_visible(page, box)
    assert box["x"] < column["x"] + column["width"] and box["x"] + box["width"] > column["x"]
    assert box["y"] >= column["y"]                        # next to the column, not at the top
    assert page.locator(".qs-grid").bounding_box()["y"] == grid_top     # nothing moved
    expect(page.locator(".card.held")).to_have_attribute("data-n", n)  # still in hand

    # the keyboard way to swap: Tab to a card in the full column, Enter
    swapped = tab_to(page, lambda a: a["n"] in full)["n"]
    expect(page.locator(".qs-live")).to_contain_text(f"Press Enter to put statement {n} here")
    page.keyboard.press("Enter")
    plus4 = page.locator(".col").nth(8)
    expect(plus4.locator(f".card[data-n='{n}']")).to_have_count(1)
    expect(plus4.locator(f".card[data-n='{swapped}']")).to_have_count(0)
    expect(page.locator(f".pile .card[data-n='{swapped}']")).to_have_count(1)
    assert progress(page) == 2
    assert active(page)["n"] == n                         # the focus stays with the card
    expect(toast).to_be_hidden()
    expect(page.locator(".qs-live")).to_contain_text(f"statement {swapped} moved to the")
    ctx.close()
