"""Coming back: the study's open link, clicked again in the same browser,
offers to continue (or says this device has taken part); the instruction
page shows the personal link with a copy button; a resumed sort says it was
restored."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from qsweb import (
    DESKTOP,
    PILE_KEYS,
    grid_columns,
    link,
    order_of,
    pile_for,
    place_by_keyboard,
    presort_in_dom,
    session_at,
    wait_step,
)

pytestmark = pytest.mark.browser


def new_context(browser, **extra):
    ctx = browser.new_context(**DESKTOP, **extra)
    ctx.set_default_timeout(20_000)
    return ctx


def token_of(url: str) -> str:
    return url.split("t=")[1].split("&")[0]


def test_open_link_again_offers_to_continue_in_the_same_browser(browser, app_url, store, shots):
    ctx = new_context(browser)
    page = ctx.new_page()
    page.goto(link(app_url))                              # the open link, as in the e-mail
    wait_step(page, "welcome")
    page.get_by_text("I have read this information").click()
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")
    token = token_of(page.url)
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "presort")
    page.locator(".ps-current").focus()
    for _ in range(5):
        page.keyboard.press(PILE_KEYS[pile_for(page.locator(".ps-current .text").text_content())])
    expect(page.locator(".ps-progress-text")).to_contain_text("5 of 36 sorted")
    piles = presort_in_dom(page)
    page.close()                                          # the tab is closed half-way

    # the same link again, from the e-mail: no new consent, no second session
    page = ctx.new_page()
    page.goto(link(app_url))
    wait_step(page, "returning")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    expect(page.get_by_text("I have read this information")).to_have_count(0)
    shots(page, "welcome-back", full=False)
    page.get_by_role("button", name="Continue where you left off").click()
    wait_step(page, "presort")
    assert token_of(page.url) == token
    assert presort_in_dom(page) == piles
    expect(page.locator(".ps-restored")).to_have_text("Your sort so far has been restored.")
    assert store.get_session(token).step == "presort"
    page.close()

    # ... or start again (someone else on this device): the consent page
    page = ctx.new_page()
    page.goto(link(app_url))
    wait_step(page, "returning")
    page.get_by_role("button", name="Start again").click()
    wait_step(page, "welcome")
    expect(page.get_by_text("I have read this information")).to_be_visible()
    assert "t=" not in page.url
    ctx.close()


def test_instruction_shows_the_personal_link_with_a_copy_button(browser, app_url, store, invitation):
    ctx = new_context(browser)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page = ctx.new_page()
    page.goto(link(app_url, invitation))
    wait_step(page, "welcome")
    page.get_by_text("I have read this information").click()
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")

    field = page.get_by_label("Your personal link")
    personal = f"{app_url}/?study=coproduction&t={invitation}"
    expect(field).to_have_value(personal)
    expect(page.get_by_text("Keep this link.")).to_be_visible()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == personal
    ctx.close()

    # the copied link opens the sort on another device
    other = new_context(browser)
    page = other.new_page()
    page.goto(personal)
    wait_step(page, "instruction")
    other.close()


def test_open_link_after_submitting_says_this_device_took_part(browser, app_url, store, shots):
    token = session_at(store, "demographics", columns=grid_columns())
    ctx = new_context(browser)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "demographics")
    page.get_by_role("button", name="Submit").click()
    wait_step(page, "thanks")
    assert store.get_session(token).status == "submitted"

    page.goto(link(app_url))                              # the study's link, later
    wait_step(page, "taken_part")
    expect(page.get_by_role("heading", name="You have already taken part on this device")) \
        .to_be_visible()
    expect(page.get_by_text("I have read this information")).to_have_count(0)
    shots(page, "taken-part", full=False)
    # the open link takes anyone: a way to take part again
    page.get_by_role("button", name="Take part again").click()
    wait_step(page, "welcome")
    expect(page.get_by_text("I have read this information")).to_be_visible()
    ctx.close()


def test_resumed_sort_says_it_was_restored(browser, app_url, store):
    # a grid half done on the server: opening the link again says it is restored
    token = store.create_invitations("coproduction", 1)[0]
    order = order_of(token)
    session_at(store, "grid", token=token, columns={"4": order[:2], "-4": order[2:4]})
    ctx = new_context(browser)
    page = ctx.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "grid")
    note = page.locator(".qs-restored")
    expect(note).to_have_text("Your sort so far has been restored.")
    expect(note).to_have_attribute("role", "status")
    place_by_keyboard(page, 1)                            # sorting again: the note goes
    expect(note).to_be_hidden()

    # a grid not started yet says nothing of the kind
    fresh = session_at(store, "grid")
    page.goto(link(app_url, fresh))
    wait_step(page, "grid")
    page.wait_for_timeout(300)
    expect(page.locator(".qs-restored")).to_be_hidden()

    # piles half done: the pre-sort says so too
    half = store.create_invitations("coproduction", 1)[0]
    piles = {sid: "agree" for sid in order_of(half)[:7]}
    session_at(store, "presort", token=half, piles=piles)
    page.goto(link(app_url, half))
    wait_step(page, "presort")
    expect(page.locator(".ps-restored")).to_have_text("Your sort so far has been restored.")
    expect(page.locator(".ps-progress-text")).to_contain_text("7 of 36 sorted")
    ctx.close()
