// The pre-sort: each statement goes on one of the piles (e.g. disagree /
// neutral / agree). A Streamlit custom component (v2), plain ES module.
//
// Python passes everything through `data` (see __init__.py). Texts are
// written with textContent only, and every word of ours comes from the
// study language's catalogue (`_()`, `ngettext()`: shared/i18n.js; the HTML
// holds none). Python receives
//   - state "draft": {rev, piles: {n: pileId}}  every few seconds while sorting;
//   - trigger "done": {rev, piles}              when Continue is pressed.
// Every change is written to localStorage at once.
//
// Keys: 1, 2, 3 ... put the current card (or the focused card in a pile) on
// that pile; Enter/Space on a card in a pile brings it back to sort again.
// When the last card is sorted the focus moves to Continue, which is
// scrolled into view (it sits just under the card, above the piles).
//
// A sort restored when the page opens (`data.resumed`: this tab shows the
// pre-sort for the first time, e.g. the link was opened again) says so.
//
// As in the grid: `ts` (time of the last change, server clock) decides which
// of this browser's copy and the server's is newer, and once Continue is
// pressed nothing changes the piles until Python moves on or refuses them.
//
// The draft bookkeeping (localStorage, autosave, server clock, freeze after
// Continue) is shared with the grid: webapp/components/shared/drafts.js,
// which __init__.py prepends to this file.

const DRAG_THRESHOLD = 6;

export default function mountPresort(component) {
  return mountDrafted(component, Presort);
}

class Presort extends DraftedComponent {
  constructor(component) {
    super(component, "qsort-presort"); // localStorage key qsort-presort:<data.key>
    const { data, parentElement } = component;
    this.root = parentElement.querySelector(".ps");

    this.cards = new Map(data.cards.map((c) => [c.n, c]));
    this.order = data.cards.map((c) => c.n);
    this.piles = data.piles;
    this.assign = new Map(); // n -> pile id
    this.current = null; // the card being sorted
    this.drag = null;

    this.build();
    this.restore(data.draft);
    this.restoredNote.hidden = !(data.resumed && this.assign.size > 0);
    this.listen();
    this.pickNext();
    this.render();
    this.root.dataset.ready = "true";
  }

  // -- DOM ------------------------------------------------------------------
  build() {
    const q = (sel) => this.root.querySelector(sel);
    this.live = q(".ps-live");
    this.alertBox = q(".ps-alert");
    this.restoredNote = q(".ps-restored");
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
    this.texts();

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
      const text = el("span", "text", this.cards.get(n).text);
      text.dir = "auto"; // a statement reads in its own direction, whatever the page's
      node.append(el("span", "num", String(n)), text);
      this.cardEls.set(n, node);
    }
  }

  // The fixed texts, with the keys of the piles (1, 2, 3 ...) in their boxes.
  texts() {
    const q = (sel) => this.root.querySelector(sel);
    const keys = { enter: _("Enter") };
    this.piles.forEach((pile, i) => { keys[`key${i + 1}`] = String(i + 1); });
    const pileKeys = this.piles.map((pile, i) => `{key${i + 1}}`).join(", ");
    keysInto(q(".ps-help-keys"), _("Put each statement on the pile that fits your view: press a " +
      "pile's button, drag the card onto a pile, or use the keys shown on the buttons " +
      "({keys}). To sort a card again, select it in its pile (click or {enter}) or focus it " +
      "and press a pile's key.").replace("{keys}", pileKeys), keys);
    q(".ps-help-touch").textContent = _("Put each statement on the pile that fits your view: " +
      "tap a pile's button, or drag the card onto it. To sort a card again, tap it in its pile.");
    this.restoredNote.textContent = _("Your sort so far has been restored.");
    this.currentEl.setAttribute("aria-roledescription", _("statement card"));
    this.finished.textContent = _("Every statement is on a pile. Check the piles below, then " +
      "press Continue.");
    this.buttonBox.setAttribute("aria-label", _("Put the statement on a pile"));
    this.doneButton.textContent = _("Continue");
  }

  // -- model ------------------------------------------------------------------
  // The draft (see DraftedComponent): {rev, ts, piles: {n: pileId}}.
  draftContent() {
    const piles = {};
    for (const [n, pile] of this.assign) piles[String(n)] = pile;
    return { piles };
  }

  validDraft(d) {
    return Boolean(d.piles) && typeof d.piles === "object";
  }

  // Cards and piles the study no longer has are dropped.
  loadDraft(d, rev) {
    this.rev = rev;
    this.ts = Number(d.ts) || 0;
    const known = new Set(this.piles.map((p) => p.id));
    for (const [n, pile] of Object.entries(d.piles)) {
      const num = Number(n);
      if (this.cards.has(num) && known.has(pile)) this.assign.set(num, pile);
    }
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
    this.restoredNote.hidden = true;
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
    const total = this.order.length;
    const parts = [
      _("Statement {n} is on the {pile} pile.", { n, pile: pile.label }),
      ngettext("{count} of {total} statement sorted.", "{count} of {total} statements sorted.",
        total, { count: this.assign.size, total }),
    ];
    if (wasCurrent && this.current !== null) {
      parts.push(_("Next, statement {n}: {text}", { n: this.current, text: this.cards.get(this.current).text }));
    } else if (this.current === null) {
      parts.push(_("Every statement is on a pile; press Continue when you are ready."));
    }
    this.say(parts.join(" "));
  }

  // Focus Continue (or the "every statement is on a pile" line while the
  // piles are being saved) and bring it into view, whatever the input.
  focusContinue() {
    const target = this.doneButton.disabled ? this.finished : this.doneButton;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // Bring a sorted card back to the top to sort it again.
  reconsider(n) {
    if (this.done) return;
    this.current = n;
    this.render();
    this.currentEl.focus();
    const pile = this.piles.find((x) => x.id === this.assign.get(n));
    const text = this.cards.get(n).text;
    this.say(pile
      ? _("Statement {n}, now on the {pile} pile: {text}. Choose a pile for it.", { n, pile: pile.label, text })
      : _("Statement {n}, not on a pile yet: {text}. Choose a pile for it.", { n, text }));
  }

  // -- rendering -----------------------------------------------------------------
  render() {
    const focused = this.rootNode.activeElement;
    const total = this.order.length;
    const cur = this.current;
    this.currentEl.hidden = cur === null;
    this.finished.hidden = cur !== null;
    this.buttonBox.hidden = cur === null; // nothing to put on a pile: Continue moves up
    if (cur !== null) {
      this.currentEl.dataset.n = String(cur);
      this.currentNum.textContent = String(cur);
      this.currentText.textContent = this.cards.get(cur).text;
      this.currentEl.setAttribute("aria-label", _("Statement {n}: {text}", { n: cur, text: this.cards.get(cur).text }));
    }
    for (const pile of this.piles) {
      const view = this.pileViews.get(pile.id);
      const nodes = this.order.filter((n) => this.assign.get(n) === pile.id && n !== cur)
        .map((n) => this.cardEls.get(n));
      syncChildren(view.list, nodes);
      const count = this.order.filter((n) => this.assign.get(n) === pile.id).length;
      view.count.textContent = showValue(count);
      view.box.setAttribute("aria-label", ngettext("{pile} pile: {count} statement",
        "{pile} pile: {count} statements", count, { pile: pile.label, count }));
      view.button.disabled = cur === null;
      view.button.classList.toggle("chosen", cur !== null && this.assign.get(cur) === pile.id);
    }
    const sorted = this.assign.size;
    const done = ngettext("{count} of {total} sorted", "{count} of {total} sorted", total,
      { count: sorted, total });
    this.progressText.textContent = cur !== null
      ? _("Statement {n} \u2013 {progress}", { n: cur, progress: done }) : done;
    this.progressText.dataset.sorted = String(sorted);
    const complete = sorted === total;
    this.doneButton.disabled = !complete || this.done;
    this.footerNote.textContent = complete
      ? _("All statements are on a pile.")
      : _("Put every statement on a pile to continue ({count} left).", { count: total - sorted });
    this.renderSaved();
    if (focused && focused.classList && focused.classList.contains("ps-small")
        && this.rootNode.activeElement !== focused && focused.isConnected) focused.focus();
  }

  // -- events --------------------------------------------------------------------------
  listen() {
    this.on(this.root, "keydown", (e) => this.onKey(e));
    this.on(this.root, "click", (e) => this.onClick(e));
    this.on(this.currentEl, "pointerdown", (e) => this.onPointerDown(e));
    this.on(this.currentEl, "pointermove", (e) => this.onPointerMove(e));
    this.on(this.currentEl, "pointerup", (e) => this.onPointerUp(e));
    this.on(this.currentEl, "pointercancel", () => this.endDrag());
    this.on(this.doneButton, "click", () => this.finish());
    this.listenForSaving();
  }

  showOffline() {
    this.alertBox.hidden = false;
    this.alertBox.textContent = _("The connection is lost. Keep going: your piles are kept on " +
      "this device and will be saved as soon as the connection is back.");
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

  // Continue (see DraftedComponent.finish) once every card is on a pile.
  canFinish() {
    return this.assign.size === this.order.length;
  }
}
