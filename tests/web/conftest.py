"""Fixtures for the participant tests: a live ``streamlit run app.py`` on a free
port with a temporary SQLite database, a headless Chromium (Debian's, driven
by Python Playwright), and helpers to take screenshots and to reach into the
components' shadow roots."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from qsweb import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, ROOT, SCREENSHOTS, STUDY


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=1) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    return "sqlite:///" + str(tmp_path_factory.mktemp("qsdb") / "participants.sqlite3")


@pytest.fixture(scope="session")
def app_url(db_url, tmp_path_factory):
    """Base URL of a running ``streamlit run app.py`` (stopped at the end)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("qslog") / "streamlit.log"
    env = dict(os.environ, DATABASE_URL=db_url, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def store(db_url, app_url):
    """The test database, opened by the tests to check what was stored."""
    from storage import Store
    from studies.seed import ensure_coproduction

    s = Store.from_url(db_url)
    ensure_coproduction(s)      # what the app does on its first page view
    yield s
    s.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def desktop(browser):
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def invitation(store):
    """A fresh invitation token of the co-production study."""
    return store.create_invitations(STUDY, 1)[0]


class Shots:
    """Numbered screenshots under tests/screenshots/<test>/ (git-ignored)."""

    def __init__(self, name: str):
        self.dir = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.n = 0

    def __call__(self, page, label: str, *, full: bool = True) -> Path:
        """Screenshot of the page; ``full`` grows the viewport to the content first
        (Streamlit scrolls inside its own container, not the document)."""
        self.n += 1
        path = self.dir / f"{self.n:02d}-{label}.png"
        page.wait_for_timeout(150)
        if full:
            size = page.viewport_size
            height = page.evaluate(
                "() => { const m = document.querySelector('[data-testid=stMain]') ||"
                " document.scrollingElement; return m.scrollHeight; }")
            page.set_viewport_size({"width": size["width"],
                                    "height": max(size["height"], min(int(height) + 40, 6000))})
            page.wait_for_timeout(200)
            page.screenshot(path=str(path))
            page.set_viewport_size(size)
        else:
            page.screenshot(path=str(path))
        return path


@pytest.fixture
def shots(request):
    return Shots(request.node.name)
