"""A small file system that a test can fill: a tmpfs of a few megabytes,
mounted for the test and unmounted after it (as root, or with passwordless
``sudo``), or the folder ``QP_TEST_SMALL_DISK`` names (a small file system
mounted beforehand, for machines where tests may not mount). Without either
the test fails, saying so: a full disk is not something to skip testing."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SIZE_MB = 8


def _mount(cmd: list[str], folder: Path) -> bool:
    done = subprocess.run(cmd + ["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m,mode=0777",
                                 "tmpfs", str(folder)], capture_output=True, text=True)
    return done.returncode == 0


@pytest.fixture(name="small_disk")
def small_disk_fixture(tmp_path):
    given = os.environ.get("QP_TEST_SMALL_DISK")
    if given:
        folder = Path(given) / f"t{os.getpid()}"
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
        return
    folder = tmp_path / "small-disk"
    folder.mkdir()
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if not _mount(prefix, folder):
        pytest.fail(f"the full-disk tests mount a {SIZE_MB} MB tmpfs and could not (they need "
                    "root or passwordless sudo); or set QP_TEST_SMALL_DISK to a folder on a "
                    "small file system mounted beforehand", pytrace=False)
    try:
        yield folder
    finally:
        subprocess.run(prefix + ["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> Path:
    """Write a file into ``folder`` until its file system is full; the file
    (delete it to free the space)."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (65536, 512):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError:
                pass
    return filler
