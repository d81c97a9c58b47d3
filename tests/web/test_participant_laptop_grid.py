"""The grid on a 1280 x 800 laptop: the whole grid and the card being placed
are in sight together (a compact strip of cards to place above the grid,
cards in the columns clamped to a few lines), and a clamped card shows all
its text on hover, focus and tap. A 60-statement grid is checked too."""
from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import expect
from qsweb import (
    DEFN,
    active,
    fully_visible,
    grid_columns,
    link,
    main_scroll,
    now_ms,
    place_by_keyboard,
    progress,
    scroll_main,
    session_at,
    tab_to,
    wait_step,
)

from qmethod.grid import Grid
from studies.definition import Statement

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1280, "height": 800}}


def laptop(browser):
    ctx = browser.new_context(**LAPTOP)
    ctx.set_default_timeout(20_000)
    return ctx


def boxes(page, selector: str) -> list[dict]:
    loc = page.locator(selector)
    return [loc.nth(i).bounding_box() for i in range(loc.count())]


def card_in_hand(page):
    """The first card of the pile shown in the strip (the next one to place)."""
    return page.locator(".pile.active .card:not(.away)").first


def test_whole_grid_and_card_in_hand_fit_a_laptop_screen(browser, app_url, store, shots):
    token = session_at(store, "grid")
    ctx = laptop(browser)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "grid")
    page.wait_for_timeout(1200)                         # the grid has fitted itself
    assert main_scroll(page) == 0
    columns = boxes(page, ".col")
    assert len(columns) == 9
    assert all(fully_visible(page, b) for b in columns), columns
    assert fully_visible(page, card_in_hand(page).bounding_box())

    # picked up with the keyboard: the card and its target column stay in sight
    card_in_hand(page).focus()
    page.keyboard.press("Enter")
    assert fully_visible(page, page.locator(".card.held").bounding_box())
    assert fully_visible(page, page.locator(".col.target").bounding_box())
    page.keyboard.press("Escape")

    # half sorted, nothing moved out of sight
    place_by_keyboard(page, 18)
    assert progress(page) == 18
    page.mouse.move(5, 5)
    scroll_main(page, 0)
    assert all(fully_visible(page, b) for b in boxes(page, ".col"))
    assert fully_visible(page, card_in_hand(page).bounding_box())
    shots(page, "grid-1280x800-half", full=False)

    # a mouse drag from the strip to the bottom slot of the middle column
    # needs no scrolling (and picking the card up does not scroll the page)
    slot = page.locator(".col").nth(4).locator(".slot").last
    before = progress(page)
    card = card_in_hand(page)
    box = card.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 8, box["y"] + box["height"] / 2 + 8, steps=2)
    assert main_scroll(page) == 0
    target = slot.bounding_box()
    page.mouse.move(target["x"] + 20, target["y"] + 10, steps=6)
    page.mouse.up()
    assert progress(page) == before + 1
    assert main_scroll(page) == 0
    ctx.close()


def test_grid_cards_show_their_whole_text_on_hover_focus_and_tap(browser, app_url, store):
    columns = grid_columns()
    token = session_at(store, "grid", columns=columns)
    ctx = laptop(browser)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "grid")
    page.wait_for_timeout(1200)
    peek = page.locator(".qs-peek")

    # the longest statement is cut in its column ...
    longest = max(DEFN.statements, key=lambda s: len(s.text))
    card = page.locator(".col .card", has_text=longest.text[:30])
    clipped = card.locator(".clamp").evaluate("e => e.scrollHeight > e.clientHeight + 1")
    assert clipped
    assert fully_visible(page, card.bounding_box())
    # ... and shown whole when pointed at,
    card.hover()
    expect(peek).to_be_visible()
    expect(peek).to_contain_text(longest.text)
    assert fully_visible(page, peek.bounding_box())
    page.mouse.move(5, 5)
    expect(peek).to_be_hidden()
    # ... when focused with the keyboard,
    page.locator(".qs-done").focus()
    info = tab_to(page, lambda a: "card" in a["cls"] and a["inCol"], backwards=True)
    focused_text = DEFN.statement(next(s.id for s in DEFN.statements
                                       if info["text"].endswith(s.text[-20:]))).text
    expect(peek).to_be_visible()
    expect(peek).to_contain_text(focused_text)
    page.keyboard.press("Shift+Tab")
    assert active(page)["n"] != info["n"]
    # ... and when tapped (selected)
    card.click()
    expect(page.locator(".qs-bar")).to_be_visible()
    expect(peek).to_contain_text(longest.text)
    ctx.close()


def sixty_statement_study(store) -> str:
    """A study of 60 statements on an 11-column grid 3 4 5 6 7 10 7 6 5 4 3."""
    extra = [Statement(id=f"x{i:02d}", text=f"{s.text} (seen from another side, {i})")
             for i, s in enumerate(DEFN.statements[:24], start=1)]
    labels = ("Most disagree", "Strongly disagree", "Disagree", "Somewhat disagree",
              "Slightly disagree", "Neutral or unsure", "Slightly agree", "Somewhat agree",
              "Agree", "Strongly agree", "Most agree")
    grid = Grid(scores=tuple(range(-5, 6)), heights=(3, 4, 5, 6, 7, 10, 7, 6, 5, 4, 3),
                labels=labels)
    defn = dataclasses.replace(DEFN, slug="sixty", title="Sixty statements",
                               statements=tuple(DEFN.statements) + tuple(extra), grid=grid,
                               postsort_questions=())
    store.publish_study(defn)
    token = store.create_invitations("sixty", 1)[0]
    store.record_consent(token)
    piles = {s.id: ("disagree", "neutral", "agree")[i % 3] for i, s in enumerate(defn.statements)}
    store.save_draft(token, {"presort": {"rev": 1, "ts": now_ms(), "piles": piles}}, step="grid")
    return token


def test_a_60_statement_grid_on_a_laptop(browser, app_url, store, shots):
    """What a participant sees with 60 statements at 1280 x 800: cards of two
    lines; the page scrolls once so that the strip reaches the top, and then
    the whole grid and the card to place are in sight; the strip stays at the
    top whatever the scrolling."""
    token = sixty_statement_study(store)
    ctx = laptop(browser)
    page = ctx.new_page()
    page.goto(link(app_url, token, study="sixty"))
    wait_step(page, "grid")
    page.wait_for_timeout(1200)
    lines = page.locator(".qs").evaluate("e => getComputedStyle(e).getPropertyValue('--qs-lines')")
    assert lines.strip() == "2"
    shots(page, "sixty-top", full=False)
    page.locator(".qs-piles").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(200)
    assert 0 < main_scroll(page) < 400
    assert all(fully_visible(page, b) for b in boxes(page, ".col")), boxes(page, ".col")
    assert fully_visible(page, card_in_hand(page).bounding_box())
    shots(page, "sixty-strip-at-top", full=False)
    scroll_main(page)                                     # to the very bottom
    assert fully_visible(page, card_in_hand(page).bounding_box())
    ctx.close()
