"""A keyboard (or screen reader) user on a 360 px screen: after a card is
placed, the focus goes to a card that can be seen (the pile tab shown is the
one holding it), and the key help stays in each card's description even
though it is hidden from sight."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from qsweb import active, link, order_of, progress, session_at, tab_to, wait_step

pytestmark = pytest.mark.browser

NARROW = {"viewport": {"width": 360, "height": 740}}


def test_narrow_grid_keeps_focus_visible_and_key_help(browser, app_url, store):
    token = store.create_invitations("coproduction", 1)[0]
    order = order_of(token)
    # card 1 alone on the neutral pile, card 2 on the agree pile, and the
    # disagree pile (the tab shown first) not empty
    piles = {sid: "disagree" for sid in order}
    piles[order[0]] = "neutral"
    for sid in order[1:6]:
        piles[sid] = "agree"
    session_at(store, "grid", piles=piles, token=token)

    ctx = browser.new_context(**NARROW)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "grid")

    # the key help is hidden from sight but not from screen readers
    detail = page.locator(".qs-keys-detail")
    assert detail.evaluate("e => getComputedStyle(e).display") != "none"
    assert detail.evaluate("e => e.getBoundingClientRect().width") <= 1
    expect(page.locator(".pile.active .card").first).to_have_accessible_description(
        re.compile("Delete sends a placed card back to its pile"))

    # open the neutral pile's tab, place its only card with the keyboard
    tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"].startswith("Neutral"))
    page.keyboard.press("Enter")
    info = tab_to(page, lambda a: "card" in a["cls"] and a["inPile"])
    assert info["n"] == "1", info
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert progress(page) == 1
    # the next card has the focus and can be seen (its pile's tab is shown)
    info = active(page)
    assert info and "card" in info["cls"] and info["inPile"], info
    assert info["visible"], info
    n = info["n"]
    expect(page.locator(f".pile.active .card[data-n='{n}']")).to_be_visible()
    # ... so Enter goes on with it
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert progress(page) == 2
    assert active(page)["visible"]
    ctx.close()
