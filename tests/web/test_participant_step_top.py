"""Every step starts at its top, with the keyboard focus on its heading, and
no extra tab stops ("Link to heading" anchors) come before the content."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import (
    DEFN,
    PHONE,
    active,
    fully_visible,
    grid_columns,
    link,
    main_scroll,
    scroll_main,
    session_at,
    wait_step,
)

pytestmark = pytest.mark.browser


def heading_has_focus(page, text: str) -> bool:
    info = active(page)
    return bool(info) and info["tag"] == "H1" and info["text"].strip() == text


def test_each_step_opens_at_its_top_with_the_focus_on_its_heading(browser, app_url, store, shots):
    columns = grid_columns()
    token = session_at(store, "grid", columns=columns)
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "grid")

    # Continue is at the bottom of a long page: press it from there
    scroll_main(page)
    assert main_scroll(page) > 1000
    page.locator(".qs-done").click()
    wait_step(page, "postsort")
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop === 0")
    page.wait_for_function("""() => { let a = document.activeElement;
        return a && a.tagName === 'H1' && a.textContent.trim() === 'About your grid'; }""")
    # the statements the first question is about are in sight, above it
    assert fully_visible(page, page.get_by_text("The statements you placed at +4").bounding_box())
    top_statement = DEFN.statement(columns["4"][0]).text
    assert page.get_by_text(top_statement).bounding_box()["y"] < page.viewport_size["height"]
    shots(page, "postsort-top", full=False)

    # the same going back, and on to the next step
    scroll_main(page)
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "demographics")
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop === 0")
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
    assert heading_has_focus(page, "About you")
    ctx.close()


def test_the_instruction_opens_at_its_top_after_a_long_welcome(browser, app_url, store, invitation):
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(link(app_url, invitation))
    wait_step(page, "welcome")
    assert heading_has_focus(page, "What is co-production good for?")
    page.get_by_text("I have read this information").click()
    scroll_main(page)
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop === 0")
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
    title = page.get_by_role("heading", name="What is co-production good for?")
    assert fully_visible(page, title.bounding_box())       # the title is not cut
    ctx.close()


def test_no_tab_stops_before_the_content(desktop, app_url, store, invitation):
    page = desktop.new_page()
    page.goto(link(app_url, invitation))
    wait_step(page, "welcome")
    # no "Link to heading" anchor can take the focus
    anchors = page.locator("[data-testid=stMain] a[aria-label='Link to heading']")
    for i in range(anchors.count()):
        expect(anchors.nth(i)).to_be_hidden()
    # from the heading (where the step starts), the first Tab reaches the consent
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
    page.keyboard.press("Tab")
    assert active(page)["type"] == "checkbox", active(page)

    page.keyboard.press("Space")
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
    page.keyboard.press("Tab")
    info = active(page)
    assert info["tag"] != "A" and info["tag"] != "BODY", info
    assert info["label"] != "Link to heading"
    page.close()
