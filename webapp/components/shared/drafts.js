// What the pre-sort (presort.js) and the Q-sort grid (grid.js) have in
// common: mounting, the draft kept in localStorage and sent to Python, and
// the freeze after Continue.
//
// Streamlit receives each component as ONE inline ES module string, so a
// relative `import` cannot resolve: each component's __init__.py prepends
// this file's text to the component's own file. Hence this file holds only
// declarations (no `export`, no side effects); each component keeps its own
// `export default`.
//
// Drafts: every change gets a revision (`rev`, counted per browser) and a
// time stamp (`ts`, this browser's clock corrected to the server's by
// `now_ms`). The draft is written to localStorage at once under
// `<prefix>:<data.key>` (with the study `fingerprint`) and sent to Python as
// state "draft" at most every `autosave_ms`. The newer of the local and the
// server copy wins by `ts`; `rev` only breaks ties. Continue sends trigger
// "done" and freezes the component until Python moves on, refuses that
// revision (`refused_rev`) or 8 seconds pass.

const INSTANCES = new WeakMap(); // parentElement -> component instance

// Streamlit calls the module's default export on every rerun: keep the same
// instance (and what is on screen) while the participant (data.key) is the
// same, and build a new one otherwise. Returns the cleanup for Streamlit.
// The texts come from data.i18n (i18n.js) before anything is drawn.
function mountDrafted(component, Kind) {
  const { data, parentElement } = component;
  useI18n(data.i18n);
  let inst = INSTANCES.get(parentElement);
  if (inst && inst.key === data.key) {
    inst.update(component); // same participant: keep what is on screen
    return undefined;
  }
  if (inst) inst.destroy();
  inst = new Kind(component);
  INSTANCES.set(parentElement, inst);
  return () => {
    inst.destroy();
    INSTANCES.delete(parentElement);
  };
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // textContent: never HTML
  return node;
}

// Make `parent`'s children exactly `nodes`, moving as few as possible (a
// moved node loses its focus, see render()).
function syncChildren(parent, nodes) {
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] || null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}

function readLocal(key) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch (err) {
    return null; // storage disabled or corrupt: the server copy still exists
  }
}

function writeLocal(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch (err) {
    /* private mode or quota: the periodic server save still works */
  }
}

// Whether draft copy a ({rev, ts}) holds newer work than b: the time stamps
// decide (revisions are counted per device), the revision breaks a tie or
// decides between copies saved before drafts had time stamps.
function isNewer(a, b) {
  const ta = Number(a && a.ts) || 0;
  const tb = Number(b && b.ts) || 0;
  const ra = Number(a && a.rev) || 0;
  const rb = Number(b && b.rev) || 0;
  if (ta && tb) return ta > tb || (ta === tb && ra > rb);
  return ra > rb;
}

// The draft bookkeeping of one mounted component. A subclass sets
// this.root, this.live, this.alertBox, this.savedText and this.doneButton
// and provides:
//   draftContent()        the draft's own part, e.g. {piles} or {columns};
//   validDraft(d)         whether a stored/server draft d can be loaded;
//   loadDraft(d, rev)     take d's content and d.ts, with revision rev;
//   canFinish()           whether Continue may send "done" now;
//   showOffline()         tell the participant the connection is lost;
//   render()              redraw everything.
// Optional hooks: adoptServerDraft(server) (take a newer server draft on
// update; returns whether it did) and frozen() (redraw after Continue).
class DraftedComponent {
  constructor(component, storagePrefix) {
    const { data, parentElement } = component;
    this.rootNode = parentElement; // ShadowRoot (isolate_styles=True)
    this.key = data.key;
    this.storageKey = `${storagePrefix}:${data.key}`;
    this.fingerprint = data.fingerprint || "";
    this.autosaveMs = data.autosave_ms || 4000;
    this.setApi(component);
    this.rev = 0;
    this.ts = 0; // when the draft on screen was last changed (server clock, ms)
    this.clockOffset = 0;
    this.setClock(data);
    this.savedRev = data.saved_rev || 0;
    this.flushTimer = null;
    this.done = false; // Continue pressed: frozen
    this.listeners = [];
  }

  // Each rerun hands over fresh callbacks.
  setApi(component) {
    this.setStateValue = component.setStateValue;
    this.setTriggerValue = component.setTriggerValue;
  }

  // Time stamps are on the server's clock: this browser's clock may be off.
  setClock(data) {
    if (typeof data.now_ms === "number") this.clockOffset = data.now_ms - Date.now();
  }

  now() {
    return Date.now() + this.clockOffset;
  }

  // Called when Python re-renders the same participant (e.g. after an
  // autosave): only the saved marker changes; what is on screen is kept,
  // unless the subclass takes newer work from the server (adoptServerDraft).
  update(component) {
    this.setApi(component);
    const { data } = component;
    this.setClock(data);
    if (this.done && data.refused_rev !== undefined && data.refused_rev !== null
        && data.refused_rev === this.sentRev) {
      this.unfreeze(); // Python did not accept it: let the participant fix it
    }
    const server = data.draft;
    if (!this.adoptServerDraft(server) && server && (Number(server.ts) || 0) === this.ts) {
      // the server holds this draft (revisions of other devices say nothing here)
      this.savedRev = Math.max(this.savedRev, server.rev || 0);
    }
    this.renderSaved();
  }

  adoptServerDraft() {
    return false;
  }

  destroy() {
    this.flush();
    clearTimeout(this.flushTimer);
    clearTimeout(this.unfreezeTimer);
    for (const [target, type, fn, opts] of this.listeners) {
      target.removeEventListener(type, fn, opts);
    }
    this.listeners = [];
  }

  // -- the draft ------------------------------------------------------------
  // The newer of the server's copy and this browser's copy wins (see
  // isNewer). A newer local copy was never saved: it is sent to the server at
  // once, with a revision above the server's.
  restore(server) {
    const local = readLocal(this.storageKey);
    const serverOk = Boolean(server) && this.validDraft(server);
    const localOk = Boolean(local) && local.fingerprint === this.fingerprint && this.validDraft(local);
    if (localOk && (!serverOk || isNewer(local, server))) {
      this.loadDraft(local, Math.max(local.rev || 0, serverOk ? server.rev || 0 : 0,
        this.savedRev) + 1);
      this.writeLocalCopy();
      window.setTimeout(() => this.flush(), 0);
    } else if (serverOk) {
      this.loadDraft(server, server.rev || 0);
    }
  }

  snapshot() {
    return { rev: this.rev, ts: this.ts, ...this.draftContent() };
  }

  writeLocalCopy() {
    writeLocal(this.storageKey, { ...this.snapshot(), fingerprint: this.fingerprint });
  }

  // Every change: a new revision and time stamp, kept locally at once.
  changed() {
    this.rev += 1;
    this.ts = Math.max(this.now(), this.ts + 1);
    this.writeLocalCopy();
    this.scheduleFlush();
  }

  // Send the draft to Python at most every autosaveMs (each send is one rerun).
  scheduleFlush() {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, this.autosaveMs);
  }

  flush() {
    if (this.done) return; // the draft sent with Continue is the one that counts
    if (this.rev <= this.savedRev || this.rev === this.sentRev) return;
    if (!navigator.onLine) return; // sent again when the connection is back
    this.sentRev = this.rev;
    try {
      this.setStateValue("draft", this.snapshot());
    } catch (err) {
      this.sentRev = null;
    }
    this.renderSaved();
  }

  renderSaved() {
    let text = "";
    if (!navigator.onLine) text = _("Offline \u2013 kept on this device");
    else if (this.rev > 0) text = this.rev <= this.savedRev ? _("Saved") : _("Kept on this device");
    this.savedText.textContent = text;
  }

  // Polite announcement for screen readers (emptied first so that the same
  // message is read again).
  say(message) {
    this.live.textContent = "";
    window.clearTimeout(this.sayTimer);
    this.sayTimer = window.setTimeout(() => { this.live.textContent = message; }, 30);
  }

  // -- events ---------------------------------------------------------------
  // Listeners are remembered so that destroy() can remove them.
  on(target, type, fn, opts) {
    target.addEventListener(type, fn, opts);
    this.listeners.push([target, type, fn, opts]);
  }

  // Save what can be saved when the connection comes back or the tab is
  // hidden or closed; say so when the connection is lost.
  listenForSaving() {
    this.on(window, "online", () => {
      this.alertBox.hidden = true;
      this.renderSaved();
      this.flush();
    });
    this.on(window, "offline", () => {
      this.showOffline();
      this.renderSaved();
    });
    this.on(document, "visibilitychange", () => {
      if (document.visibilityState === "hidden") this.flush();
    });
    this.on(window, "pagehide", () => this.flush());
  }

  // -- Continue -------------------------------------------------------------
  // From now on nothing changes the draft (keys, clicks and drags are
  // ignored, no draft is sent) until Python moves on or refuses it.
  finish() {
    if (this.done || !this.canFinish()) return;
    this.done = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.root.dataset.done = "true";
    this.doneButton.disabled = true;
    this.doneButton.textContent = _("Saving\u2026");
    this.sentRev = this.rev;
    this.frozen();
    this.setTriggerValue("done", this.snapshot());
    // If Python does not move on (e.g. the connection dropped), allow a retry.
    this.unfreezeTimer = window.setTimeout(() => {
      if (this.root.isConnected) this.unfreeze();
    }, 8000);
  }

  frozen() {}

  unfreeze() {
    window.clearTimeout(this.unfreezeTimer);
    if (!this.done) return;
    this.done = false;
    delete this.root.dataset.done;
    this.root.removeAttribute("aria-busy"); // set by the grid only
    this.doneButton.textContent = _("Continue");
    this.render();
  }
}
