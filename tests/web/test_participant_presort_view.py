"""The pre-sort: Continue comes into view (and takes the focus) after the last
card; the piles show whole statements, with no box of their own to scroll;
a phone shows no key hints."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import DEFN, PHONE, active, fully_visible, link, order_of, pile_for, session_at, wait_step

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1280, "height": 800}}
TEXT = {s.id: s.text for s in DEFN.statements}


def context(browser, opts):
    ctx = browser.new_context(**opts)
    ctx.set_default_timeout(20_000)
    return ctx


def all_but_last(token: str) -> dict[str, str]:
    return {sid: pile_for(TEXT[sid]) for sid in order_of(token)[:-1]}


def test_continue_comes_into_view_after_the_last_card(browser, app_url, store):
    token = store.create_invitations("coproduction", 1)[0]
    session_at(store, "presort", token=token, piles=all_but_last(token))
    ctx = context(browser, LAPTOP)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "presort")
    expect(page.locator(".ps-progress-text")).to_contain_text("35 of 36 sorted")
    pile = pile_for(page.locator(".ps-current .text").text_content())
    page.locator(f".ps-pile-button[data-pile='{pile}']").click()      # the last card, by mouse
    expect(page.locator(".ps-progress-text")).to_contain_text("36 of 36 sorted")
    done = page.locator(".ps-done")
    expect(done).to_be_enabled()
    page.wait_for_timeout(300)
    assert "ps-done" in active(page)["cls"], active(page)
    assert fully_visible(page, done.bounding_box()), done.bounding_box()
    ctx.close()


def unclipped(page) -> dict:
    """Inner scrollers among the piles, and pile cards whose text is cut."""
    return page.evaluate("""() => {
      const root = Array.from(document.querySelectorAll('*')).map(e => e.shadowRoot)
        .find(r => r && r.querySelector('.ps'));
      const scrollers = Array.from(root.querySelectorAll('.ps-piles, .ps-pile, .ps-pile-list'))
        .filter(e => /(auto|scroll)/.test(getComputedStyle(e).overflowY)
                     && e.scrollHeight > e.clientHeight + 1).length;
      const cut = Array.from(root.querySelectorAll('.ps-small .text'))
        .filter(t => t.scrollHeight > t.clientHeight + 1).length;
      return {scrollers, cut, cards: root.querySelectorAll('.ps-small').length};
    }""")


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_piles_show_whole_statements(browser, app_url, store, device, shots):
    token = session_at(store, "presort")                 # every card on a pile
    ctx = context(browser, LAPTOP if device == "laptop" else PHONE)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "presort")
    found = unclipped(page)
    assert found["cards"] == 36
    assert found["scrollers"] == 0, found
    assert found["cut"] == 0, found
    # each card's whole text is on the page (not hidden in a box's overflow)
    for text in page.locator(".ps-small .text").all_text_contents()[:5]:
        expect(page.locator(".ps-small", has_text=text)).to_be_visible()
    shots(page, f"piles-{device}")
    ctx.close()


def test_phone_presort_shows_no_key_hints(browser, app_url, store):
    token = store.create_invitations("coproduction", 1)[0]
    session_at(store, "presort", token=token, piles={})
    phone = context(browser, PHONE)
    page = phone.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "presort")
    help_text = page.locator(".ps-help").inner_text()
    assert "key" not in help_text.lower() and "Enter" not in help_text, help_text
    assert "tap" in help_text.lower()
    for i in range(3):
        expect(page.locator(".ps-pile-button kbd").nth(i)).to_be_hidden()
    phone.close()

    # on a laptop the keys are offered
    ctx = context(browser, LAPTOP)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "presort")
    assert "keys" in page.locator(".ps-help").inner_text()
    expect(page.locator(".ps-pile-button kbd").first).to_be_visible()
    ctx.close()
