"""Helpers of the bad-input tests: run a command in a child process whose memory
and time are capped, so that a regression (a grid built from a huge range, a read
from /dev/zero) fails the test instead of exhausting the shared machine."""
from __future__ import annotations

import resource
import subprocess
import sys

from refdata import REPO

MEMORY_CAP = 1_500_000_000      # bytes of address space for the child


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(*args, timeout: float = 60, env=None, cwd=REPO) -> subprocess.CompletedProcess:
    """``python *args`` with memory capped; a hang shows as a TimeoutExpired."""
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=_cap, env=env)


def assert_one_line_error(p: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit code 2, one line on stderr holding every fragment, no traceback."""
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1 and "Traceback" not in p.stderr, p.stderr[-2000:]
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]
