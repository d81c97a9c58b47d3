// The Q-sort grid: a Streamlit custom component (v2), plain ES module.
//
// Python passes everything through `data` (see webapp/components/qsort_grid/
// __init__.py for the contract). Statement texts are only ever written with
// textContent; every word of ours comes from the study language's catalogue
// (`_()`, `ngettext()`: shared/i18n.js; grid.html holds none). All moving
// happens here in the browser; Python receives
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
// Layout: the cards still to place are in a compact strip above the grid
// (a tab per pile; a "window" of 3 whole cards of the pile on a laptop, 1 on
// a phone, with buttons to page through it), so that the whole grid and the
// card being placed fit one screen. Cards in the columns are clamped to
// --qs-lines lines (fit() picks 2 to 4 so the grid fits under the strip);
// pointing at a card, focusing it or selecting it shows all its text
// (the "peek"). On narrow screens the columns are rows of whole cards.
//
// Ways to move a card (all end in the same `place()`):
//   - mouse: drag the card; touch: drag by its grip (the dotted handle);
//   - click/tap a card to select it, then click a column or a button in the
//     bar at the bottom of the screen; with a card selected, click/tap a
//     placed card to put it there (the two swap if the column is full);
//   - keyboard: Enter/Space picks up the focused card, arrows choose the
//     column, Enter/Space puts it down; or, holding it, Tab to a placed card
//     and press Enter to put it there (swapping in a full column); Escape
//     cancels, Delete returns a placed card to its pile.
// A refused move (a full column) is said in a message next to the column
// (or above the column bar), announced at once, and moves nothing else.
//
// Right-to-left languages: the columns follow the page's direction, so the
// most-disagree column stays on the reading start side (the right in
// Arabic or Hebrew, as the text starts there) and most agree is where
// reading ends; statements/README.md says so to researchers. The Left and
// Right arrow keys move the chosen column the way they point on screen
// (see onKey), Home and End go to the start (most disagree) and the end.
//
// The draft bookkeeping (localStorage, autosave, server clock, freeze after
// Continue) is shared with the pre-sort: webapp/components/shared/drafts.js,
// which __init__.py prepends to this file.

const DRAG_THRESHOLD = 6; // pixels before a press becomes a drag
const EDGE = 70; // pixels from the viewport edge where dragging scrolls
const LINE_PX = 16; // line height of a card in a column (grid.css --qs-line-px)
const CARD_EXTRA_PX = 12; // its padding and border
const NARROW_PX = 640; // grid.css: @container qs (max-width: 640px)

export default function mountQSortGrid(component) {
  return mountDrafted(component, QSortGrid);
}

// ---------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------
function clamp(value, low, high) {
  return Math.max(low, Math.min(high, value));
}

// The element that scrolls the page around the component (Streamlit's main
// area), found by walking out of the shadow root. With `scrollingOnly`, only
// an element that can scroll now counts.
function scrollParentOf(node, scrollingOnly = true) {
  let cur = node;
  while (cur) {
    if (cur instanceof Element) {
      const style = getComputedStyle(cur);
      if (/(auto|scroll)/.test(style.overflowY)
          && (!scrollingOnly || cur.scrollHeight > cur.clientHeight)) {
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
    this.activePile = null; // the pile shown in the strip
    this.offsets = new Map(); // pile id -> index of the first card shown
    this.drag = null; // the pointer press in progress
    this.hoverN = null; // card in a column under the mouse
    this.focusN = null; // card in a column with the keyboard focus

    this.build();
    this.restore(data.draft);
    this.restoredNote.hidden = !(data.resumed && this.placedCount() > 0);
    this.listen();
    this.render();
    this.root.dataset.ready = "true";
    // Streamlit may still be laying out what is above the grid: fit again
    for (const wait of [0, 250, 1000]) window.setTimeout(() => this.fit(), wait);
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
    if (this.resizeObserver) this.resizeObserver.disconnect();
  }

  // -- building the DOM (once) --------------------------------------------
  build() {
    const q = (sel) => this.root.querySelector(sel);
    this.live = q(".qs-live");
    this.alertBox = q(".qs-alert");
    this.restoredNote = q(".qs-restored");
    this.progressText = q(".qs-progress-text");
    this.savedText = q(".qs-saved");
    this.pileSection = q(".qs-piles");
    this.pileTabs = q(".qs-pile-tabs");
    this.pileLists = q(".qs-pile-lists");
    this.pager = q(".qs-pager");
    this.prevButton = q(".qs-prev");
    this.nextButton = q(".qs-next");
    this.pageText = q(".qs-page-text");
    this.gridBox = q(".qs-grid");
    this.doneButton = q(".qs-done");
    this.footerNote = q(".qs-footer-note");
    this.toast = q(".qs-toast");
    this.peek = q(".qs-peek");
    this.keysToggle = q(".qs-keys-toggle");
    this.keysDetail = q(".qs-keys-detail");
    this.bar = q(".qs-bar");
    this.barTitle = q(".qs-bar-title");
    this.barCols = q(".qs-bar-cols");
    this.barPile = q(".qs-bar-pile");
    this.barCancel = q(".qs-bar-cancel");
    this.texts();

    // one element per card, moved between piles and columns
    this.cardEls = new Map();
    for (const n of this.order) {
      const card = this.cards.get(n);
      const node = el("div", "card");
      node.tabIndex = 0;
      node.dataset.n = String(n);
      node.setAttribute("role", "button");
      node.setAttribute("aria-roledescription", _("statement card"));
      node.setAttribute("aria-pressed", "false");
      node.setAttribute("aria-describedby", "qs-keys");
      const grip = el("span", "grip", "\u2807\u2807");
      grip.setAttribute("aria-hidden", "true");
      grip.title = _("Drag");
      const num = el("span", "num", String(n));
      num.setAttribute("aria-label", _("Statement {n}:", { n }));
      const text = el("span", "text", card.text); // textContent: never HTML
      text.dir = "auto"; // a statement reads in its own direction, whatever the page's
      const lines = el("span", "clamp"); // clamped to a few lines in a column
      lines.append(num, text);
      node.append(grip, lines);
      this.cardEls.set(n, node);
    }

    // piles: a tab and a list per pile (the strip shows one list at a time)
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
      const body = el("div", "pile-body");
      list.append(body);
      this.pileTabs.append(tab);
      this.pileLists.append(list);
      this.pileEls.set(pile.id, { tab, list, body });
    }

    // columns of the grid, most disagree first
    this.colEls = this.columns.map((col, i) => {
      const box = el("div", "col");
      box.dataset.zone = "col";
      box.dataset.index = String(i);
      box.setAttribute("role", "group");
      const head = el("div", "col-head");
      const score = el("span", "col-score", scoreText(col.score));
      const fill = el("span", "col-fill");
      const label = el("span", "col-label", col.label || "");
      head.append(score, fill, label);
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

  // The fixed texts (the keys' names in <kbd> boxes).
  texts() {
    const q = (sel) => this.root.querySelector(sel);
    const keys = {
      tab: _("Tab"), enter: _("Enter"), space: _("Space"), esc: _("Esc"), delete: _("Delete"),
      left: "\u2190", right: "\u2192", up: "\u2191", down: "\u2193",
    };
    keysInto(q(".qs-help-wide"), _("Drag each card from \u201cStill to place\u201d onto a column, " +
      "or select it (click, or {enter}) and then choose its column. Point at a card in the " +
      "grid, or focus it, to read all of it."), keys);
    q(".qs-help-narrow").textContent = _("Tap a card, then tap the row where it belongs (or drag " +
      "the card by its grip). Tap a card in the grid to move it.");
    keysInto(this.keysDetail, _("Keyboard: {tab} moves between cards; {enter} or {space} picks " +
      "a card up; {left} {right} (or {up} {down}) choose a column; {enter} or {space} puts it " +
      "down; to swap it with a card in a full column, {tab} to that card and press {enter}; " +
      "{esc} cancels; {delete} sends a placed card back to its pile."), keys);
    this.keysToggle.textContent = _("Keyboard keys");
    this.pileSection.setAttribute("aria-label", _("Statements still to place"));
    q(".qs-strip-title").textContent = _("Still to place");
    this.pileTabs.setAttribute("aria-label", _("Piles"));
    this.prevButton.setAttribute("aria-label", _("Previous statements of this pile"));
    this.nextButton.setAttribute("aria-label", _("Next statements of this pile"));
    // the pager's arrows point the way the strip pages on screen
    const rtl = getComputedStyle(this.root).direction === "rtl";
    this.prevButton.textContent = rtl ? "\u203a" : "\u2039";
    this.nextButton.textContent = rtl ? "\u2039" : "\u203a";
    this.restoredNote.textContent = _("Your sort so far has been restored.");
    q(".qs-all-placed").textContent = _("All statements are in the grid. Drop a card here to " +
      "take it out again.");
    this.gridBox.setAttribute("aria-label", _("The grid"));
    this.doneButton.textContent = _("Continue");
    this.barPile.textContent = _("Back to pile");
    this.barCancel.textContent = _("Cancel");
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

  changed() {
    super.changed();
    this.restoredNote.hidden = true; // the participant is sorting again
  }

  // The cards of a pile not yet placed, in the participant's order.
  pileCards(pileId, placed = null) {
    const inGrid = placed || new Set(this.columns.flatMap((c) => c.cards));
    return this.order.filter((n) => !inGrid.has(n) && this.cards.get(n).pile === pileId);
  }

  // Move card n to column index `to` (or to its pile when to === null).
  // `before` is an optional card in column `to` to insert before; if the
  // column is full, n and `before` change places. Returns false (and says
  // why, next to the column) if the column is full and there is no card to
  // swap with.
  place(n, to, { before = null, announce = true } = {}) {
    if (this.done) return false; // frozen after Continue
    const from = this.columnOf(n);
    if (to === null) {
      if (from < 0) return true;
      this.columns[from].cards = this.columns[from].cards.filter((m) => m !== n);
      this.changed();
      this.hideToast();
      this.render();
      if (announce) {
        this.say([_("Statement {n} is back in the {pile} pile.", { n, pile: this.pileLabel(n) }),
          this.progress()].join(" "));
      }
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
      this.refuseFull(to);
      return false;
    }
    if (from >= 0) this.columns[from].cards = this.columns[from].cards.filter((m) => m !== n);
    const at = before !== null ? col.cards.indexOf(before) : -1;
    if (at >= 0) col.cards.splice(at, 0, n);
    else col.cards.push(n);
    this.changed();
    this.hideToast();
    this.render();
    if (announce) this.say(`${this.placedText(n, to)} ${this.progress()}`);
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
    this.hideToast();
    this.render();
    const values = { n, column: this.colName(to), m };
    let swapped;
    if (from < 0) {
      values.pile = this.pileLabel(m);
      swapped = this.narrow()
        ? _("Statement {n} placed in row {column}; statement {m} moved to the {pile} pile.", values)
        : _("Statement {n} placed in column {column}; statement {m} moved to the {pile} pile.", values);
    } else {
      values.from = this.colName(from);
      swapped = this.narrow()
        ? _("Statement {n} placed in row {column}; statement {m} moved to row {from}.", values)
        : _("Statement {n} placed in column {column}; statement {m} moved to column {from}.", values);
    }
    this.say([swapped, this.progress()].join(" "));
    return true;
  }

  // A full column refused a card: say so next to it, in the words of the way
  // the participant is moving cards (keyboard, mouse or touch).
  refuseFull(i) {
    const col = this.columns[i];
    let how;
    if (this.lastInput === "keyboard") {
      how = _("To swap, press Tab until you reach a card in it and press Enter; or move a card out of it first.");
    } else if (this.narrow()) {
      how = _("Tap a card in it to swap the two, or move a card out of it first.");
    } else {
      how = _("Drop onto a card there to swap the two, or move a card out of it first.");
    }
    const values = { column: scoreText(col.score), count: col.capacity, capacity: col.capacity };
    const full = this.narrow()
      ? ngettext("Row {column} is full ({count} of {capacity}).", "Row {column} is full ({count} of {capacity}).",
        col.capacity, values)
      : ngettext("Column {column} is full ({count} of {capacity}).",
        "Column {column} is full ({count} of {capacity}).", col.capacity, values);
    this.showToast(`${full} ${how}`, i);
    this.flash(i);
  }

  // -- words ----------------------------------------------------------------
  // On narrow screens the columns are shown as rows: every sentence naming
  // one has a column and a row version (whole sentences, for translators).
  narrow() {
    return this.root.clientWidth > 0 && this.root.clientWidth <= NARROW_PX;
  }

  // Whether the page reads right to left (the columns then start on the right).
  rtl() {
    return getComputedStyle(this.root).direction === "rtl";
  }

  colName(i) {
    const c = this.columns[i];
    return c.label ? `${scoreText(c.score)} (${c.label})` : scoreText(c.score);
  }

  pileLabel(n) {
    const pile = this.piles.find((p) => p.id === this.cards.get(n).pile);
    return pile ? pile.label : _("unsorted");
  }

  progress() {
    const placed = this.placedCount();
    if (placed === this.total) {
      return ngettext("All {total} statement placed: the grid is complete.",
        "All {total} statements placed: the grid is complete.", this.total, { total: this.total });
    }
    return ngettext("{count} of {total} statement placed.", "{count} of {total} statements placed.",
      this.total, { count: placed, total: this.total });
  }

  // "Statement 4 placed in column +2 (Agree)." (or row)
  placedText(n, i) {
    const values = { n, column: this.colName(i) };
    return this.narrow() ? _("Statement {n} placed in row {column}.", values)
      : _("Statement {n} placed in column {column}.", values);
  }

  // "Column +2 (Agree), 1 of 4 places free." (or row)
  whereText(i) {
    const values = { column: this.colName(i), free: this.freeText(i) };
    return this.narrow() ? _("Row {column}, {free}.", values) : _("Column {column}, {free}.", values);
  }

  freeText(i) {
    const c = this.columns[i];
    const free = c.capacity - c.cards.length;
    return free === 0 ? _("full")
      : ngettext("{free} of {capacity} place free", "{free} of {capacity} places free", c.capacity,
        { free, capacity: c.capacity });
  }

  showAlert(message, kind) {
    this.alertBox.hidden = false;
    this.alertBox.dataset.kind = kind;
    this.alertBox.textContent = message;
  }

  // A message floating next to column i (or above the column bar, or in the
  // middle of the screen if the column is out of sight): nothing moves, and
  // role="alert" has it read out at once.
  showToast(message, i) {
    const toast = this.toast;
    toast.textContent = message;
    toast.hidden = false;
    toast.dataset.column = String(i);
    const vw = window.innerWidth;
    const bottom = this.bar.hidden ? window.innerHeight : this.bar.getBoundingClientRect().top;
    const t = toast.getBoundingClientRect();
    const box = this.colEls[i].box.getBoundingClientRect();
    const inSight = box.bottom > 40 && box.top < bottom - 40 && box.right > 0 && box.left < vw;
    let left = (vw - t.width) / 2;
    let top = bottom - t.height - 12;
    if (!this.bar.hidden && this.narrow()) {
      // a phone: the participant is looking at the bar
    } else if (inSight) {
      left = box.left + box.width / 2 - t.width / 2;
      const head = this.colEls[i].head.getBoundingClientRect();
      top = Math.max(head.bottom + 6, 8);
    }
    toast.style.left = `${clamp(left, 8, Math.max(8, vw - t.width - 8))}px`;
    toast.style.top = `${clamp(top, 8, Math.max(8, bottom - t.height - 8))}px`;
    window.clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => this.hideToast(), 7000);
  }

  hideToast() {
    window.clearTimeout(this.toastTimer);
    this.toast.hidden = true;
  }

  flash(i) {
    const box = this.colEls[i].box;
    box.classList.remove("refuse");
    void box.offsetWidth; // restart the animation
    box.classList.add("refuse");
    window.setTimeout(() => box.classList.remove("refuse"), 1200);
  }

  // -- fitting the grid to the screen ---------------------------------------------
  // How many cards of a pile the strip shows at once.
  windowSize() {
    const w = this.root.clientWidth;
    return w >= 900 ? 3 : w > NARROW_PX ? 2 : 1;
  }

  // Lines of text per card in the columns (2 to 4): as many as let the whole
  // grid fit the screen below what is above it; if even 2 lines do not fit
  // (a tall grid, a low screen), as many as fit under the strip, which then
  // stays at the top while the page scrolls.
  fit() {
    if (!this.root.isConnected || this.narrow()) return;
    const tallest = Math.max(...this.columns.map((c) => c.capacity));
    const scroller = scrollParentOf(this.root, false);
    const offset = scroller.scrollTop - scroller.getBoundingClientRect().top;
    const gridTop = this.gridBox.getBoundingClientRect().top + offset;
    const head = this.colEls[0].head.getBoundingClientRect().height + 4 + 8;
    const height = (lines) => head + tallest * (lines * LINE_PX + CARD_EXTRA_PX + 4);
    const screen = window.innerHeight - 8;
    let lines = 4;
    while (lines > 2 && gridTop + height(lines) > screen) lines -= 1;
    if (gridTop + height(lines) > screen) {
      const underStrip = screen - this.pileSection.getBoundingClientRect().height - 10;
      lines = 4;
      while (lines > 2 && height(lines) > underStrip) lines -= 1;
    }
    if (String(lines) !== this.root.style.getPropertyValue("--qs-lines")) {
      this.root.style.setProperty("--qs-lines", String(lines));
      this.updatePeek();
    }
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
      view.fill.textContent = `${showValue(col.cards.length)}/${showValue(col.capacity)}`;
      view.box.classList.toggle("full", free === 0);
      view.box.setAttribute("aria-label", ngettext("Column {column}: {count} of {capacity} placed",
        "Column {column}: {count} of {capacity} placed", col.capacity,
        { column: this.colName(i), count: col.cards.length, capacity: col.capacity }));
      view.bFree.textContent = `${showValue(col.cards.length)}/${showValue(col.capacity)}`;
      view.button.setAttribute("aria-label", this.narrow()
        ? _("Row {column}, {free}", { column: this.colName(i), free: this.freeText(i) })
        : _("Column {column}, {free}", { column: this.colName(i), free: this.freeText(i) }));
      view.button.classList.toggle("full", free === 0);
      view.button.classList.toggle("target", this.held !== null && i === this.target);
      view.box.classList.toggle("target", this.held !== null && i === this.target);
    });
    for (const node of this.cardEls.values()) node.classList.remove("away");
    this.renderStrip(placed);

    // cards: held state
    for (const [n, node] of this.cardEls) {
      node.classList.toggle("held", n === this.held);
      node.setAttribute("aria-pressed", String(n === this.held));
    }

    // progress and Continue
    const count = this.placedCount();
    this.progressText.textContent = ngettext("{count} of {total} placed", "{count} of {total} placed",
      this.total, { count, total: this.total });
    this.progressText.dataset.placed = String(count);
    const complete = this.isComplete();
    this.doneButton.disabled = !complete || this.done;
    this.footerNote.textContent = complete
      ? _("The grid is complete. You can still move cards; press Continue when you are happy with it.")
      : ngettext("Place the {total} statement to continue ({count} left).",
        "Place all {total} statements to continue ({count} left).", this.total,
        { total: this.total, count: this.total - count });
    this.renderBar();
    this.renderSaved();
    this.updatePeek();

    // moving a node in the DOM drops its focus: give it back
    if (focused && focused.classList && focused.classList.contains("card")
        && this.rootNode.activeElement !== focused && !focused.classList.contains("away")) {
      focused.focus({ preventScroll: true });
      if (this.lastInput === "keyboard") focused.scrollIntoView({ block: "nearest" });
    }
  }

  // The strip: a tab per pile (with the number of cards left), the active
  // pile's window of whole cards, and the pager.
  renderStrip(placed) {
    let firstNonEmpty = null;
    const lists = new Map();
    for (const pile of this.piles) {
      const view = this.pileEls.get(pile.id);
      const cards = this.pileCards(pile.id, placed);
      lists.set(pile.id, cards);
      syncChildren(view.body, cards.map((n) => this.cardEls.get(n)));
      view.tab.textContent = `${pile.label} (${showValue(cards.length)})`;
      view.list.setAttribute("aria-label", _("{pile} pile: {count} left", { pile: pile.label, count: cards.length }));
      if (cards.length && firstNonEmpty === null) firstNonEmpty = pile.id;
    }
    if (!this.activePile || !lists.get(this.activePile).length) {
      this.activePile = firstNonEmpty || (this.piles[0] && this.piles[0].id);
    }
    const size = this.windowSize();
    for (const pile of this.piles) {
      const view = this.pileEls.get(pile.id);
      const cards = lists.get(pile.id);
      const start = clamp(this.offsets.get(pile.id) || 0, 0, Math.max(0, cards.length - size));
      this.offsets.set(pile.id, start);
      cards.forEach((n, k) => {
        this.cardEls.get(n).classList.toggle("away", k < start || k >= start + size);
      });
      const active = pile.id === this.activePile;
      view.tab.setAttribute("aria-selected", String(active));
      view.list.classList.toggle("active", active);
      view.body.style.setProperty("--qs-window", String(size));
    }
    const cards = lists.get(this.activePile) || [];
    const start = this.offsets.get(this.activePile) || 0;
    this.pager.hidden = cards.length <= size;
    const last = Math.min(start + size, cards.length);
    this.pageText.textContent = size === 1 || last === start + 1
      ? _("{first} of {count}", { first: start + 1, count: cards.length })
      : _("{first}\u2013{last} of {count}", { first: start + 1, last, count: cards.length });
    this.prevButton.disabled = start === 0;
    this.nextButton.disabled = start + size >= cards.length;
    this.pileSection.classList.toggle("empty", placed.size === this.total);
  }

  // Show card n in the strip (its pile's tab, a window holding it).
  reveal(n) {
    if (n === null || this.columnOf(n) >= 0) return;
    const pile = this.cards.get(n).pile;
    this.activePile = pile;
    const k = this.pileCards(pile).indexOf(n);
    const size = this.windowSize();
    const start = this.offsets.get(pile) || 0;
    if (k < start) this.offsets.set(pile, k);
    else if (k >= start + size) this.offsets.set(pile, k - size + 1);
  }

  page(delta) {
    const size = this.windowSize();
    const cards = this.pileCards(this.activePile);
    const start = clamp((this.offsets.get(this.activePile) || 0) + delta * size, 0,
      Math.max(0, cards.length - size));
    this.offsets.set(this.activePile, start);
    this.render();
    const first = cards[start];
    const parts = [ngettext("Statements {first} to {last} of {count} in the {pile} pile.",
      "Statements {first} to {last} of {count} in the {pile} pile.", cards.length, {
        first: start + 1, last: Math.min(start + size, cards.length), count: cards.length,
        pile: this.piles.find((p) => p.id === this.activePile).label,
      })];
    if (first !== undefined) parts.push(_("First: statement {n}.", { n: first }));
    this.say(parts.join(" "));
  }

  // The column bar at the bottom of the screen: shown while a card is
  // selected (tap it, then a column) and during a touch drag (drop on it).
  renderBar() {
    const dragging = Boolean(this.drag && this.drag.active && this.drag.touch);
    const show = this.held !== null || dragging;
    this.bar.hidden = !show;
    this.root.classList.toggle("bar-open", show);
    this.bar.classList.toggle("drop-mode", dragging);
    // buttons of at least 44 x 44 px: two rows on a phone for a long grid
    const n = this.columns.length;
    this.barCols.style.setProperty("--qs-bar-per-row",
      String(this.narrow() && n > 7 ? Math.ceil(n / 2) : n));
    if (!show) return;
    const card = dragging ? this.drag.n : this.held;
    const inGrid = this.columnOf(card) >= 0;
    const rows = this.narrow();
    const which = { n: card };
    this.bar.setAttribute("aria-label", rows ? _("Choose a row") : _("Choose a column"));
    if (dragging) {
      this.barTitle.textContent = rows ? _("Drop statement {n} on a row:", which)
        : _("Drop statement {n} on a column:", which);
    } else if (inGrid) {
      this.barTitle.textContent = rows
        ? _("Move statement {n} to a row, or tap another card to swap the two:", which)
        : _("Move statement {n} to a column, or tap another card to swap the two:", which);
    } else {
      this.barTitle.textContent = rows ? _("Place statement {n}: choose a row.", which)
        : _("Place statement {n}: choose a column.", which);
    }
    this.barPile.hidden = !inGrid || dragging;
    this.barCancel.hidden = dragging;
  }

  // The whole text of a clamped card in a column: the selected card, else
  // the one under the mouse, else the one with the keyboard focus.
  updatePeek() {
    let n = null;
    for (const m of [this.held, this.hoverN, this.focusN]) {
      if (m !== null && m !== undefined && this.columnOf(m) >= 0) { n = m; break; }
    }
    const node = n === null ? null : this.cardEls.get(n);
    const lines = node ? node.querySelector(".clamp") : null;
    const clipped = lines && lines.scrollHeight > lines.clientHeight + 1;
    if (!node || this.narrow() || !clipped || (this.drag && this.drag.active)) {
      this.peek.hidden = true;
      delete this.peek.dataset.n;
      return;
    }
    this.peek.textContent = `${n}. ${this.cards.get(n).text}`;
    this.peek.dataset.n = String(n);
    this.peek.hidden = false;
    const r = node.getBoundingClientRect();
    this.peek.style.minWidth = `${Math.min(r.width, 320)}px`;
    const p = this.peek.getBoundingClientRect();
    const bottom = this.bar.hidden ? window.innerHeight : this.bar.getBoundingClientRect().top;
    let top = r.bottom + 6;
    if (top + p.height > bottom - 4) top = r.top - p.height - 6;
    this.peek.style.top = `${clamp(top, 4, Math.max(4, bottom - p.height - 4))}px`;
    this.peek.style.left = `${clamp(r.left, 4, Math.max(4, window.innerWidth - p.width - 4))}px`;
  }

  // -- selecting / picking up ---------------------------------------------------
  hold(n) {
    this.held = n;
    const col = this.columnOf(n);
    this.target = col >= 0 ? col : this.suggestColumn(n);
    this.render();
    this.say([
      _("Picked up statement {n}.", { n }),
      this.whereText(this.target),
      this.narrow()
        ? _("Choose a row with the arrow keys, then press Enter to put it down, or Escape to cancel.")
        : _("Choose a column with the arrow keys, then press Enter to put it down, or Escape to cancel."),
    ].join(" "));
  }

  release(message) {
    if (this.held === null) return;
    this.held = null;
    this.hideToast();
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
    this.say(this.whereText(this.target));
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
      this.reveal(next); // the strip shows the next card (its tab, its window)
      this.render();
      const parts = [this.placedText(n, this.target), this.progress()];
      if (next !== null) parts.push(_("Next: statement {n}.", { n: next }));
      this.say(parts.join(" "));
      this.cardEls.get(next !== null ? next : n).focus({ preventScroll: this.lastInput !== "keyboard" });
    }
  }

  // Holding card m, the participant chose placed card n (Enter on it, or a
  // click or tap): m goes into n's column before n, or takes n's place if
  // the column is full (n then goes where m was).
  dropOn(n) {
    const m = this.held;
    if (m === null || m === n) return;
    this.held = null;
    const ok = this.place(m, this.columnOf(n), { before: n });
    if (!ok) this.held = m;
    this.render();
    if (ok) this.cardEls.get(m).focus({ preventScroll: true });
  }

  // The pile card after n, or null: the same pile first, then the piles in
  // the order they are shown (so the card is the first of the pile tab that
  // the strip shows next, never one hidden in another tab).
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

  // Send a placed card back to its pile and keep the focus on it (the strip
  // shows it).
  toPile(n) {
    this.held = null;
    this.place(n, null);
    this.reveal(n);
    this.render();
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
    this.on(root, "pointerover", (e) => this.onHover(e, true));
    this.on(root, "pointerout", (e) => this.onHover(e, false));
    this.on(root, "focusin", (e) => this.onFocusIn(e));
    this.on(root, "focusout", () => { this.focusN = null; this.updatePeek(); });
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
      this.release(_("Cancelled."));
      if (n !== null) this.cardEls.get(n).focus();
    });
    this.on(this.keysToggle, "click", () => {
      const open = !this.keysDetail.classList.contains("open");
      this.keysDetail.classList.toggle("open", open);
      this.keysToggle.setAttribute("aria-expanded", String(open));
      this.keysToggle.textContent = open ? _("Hide the keys") : _("Keyboard keys");
    });
    // the page scrolls or the window changes: the floating texts follow
    const scroller = scrollParentOf(root, false);
    this.on(scroller, "scroll", () => this.updatePeek(), { passive: true });
    this.on(window, "resize", () => { this.fit(); this.render(); });
    if (window.ResizeObserver) {
      let width = root.clientWidth;
      this.resizeObserver = new ResizeObserver(() => {
        if (root.clientWidth === width) return;
        width = root.clientWidth;
        this.render();
        this.fit();
      });
      this.resizeObserver.observe(root);
    }
    this.listenForSaving();
    if (!navigator.onLine) window.setTimeout(() => window.dispatchEvent(new Event("offline")), 0);
  }

  showOffline() {
    this.showAlert(_("The connection is lost. Keep going: your sort is kept on this device " +
      "and will be saved as soon as the connection is back."), "offline");
  }

  cardFrom(target) {
    const node = target && target.closest ? target.closest(".card") : null;
    return node && this.root.contains(node) && !node.classList.contains("ghost")
      ? Number(node.dataset.n) : null;
  }

  onHover(e, entering) {
    if (e.pointerType !== "mouse") return;
    const n = this.cardFrom(e.target);
    if (entering && n !== null) this.hoverN = n;
    else if (!entering && n !== null && n === this.hoverN) {
      const to = e.relatedTarget;
      if (!to || this.cardFrom(to) !== n) this.hoverN = null;
    }
    this.updatePeek();
  }

  onFocusIn(e) {
    const n = this.cardFrom(e.target);
    this.focusN = n;
    this.updatePeek();
    // holding a card, the keyboard reaches a placed card: say what Enter does
    if (this.lastInput === "keyboard" && this.held !== null && n !== null && n !== this.held
        && this.columnOf(n) >= 0) {
      const to = this.columnOf(n);
      const full = this.columns[to].cards.length >= this.columns[to].capacity
        && this.columnOf(this.held) !== to;
      const where = this.narrow() ? _("Statement {n}, in row {column}.", { n, column: this.colName(to) })
        : _("Statement {n}, in column {column}.", { n, column: this.colName(to) });
      const enter = full ? _("Press Enter to put statement {n} here, swapping the two.", { n: this.held })
        : _("Press Enter to put statement {n} here.", { n: this.held });
      this.say(`${where} ${enter}`);
    }
  }

  onKey(e) {
    this.lastInput = "keyboard";
    if (this.done) return; // frozen after Continue (Tab still moves the focus)
    const n = this.cardFrom(e.target);
    if (n === null) {
      if (e.key === "Escape" && this.held !== null) this.release(_("Cancelled."));
      return;
    }
    const holding = this.held === n;
    switch (e.key) {
      case "Enter":
      case " ":
      case "Spacebar":
        e.preventDefault();
        if (holding) this.dropHeld();
        else if (this.held !== null && this.columnOf(n) >= 0) this.dropOn(n);
        else this.hold(n);
        break;
      case "ArrowLeft":
      case "ArrowRight":
        // as seen on screen: the columns run from the reading start side, so
        // in a right-to-left page Left moves towards most agree
        if (holding) { e.preventDefault(); this.moveTarget((e.key === "ArrowRight") === !this.rtl() ? 1 : -1); }
        break;
      case "ArrowUp":
        if (holding) { e.preventDefault(); this.moveTarget(-1); }
        break;
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
        if (this.held !== null) { e.preventDefault(); this.release(_("Cancelled.")); }
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
    if (e.target.closest(".qs-prev")) { this.page(-1); return; }
    if (e.target.closest(".qs-next")) { this.page(1); return; }
    const n = this.cardFrom(e.target);
    if (n !== null) {
      if (this.held === n) this.release();
      else if (this.held !== null && this.columnOf(n) >= 0) this.dropOn(n);
      else this.hold(n);
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
      this.say(_("Not moved."));
      return;
    }
    this.held = null;
    if (hit.zone === "pile") {
      this.place(d.n, null);
      this.reveal(d.n);
    } else this.place(d.n, hit.index, { before: hit.card });
    this.render();
    this.cardEls.get(d.n).focus({ preventScroll: true });
  }

  startDrag() {
    const d = this.drag;
    d.active = true;
    this.held = null;
    this.hideToast();
    const rect = d.node.getBoundingClientRect();
    d.dx = d.x0 - rect.left;
    d.dy = d.y0 - rect.top;
    const ghost = d.node.cloneNode(true);
    ghost.classList.add("ghost");
    ghost.classList.remove("away");
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

  // Scroll the page while a card is carried towards the top or bottom edge.
  // Only a move towards the edge counts: a card picked up near an edge (the
  // strip stays at the top of the screen) does not set the page moving.
  autoScroll() {
    const d = this.drag;
    if (!d || !d.active) return;
    // the column bar covers the bottom of the screen during touch drags
    const h = this.bar.hidden ? window.innerHeight : this.bar.getBoundingClientRect().top;
    let speed = 0;
    if (d.y < EDGE && d.y < d.y0 - EDGE / 2) speed = -Math.ceil((EDGE - d.y) / 4);
    else if (d.y > h - EDGE && d.y <= h && d.y > d.y0 + EDGE / 2) {
      speed = Math.ceil((d.y - (h - EDGE)) / 4);
    }
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
    this.say(_("The grid is not complete yet: {progress}", { progress: this.progress() }));
    return false;
  }

  // Frozen by Continue: drop any selection or drag and say it is saving.
  frozen() {
    this.held = null;
    this.endDrag(true);
    this.hideToast();
    this.root.setAttribute("aria-busy", "true");
    this.render();
    this.say(_("Saving your grid\u2026"));
  }
}
