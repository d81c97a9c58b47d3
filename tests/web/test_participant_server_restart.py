"""The app server restarts (or a replica takes over) while a participant
sorts: the page reconnects to a server session that has never run it, and
the first thing it sends there (a draft, or Continue) must not be dropped.

Streamlit calls a widget's callbacks only in a session that has run the page
once; without :func:`webapp.participant.ui.sorting_component` handling what
they missed, the first draft stayed "Kept on this device" and a Continue
left the grid frozen.
"""
from __future__ import annotations

import pytest
from appserver import free_port, running_app
from playwright.sync_api import expect
from qsweb import DESKTOP, grid_columns, link, place_by_keyboard, server_grid, session_at, wait_step

from storage import Store
from studies.seed import ensure_coproduction

pytestmark = pytest.mark.browser


def sockets(page) -> list:
    """The websockets ``page`` opens from now on (Streamlit's connection)."""
    opened: list = []
    page.on("websocket", lambda ws: opened.append(ws))
    return opened


def reconnected(page, opened: list, before: int) -> None:
    """Wait until ``page`` has opened a new websocket to the restarted server."""
    for _ in range(240):
        if len(opened) > before and not opened[-1].is_closed():
            page.wait_for_timeout(500)
            return
        page.wait_for_timeout(250)
    raise AssertionError("the page never reconnected to the restarted server")


def test_first_draft_and_continue_after_a_restart_are_kept(browser, tmp_path):
    db = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    store = Store.from_url(db)
    ensure_coproduction(store)
    almost = grid_columns()
    last = max(almost, key=int)
    almost[last] = almost[last][:-1]                     # every card placed but one
    sorting, finishing = session_at(store, "grid"), session_at(store, "grid", columns=almost)
    port, log = free_port(), tmp_path / "app.log"
    contexts = [browser.new_context(**DESKTOP) for _ in range(2)]    # a browser each
    for ctx in contexts:
        ctx.set_default_timeout(30_000)
    try:
        with running_app(db, log, port=port) as base:
            page, other = (ctx.new_page() for ctx in contexts)
            opened = {p: sockets(p) for p in (page, other)}
            page.goto(link(base, sorting))
            other.goto(link(base, finishing))
            wait_step(page, "grid")
            wait_step(other, "grid")
            place_by_keyboard(page, 5)
            expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=20_000)
            before = {p: len(o) for p, o in opened.items()}
        # the server is gone; it comes back on the same address, knowing no page
        with running_app(db, log, port=port):
            for p, o in opened.items():
                reconnected(p, o, before[p])
            place_by_keyboard(page, 1)                   # the first change sent there
            expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=20_000)
            assert sum(map(len, server_grid(store, sorting).values())) == 6

            place_by_keyboard(other, 1)                  # the last card, then Continue at once
            other.locator(".qs-done").click()
            wait_step(other, "postsort")
            stored = server_grid(store, finishing)
            assert sum(map(len, stored.values())) == 36 and stored == grid_columns()
    finally:
        for ctx in contexts:
            ctx.close()
        store.close()
    assert "Traceback" not in log.read_text(errors="replace")
