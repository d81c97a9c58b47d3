"""Keeps what a researcher types into the design page's text fields in this
browser until the server has it.

Streamlit sends a text field's value only when the field is left, so a
reload while typing would lose the words. This component (v2, no build
step, draws nothing) copies every keystroke into localStorage
(``qp-design:<study>:<field>`` = ``{v: text, ts: time on the server's
clock}``) and, when the page is drawn again, sends back (trigger
``restore``) each text whose copy differs from the draft and is newer than
the draft's last save; the page saves it. A copy equal to the draft, or
older, is dropped.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import lru_cache

import streamlit as st

_JS = """
const KEEPERS = new WeakMap();
let pageFresh = true;   // no keeper yet since the page loaded: every field shows the draft

export default function keepDesignTexts(component) {
  const { data, parentElement, setTriggerValue } = component;
  const old = KEEPERS.get(parentElement);
  if (old) old.stop();
  const keeper = new Keeper(data, setTriggerValue);
  KEEPERS.set(parentElement, keeper);
  return () => { keeper.stop(); KEEPERS.delete(parentElement); };
}

function storageName(key, id) { return "qp-design:" + key + ":" + id; }

function readLocal(name) {
  try { return JSON.parse(window.localStorage.getItem(name) || "null"); } catch (err) { return null; }
}

class Keeper {
  constructor(data, trigger) {
    this.data = data;
    this.fresh = pageFresh;
    pageFresh = false;
    this.offset = (data.now_ms || Date.now()) - Date.now();   // the server's clock
    this.bound = [];
    const restore = {};
    for (const field of data.fields) {
      const name = storageName(data.key, field.id);
      const local = readLocal(name);
      if (!local || typeof local.v !== "string") continue;
      if (local.v !== field.value && local.ts > field.ts) restore[field.id] = local.v;
      else window.localStorage.removeItem(name);
    }
    if (Object.keys(restore).length) trigger("restore", { texts: restore, at: Date.now() });
    this.bind();
    this.timer = window.setInterval(() => this.bind(), 150);   // fields drawn after this
  }

  bind() {
    for (const field of this.data.fields) {
      const el = document.querySelector("." + field.cls + " textarea, ." + field.cls + " input");
      if (!el || el.dataset.qpKept === field.cls) continue;
      el.dataset.qpKept = field.cls;
      const name = storageName(this.data.key, field.id);
      const copy = () => {
        try {
          window.localStorage.setItem(name, JSON.stringify({ v: el.value, ts: Date.now() + this.offset }));
        } catch (err) { /* storage full or disabled: the field still saves when left */ }
      };
      // typed before the page's first keeper was listening; later keepers
      // (reruns) cannot tell such words from a field another tab changed
      if (this.fresh && el.value !== field.value) copy();
      el.addEventListener("input", copy);
      this.bound.push([el, copy]);
    }
  }

  stop() {
    window.clearInterval(this.timer);
    for (const [el, copy] of this.bound) { el.removeEventListener("input", copy); delete el.dataset.qpKept; }
  }
}
"""


@lru_cache(maxsize=1)
def _component():
    return st.components.v2.component("qp_design_text_keeper", js=_JS)


def widget_class(key: str) -> str:
    """The CSS class Streamlit gives the element of a widget with ``key``."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def keep_texts(study: str, fields: dict[str, tuple[str, str]], saved_at_ms: int,
               restore: Callable[[dict[str, str]], None]) -> None:
    """Mirror the text ``fields`` ({field: (widget key, saved value)}) of
    ``study`` into this browser; ``restore({field: text})`` saves the texts
    typed here but never saved (called before the page is drawn)."""
    key = f"ws_text_keeper_{study}"

    def on_restore():
        found = ((st.session_state.get(key) or {}).get("restore") or {}).get("texts")
        if isinstance(found, dict):
            texts = {str(k): str(v)[:100_000] for k, v in found.items() if k in fields}
            if texts:
                restore(texts)

    _component()(key=key, height=0, on_restore_change=on_restore, data={
        "key": study, "now_ms": int(time.time() * 1000),
        "fields": [{"id": name, "cls": widget_class(widget), "value": value, "ts": saved_at_ms}
                   for name, (widget, value) in fields.items()]})
