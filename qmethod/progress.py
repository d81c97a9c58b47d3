"""Progress reporting shared by long computations (bootstrap, parallel analysis).

A progress callback is any ``callable(fraction: float, message: str)``; the
library calls it with fractions from 0 to 1. The web app passes one that moves
a progress bar; the command line uses :func:`terminal_progress`.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

Progress = Callable[[float, str], None]


def silent(fraction: float, message: str = "") -> None:
    """The default callback: report nothing."""


def terminal_progress(label: str, stream=None) -> Progress:
    """A callback drawing a one-line bar on stderr: redrawn in place on a
    terminal, one line per quarter otherwise (logs stay short)."""
    stream = stream or sys.stderr
    state = {"last": -1}
    tty = stream.isatty()

    def report(fraction: float, message: str = "") -> None:
        pct = int(round(100 * max(0.0, min(1.0, fraction))))
        if pct == state["last"]:
            return
        # Off a terminal, print once per quarter crossed (a log gets at most 5 lines).
        if not tty and pct != 100 and state["last"] >= 0 and pct // 25 == state["last"] // 25:
            return
        state["last"] = pct
        bar = "#" * (pct // 5) + "." * (20 - pct // 5)
        end = "\r" if tty and pct < 100 else "\n"
        print(f"{label} [{bar}] {pct:3d}% {message}".rstrip(), end=end, file=stream, flush=True)

    return report
