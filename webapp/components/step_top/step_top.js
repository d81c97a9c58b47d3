// Every step starts at its top, with the keyboard focus on its heading.
// A Streamlit custom component (v2), plain ES module, that draws nothing.
//
// Streamlit keeps the page's scroll offset when a rerun shows another step,
// so a new step could open scrolled down (its first lines above the fold),
// and the focus would stay on the button of the step before (or fall to the
// page body). When `data.step` differs from the step shown before, this
// scrolls Streamlit's main area to the top and moves the focus to the
// step's heading (`data.heading`), which a screen reader then reads out.
// A new message (`data.notice`, e.g. a refused Continue) also scrolls to
// the top, where Streamlit shows it.
//
// What was shown last is kept on the window, so it survives reruns (an
// autosave of the grid reruns the page without changing the step) and a
// remount of this component; a reload starts afresh.

export default function startStepAtTop({ data }) {
  const shown = window.__qsortStepShown || null;
  const mark = `${data.step}\n${data.notice || ""}`;
  if (mark === shown) return;
  const stepChanged = shown === null || shown.split("\n")[0] !== data.step;
  window.__qsortStepShown = mark;
  window.requestAnimationFrame(() => toTop(data.heading, stepChanged, 0));
}

function mainArea() {
  return document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
}

// The heading may not be on the page yet (Streamlit replaces the previous
// step's elements one by one): look again for up to about a second.
function toTop(heading, focus, tries) {
  const main = mainArea();
  if (main) main.scrollTo({ top: 0, left: 0, behavior: "instant" });
  if (!focus) return;
  const node = findHeading(heading);
  if (!node) {
    if (tries < 60) window.requestAnimationFrame(() => toTop(heading, focus, tries + 1));
    return;
  }
  if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
  node.focus({ preventScroll: true });
  if (main) main.scrollTo({ top: 0, left: 0, behavior: "instant" });
}

// The heading with the text wanted, else the step's first h1 (elements of
// the step before that Streamlit has not removed yet are marked stale).
function findHeading(text) {
  const main = mainArea();
  if (!main) return null;
  const wanted = String(text || "").trim();
  const fresh = (h) => !h.closest('[data-stale="true"]');
  if (wanted) {
    return Array.from(main.querySelectorAll("h1, h2"))
      .find((h) => fresh(h) && h.textContent.trim() === wanted) || null;
  }
  return Array.from(main.querySelectorAll("h1")).find(fresh) || null;
}
