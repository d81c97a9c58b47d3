"""Two devices, one link: which copy of the grid is newer is decided by the
time of the last change, not by revision numbers (each device counts its
own), and a newer copy kept on a device is sent to the server as soon as the
link is opened there again."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from qsweb import (
    DESKTOP,
    grid_in_dom,
    link,
    place_by_keyboard,
    placed_count,
    server_grid,
    session_at,
    wait_step,
)

pytestmark = pytest.mark.browser


def device(browser):
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(20_000)
    return ctx


def open_grid(ctx, url):
    page = ctx.new_page()
    page.goto(url)
    wait_step(page, "grid")
    return page


OFFLINE = "Offline \u2013 kept on this device"


def go_offline(ctx, page):
    """Offline, and seen so by the grid before the next move: a move made
    while the page still thinks it is online is sent (the websocket is not
    cut by Chromium's offline emulation), which made this test flaky."""
    ctx.set_offline(True)
    expect(page.locator(".qs-saved")).to_have_text(OFFLINE, timeout=15_000)


def close_then_online(ctx, page) -> None:
    """Close the offline page, then bring the device back online. A clean-clone
    run once found the 4 offline cards on the server right after this (not
    reproduced in 10 runs since); the likeliest sender is the closing page,
    if it was still alive when the network came back, so the device waits."""
    page.close()
    time.sleep(1.0)
    ctx.set_offline(False)


def wait_for(check, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_newer_work_wins_across_devices(browser, app_url, store):
    token = session_at(store, "grid")
    url = link(app_url, token)
    laptop, phone = device(browser), device(browser)

    # the laptop places 3 cards (saved), then 4 more offline (kept on the laptop only)
    page = open_grid(laptop, url)
    place_by_keyboard(page, 3)
    expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=15_000)
    go_offline(laptop, page)
    place_by_keyboard(page, 4)
    expect(page.locator(".qs-saved")).to_have_text(OFFLINE)
    close_then_online(laptop, page)
    assert placed_count(server_grid(store, token)) == 3

    # later, on the phone: the server's 3 cards, one more placed and saved
    page = open_grid(phone, url)
    assert len(grid_in_dom(page)) == 3
    place_by_keyboard(page, 1)
    expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=15_000)
    newest = grid_in_dom(page)
    page.close()
    assert placed_count(server_grid(store, token)) == 4

    # back on the laptop: its own copy counts more revisions (7) but is older
    page = open_grid(laptop, url)
    assert grid_in_dom(page) == newest
    page.wait_for_timeout(1_000)
    assert placed_count(server_grid(store, token)) == 4     # and it did not overwrite the phone's

    # the laptop goes on offline, is closed, and opened again online: its copy
    # is newer now, is shown and reaches the server without another move
    go_offline(laptop, page)
    place_by_keyboard(page, 2)
    expect(page.locator(".qs-saved")).to_have_text(OFFLINE)
    kept = grid_in_dom(page)
    close_then_online(laptop, page)
    assert placed_count(server_grid(store, token)) == 4
    page = open_grid(laptop, url)
    assert grid_in_dom(page) == kept
    assert wait_for(lambda: placed_count(server_grid(store, token)) == 6), server_grid(store, token)
    expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=15_000)
    page.close()
    laptop.close()
    phone.close()
