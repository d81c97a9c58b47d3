"""Once Continue is pressed on a complete grid nothing changes it any more:
keys, clicks and drags are ignored in the browser, no later draft is sent,
and the server keeps the placement it checked at Continue."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from qsweb import GRID_ROOT_JS, grid_columns, link, server_grid, session_at, wait_step

pytestmark = pytest.mark.browser

# Press Continue and, in the same task (before Python can answer), try every
# way of changing the grid; report the columns before and after.
FREEZE_JS = """() => {
  const root = GRID_ROOT;
  const cols = () => Array.from(root.querySelectorAll('.col'))
    .map(c => Array.from(c.querySelectorAll('.card')).map(x => x.dataset.n));
  const key = (node, k) => node.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true}));
  const before = cols();
  root.querySelector('.qs-done').click();
  const first = root.querySelector('.col .card');
  first.focus();
  key(first, 'Delete');                                   // back to its pile
  key(first, 'Enter'); key(first, 'ArrowRight'); key(first, 'Enter');   // pick up, move
  first.dispatchEvent(new MouseEvent('click', {bubbles: true, detail: 1}));  // select ...
  root.querySelectorAll('.col')[8].querySelector('.card')
    .dispatchEvent(new MouseEvent('click', {bubbles: true, detail: 1}));     // ... and swap
  const bar = root.querySelector('.qs-bar-pile');
  if (bar) bar.click();
  return {before, after: cols(), held: root.querySelectorAll('.card.held').length,
          done: root.querySelector('.qs').dataset.done || ''};
}""".replace("GRID_ROOT", GRID_ROOT_JS)


def test_grid_is_frozen_after_continue(desktop, app_url, store):
    columns = grid_columns()
    token = session_at(store, "grid", columns=columns)
    page = desktop.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "grid")
    expect(page.locator(".qs-done")).to_be_enabled()
    result = page.evaluate(FREEZE_JS)
    assert result["after"] == result["before"], "the grid changed after Continue"
    assert result["held"] == 0
    assert result["done"] == "true"

    wait_step(page, "postsort")
    assert store.get_session(token).step == "postsort"
    # no late autosave (every few seconds, or when the grid unmounts) changes it
    time.sleep(5)
    assert server_grid(store, token) == columns
    page.close()
