"""Background questions: a clear focus ring on the options of a choice, and a
chosen answer to an optional question can be cleared again."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from qsweb import grid_columns, link, session_at, tab_to, wait_step

pytestmark = pytest.mark.browser

FOCUSED_OPTION_JS = """() => {
  const input = document.activeElement;
  const label = input && input.closest('label[data-testid=stRadioOption]');
  if (!label) return null;
  const s = getComputedStyle(label);
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor};
}"""


def server_answer(store, token: str, qid: str):
    return ((store.get_session(token).draft or {}).get("answers") or {}).get(qid)


def wait_answer(store, token: str, qid: str, value) -> None:
    deadline = time.monotonic() + 10
    while server_answer(store, token, qid) != value and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server_answer(store, token, qid) == value


def test_choice_focus_is_visible_and_an_answer_can_be_cleared(desktop, app_url, store):
    token = session_at(store, "demographics", columns=grid_columns())
    page = desktop.new_page()
    page.goto(link(app_url, token))
    wait_step(page, "demographics")

    tab_to(page, lambda a: a["type"] == "radio")
    ring = page.evaluate(FOCUSED_OPTION_JS)
    assert ring and ring["style"] != "none" and ring["width"] >= 2, ring

    page.keyboard.press("Space")                              # chooses "community member"
    wait_answer(store, token, "role", "community member")
    clear = page.get_by_role("button", name="Clear this answer")
    expect(clear).to_be_visible()
    clear.click()
    expect(page.locator("[data-testid=stRadioGroup] input:checked")).to_have_count(0)
    wait_answer(store, token, "role", None)
    expect(page.get_by_role("button", name="Clear this answer")).to_have_count(0)
    page.close()
