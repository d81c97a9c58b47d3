// Keeps what a participant types into the answer fields in this browser.
// A Streamlit custom component (v2), plain ES module, that draws nothing.
//
// Streamlit sends a text field's value to the server only when the field is
// left, so closing the tab while typing would lose the answer. This copies
// every keystroke into localStorage ("qsort-answer:<study>:<token>:<question>"
// = {v: text, ts: time on the server's clock}) and, when the page is opened
// again, sends back (trigger "restore": {answers: {question: text}}) each
// answer whose copy differs from the server's and is newer than the server's
// save of it (`ts` of each field). Python puts it in the field and saves it.
//
// data: {key, now_ms, fields: [{id, cls, kind, value, ts}]}; `cls` is the
// class of the field's element (Streamlit's "st-key-..." class).

const KEEPERS = new WeakMap();
// No keeper yet since the page loaded: the fields show the server's answers,
// so any difference was typed before this module was listening.
let pageFresh = true;

export default function keepAnswers(component) {
  const { data, parentElement } = component;
  let keeper = KEEPERS.get(parentElement);
  if (keeper && keeper.key === data.key) {
    keeper.update(component);
    return undefined;
  }
  if (keeper) keeper.stop();
  keeper = new AnswerKeeper(component);
  KEEPERS.set(parentElement, keeper);
  return () => {
    keeper.stop();
    KEEPERS.delete(parentElement);
  };
}

function readLocal(key) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch (err) {
    return null; // storage disabled or corrupt
  }
}

function writeLocal(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch (err) {
    /* private mode or quota: the answer is still saved when the field is left */
  }
}

function removeLocal(key) {
  try {
    window.localStorage.removeItem(key);
  } catch (err) {
    /* no storage */
  }
}

// Whether the browser's text and the server's answer say the same thing (the
// server keeps text stripped, and an empty answer as null).
function same(text, value, kind) {
  const mine = String(text).trim();
  if (value === null || value === undefined) return mine === "";
  if (kind === "number") return mine !== "" && Number(mine) === Number(value);
  return mine === String(value).trim();
}

class AnswerKeeper {
  constructor(component) {
    this.key = component.data.key;
    this.prefix = `qsort-answer:${this.key}:`;
    this.clockOffset = 0;
    this.update(component);
    this.onInput = (e) => this.remember(e.target);
    document.addEventListener("input", this.onInput, true);
    if (pageFresh) this.sweep();
    pageFresh = false;
    // which fields are kept, for the browser tests to wait on
    this.marker = this.fields.map((f) => f.id).join(" ");
    document.documentElement.dataset.qsAnswerKeeper = this.marker;
    // after this render, so Streamlit is ready for the trigger
    this.restoreTimer = window.setTimeout(() => this.restore(), 0);
  }

  update(component) {
    const { data } = component;
    this.setTriggerValue = component.setTriggerValue;
    this.fields = data.fields || [];
    if (typeof data.now_ms === "number") this.clockOffset = data.now_ms - Date.now();
  }

  stop() {
    window.clearTimeout(this.restoreTimer);
    document.removeEventListener("input", this.onInput, true);
    const root = document.documentElement.dataset;
    if (root.qsAnswerKeeper === this.marker) delete root.qsAnswerKeeper;   // not a newer keeper's
  }

  // Copies the fields already drawn whose text is not the server's. Only the
  // page's first keeper may: later ones cannot tell such text from an answer
  // another device saved since.
  sweep() {
    for (const field of this.fields) {
      const el = document.querySelector(`.${CSS.escape(field.cls)} textarea, .${CSS.escape(field.cls)} input`);
      if (el && !same(el.value, field.value, field.kind)) this.remember(el);
    }
  }

  fieldOf(target) {
    if (!target || !target.closest) return null;
    return this.fields.find((f) => target.closest(`.${CSS.escape(f.cls)}`)) || null;
  }

  remember(target) {
    if (!(target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement)) return;
    const field = this.fieldOf(target);
    if (!field) return;
    writeLocal(this.prefix + field.id, { v: target.value, ts: Date.now() + this.clockOffset });
  }

  restore() {
    const found = {};
    for (const field of this.fields) {
      const local = readLocal(this.prefix + field.id);
      if (!local || typeof local.v !== "string") continue;
      if (same(local.v, field.value, field.kind)) continue; // the server has it
      if (field.ts && (Number(local.ts) || 0) <= field.ts) {
        removeLocal(this.prefix + field.id); // the server's answer is newer
        continue;
      }
      found[field.id] = local.v;
    }
    if (Object.keys(found).length) this.setTriggerValue("restore", { answers: found });
  }
}
