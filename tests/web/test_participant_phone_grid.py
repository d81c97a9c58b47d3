"""The grid on a 390 x 844 phone: nothing but the page scrolls (a swipe on a
card moves the page), the help speaks of rows, and every control is a touch
target of at least 44 x 44 px on every step."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import (
    PHONE,
    center,
    grid_columns,
    link,
    main_scroll,
    order_of,
    session_at,
    wait_step,
)

pytestmark = pytest.mark.browser

INNER_SCROLLERS_JS = """() => {
  const root = Array.from(document.querySelectorAll('*')).map(e => e.shadowRoot)
    .find(r => r && r.querySelector('.qs'));
  return Array.from(root.querySelectorAll('*'))
    .filter(e => /(auto|scroll)/.test(getComputedStyle(e).overflowY)
                 && e.scrollHeight > e.clientHeight + 1)
    .map(e => e.className);
}"""


# the words of the grid's help that can be seen (not those clipped away for
# screen readers only, nor hidden)
VISIBLE_HELP_JS = """() => {
  const root = Array.from(document.querySelectorAll('*')).map(e => e.shadowRoot)
    .find(r => r && r.querySelector('.qs'));
  const help = root.querySelector('.qs-help');
  const walker = document.createTreeWalker(help, NodeFilter.SHOW_TEXT);
  const words = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let seen = true;
    for (let e = node.parentElement; e && e !== help.parentElement; e = e.parentElement) {
      const r = e.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) { seen = false; break; }
    }
    if (seen) words.push(node.textContent);
  }
  return words.join(' ').replace(/\\s+/g, ' ');
}"""


def phone_page(browser, url: str, step: str):
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(url)
    wait_step(page, step, timeout=40_000)     # a first page of a new app process can take 15 s
    return ctx, page


def tap(page, locator):
    locator.scroll_into_view_if_needed()
    page.touchscreen.tap(*center(locator.bounding_box()))


def swipe_up(page, cdp, x: float, y: float, distance: float = 300) -> None:
    """A finger moving up the screen from (x, y), as when scrolling a page."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                          "touchPoints": [{"x": x, "y": y, "id": 1}]})
    for k in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {
            "type": "touchMove", "touchPoints": [{"x": x, "y": y - distance * k / 10, "id": 1}]})
        page.wait_for_timeout(16)
    page.wait_for_timeout(100)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(300)


def test_phone_grid_has_no_inner_scroller(browser, app_url, store):
    token = session_at(store, "grid")
    ctx, page = phone_page(browser, link(app_url, token), "grid")
    assert page.evaluate(INNER_SCROLLERS_JS) == []
    # a swipe on the card waiting in the pile scrolls the page
    card = page.locator(".pile.active .card:not(.away) .text").first
    x, y = center(card.bounding_box())
    before = main_scroll(page)
    swipe_up(page, ctx.new_cdp_session(page), x, y)
    assert main_scroll(page) > before + 100
    ctx.close()


def test_phone_grid_help_speaks_of_rows(browser, app_url, store):
    token = store.create_invitations("coproduction", 1)[0]
    order = order_of(token)
    session_at(store, "grid", token=token, columns={"-4": order[:2]})
    ctx, page = phone_page(browser, link(app_url, token), "grid")
    help_text = page.evaluate(VISIBLE_HELP_JS)
    assert "row" in help_text and "column" not in help_text, help_text
    # the desktop help and the keys are not shown (the keys stay in the cards'
    # description for screen readers)
    expect(page.locator(".qs-help-wide")).to_be_hidden()
    expect(page.locator(".qs-keys-toggle")).to_be_hidden()
    assert page.locator(".qs-keys-detail").evaluate("e => e.getBoundingClientRect().width") <= 1
    tap(page, page.locator(".pile.active .card:not(.away) .text").first)
    bar = page.locator(".qs-bar")
    expect(bar).to_be_visible()
    assert "row" in page.locator(".qs-bar-title").inner_text()
    tap(page, page.locator(".qs-bar .bar-col").first)           # the -4 row is full
    toast = page.locator(".qs-toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Row \u22124 is full")
    expect(toast).to_contain_text("Tap a card in it to swap")
    ctx.close()


def small_targets(page, selector: str) -> list[tuple[str, dict]]:
    """Visible elements matching ``selector`` smaller than 44 x 44 px. An
    element that a rerun replaced while it was being measured (no box any
    more) means the page was still settling: measure all again."""
    for _ in range(5):
        loc = page.locator(selector)
        small, settled = [], True
        for i in range(loc.count()):
            item = loc.nth(i)
            if not item.is_visible():
                continue
            box = item.bounding_box()
            if box is None:
                settled = False
                break
            if box["width"] < 44 or box["height"] < 44:
                small.append(((item.inner_text() or "")[:30], box))
        if settled:
            return small
        page.wait_for_timeout(500)
    raise AssertionError(f"the page did not settle while measuring {selector}")


def test_touch_targets_are_at_least_44px(browser, app_url, store, invitation):
    ctx, page = phone_page(browser, link(app_url, invitation), "welcome")
    assert not small_targets(page, "[data-testid=stCheckbox] label")
    tap(page, page.get_by_text("I have read this information"))
    expect(page.get_by_role("button", name="Start")).to_be_enabled()
    assert not small_targets(page, "[data-testid=stMain] button")
    tap(page, page.get_by_role("button", name="Start"))
    wait_step(page, "instruction")
    expect(page.locator(".rl-copy")).to_have_count(1)
    assert not small_targets(page, "[data-testid=stMain] button, .rl-copy, .rl-link")
    ctx.close()

    # the grid: pile tabs, pager, cards, the column bar and its buttons, Continue
    token = session_at(store, "grid")
    ctx, page = phone_page(browser, link(app_url, token), "grid")
    targets = ".pile-tab, .qs-pager button, .card, .qs-done"
    assert not small_targets(page, targets)
    tap(page, page.locator(".pile.active .card:not(.away) .text").first)
    expect(page.locator(".qs-bar")).to_be_visible()
    assert not small_targets(page, ".qs-bar button")
    ctx.close()

    # the background questions: each option of a choice, Clear, Back and Submit
    token = session_at(store, "demographics", columns=grid_columns())
    ctx, page = phone_page(browser, link(app_url, token), "demographics")
    expect(page.locator("label[data-testid=stRadioOption]")).to_have_count(6)
    assert not small_targets(page, "label[data-testid=stRadioOption]")
    tap(page, page.get_by_text("researcher", exact=True))
    expect(page.get_by_role("button", name="Clear this answer")).to_be_visible()
    assert not small_targets(page, "[data-testid=stMain] button")
    ctx.close()
