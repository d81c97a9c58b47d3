// The Q-sort grid: a Streamlit custom component (v2), plain ES module.
//
// Python passes everything through `data` (see webapp/components/qsort_grid/
// __init__.py for the contract). Statement texts are only ever written with
// textContent. All moving happens here in the browser; Python receives
//   - state "draft": {rev, columns}   every few seconds while the grid changes
//                                      (and when the tab is hidden), so the
//                                      server keeps a copy;
//   - trigger "done": {rev, columns}  when the participant presses Continue on
//                                      a complete grid.
// `columns` maps a column score (as text) to the neutral card numbers in it,
// top to bottom. Every change is also written to localStorage at once, so
// closing the tab loses nothing.
//
// Which copy is newer (this browser's or the server's, possibly saved from
// another device) is decided by `ts`, the time of the last change on the
// server's clock (this browser's clock corrected by `now_ms`); `rev` counts
// the changes made here and only breaks ties. Once Continue is pressed the
// grid is frozen: no key, click or drag changes it and no draft is sent, so
// the placement Python checks is the one that is kept.
//
// Ways to move a card (all end in the same `place()`):
//   - mouse: drag the card; touch: drag by its grip (the dotted handle);
//   - click/tap a card to select it, then click a column or a button in the
//     bar at the bottom of the screen;
//   - keyboard: Enter/Space picks up the focused card, arrows choose the
//     column, Enter/Space puts it down, Escape cancels, Delete returns a
//     placed card to its pile.
//
// The draft bookkeeping (localStorage, autosave, server clock, freeze after
// Continue) is shared with the pre-sort: webapp/components/shared/drafts.js,
// which __init__.py prepends to this file.

const DRAG_THRESHOLD = 6; // pixels before a press becomes a drag
const EDGE = 70; // pixels from the viewport edge where dragging scrolls

export default function mountQSortGrid(component) {
  return mountDrafted(component, QSortGrid);
}

// ---------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------
function scoreText(score) {
  return score > 0 ? `+${score}` : score < 0 ? `\u2212${-score}` : "0";
}

// The element that scrolls the page around the component (Streamlit's main
// area), found by walking out of the shadow root.
function scrollParentOf(node) {
  let cur = node;
  while (cur) {
    if (cur instanceof Element) {
      const style = getComputedStyle(cur);
      if (/(auto|scroll)/.test(style.overflowY) && cur.scrollHeight > cur.clientHeight) {
        return cur;
      }
    }
    cur = cur.parentNode || cur.host || null;
  }
  return document.scrollingElement || document.documentElement;
}

// ---------------------------------------------------------------------------
// the component
// ---------------------------------------------------------------------------
class QSortGrid extends DraftedComponent {
  constructor(component) {
    super(component, "qsort-grid"); // localStorage key qsort-grid:<data.key>
    const { data, parentElement } = component;
    this.root = parentElement.querySelector(".qs");

    // the model -----------------------------------------------------------
    this.cards = new Map(); // n -> {n, text, pile}
    this.order = []; // neutral numbers in the participant's shuffled order
    for (const c of data.cards) {
      this.cards.set(c.n, c);
      this.order.push(c.n);
    }
    this.piles = data.piles; // [{id, label}] display order
    this.columns = data.columns.map((c) => ({ ...c, cards: [] }));
    this.total = this.order.length;
    this.held = null; // n of the selected / picked-up card
    this.target = 0; // column index chosen with the keyboard
    this.activePile = null; // pile shown on narrow screens
    this.drag = null; // the pointer press in progress

    this.build();
    this.restore(data.draft);
    this.listen();
    this.render();
    this.root.dataset.ready = "true";
  }

  // On a rerun (see DraftedComponent.update) the server may hold newer work
  // than the screen (e.g. saved from another tab): show it, unless frozen.
  adoptServerDraft(server) {
    if (!server || this.done || !isNewer(server, { rev: this.rev, ts: this.ts })
        || !this.valid(server.columns)) return false;
    this.load(server.columns, server.rev, server.ts);
    this.savedRev = this.rev;
    this.render();
    return true;
  }

  destroy() {
    super.destroy();
    this.endDrag(true);
  }

  // -- building the DOM (once) --------------------------------------------
  build() {
    const q = (sel) => this.root.querySelector(sel);
    this.live = q(".qs-live");
    this.alertBox = q(".qs-alert");
    this.progressText = q(".qs-progress-text");
    this.savedText = q(".qs-saved");
    this.pileSection = q(".qs-piles");
    this.pileTabs = q(".qs-pile-tabs");
    this.pileLists = q(".qs-pile-lists");
    this.gridBox = q(".qs-grid");
    this.doneButton = q(".qs-done");
    this.footerNote = q(".qs-footer-note");
    this.bar = q(".qs-bar");
    this.barTitle = q(".qs-bar-title");
    this.barCols = q(".qs-bar-cols");
    this.barPile = q(".qs-bar-pile");
    this.barCancel = q(".qs-bar-cancel");

    // one element per card, moved between piles and columns
    this.cardEls = new Map();
    for (const n of this.order) {
      const card = this.cards.get(n);
      const node = el("div", "card");
      node.tabIndex = 0;
      node.dataset.n = String(n);
      node.setAttribute("role", "button");
      node.setAttribute("aria-roledescription", "statement card");
      node.setAttribute("aria-pressed", "false");
      node.setAttribute("aria-describedby", "qs-keys");
      const grip = el("span", "grip", "\u2807\u2807");
      grip.setAttribute("aria-hidden", "true");
      grip.title = "Drag";
      const num = el("span", "num", String(n));
      num.setAttribute("aria-label", `Statement ${n}:`);
      const text = el("span", "text", card.text); // textContent: never HTML
      node.append(grip, num, text);
      this.cardEls.set(n, node);
    }

    // piles: a tab per pile (used on narrow screens) and a list per pile
    this.pileEls = new Map();
    for (const pile of this.piles) {
      const tab = el("button", "pile-tab");
      tab.type = "button";
      tab.setAttribute("role", "tab");
      tab.dataset.pile = pile.id;
      const list = el("div", "pile");
      list.dataset.zone = "pile";
      list.dataset.pile = pile.id;
      list.setAttribute("role", "group");
      const head = el("div", "pile-head");
      const title = el("span", "pile-title", pile.label);
      const count = el("span", "pile-count");
      head.append(title, count);
      const body = el("div", "pile-body");
      const empty = el("p", "pile-empty", "Empty");
      list.append(head, body, empty);
      this.pileTabs.append(tab);
      this.pileLists.append(list);
      this.pileEls.set(pile.id, { tab, list, body, count, empty });
    }

    // columns of the grid, most disagree first
    this.colEls = this.columns.map((col, i) => {
      const box = el("div", "col");
      box.dataset.zone = "col";
      box.dataset.index = String(i);
      box.setAttribute("role", "group");
      const head = el("div", "col-head");
      const score = el("span", "col-score", scoreText(col.score));
      const label = el("span", "col-label", col.label || "");
      const fill = el("span", "col-fill");
      head.append(score, label, fill);
      const body = el("div", "col-body");
      box.append(head, body);
      this.gridBox.append(box);

      const button = el("button", "bar-col");
      button.type = "button";
      button.dataset.index = String(i);
      const bScore = el("span", "bar-score", scoreText(col.score));
      const bFree = el("span", "bar-free");
      button.append(bScore, bFree);
      this.barCols.append(button);
      return { box, body, fill, head, button, bFree };
    });
  }

  // -- model ----------------------------------------------------------------
  columnOf(n) {
    return this.columns.findIndex((c) => c.cards.includes(n));
  }

  placedCount() {
    return this.columns.reduce((sum, c) => sum + c.cards.length, 0);
  }

  isComplete() {
    return this.columns.every((c) => c.cards.length === c.capacity);
  }

  valid(columns) {
    if (!columns || typeof columns !== "object") return false;
    const seen = new Set();
    for (const col of this.columns) {
      const list = columns[String(col.score)] || [];
      if (!Array.isArray(list) || list.length > col.capacity) return false;
      for (const n of list) {
        if (!this.cards.has(n) || seen.has(n)) return false;
        seen.add(n);
      }
    }
    const known = new Set(this.columns.map((c) => String(c.score)));
    return Object.keys(columns).every((k) => known.has(k));
  }

  load(columns, rev, ts) {
    for (const col of this.columns) col.cards = [...(columns[String(col.score)] || [])];
    this.rev = rev || 0;
    this.ts = Number(ts) || 0;
  }

  // The draft (see DraftedComponent): {rev, ts, columns: {score: [n, ...]}}.
  draftContent() {
    const columns = {};
    for (const col of this.columns) columns[String(col.score)] = [...col.cards];
    return { columns };
  }

  validDraft(d) {
    return this.valid(d.columns);
  }

  loadDraft(d, rev) {
    this.load(d.columns, rev, d.ts);
  }

  // Move card n to column index `to` (or to its pile when to === null).
  // `before` is an optional card to insert before; `swapWith` a card in a full
  // column that changes place with n. Returns false (and says why) if the
  // column is full.
  place(n, to, { before = null, announce = true } = {}) {
    if (this.done) return false; // frozen after Continue
    const from = this.columnOf(n);
    if (to === null) {
      if (from < 0) return true;
      this.columns[from].cards = this.columns[from].cards.filter((m) => m !== n);
      this.changed();
      this.render();
      if (announce) this.say(`Statement ${n} is back in the ${this.pileLabel(n)} pile. ${this.progress()}`);
      return true;
    }
    const col = this.columns[to];
    if (from === to) {
      // reorder inside one column
      if (before !== null && before !== n) {
        col.cards = col.cards.filter((m) => m !== n);
        col.cards.splice(col.cards.indexOf(before), 0, n);
        this.changed();
        this.render();
      }
      return true;
    }
    if (col.cards.length >= col.capacity) {
      if (before !== null && col.cards.includes(before)) {
        return this.swap(n, before);
      }
      this.say(`Column ${scoreText(col.score)} is full (${col.capacity} of ${col.capacity}). ` +
        "Move a card out of it first, or drop onto a card there to swap the two.", true);
      this.flash(to);
      return false;
    }
    if (from >= 0) this.columns[from].cards = this.columns[from].cards.filter((m) => m !== n);
    const at = before !== null ? col.cards.indexOf(before) : -1;
    if (at >= 0) col.cards.splice(at, 0, n);
    else col.cards.push(n);
    this.changed();
    this.render();
    if (announce) this.say(`Statement ${n} placed in column ${this.colName(to)}. ${this.progress()}`);
    return true;
  }

  // n takes m's place; m goes where n was (a column or its pile).
  swap(n, m) {
    const from = this.columnOf(n);
    const to = this.columnOf(m);
    const colTo = this.columns[to];
    colTo.cards[colTo.cards.indexOf(m)] = n;
    if (from >= 0) {
      const colFrom = this.columns[from];
      colFrom.cards[colFrom.cards.indexOf(n)] = m;
    }
    this.changed();
    this.render();
    const where = from >= 0 ? `column ${this.colName(from)}` : `the ${this.pileLabel(m)} pile`;
    this.say(`Statement ${n} placed in column ${this.colName(to)}; statement ${m} moved to ${where}. ${this.progress()}`);
    return true;
  }

  // -- words ----------------------------------------------------------------
  colName(i) {
    const c = this.columns[i];
    return c.label ? `${scoreText(c.score)} (${c.label})` : scoreText(c.score);
  }

  pileLabel(n) {
    const pile = this.piles.find((p) => p.id === this.cards.get(n).pile);
    return pile ? pile.label : "unsorted";
  }

  progress() {
    const placed = this.placedCount();
    if (placed === this.total) return `All ${this.total} statements placed: the grid is complete.`;
    return `${placed} of ${this.total} statements placed.`;
  }

  freeText(i) {
    const c = this.columns[i];
    const free = c.capacity - c.cards.length;
    return free === 0 ? "full" : `${free} of ${c.capacity} places free`;
  }

  // Polite announcement for screen readers (the visible progress updates
  // too); an important one is also shown for a while.
  say(message, important = false) {
    super.say(message);
    if (important) this.showAlert(message, "warn");
  }

  showAlert(message, kind) {
    this.alertBox.hidden = false;
    this.alertBox.dataset.kind = kind;
    this.alertBox.textContent = message;
    window.clearTimeout(this.alertTimer);
    if (kind === "warn") {
      this.alertTimer = window.setTimeout(() => { this.alertBox.hidden = true; }, 5000);
    }
  }

  flash(i) {
    const box = this.colEls[i].box;
    box.classList.remove("refuse");
    void box.offsetWidth; // restart the animation
    box.classList.add("refuse");
    window.setTimeout(() => box.classList.remove("refuse"), 1200);
  }

  // -- rendering ----------------------------------------------------------------
  render() {
    const focused = this.rootNode.activeElement;
    const placed = new Set();
    this.columns.forEach((col, i) => {
      const view = this.colEls[i];
      const nodes = col.cards.map((n) => {
        placed.add(n);
        return this.cardEls.get(n);
      });
      for (let k = col.cards.length; k < col.capacity; k += 1) {
        const slot = el("div", "slot");
        slot.setAttribute("aria-hidden", "true");
        nodes.push(slot);
      }
      syncChildren(view.body, nodes);
      const free = col.capacity - col.cards.length;
      view.fill.textContent = `${col.cards.length}/${col.capacity}`;
      view.box.classList.toggle("full", free === 0);
      view.box.setAttribute("aria-label",
        `Column ${this.colName(i)}: ${col.cards.length} of ${col.capacity} placed`);
      view.bFree.textContent = `${col.cards.length}/${col.capacity}`;
      view.button.setAttribute("aria-label",
        `Column ${this.colName(i)}, ${this.freeText(i)}`);
      view.button.classList.toggle("full", free === 0);
      view.button.classList.toggle("target", this.held !== null && i === this.target);
      view.box.classList.toggle("target", this.held !== null && i === this.target);
    });

    // pile contents: unplaced cards in the participant's order
    let firstNonEmpty = null;
    for (const pile of this.piles) {
      const view = this.pileEls.get(pile.id);
      const nodes = this.order
        .filter((n) => !placed.has(n) && this.cards.get(n).pile === pile.id)
        .map((n) => this.cardEls.get(n));
      syncChildren(view.body, nodes);
      view.count.textContent = String(nodes.length);
      view.tab.textContent = `${pile.label} (${nodes.length})`;
      view.empty.hidden = nodes.length > 0;
      view.list.setAttribute("aria-label", `${pile.label} pile: ${nodes.length} left`);
      if (nodes.length && firstNonEmpty === null) firstNonEmpty = pile.id;
    }
    const activeCount = this.activePile
      ? this.pileEls.get(this.activePile).body.childElementCount : 0;
    if (!activeCount) this.activePile = firstNonEmpty || (this.piles[0] && this.piles[0].id);
    for (const pile of this.piles) {
      const view = this.pileEls.get(pile.id);
      const active = pile.id === this.activePile;
      view.tab.setAttribute("aria-selected", String(active));
      view.list.classList.toggle("active", active);
    }
    this.pileSection.classList.toggle("empty", placed.size === this.total);

    // cards: held state and a description of where each is
    for (const [n, node] of this.cardEls) {
      node.classList.toggle("held", n === this.held);
      node.setAttribute("aria-pressed", String(n === this.held));
    }

    // progress and Continue
    const count = this.placedCount();
    this.progressText.textContent = `${count} of ${this.total} placed`;
    const complete = this.isComplete();
    this.doneButton.disabled = !complete || this.done;
    this.footerNote.textContent = complete
      ? "The grid is complete. You can still move cards; press Continue when you are happy with it."
      : `Place all ${this.total} statements to continue (${this.total - count} left).`;
    this.renderBar();
    this.renderSaved();

    // moving a node in the DOM drops its focus: give it back
    if (focused && focused.classList && focused.classList.contains("card")
        && this.rootNode.activeElement !== focused) {
      focused.focus({ preventScroll: true });
      if (this.lastInput === "keyboard") focused.scrollIntoView({ block: "nearest" });
    }
  }

  // The column bar at the bottom of the screen: shown while a card is
  // selected (tap it, then a column) and during a touch drag (drop on it).
  renderBar() {
    const dragging = Boolean(this.drag && this.drag.active && this.drag.touch);
    const show = this.held !== null || dragging;
    this.bar.hidden = !show;
    this.root.classList.toggle("bar-open", show);
    this.bar.classList.toggle("drop-mode", dragging);
    if (!show) return;
    const n = dragging ? this.drag.n : this.held;
    const inGrid = this.columnOf(n) >= 0;
    this.barTitle.textContent = dragging ? `Drop statement ${n} on a column:`
      : inGrid ? `Move statement ${n} to a column, or tap another card to swap the two:`
        : `Place statement ${n}:`;
    this.barPile.hidden = !inGrid || dragging;
    this.barCancel.hidden = dragging;
  }

  // -- selecting / picking up ---------------------------------------------------
  hold(n) {
    this.held = n;
    const col = this.columnOf(n);
    this.target = col >= 0 ? col : this.suggestColumn(n);
    this.render();
    this.say(`Picked up statement ${n}. Column ${this.colName(this.target)}, ${this.freeText(this.target)}. ` +
      "Choose a column with the arrow keys, then press Enter to put it down, or Escape to cancel.");
  }

  release(message) {
    if (this.held === null) return;
    this.held = null;
    this.render();
    if (message) this.say(message);
  }

  // Where a card from a pile most likely goes: the column nearest to the
  // pile's side (agree -> +1, disagree -> -1, neutral -> 0) that has room.
  suggestColumn(n) {
    const pile = this.piles.find((p) => p.id === this.cards.get(n).pile);
    const side = pile ? pile.side || 0 : 0;
    const scores = this.columns.map((c) => c.score);
    let start = scores.indexOf(side);
    if (start < 0) start = Math.floor(this.columns.length / 2);
    const step = side < 0 ? -1 : 1;
    for (let i = start; i >= 0 && i < this.columns.length; i += step) {
      if (this.columns[i].cards.length < this.columns[i].capacity) return i;
    }
    return start;
  }

  moveTarget(delta, absolute = null) {
    const last = this.columns.length - 1;
    this.target = absolute !== null ? absolute : Math.min(last, Math.max(0, this.target + delta));
    this.render();
    this.say(`Column ${this.colName(this.target)}, ${this.freeText(this.target)}.`);
  }

  // Put the held card into the chosen column. A card taken from a pile hands
  // the focus to the next card of that pile, so a keyboard user can go on
  // with Enter at once; a card moved within the grid keeps the focus.
  dropHeld() {
    const n = this.held;
    if (n === null) return;
    const next = this.columnOf(n) < 0 ? this.nextPileCard(n) : null;
    const ok = this.place(n, this.target, { announce: false });
    if (ok) {
      this.held = null;
      // on narrow screens only one pile (tab) is shown: show the next card's
      if (next !== null) this.activePile = this.cards.get(next).pile;
      this.render();
      let message = `Statement ${n} placed in column ${this.colName(this.target)}. ${this.progress()}`;
      if (next !== null) message += ` Next: statement ${next}.`;
      this.say(message);
      this.cardEls.get(next !== null ? next : n).focus({ preventScroll: this.lastInput !== "keyboard" });
    }
  }

  // The pile card after n, or null: the same pile first, then the piles in
  // the order they are shown (so the card is the first of the pile tab that
  // a narrow screen shows next, never one hidden in another tab).
  nextPileCard(n) {
    const placed = new Set(this.columns.flatMap((c) => c.cards));
    const waiting = this.order.filter((m) => m !== n && !placed.has(m));
    const pile = this.cards.get(n).pile;
    const samePile = waiting.filter((m) => this.cards.get(m).pile === pile);
    const after = samePile.find((m) => this.order.indexOf(m) > this.order.indexOf(n));
    if (after !== undefined) return after;
    if (samePile.length) return samePile[0];
    for (const p of this.piles) {
      const first = waiting.find((m) => this.cards.get(m).pile === p.id);
      if (first !== undefined) return first;
    }
    return waiting[0] ?? null;
  }

  // Send a placed card back to its pile and keep the focus on it (its pile
  // becomes the one shown on narrow screens).
  toPile(n) {
    this.held = null;
    this.activePile = this.cards.get(n).pile;
    this.place(n, null);
    this.cardEls.get(n).focus();
  }

  // -- events -----------------------------------------------------------------------
  listen() {
    const root = this.root;
    this.on(root, "keydown", (e) => this.onKey(e));
    this.on(root, "click", (e) => this.onClick(e));
    this.on(root, "pointerdown", (e) => this.onPointerDown(e));
    this.on(root, "pointermove", (e) => this.onPointerMove(e));
    this.on(root, "pointerup", (e) => this.onPointerUp(e));
    this.on(root, "pointercancel", () => this.endDrag(true));
    this.on(root, "lostpointercapture", () => this.endDrag(true));
    // While dragging by touch, stop the page from scrolling under the finger.
    this.on(root, "touchmove", (e) => { if (this.drag && this.drag.active) e.preventDefault(); },
      { passive: false });
    this.on(this.doneButton, "click", () => this.finish());
    this.on(this.barPile, "click", () => {
      if (this.done || this.held === null) return;
      this.toPile(this.held);
    });
    this.on(this.barCancel, "click", () => {
      if (this.done) return;
      const n = this.held;
      this.release("Cancelled.");
      if (n !== null) this.cardEls.get(n).focus();
    });
    this.listenForSaving();
    if (!navigator.onLine) window.setTimeout(() => window.dispatchEvent(new Event("offline")), 0);
  }

  showOffline() {
    this.showAlert("The connection is lost. Keep going: your sort is kept on this device " +
      "and will be saved as soon as the connection is back.", "offline");
  }

  cardFrom(target) {
    const node = target && target.closest ? target.closest(".card") : null;
    return node && this.root.contains(node) ? Number(node.dataset.n) : null;
  }

  onKey(e) {
    this.lastInput = "keyboard";
    if (this.done) return; // frozen after Continue (Tab still moves the focus)
    const n = this.cardFrom(e.target);
    if (n === null) {
      if (e.key === "Escape" && this.held !== null) this.release("Cancelled.");
      return;
    }
    const holding = this.held === n;
    switch (e.key) {
      case "Enter":
      case " ":
      case "Spacebar":
        e.preventDefault();
        if (holding) this.dropHeld();
        else this.hold(n);
        break;
      case "ArrowLeft":
      case "ArrowUp":
        if (holding) { e.preventDefault(); this.moveTarget(-1); }
        break;
      case "ArrowRight":
      case "ArrowDown":
        if (holding) { e.preventDefault(); this.moveTarget(1); }
        break;
      case "Home":
        if (holding) { e.preventDefault(); this.moveTarget(0, 0); }
        break;
      case "End":
        if (holding) { e.preventDefault(); this.moveTarget(0, this.columns.length - 1); }
        break;
      case "Escape":
        if (this.held !== null) { e.preventDefault(); this.release("Cancelled."); }
        break;
      case "Delete":
      case "Backspace":
        if (this.columnOf(n) >= 0) {
          e.preventDefault();
          this.toPile(n);
        }
        break;
      default:
    }
  }

  onClick(e) {
    if (e.detail > 0) this.lastInput = "pointer"; // a real click, not Enter on a button
    if (this.suppressClick) { this.suppressClick = false; return; }
    if (this.done) return; // frozen after Continue
    const barButton = e.target.closest(".bar-col");
    if (barButton && this.held !== null) {
      this.target = Number(barButton.dataset.index);
      this.dropHeld();
      return;
    }
    const tab = e.target.closest(".pile-tab");
    if (tab) {
      this.activePile = tab.dataset.pile;
      this.render();
      return;
    }
    const n = this.cardFrom(e.target);
    if (n !== null) {
      if (this.held === n) this.release();
      else if (this.held !== null && this.columnOf(n) >= 0) {
        // a card is selected and the participant clicks a placed card: put the
        // selected card there (swapping if the column is full)
        const m = this.held;
        this.held = null;
        this.place(m, this.columnOf(n), { before: n });
      } else this.hold(n);
      return;
    }
    const zone = e.target.closest("[data-zone]");
    if (zone && this.held !== null) {
      const m = this.held;
      if (zone.dataset.zone === "col") {
        this.target = Number(zone.dataset.index);
        this.dropHeld();
      } else {
        this.held = null;
        this.place(m, null);
      }
    }
  }

  // -- pointer dragging (mouse, pen and touch) ----------------------------------------------
  onPointerDown(e) {
    this.lastInput = "pointer";
    const n = this.cardFrom(e.target);
    if (n === null || this.done) return;
    if (e.pointerType === "mouse" && e.button !== 0) return;
    // On touch screens a card is dragged by its grip, so the rest of the card
    // still scrolls the page and a tap selects it.
    if (e.pointerType !== "mouse" && !e.target.closest(".grip")) return;
    const node = this.cardEls.get(n);
    this.drag = { n, id: e.pointerId, x0: e.clientX, y0: e.clientY, active: false, node,
      touch: e.pointerType !== "mouse" };
    try { node.setPointerCapture(e.pointerId); } catch (err) { /* synthetic events */ }
    if (e.pointerType === "mouse") e.preventDefault(); // no text selection
    node.focus({ preventScroll: true });
  }

  onPointerMove(e) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    if (this.done) { this.endDrag(true); return; }
    if (!d.active) {
      if (Math.hypot(e.clientX - d.x0, e.clientY - d.y0) < DRAG_THRESHOLD) return;
      this.startDrag();
    }
    e.preventDefault();
    d.x = e.clientX;
    d.y = e.clientY;
    this.moveGhost();
    this.autoScroll();
  }

  onPointerUp(e) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    if (!d.active) {
      this.drag = null; // a plain click: the click handler selects the card
      return;
    }
    e.preventDefault();
    d.x = e.clientX;
    d.y = e.clientY;
    const hit = this.done ? null : this.hitTest(d.x, d.y);
    this.suppressClick = true;
    window.setTimeout(() => { this.suppressClick = false; }, 0);
    this.endDrag(false);
    if (!hit) {
      this.say("Not moved.");
      return;
    }
    this.held = null;
    if (hit.zone === "pile") this.place(d.n, null);
    else this.place(d.n, hit.index, { before: hit.card });
    this.render();
    this.cardEls.get(d.n).focus({ preventScroll: true });
  }

  startDrag() {
    const d = this.drag;
    d.active = true;
    this.held = null;
    const rect = d.node.getBoundingClientRect();
    d.dx = d.x0 - rect.left;
    d.dy = d.y0 - rect.top;
    const ghost = d.node.cloneNode(true);
    ghost.classList.add("ghost");
    ghost.removeAttribute("tabindex");
    ghost.setAttribute("aria-hidden", "true");
    ghost.style.width = `${rect.width}px`;
    this.root.append(ghost);
    d.ghost = ghost;
    d.node.classList.add("dragging");
    this.root.classList.add("is-dragging");
    this.scroller = scrollParentOf(this.root);
    this.render();
  }

  moveGhost() {
    const d = this.drag;
    d.ghost.style.transform = `translate(${d.x - d.dx}px, ${d.y - d.dy}px)`;
    const hit = this.hitTest(d.x, d.y);
    this.colEls.forEach((view, i) => {
      const over = hit && hit.zone === "col" && hit.index === i;
      view.box.classList.toggle("over", over);
      view.button.classList.toggle("over", over);
      view.box.classList.toggle("over-full", over && this.columns[i].cards.length >= this.columns[i].capacity
        && this.columnOf(d.n) !== i && hit.card === null);
    });
    this.pileSection.classList.toggle("over", Boolean(hit && hit.zone === "pile"));
  }

  // What is under the pointer: a column (and the card there, if any) or a pile.
  hitTest(x, y) {
    const under = this.rootNode.elementFromPoint
      ? this.rootNode.elementFromPoint(x, y) : document.elementFromPoint(x, y);
    if (!under || !this.root.contains(under)) return null;
    const barButton = under.closest(".bar-col");
    if (barButton) return { zone: "col", index: Number(barButton.dataset.index), card: null };
    const zone = under.closest("[data-zone]");
    if (!zone) return null;
    const cardNode = under.closest(".card");
    const card = cardNode && !cardNode.classList.contains("ghost") ? Number(cardNode.dataset.n) : null;
    if (zone.dataset.zone === "col") return { zone: "col", index: Number(zone.dataset.index), card };
    return { zone: "pile", card: null };
  }

  // Scroll the page while a card is held near the top or bottom edge.
  autoScroll() {
    const d = this.drag;
    if (!d || !d.active) return;
    // the column bar covers the bottom of the screen during touch drags
    const h = this.bar.hidden ? window.innerHeight : this.bar.getBoundingClientRect().top;
    let speed = 0;
    if (d.y < EDGE) speed = -Math.ceil((EDGE - d.y) / 4);
    else if (d.y > h - EDGE && d.y <= h) speed = Math.ceil((d.y - (h - EDGE)) / 4);
    if (!speed) return;
    this.scroller.scrollBy(0, speed);
    if (!this.scrollFrame) {
      this.scrollFrame = window.requestAnimationFrame(() => {
        this.scrollFrame = null;
        this.moveGhost();
        this.autoScroll();
      });
    }
  }

  endDrag(cancelled) {
    const d = this.drag;
    this.drag = null;
    if (!d || !d.active) return;
    if (d.ghost) d.ghost.remove();
    d.node.classList.remove("dragging");
    this.root.classList.remove("is-dragging");
    this.colEls.forEach((view) => {
      view.box.classList.remove("over", "over-full");
      view.button.classList.remove("over");
    });
    this.pileSection.classList.remove("over");
    if (cancelled) this.render();
    else this.renderBar();
  }

  // -- Continue ------------------------------------------------------------------------------------
  // Continue (see DraftedComponent.finish) only on a complete grid.
  canFinish() {
    if (this.isComplete()) return true;
    this.say(`The grid is not complete yet: ${this.progress()}`, true);
    return false;
  }

  // Frozen by Continue: drop any selection or drag and say it is saving.
  frozen() {
    this.held = null;
    this.endDrag(true);
    this.root.setAttribute("aria-busy", "true");
    this.render();
    this.say("Saving your grid\u2026");
  }
}
