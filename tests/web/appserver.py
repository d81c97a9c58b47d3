"""Starting a ``streamlit run app.py`` of its own for a browser test (a fresh
database, a free port), for tests that need an app no other test touched."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=1) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def running_app(db_url: str, log: Path, env: dict | None = None,
                port: int | None = None) -> Iterator[str]:
    """The base URL of the app on ``db_url`` (on ``port``, default a free one),
    stopped when the block ends."""
    port = port or free_port()
    environ = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), **(env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not healthy(base):
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
