// The pre-sort: each statement goes on one of the piles (e.g. disagree /
// neutral / agree). A Streamlit custom component (v2), plain ES module.
//
// Python passes everything through `data` (see __init__.py). Texts are
// written with textContent only. Python receives
//   - state "draft": {rev, piles: {n: pileId}}  every few seconds while sorting;
//   - trigger "done": {rev, piles}              when Continue is pressed.
// Every change is written to localStorage at once.
//
// Keys: 1, 2, 3 ... put the current card (or the focused card in a pile) on
// that pile; Enter/Space on a card in a pile brings it back to sort again.
// When the last card is sorted the focus moves to Continue.
//
// As in the grid: `ts` (time of the last change, server clock) decides which
// of this browser's copy and the server's is newer, and once Continue is
// pressed nothing changes the piles until Python moves on or refuses them.

const INSTANCES = new WeakMap();
const DRAG_THRESHOLD = 6;

export default function mountPresort(component) {
  const { data, parentElement } = component;
  let ps = INSTANCES.get(parentElement);
  if (ps && ps.key === data.key) {
    ps.update(component);
    return undefined;
  }
  if (ps) ps.destroy();
  ps = new Presort(component);
  INSTANCES.set(parentElement, ps);
  return () => {
    ps.destroy();
    INSTANCES.delete(parentElement);
  };
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function readLocal(key) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch (err) {
    return null;
  }
}

// Whether draft copy a ({rev, ts}) holds newer work than b (see grid.js).
function isNewer(a, b) {
  const ta = Number(a && a.ts) || 0;
  const tb = Number(b && b.ts) || 0;
  const ra = Number(a && a.rev) || 0;
  const rb = Number(b && b.rev) || 0;
  if (ta && tb) return ta > tb || (ta === tb && ra > rb);
  return ra > rb;
}

function writeLocal(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch (err) {
    /* storage unavailable: the server copy is still saved */
  }
}

class Presort {
  constructor(component) {
    const { data, parentElement } = component;
    this.rootNode = parentElement;
    this.root = parentElement.querySelector(".ps");
    this.key = data.key;
    this.storageKey = `qsort-presort:${data.key}`;
    this.fingerprint = data.fingerprint || "";
    this.autosaveMs = data.autosave_ms || 4000;
    this.setApi(component);

    this.cards = new Map(data.cards.map((c) => [c.n, c]));
    this.order = data.cards.map((c) => c.n);
    this.piles = data.piles;
    this.assign = new Map(); // n -> pile id
    this.rev = 0;
    this.ts = 0; // when the piles were last changed (server clock, ms)
    this.clockOffset = 0;
    this.setClock(data);
    this.savedRev = data.saved_rev || 0;
    this.current = null; // the card being sorted
    this.drag = null;
    this.done = false;

    this.build();
    this.restore(data.draft);
    this.listen();
    this.pickNext();
    this.render();
    this.root.dataset.ready = "true";
  }

  setApi(component) {
    this.setStateValue = component.setStateValue;
    this.setTriggerValue = component.setTriggerValue;
  }

  setClock(data) {
    if (typeof data.now_ms === "number") this.clockOffset = data.now_ms - Date.now();
  }

  now() {
    return Date.now() + this.clockOffset;
  }

  update(component) {
    this.setApi(component);
    const { data } = component;
    this.setClock(data);
    if (this.done && data.refused_rev !== undefined && data.refused_rev !== null
        && data.refused_rev === this.sentRev) {
      this.unfreeze();
    }
    const server = data.draft;
    if (server && (Number(server.ts) || 0) === this.ts) {
      this.savedRev = Math.max(this.savedRev, server.rev || 0); // the server holds these piles
    }
    this.renderSaved();
  }

  destroy() {
    this.flush();
    clearTimeout(this.flushTimer);
    clearTimeout(this.unfreezeTimer);
    for (const [target, type, fn, opts] of this.listeners) target.removeEventListener(type, fn, opts);
    this.listeners = [];
  }

  // -- DOM ------------------------------------------------------------------
  build() {
    const q = (sel) => this.root.querySelector(sel);
    this.live = q(".ps-live");
    this.alertBox = q(".ps-alert");
    this.progressText = q(".ps-progress-text");
    this.savedText = q(".ps-saved");
    this.currentEl = q(".ps-current");
    this.currentNum = this.currentEl.querySelector(".num");
    this.currentText = this.currentEl.querySelector(".text");
    this.finished = q(".ps-finished");
    this.buttonBox = q(".ps-buttons");
    this.pileBox = q(".ps-piles");
    this.doneButton = q(".ps-done");
    this.footerNote = q(".ps-footer-note");

    this.pileViews = new Map();
    this.piles.forEach((pile, i) => {
      const keyName = String(i + 1);
      const button = el("button", "ps-pile-button");
      button.type = "button";
      button.dataset.pile = pile.id;
      button.dataset.side = String(pile.side || 0);
      const kbd = el("kbd", "", keyName);
      button.append(kbd, el("span", "", ` ${pile.label}`));
      button.setAttribute("aria-keyshortcuts", keyName);
      this.buttonBox.append(button);

      const box = el("section", "ps-pile");
      box.dataset.pile = pile.id;
      box.dataset.side = String(pile.side || 0);
      const head = el("div", "ps-pile-head");
      const count = el("span", "ps-pile-count", "0");
      head.append(el("span", "ps-pile-title", pile.label), count);
      const list = el("div", "ps-pile-list");
      box.append(head, list);
      this.pileBox.append(box);
      this.pileViews.set(pile.id, { button, box, list, count, keyName });
    });

    this.cardEls = new Map();
    for (const n of this.order) {
      const node = el("div", "card ps-small");
      node.tabIndex = 0;
      node.dataset.n = String(n);
      node.setAttribute("role", "button");
      node.setAttribute("aria-describedby", "ps-keys");
      node.append(el("span", "num", String(n)), el("span", "text", this.cards.get(n).text));
      this.cardEls.set(n, node);
    }
  }

  // -- model ------------------------------------------------------------------
  // The newer of the server's copy and this browser's copy wins; a newer
  // local copy was never saved, so it is sent at once (with a revision above
  // the server's).
  restore(server) {
    const local = readLocal(this.storageKey);
    const ok = (d) => d && d.piles && typeof d.piles === "object";
    const serverOk = ok(server);
    const localOk = ok(local) && local.fingerprint === this.fingerprint;
    let best = null;
    if (localOk && (!serverOk || isNewer(local, server))) {
      best = local;
      this.rev = Math.max(local.rev || 0, serverOk ? server.rev || 0 : 0, this.savedRev) + 1;
      window.setTimeout(() => this.flush(), 0);
    } else if (serverOk) {
      best = server;
      this.rev = server.rev || 0;
    }
    if (!best) return;
    this.ts = Number(best.ts) || 0;
    const known = new Set(this.piles.map((p) => p.id));
    for (const [n, pile] of Object.entries(best.piles)) {
      const num = Number(n);
      if (this.cards.has(num) && known.has(pile)) this.assign.set(num, pile);
    }
    if (best === local) this.writeLocalCopy();
  }

  snapshot() {
    const piles = {};
    for (const [n, pile] of this.assign) piles[String(n)] = pile;
    return { rev: this.rev, ts: this.ts, piles };
  }

  writeLocalCopy() {
    writeLocal(this.storageKey, { ...this.snapshot(), fingerprint: this.fingerprint });
  }

  changed() {
    this.rev += 1;
    this.ts = Math.max(this.now(), this.ts + 1);
    this.writeLocalCopy();
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => { this.flushTimer = null; this.flush(); }, this.autosaveMs);
    }
  }

  flush() {
    if (this.done) return; // the piles sent with Continue are the ones that count
    if (this.rev <= this.savedRev || this.rev === this.sentRev || !navigator.onLine) return;
    this.sentRev = this.rev;
    try {
      this.setStateValue("draft", this.snapshot());
    } catch (err) {
      this.sentRev = null;
    }
    this.renderSaved();
  }

  pickNext() {
    this.current = this.order.find((n) => !this.assign.has(n)) ?? null;
  }

  put(n, pileId) {
    if (this.done) return; // frozen after Continue
    const pile = this.piles.find((p) => p.id === pileId);
    const wasCurrent = n === this.current;
    const focused = this.rootNode.activeElement;
    this.assign.set(n, pileId);
    this.changed();
    if (wasCurrent) this.pickNext();
    this.render();
    // The last card is sorted: the card (or the pile button just used) is
    // gone or disabled, so the focus would fall to the page; give it to
    // Continue instead.
    if (wasCurrent && this.current === null
        && (!focused || focused === this.currentEl || this.buttonBox.contains(focused))) {
      this.focusContinue();
    }
    let msg = `Statement ${n} is on the ${pile.label} pile. ${this.assign.size} of ${this.order.length} sorted.`;
    if (wasCurrent && this.current !== null) {
      msg += ` Next, statement ${this.current}: ${this.cards.get(this.current).text}`;
    } else if (this.current === null) {
      msg += " Every statement is on a pile; press Continue when you are ready.";
    }
    this.say(msg);
  }

  focusContinue() {
    const target = this.doneButton.disabled ? this.finished : this.doneButton;
    target.focus({ preventScroll: this.lastInput !== "keyboard" });
  }

  // Bring a sorted card back to the top to sort it again.
  reconsider(n) {
    if (this.done) return;
    this.current = n;
    this.render();
    this.currentEl.focus();
    this.say(`Statement ${n}, now on the ${this.pileLabel(n)} pile: ${this.cards.get(n).text}. ` +
      "Choose a pile for it.");
  }

  pileLabel(n) {
    const p = this.piles.find((x) => x.id === this.assign.get(n));
    return p ? p.label : "no";
  }

  say(message) {
    this.live.textContent = "";
    window.clearTimeout(this.sayTimer);
    this.sayTimer = window.setTimeout(() => { this.live.textContent = message; }, 30);
  }

  // -- rendering -----------------------------------------------------------------
  render() {
    const focused = this.rootNode.activeElement;
    const total = this.order.length;
    const cur = this.current;
    this.currentEl.hidden = cur === null;
    this.finished.hidden = cur !== null;
    if (cur !== null) {
      this.currentEl.dataset.n = String(cur);
      this.currentNum.textContent = String(cur);
      this.currentText.textContent = this.cards.get(cur).text;
      this.currentEl.setAttribute("aria-label", `Statement ${cur}: ${this.cards.get(cur).text}`);
    }
    for (const pile of this.piles) {
      const view = this.pileViews.get(pile.id);
      const nodes = this.order.filter((n) => this.assign.get(n) === pile.id && n !== cur)
        .map((n) => this.cardEls.get(n));
      nodes.forEach((node, i) => {
        if (view.list.children[i] !== node) view.list.insertBefore(node, view.list.children[i] || null);
      });
      while (view.list.children.length > nodes.length) view.list.lastElementChild.remove();
      const count = this.order.filter((n) => this.assign.get(n) === pile.id).length;
      view.count.textContent = String(count);
      view.box.setAttribute("aria-label", `${pile.label} pile: ${count} statements`);
      view.button.disabled = cur === null;
      view.button.classList.toggle("chosen", cur !== null && this.assign.get(cur) === pile.id);
    }
    const sorted = this.assign.size;
    this.progressText.textContent = cur !== null
      ? `Statement ${cur} \u2013 ${sorted} of ${total} sorted`
      : `${sorted} of ${total} sorted`;
    const complete = sorted === total;
    this.doneButton.disabled = !complete || this.done;
    this.footerNote.textContent = complete
      ? "All statements are on a pile."
      : `Put every statement on a pile to continue (${total - sorted} left).`;
    this.renderSaved();
    if (focused && focused.classList && focused.classList.contains("ps-small")
        && this.rootNode.activeElement !== focused && focused.isConnected) focused.focus();
  }

  renderSaved() {
    let text = "";
    if (!navigator.onLine) text = "Offline \u2013 kept on this device";
    else if (this.rev > 0) text = this.rev <= this.savedRev ? "Saved" : "Kept on this device";
    this.savedText.textContent = text;
  }

  // -- events --------------------------------------------------------------------------
  on(target, type, fn, opts) {
    target.addEventListener(type, fn, opts);
    this.listeners.push([target, type, fn, opts]);
  }

  listen() {
    this.listeners = [];
    this.on(this.root, "keydown", (e) => this.onKey(e));
    this.on(this.root, "click", (e) => this.onClick(e));
    this.on(this.currentEl, "pointerdown", (e) => this.onPointerDown(e));
    this.on(this.currentEl, "pointermove", (e) => this.onPointerMove(e));
    this.on(this.currentEl, "pointerup", (e) => this.onPointerUp(e));
    this.on(this.currentEl, "pointercancel", () => this.endDrag());
    this.on(this.doneButton, "click", () => this.finish());
    this.on(window, "offline", () => {
      this.alertBox.hidden = false;
      this.alertBox.textContent = "The connection is lost. Keep going: your piles are kept on " +
        "this device and will be saved as soon as the connection is back.";
      this.renderSaved();
    });
    this.on(window, "online", () => { this.alertBox.hidden = true; this.renderSaved(); this.flush(); });
    this.on(document, "visibilitychange", () => {
      if (document.visibilityState === "hidden") this.flush();
    });
    this.on(window, "pagehide", () => this.flush());
  }

  onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    this.lastInput = "keyboard";
    if (this.done) return; // frozen after Continue
    const index = Number(e.key) - 1;
    const node = e.target.closest ? e.target.closest(".card") : null;
    const focusedN = node && node.classList.contains("ps-small") ? Number(node.dataset.n) : null;
    if (Number.isInteger(index) && index >= 0 && index < this.piles.length) {
      const n = focusedN ?? this.current;
      if (n === null) return;
      e.preventDefault();
      this.put(n, this.piles[index].id);
      if (focusedN !== null && this.cardEls.get(focusedN).isConnected) this.cardEls.get(focusedN).focus();
      else if (this.current !== null) this.currentEl.focus();
      else this.focusContinue();
      return;
    }
    if ((e.key === "Enter" || e.key === " ") && focusedN !== null) {
      e.preventDefault();
      this.reconsider(focusedN);
    }
  }

  onClick(e) {
    if (e.detail > 0) this.lastInput = "pointer";
    if (this.suppressClick) { this.suppressClick = false; return; }
    if (this.done) return;
    const button = e.target.closest(".ps-pile-button");
    if (button && this.current !== null) {
      this.put(this.current, button.dataset.pile);
      return;
    }
    const small = e.target.closest(".ps-small");
    if (small) this.reconsider(Number(small.dataset.n));
  }

  // Drag the current card onto a pile (mouse or touch).
  onPointerDown(e) {
    this.lastInput = "pointer";
    if (this.done || this.current === null || (e.pointerType === "mouse" && e.button !== 0)) return;
    this.drag = { id: e.pointerId, x0: e.clientX, y0: e.clientY, active: false };
    try { this.currentEl.setPointerCapture(e.pointerId); } catch (err) { /* synthetic */ }
  }

  onPointerMove(e) {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x0;
    const dy = e.clientY - d.y0;
    if (!d.active && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    d.active = true;
    e.preventDefault();
    this.currentEl.classList.add("dragging");
    this.currentEl.style.transform = `translate(${dx}px, ${dy}px)`;
    const pile = this.pileAt(e.clientX, e.clientY);
    for (const [id, view] of this.pileViews) {
      view.box.classList.toggle("over", id === pile);
      view.button.classList.toggle("over", id === pile);
    }
  }

  onPointerUp(e) {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    const pile = d.active ? this.pileAt(e.clientX, e.clientY) : null;
    if (d.active) {
      this.suppressClick = true;
      window.setTimeout(() => { this.suppressClick = false; }, 0);
    }
    this.endDrag();
    if (pile && this.current !== null && !this.done) this.put(this.current, pile);
  }

  endDrag() {
    this.drag = null;
    this.currentEl.classList.remove("dragging");
    this.currentEl.style.transform = "";
    for (const view of this.pileViews.values()) {
      view.box.classList.remove("over");
      view.button.classList.remove("over");
    }
  }

  // The pile (box or button) under a point; the dragged card itself is ignored.
  pileAt(x, y) {
    this.currentEl.style.visibility = "hidden";
    const under = this.rootNode.elementFromPoint
      ? this.rootNode.elementFromPoint(x, y) : document.elementFromPoint(x, y);
    this.currentEl.style.visibility = "";
    const hit = under && under.closest ? under.closest("[data-pile]") : null;
    return hit && this.root.contains(hit) ? hit.dataset.pile : null;
  }

  finish() {
    if (this.done || this.assign.size !== this.order.length) return;
    this.done = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.root.dataset.done = "true";
    this.doneButton.disabled = true;
    this.doneButton.textContent = "Saving\u2026";
    this.sentRev = this.rev;
    this.setTriggerValue("done", this.snapshot());
    // If Python does not move on (e.g. the connection dropped), allow a retry.
    this.unfreezeTimer = window.setTimeout(() => {
      if (this.root.isConnected) this.unfreeze();
    }, 8000);
  }

  unfreeze() {
    window.clearTimeout(this.unfreezeTimer);
    if (!this.done) return;
    this.done = false;
    delete this.root.dataset.done;
    this.doneButton.textContent = "Continue";
    this.render();
  }
}
