"""Helpers for the participant pages in other languages: a study file in a
language, the texts a page shows or says, and the English words among them."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from playwright.sync_api import Page
from qsweb import DEFN

from studies import dump_study, load_study
from studies.languages import catalog, template

# Every text of the page that a participant sees or hears: text nodes (in
# shadow roots too, screen-reader-only ones included) and the attributes read
# out or shown on pointing. Hidden elements (display: none) are left out, and
# so are Streamlit's icons, whose names are drawn as glyphs.
PAGE_TEXTS_JS = """() => {
  const out = [];
  const attrs = ["aria-label", "title", "placeholder", "aria-roledescription", "alt"];
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
  function walk(node) {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        const t = child.textContent.replace(/\\s+/g, " ").trim();
        if (t) out.push(t);
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (skip.has(child.tagName) || child.hidden) continue;
        if (child.matches('[data-testid="stIconMaterial"]')) continue;
        if (getComputedStyle(child).display === "none") continue;
        for (const a of attrs) {
          const v = child.getAttribute(a);
          if (v && v.trim()) out.push(v.replace(/\\s+/g, " ").trim());
        }
        if (child.shadowRoot) walk(child.shadowRoot);
        walk(child);
      }
    }
  }
  walk(document.body);
  return out;
}"""

# the live regions and alerts of the components (what a screen reader says)
SPOKEN_JS = """() => Array.from(document.querySelectorAll('*')).filter(e => e.shadowRoot)
  .flatMap(h => Array.from(h.shadowRoot.querySelectorAll('[role=status], [role=alert], [aria-live]')))
  .map(e => e.textContent.replace(/\\s+/g, ' ').trim()).filter(Boolean)"""

#: words Streamlit itself may write on a page (its widgets' hints)
STREAMLIT_WORDS = {"apply", "press", "enter", "choose", "option", "options", "select", "running",
                   "stop", "deploy", "clear", "increment", "decrement", "rerun", "connecting",
                   "skip", "main", "content"}


def english_words(language: str) -> set[str]:
    """The words of the participant pages' English texts (the msgids, three
    letters or more) that the language's own catalogue never uses (so "Link"
    or "Tab", words of German too, are not counted), plus Streamlit's."""
    def words(text: str) -> set[str]:
        return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", " ", text))}

    english = set(STREAMLIT_WORDS)
    for m in template().values():
        english |= words(m.msgid) | words(m.plural or "")
    own = set()
    for entry in catalog(language):
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for form in forms:
            own |= words(form or "")
    return english - own


def study_texts(defn) -> list[str]:
    """The study's own texts, as pieces that may appear on a page (markdown's
    lines and list items, without their markup), longest first."""
    pieces = [defn.title, defn.description, *(s.text for s in defn.statements),
              *(p.label for p in defn.presort_piles), *(defn.grid.labels or ()),
              *(q.text for q in defn.questions()), *(o for q in defn.questions() for o in q.options)]
    for long in (defn.welcome, defn.consent, defn.instruction, defn.thank_you):
        for line in long.splitlines():
            line = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", line).replace("**", "").strip()
            if line:
                pieces.append(line)
    return sorted({" ".join(p.split()) for p in pieces if p and p.strip()}, key=len, reverse=True)


def english_on_page(texts: list[str], defn, language: str) -> list[tuple[str, str]]:
    """(word, text) for each English word left in ``texts`` once the study's
    own texts are taken out."""
    own = study_texts(defn)
    english = english_words(language)
    found = []
    for text in texts:
        rest = " ".join(text.split())
        if any(rest in piece for piece in own):
            continue                    # a piece of a study text (e.g. a bold part of a line)
        for piece in own:
            rest = rest.replace(piece, " ")
        found += [(w, text) for w in re.findall(r"[A-Za-z]{3,}", rest) if w.lower() in english]
    return found


def page_texts(page: Page) -> list[str]:
    return page.evaluate(PAGE_TEXTS_JS)


def spoken(page: Page) -> list[str]:
    return page.evaluate(SPOKEN_JS)


#: the variants' titles (their own slugs and titles keep them apart from the
#: co-production study on the study list)
TITLES = {"de": "Wozu ist Koproduktion gut?", "ar": "ما فائدة الإنتاج المشترك؟",
          "es": "¿Para qué sirve la coproducción?"}


def study_in(language: str, folder: Path, slug: str | None = None):
    """The co-production study with ``language:`` set (and a title in it; the
    other texts stay in English), written as a study file in ``folder`` and
    loaded back (so the loader checks the language)."""
    defn = dataclasses.replace(DEFN, slug=slug or f"languages-{language}", language=language,
                               title=TITLES.get(language, DEFN.title))
    path = folder / f"{defn.slug}.yaml"
    dump_study(defn, path)
    assert f"language: {language}" in path.read_text(encoding="utf-8")
    return load_study(path)
