"""The server's disk fills up while participants sort (the embedded SQLite
database on a small tmpfs that the test fills): the participant is told in
plain words, the grid keeps working and keeps its draft in the browser,
nothing is half-written in the database, and once space is freed the work
is saved and submitted exactly once."""
from __future__ import annotations

import json
import sqlite3

import pytest
from appserver import running_app
from playwright.sync_api import expect
from qsweb import DESKTOP, STUDY, grid_columns, link, place_by_keyboard, server_grid, session_at, wait_step
from smalldisk import fill, small_disk_fixture  # noqa: F401 - the fixture "small_disk"

from storage import Store
from studies.seed import ensure_coproduction

pytestmark = pytest.mark.browser
FULL = "Your work cannot be saved just now"


def local_cards(page, token: str) -> int:
    """How many cards the browser's own copy of the grid holds."""
    stored = page.evaluate("""t => Object.keys(localStorage).filter(k => k.includes(t))
                                    .map(k => localStorage.getItem(k))""", token)
    grids = [json.loads(x) for x in stored if '"columns"' in x]
    assert grids, "the browser kept no copy of the grid"
    return max(sum(len(v) for v in g["columns"].values()) for g in grids)


def test_full_disk_while_sorting(browser, small_disk, tmp_path):
    db = small_disk / "participants.sqlite3"
    store = Store.from_url(f"sqlite:///{db}")
    ensure_coproduction(store)
    sorting = session_at(store, "grid")
    submitting = session_at(store, "demographics", columns=grid_columns())
    with running_app(f"sqlite:///{db}", tmp_path / "app.log") as base:
        ctx = browser.new_context(**DESKTOP)
        ctx.set_default_timeout(30_000)
        try:
            page = ctx.new_page()
            page.goto(link(base, sorting))
            wait_step(page, "grid")
            place_by_keyboard(page, 5)
            expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=20_000)
            other = ctx.new_page()
            other.goto(link(base, submitting))
            wait_step(other, "demographics")

            filler = fill(small_disk)                         # the disk is full
            place_by_keyboard(page, 3)
            expect(page.get_by_text(FULL)).to_be_visible(timeout=20_000)
            expect(page.get_by_text("your work is kept in this browser")).to_be_visible()
            expect(page.locator(".qs-saved")).to_have_text("Kept on this device")
            assert local_cards(page, sorting) == 8
            assert sum(map(len, server_grid(store, sorting).values())) == 5

            other.get_by_role("button", name="Submit").click()
            expect(other.get_by_text(FULL)).to_be_visible(timeout=20_000)
            expect(other.locator(".qs-step[data-step='demographics']")).to_be_attached()
            assert other.locator(".qs-step[data-step='thanks']").count() == 0
            assert store.count_responses(STUDY) == 0           # nothing half-written
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

            filler.unlink()                                    # space again
            place_by_keyboard(page, 1)                         # the next change saves it all
            expect(page.locator(".qs-saved")).to_have_text("Saved", timeout=20_000)
            assert sum(map(len, server_grid(store, sorting).values())) == 9
            other.get_by_role("button", name="Submit").click()
            wait_step(other, "thanks")
            assert store.count_responses(STUDY) == 1
        finally:
            ctx.close()
            store.close()
    log = (tmp_path / "app.log").read_text(errors="replace")
    assert "is full" in log and "Traceback" not in log
