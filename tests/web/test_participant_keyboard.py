"""A participant completes the co-production study with the keyboard only
(Tab, Space, Enter, arrows, 1/2/3, typing), starting from the open link."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import (
    DEFN,
    HEIGHTS,
    PILE_KEYS,
    SCORES,
    active,
    grid_in_dom,
    link,
    pile_for,
    presort_in_dom,
    progress,
    response_with,
    tab_to,
    wait_step,
)

pytestmark = pytest.mark.browser


def is_button(name):
    return lambda a: a["tag"] == "BUTTON" and a["text"].strip() == name


def test_keyboard_participant_completes_the_study(desktop, app_url, store, shots):
    page = desktop.new_page()
    page.goto(link(app_url))                     # the open link: no token yet
    wait_step(page, "welcome")
    assert "t=" not in page.url                  # nothing issued before consent
    tab_to(page, lambda a: a["type"] == "checkbox")
    page.keyboard.press("Space")
    tab_to(page, is_button("Start"))
    page.keyboard.press("Enter")

    wait_step(page, "instruction")
    assert "t=" in page.url                      # the token is in the address now
    token = page.url.split("t=")[1].split("&")[0]
    tab_to(page, is_button("Continue"))
    page.keyboard.press("Enter")

    # -- pre-sort with the number keys ---------------------------------------------------
    wait_step(page, "presort")
    tab_to(page, lambda a: "ps-current" in a["cls"])
    for i in range(len(DEFN.statements)):
        text = page.locator(".ps-current .text").text_content()
        page.keyboard.press(PILE_KEYS[pile_for(text)])
        expect(page.locator(".ps-progress-text")).to_contain_text(f"{i + 1} of 36 sorted")
    # the last card is sorted: the focus goes to Continue, not to the page
    assert "ps-done" in active(page)["cls"], active(page)
    # change one's mind: focus a card in the neutral pile and press 3 (agree)
    info = tab_to(page, lambda a: "ps-small" in a["cls"]
                  and pile_for(a["text"].split("\n")[-1]) == "neutral", backwards=True)
    page.keyboard.press("3")
    moved = page.locator(f".ps-pile[data-pile='agree'] .card[data-n='{info['n']}']")
    expect(moved).to_have_count(1)
    expect(page.locator(".ps-live")).to_contain_text("on the Agree pile")
    piles = presort_in_dom(page)
    tab_to(page, lambda a: "ps-done" in a["cls"])
    page.keyboard.press("Enter")

    # -- grid: Tab to the cards, Enter, arrows, Enter -------------------------------------
    wait_step(page, "grid")
    first = tab_to(page, lambda a: "card" in a["cls"] and a["inPile"])
    assert first["n"]
    plan = [i for i, h in enumerate(HEIGHTS) for _ in range(h)]
    for k, col in enumerate(plan):
        info = active(page)
        assert info["inPile"], info
        page.keyboard.press("Enter")                         # pick up
        target = int(page.locator(".col.target").get_attribute("data-index"))
        key = "ArrowRight" if col > target else "ArrowLeft"
        for _ in range(abs(col - target)):
            page.keyboard.press(key)
        expect(page.locator(".col.target")).to_have_attribute("data-index", str(col))
        page.keyboard.press("Enter")                         # put down
        assert progress(page) == k + 1
        if k == 0:
            expect(page.locator(".qs-live")).to_contain_text("placed in column")
        if k == 34:
            break
    # Escape cancels a pick-up; the last card goes in
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.locator(".card.held")).to_have_count(0)
    page.keyboard.press("Enter")
    target = int(page.locator(".col.target").get_attribute("data-index"))
    for _ in range(abs(8 - target)):
        page.keyboard.press("ArrowRight" if target < 8 else "ArrowLeft")
    page.keyboard.press("Enter")
    assert progress(page) == 36
    expect(page.locator(".qs-live")).to_contain_text("the grid is complete")

    # Delete sends a placed card back to its pile; Enter/arrows/Enter put it back
    tab_to(page, lambda a: "card" in a["cls"] and a["inCol"], backwards=True)
    n = active(page)["n"]
    col = page.locator(f".col:has(.card[data-n='{n}'])").get_attribute("data-index")
    page.keyboard.press("Delete")
    assert progress(page) == 35
    expect(page.locator(".qs-done")).to_be_disabled()
    assert active(page)["n"] == n and active(page)["inPile"]   # the focus stays on the card
    page.keyboard.press("Enter")
    page.keyboard.press("Home")
    for _ in range(int(col)):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert progress(page) == 36
    placements = grid_in_dom(page)
    shots(page, "grid-keyboard-complete", full=False)
    tab_to(page, lambda a: "qs-done" in a["cls"])
    page.keyboard.press("Enter")

    # -- post-sort and demographics by keyboard ------------------------------------------------------
    wait_step(page, "postsort")
    tab_to(page, lambda a: a["tag"] == "TEXTAREA" and "+4" in a["label"])
    page.keyboard.type("Typed with the keyboard.")
    tab_to(page, lambda a: a["tag"] == "TEXTAREA" and "missing" in a["label"])
    page.keyboard.type(f"marker-keys-{token}")
    tab_to(page, is_button("Continue"))
    page.keyboard.press("Enter")

    wait_step(page, "demographics")
    tab_to(page, lambda a: a["type"] == "radio")
    page.keyboard.press("ArrowDown")                        # second option: practitioner
    page.keyboard.press("Space")
    tab_to(page, lambda a: a["tag"] == "INPUT" and "years" in a["label"].lower())
    page.keyboard.type("12")
    tab_to(page, is_button("Submit"))
    page.keyboard.press("Enter")
    wait_step(page, "thanks")

    record = response_with(store, f"marker-keys-{token}")
    assert record.placements == placements
    assert record.presort == piles
    assert record.answers["why_most_agree"] == "Typed with the keyboard."
    assert record.answers["role"] == "practitioner"
    assert record.answers["years_involved"] == 12
    assert sorted(record.placements.values()) == sorted(
        sc for sc, h in zip(SCORES, HEIGHTS) for _ in range(h))
    page.close()
