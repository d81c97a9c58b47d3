"""Helpers for driving the participant pages in Playwright (no fixtures here)."""
from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from studies.loader import load_study
from webapp.participant.session import now_ms, shuffled_ids

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("QS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"viewport": {"width": 1280, "height": 860}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
STUDY = "coproduction"
DEFN = load_study(ROOT / "statements" / "coproduction.yaml")
ID_BY_TEXT = {s.text: s.id for s in DEFN.statements}
SCORES = list(DEFN.grid.scores)
HEIGHTS = list(DEFN.grid.heights)

# the element that has the keyboard focus, looking inside shadow roots
ACTIVE_JS = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a) return null;
  return {tag: a.tagName, cls: String(a.className || ''), type: a.type || '',
          text: (a.innerText || a.value || '').slice(0, 120), label: a.getAttribute('aria-label') || '',
          n: a.dataset ? (a.dataset.n || '') : '', inPile: !!(a.closest && a.closest('.pile')),
          inCol: !!(a.closest && a.closest('.col')), visible: a.getClientRects().length > 0};
}"""

# the shadow root of the grid component (for scripts that act inside it)
GRID_ROOT_JS = ("Array.from(document.querySelectorAll('*')).map(e => e.shadowRoot)"
                ".find(r => r && r.querySelector('.qs'))")


def link(base: str, token: str | None = None, study: str = STUDY) -> str:
    return f"{base}/?study={study}" + (f"&t={token}" if token else "")


def wait_step(page: Page, step: str, timeout: float = 20_000) -> None:
    page.locator(f".qs-step[data-step='{step}']").wait_for(state="attached", timeout=timeout)
    if step == "presort":
        page.locator(".ps[data-ready='true']").wait_for(timeout=timeout)
    elif step == "grid":
        page.locator(".qs[data-ready='true']").wait_for(timeout=timeout)
    page.wait_for_timeout(100)


def active(page: Page) -> dict | None:
    return page.evaluate(ACTIVE_JS)


def tab_to(page: Page, match, limit: int = 120, backwards: bool = False) -> dict:
    """Press Tab until the focused element satisfies ``match(info)``."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = active(page)
        if info and match(info):
            return info
    raise AssertionError(f"Tab never reached the element (last focus: {active(page)})")


def center(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def mouse_drag(page: Page, source, target, *, steps: int = 6) -> None:
    """Drag with the mouse from the centre of ``source`` to the centre of ``target``."""
    x0, y0 = center(source.bounding_box())
    x1, y1 = center(target.bounding_box())
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 8, y0 + 8, steps=2)
    page.mouse.move(x1, y1, steps=steps)
    page.mouse.up()


def touch_drag(page: Page, cdp, source, target, *, steps: int = 8) -> None:
    """A real touch drag (Chromium touch events through CDP): finger down on
    ``source``, move to ``target``, lift. ``target`` may be a function giving
    the locator once the drag has started (e.g. the column bar that appears)."""
    x0, y0 = center(source.bounding_box())
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                          "touchPoints": [{"x": x0, "y": y0, "id": 1}]})
    for dy in (4, 10, 16):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                              "touchPoints": [{"x": x0, "y": y0 + dy, "id": 1}]})
    target = target() if callable(target) else target
    x1, y1 = center(target.bounding_box())
    y0 += 16
    for i in range(1, steps + 1):
        x = x0 + (x1 - x0) * i / steps
        y = y0 + (y1 - y0) * i / steps
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                              "touchPoints": [{"x": x, "y": y, "id": 1}]})
    # rest the finger before lifting it, as people do: no fling follows, so
    # the next tap is a tap (a tap during a fling only stops the fling)
    page.wait_for_timeout(120)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                          "touchPoints": [{"x": x1, "y": y1, "id": 1}]})
    page.wait_for_timeout(60)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def progress(page: Page) -> int:
    return int(page.locator(".qs-progress-text").text_content().split(" of ")[0])


def grid_in_dom(page: Page) -> dict[str, int]:
    """{statement_id: score} read from the cards on screen (by their text)."""
    cols = page.evaluate("""() => {
      const root = document.querySelector('.qs') ? document : null;
      return Array.from(document.querySelectorAll('*')).filter(e => e.shadowRoot)
        .flatMap(h => Array.from(h.shadowRoot.querySelectorAll('.col')))
        .map(c => Array.from(c.querySelectorAll('.card .text')).map(t => t.textContent));
    }""")
    assert len(cols) == len(SCORES), cols
    return {ID_BY_TEXT[text]: SCORES[i] for i, texts in enumerate(cols) for text in texts}


def presort_in_dom(page: Page) -> dict[str, str]:
    """{statement_id: pile} read from the pre-sort piles on screen."""
    piles = page.evaluate("""() => Array.from(document.querySelectorAll('*')).filter(e => e.shadowRoot)
        .flatMap(h => Array.from(h.shadowRoot.querySelectorAll('.ps-pile')))
        .map(p => [p.dataset.pile, Array.from(p.querySelectorAll('.card .text')).map(t => t.textContent)])""")
    return {ID_BY_TEXT[text]: pile for pile, texts in piles for text in texts}


def pile_for(text: str) -> str:
    """A deterministic pile for a statement (so each test sorts the same way)."""
    return ("disagree", "neutral", "agree")[sum(map(ord, text)) % 3]


def response_with(store, marker: str):
    """The stored response whose 'missing' answer contains ``marker``."""
    found = [r for r in store.responses(STUDY) if marker in str(r.answers.get("missing", ""))]
    assert len(found) == 1, f"{len(found)} responses carry the marker {marker!r}"
    return found[0]


def expect_problem(page: Page, kind: str, words: str) -> None:
    page.locator(f".qs-problem[data-kind='{kind}']").wait_for(state="attached")
    expect(page.get_by_text(words, exact=False).first).to_be_visible()


def grid_columns(ids: list[str] | None = None) -> dict[str, list[str]]:
    """A complete grid ``{score: [statement ids]}`` filled column by column."""
    ids = list(ids or DEFN.statement_ids())
    columns, i = {}, 0
    for score, height in zip(SCORES, HEIGHTS):
        columns[str(score)] = ids[i:i + height]
        i += height
    return columns


def session_at(store, step: str, *, piles=None, columns=None, token: str | None = None) -> str:
    """An invited participant who consented and whose session is at ``step``,
    with pre-sort ``piles`` ({id: pile}, default: each by ``pile_for``) and
    grid ``columns`` ({score: [ids]}) saved as the server's draft."""
    if token is None:
        token = store.create_invitations(STUDY, 1)[0]
    store.record_consent(token)
    if piles is None:
        piles = {s.id: pile_for(s.text) for s in DEFN.statements}
    draft = {"presort": {"rev": 1, "ts": now_ms(), "piles": piles}}
    if columns is not None:
        draft["grid"] = {"rev": 1, "ts": now_ms(), "columns": columns}
    store.save_draft(token, draft, step=step)
    return token


def order_of(token: str) -> list[str]:
    """The statement ids in the order this token's participant sees them (numbers 1, 2, ...)."""
    return shuffled_ids(DEFN.statement_ids(), STUDY, token)


PLAN = [i for i, h in enumerate(HEIGHTS) for _ in range(h)]   # column of the k-th card placed


def place_by_keyboard(page: Page, count: int) -> None:
    """Place ``count`` more cards with the keyboard, filling columns left to right."""
    info = active(page)
    if not info or not info["inPile"]:
        page.locator(".pile .card").first.focus()
    for _ in range(count):
        col = PLAN[progress(page)]
        before = progress(page)
        page.keyboard.press("Enter")
        target = int(page.locator(".col.target").get_attribute("data-index"))
        for _ in range(abs(col - target)):
            page.keyboard.press("ArrowRight" if col > target else "ArrowLeft")
        page.keyboard.press("Enter")
        assert progress(page) == before + 1


def server_grid(store, token: str) -> dict[str, list[str]]:
    return dict(((store.get_session(token).draft or {}).get("grid") or {}).get("columns") or {})


def placed_count(columns: dict[str, list[str]]) -> int:
    return sum(len(v) for v in columns.values())


#: Pre-sort keys: 1, 2, 3 put the focused card on a pile.
PILE_KEYS = {"disagree": "1", "neutral": "2", "agree": "3"}


def main_scroll(page: Page) -> float:
    """How far Streamlit's main area (where the page scrolls) is scrolled down."""
    return page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop")


def scroll_main(page: Page, top: float | None = None) -> None:
    """Scroll Streamlit's main area to ``top`` (default: the bottom)."""
    page.evaluate("t => { const m = document.querySelector('[data-testid=stMain]');"
                  " m.scrollTo(0, t === null ? m.scrollHeight : t); }", top)
    page.wait_for_timeout(150)


def fully_visible(page: Page, box: dict | None) -> bool:
    """Whether a bounding box lies wholly inside the viewport."""
    size = page.viewport_size
    return bool(box) and box["x"] >= 0 and box["y"] >= 0 \
        and box["x"] + box["width"] <= size["width"] + 0.5 \
        and box["y"] + box["height"] <= size["height"] + 0.5
