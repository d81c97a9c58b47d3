// Sets the page's language and writing direction on <html> (see __init__.py)
// and puts the page's language on the few texts Streamlit writes itself on
// the participant pages: the steppers of a number field (labelled
// "Decrement" / "Increment") and the "Skip to main content" link.
// A Streamlit custom component (v2), plain ES module, that draws nothing.
//
// data: {lang, dir, labels: {css selector: aria-label}, texts: {css
// selector: text}}. Runs on every
// rerun; the attributes are written only when they change (a change of `dir`
// reflows the whole page). Streamlit draws its elements after this runs and
// again on later reruns, so a MutationObserver names the controls whenever
// they appear.

export default function setPageLanguage({ data }) {
  const html = document.documentElement;
  const lang = String(data.lang || "en");
  const dir = data.dir === "rtl" ? "rtl" : "ltr";
  if (html.getAttribute("lang") !== lang) html.setAttribute("lang", lang);
  if (html.getAttribute("dir") !== dir) html.setAttribute("dir", dir);
  window.__qsortLabels = { labels: data.labels || {}, texts: data.texts || {} };
  nameControls();
  if (!window.__qsortLabelObserver) {
    let queued = false;
    window.__qsortLabelObserver = new MutationObserver(() => {
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(() => { queued = false; nameControls(); });
    });
    window.__qsortLabelObserver.observe(document.body, { childList: true, subtree: true });
  }
}

function nameControls() {
  const { labels = {}, texts = {} } = window.__qsortLabels || {};
  for (const [selector, label] of Object.entries(labels)) {
    for (const node of document.querySelectorAll(selector)) {
      if (node.getAttribute("aria-label") !== label) node.setAttribute("aria-label", label);
    }
  }
  for (const [selector, text] of Object.entries(texts)) {
    for (const node of document.querySelectorAll(selector)) {
      if (node.textContent !== text) node.textContent = text;
    }
  }
}
