"""The PDF of a results report: Chromium's print of the self-contained HTML file.

Why Chromium and not WeasyPrint: the z-score chart is drawn by plotly.js in
the browser. WeasyPrint runs no JavaScript, so the chart would be missing, or
would need a second, static drawing (Plotly's own static export, kaleido,
drives a Chromium anyway). Chromium prints the very file a reader downloads,
with its print stylesheet, so the HTML and the PDF have the same content.

How: one headless Chromium is started on the first PDF and kept, driven over
its DevTools pipe (``--remote-debugging-pipe``: NUL-separated JSON messages on
file descriptors 3 and 4, no network port). Each PDF opens the file in a new
tab, waits for it to load (plotly.js draws the chart while the page loads),
prints it with ``Page.printToPDF`` (A4, from the print stylesheet) and closes
the tab. Starting a browser costs about a second and parsing plotly.js about
as much, so keeping the browser halves the time of every later PDF. The
browser exits by itself when this process ends (its pipe closes). Why not
Playwright: it is a test tool here, and its Python package would be a
run-time dependency for four DevTools calls.

The browser is Debian's ``chromium`` (or ``chromium-browser``,
``google-chrome``), or the program named by the ``QP_CHROMIUM`` environment
variable. When none is found, :func:`pdf_engine` returns None and
:func:`html_to_pdf` raises :class:`PdfUnavailable` with a one-line message
that the page shows instead of the PDF button.
"""
from __future__ import annotations

import atexit
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .report_html import standalone_html

ENV_VAR = "QP_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: headless and quiet; the HTML is ours (escaped, no external resource), nothing is fetched
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
         "--no-first-run", "--mute-audio", "--remote-debugging-pipe")
#: the screen layout the chart is drawn at before printing (about an A4 page's width)
WINDOW = (900, 1200)


class PdfUnavailable(RuntimeError):
    """No PDF can be made here (no browser, or it failed); the message says why in one line."""


def pdf_engine() -> str | None:
    """The browser that prints PDFs (a path), or None when there is none."""
    wanted = os.environ.get(ENV_VAR, "").strip()
    if wanted:
        return shutil.which(wanted)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable_reason() -> str:
    """Why no PDF can be made, for the page (empty when one can)."""
    if pdf_engine():
        return ""
    wanted = os.environ.get(ENV_VAR, "").strip()
    if wanted:
        return f"The PDF download is not available: the browser set in {ENV_VAR} ({wanted}) was not found."
    return ("The PDF download is not available on this server: it needs the Chromium browser "
            "(Debian package 'chromium'). The HTML download has the same content.")


_TRAMPOLINE = ("import os, sys\n"
               "r, w = int(sys.argv[1]), int(sys.argv[2])\n"
               "os.dup2(r, 3); os.dup2(w, 4); os.close(r); os.close(w)\n"
               "os.execv(sys.argv[3], sys.argv[3:])\n")


def _high(fd: int) -> int:
    """``fd`` moved to a descriptor number of at least 10 (the old one closed)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class _Browser:
    """A headless Chromium and its DevTools pipe."""

    def __init__(self, engine: str):
        self.profile = tempfile.TemporaryDirectory(prefix="qp-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # the child's ends above 9, so that moving them to 3 and 4 overwrites neither
        to_child_r, from_child_w = (_high(fd) for fd in (to_child_r, from_child_w))
        # The browser reads fd 3 and writes fd 4. A small Python trampoline puts
        # the pipes there and execs the browser (no preexec_fn: unsafe in a
        # threaded server; no shell: dash cannot name descriptors above 9).
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _TRAMPOLINE, str(to_child_r), str(from_child_w), engine, *FLAGS,
                 f"--user-data-dir={self.profile.name}", "about:blank"],
                pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._buf = b""
        self._id = 0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.profile.cleanup()

    # -- the DevTools protocol ------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self._to_child, data):]
        return self._id

    def _receive(self, wanted, deadline: float) -> dict:
        while True:
            while b"\0" in self._buf:
                raw, self._buf = self._buf.split(b"\0", 1)
                msg = json.loads(raw)
                if wanted(msg):
                    return msg
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise ConnectionError("the browser closed its pipe")
                self._buf += chunk

    def call(self, method: str, params: dict | None = None, *, session: str | None = None,
             deadline: float) -> dict:
        i = self._send(method, params, session)
        msg = self._receive(lambda m: m.get("id") == i, deadline)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error'].get('message', msg['error'])}")
        return msg.get("result", {})

    def _in_tab(self, url: str, timeout: float, action):
        """Open ``url`` in a new tab, wait until it is loaded and drawn, and
        return ``action(session_id, deadline)``; the tab is closed after."""
        deadline = time.monotonic() + timeout
        target = self.call("Target.createTarget", {"url": "about:blank", "newWindow": True, "width": WINDOW[0],
                                                   "height": WINDOW[1]}, deadline=deadline)["targetId"]
        try:
            sid = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                            deadline=deadline)["sessionId"]
            self.call("Page.enable", session=sid, deadline=deadline)
            self.call("Page.navigate", {"url": url}, session=sid, deadline=deadline)
            self._receive(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == sid,
                          deadline)
            # fonts settled and one frame drawn after the chart's script ran
            self.call("Runtime.evaluate", {"expression": "document.fonts.ready.then(() => new Promise("
                                                         "r => requestAnimationFrame(() => r(1))))",
                                           "awaitPromise": True}, session=sid, deadline=deadline)
            return action(sid, deadline)
        finally:
            try:
                self.call("Target.closeTarget", {"targetId": target}, deadline=time.monotonic() + 5)
            except Exception:  # noqa: BLE001 - a tab left open is closed with the browser
                pass

    def print_pdf(self, url: str, timeout: float) -> bytes:
        def pdf(sid, deadline):
            out = self.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True,
                                                "displayHeaderFooter": False}, session=sid, deadline=deadline)
            return base64.b64decode(out["data"])
        return self._in_tab(url, timeout, pdf)

    def evaluate(self, url: str, expression: str, timeout: float):
        """The value of ``expression`` (a promise is awaited) in the loaded page."""
        def value(sid, deadline):
            out = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                 "returnByValue": True}, session=sid, deadline=deadline)
            if "exceptionDetails" in out:
                details = out["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text", "")
                raise RuntimeError(f"the page's script failed: {text.splitlines()[0] if text else '?'}")
            return out.get("result", {}).get("value")
        return self._in_tab(url, timeout, value)


_LOCK = threading.Lock()
_BROWSER: list[_Browser] = []


def _close_browser() -> None:
    while _BROWSER:
        _BROWSER.pop().close()


atexit.register(_close_browser)


def _ensure_browser(engine: str) -> None:
    """Start the kept browser if it is not running (the caller holds _LOCK)."""
    if not _BROWSER or not _BROWSER[0].alive():
        _close_browser()
        _BROWSER.append(_Browser(engine))


def warm_up() -> None:
    """Start the browser in the background, so that the first PDF a visitor asks
    for does not wait for it; nothing happens when there is no browser or one runs."""
    engine = pdf_engine()
    if engine is None or (_BROWSER and _BROWSER[0].alive()):
        return

    def start():
        with _LOCK:
            try:
                _ensure_browser(engine)
            except OSError:
                pass                # html_to_pdf will say why

    threading.Thread(target=start, name="pdf-browser-warm-up", daemon=True).start()


def _in_browser(html: str, use, check, *, timeout: float, what: str):
    """``use(browser, file_url)`` on ``html`` written to a temporary file, with
    the kept browser (one job at a time per process); a browser that fails,
    or whose answer ``check`` refuses, is replaced once. Raises
    :class:`PdfUnavailable` ("The {what} could not be made: ...")."""
    engine = pdf_engine()
    if engine is None:
        raise PdfUnavailable(unavailable_reason())
    with tempfile.TemporaryDirectory(prefix="qp-pdf-") as tmp, _LOCK:
        src = Path(tmp) / "page.html"
        src.write_text(html, encoding="utf-8")
        problem = ""
        for _attempt in range(2):
            try:
                _ensure_browser(engine)
            except OSError as exc:
                raise PdfUnavailable(f"The {what} could not be made: the browser did not start "
                                     f"({exc.strerror or exc}).") from None
            try:
                data = use(_BROWSER[0], src.as_uri())
            except TimeoutError:
                problem = f"the browser took longer than {timeout:g} s"
                _close_browser()
                continue
            except (OSError, ConnectionError, RuntimeError, ValueError, KeyError) as exc:
                problem = f"the browser failed ({type(exc).__name__}: {str(exc)[:120]})"
                _close_browser()
                continue
            problem = check(data)
            if not problem:
                return data
            _close_browser()
        raise PdfUnavailable(f"The {what} could not be made: {problem}.")


def html_to_pdf(html: str, *, timeout: float = 60.0) -> bytes:
    """Print ``html`` (a whole document) to PDF bytes with headless Chromium.

    One PDF at a time per process (the browser is shared). A browser that
    fails is replaced once. Raises :class:`PdfUnavailable` when there is no
    browser, it fails again or it takes longer than ``timeout`` seconds.
    """
    return _in_browser(html, lambda b, url: b.print_pdf(url, timeout),
                       lambda data: "" if data.startswith(b"%PDF") else "the browser did not return a PDF",
                       timeout=timeout, what="PDF")


def page_value(html: str, expression: str, *, timeout: float = 60.0, what: str = "image"):
    """The value of the JavaScript ``expression`` (a promise is awaited; the
    value must be JSON) in ``html`` once loaded, in the kept headless
    Chromium. Raises :class:`PdfUnavailable` as :func:`html_to_pdf` does."""
    return _in_browser(html, lambda b, url: b.evaluate(url, expression, timeout),
                       lambda v: "" if v is not None else "the page returned nothing",
                       timeout=timeout, what=what)


def report_pdf(report, *, published: str = "") -> bytes:
    """The PDF of a :class:`analysis.report.Report`: the print of the self-contained
    HTML file, its folded tables opened."""
    return html_to_pdf(standalone_html(report, published=published, open_details=True))
