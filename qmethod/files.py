"""Opening input files and writing output files safely.

Inputs: only regular files are read (a FIFO would block for ever, a link to
``/dev/zero`` or ``/dev/urandom`` never ends), and never more than a cap of
bytes (:data:`MAX_INPUT_BYTES` unless the caller sets its own). The check is
made on the path and again on the opened descriptor (opened non-blocking, so a
FIFO swapped in between cannot hang the open).

Outputs: a file is written to a temporary file in the same folder and moved
over the destination with ``os.replace`` when complete, so a reader never sees
half a file and a failure leaves nothing behind (the temporary file is
removed). The destination must be a regular file or not exist: a device, a
FIFO, a folder, or a link to one of them is refused (writing "into" /dev/null
would otherwise replace the device with a file, or write nowhere). A link to a
regular file is followed: the file it points at is replaced, the link stays.

Every refusal is a :class:`qmethod.errors.FormatError` (reading) or
:class:`qmethod.errors.OutputError` (writing) naming the file by its name only.
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import FormatError, OutputError

#: Largest input file read (bytes): 256 MiB, far beyond any Q study (a million
#: sorts of 60 statements as CSV is about 150 MB).
MAX_INPUT_BYTES = 256 * 2 ** 20


def _label(path) -> str:
    return Path(path).name or str(path)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size_text(n: int) -> str:
    return f"{n / 2 ** 20:.0f} MB" if n >= 2 ** 20 else f"{n} bytes"


def read_limited(path, limit: int = MAX_INPUT_BYTES, *, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises FormatError (naming the file) for a missing path, a folder, a device,
    a FIFO or a socket (also behind a symbolic link), a file larger than
    ``limit`` and a file that cannot be read.
    """
    label = _label(path)
    st = check_regular_input(path, what=what)
    if st.st_size > limit:
        raise FormatError(f"the {what} is {_size_text(st.st_size)}, more than the "
                          f"{_size_text(limit)} read at most", path=label)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FormatError(f"cannot be read ({exc.strerror or exc})", path=label) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())                 # the file actually opened
        if not stat.S_ISREG(st.st_mode):
            raise FormatError(f"this is {_kind(st.st_mode)}, not a {what}: only regular files "
                              "are read", path=label)
        try:
            want = min(limit, st.st_size) + 1     # no buffer of ``limit`` bytes for a small file
            data = f.read(want)
            if len(data) == want and want <= limit:     # it grew since: read on, to the cap
                data += f.read(limit + 1 - want)
        except OSError as exc:
            raise FormatError(f"cannot be read ({exc.strerror or exc})", path=label) from None
    if len(data) > limit:
        raise FormatError(f"the {what} is more than the {_size_text(limit)} read at most", path=label)
    return data


def check_regular_input(path, *, what: str = "file") -> os.stat_result:
    """FormatError unless ``path`` is (or links to) a regular file, for readers
    that stream a file themselves; returns its ``os.stat`` result."""
    label = _label(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FormatError("file not found", path=label) from None
    except OSError as exc:
        raise FormatError(f"cannot be read ({exc.strerror or exc})", path=label) from None
    if stat.S_ISDIR(st.st_mode):
        raise FormatError("this is a folder, not a file", path=label)
    if not stat.S_ISREG(st.st_mode):
        raise FormatError(f"this is {_kind(st.st_mode)}, not a {what}: only regular files are read",
                          path=label)
    return st


def output_target(path) -> Path:
    """The regular file that writing ``path`` replaces (``path`` itself, or the
    file a symbolic link at ``path`` points at). OutputError when ``path`` is,
    or links to, anything but a regular file."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():                       # a dangling link: refuse, its target is unknown
            raise OutputError(f"{_label(path)}: cannot write here, it is a link to nothing") from None
        return path
    except OSError as exc:
        raise OutputError(f"{_label(path)}: cannot write here ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{_label(path)}: cannot write here, it is {_kind(st.st_mode)}; "
                          "choose a file name (only regular files are written)")
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextlib.contextmanager
def atomic_output(path, mode: str = "w", **open_args) -> Iterator[IO]:
    """``with atomic_output(path) as f: f.write(...)``: the file appears at
    ``path`` complete, or not at all (the old one stays) if the block fails.

    ``mode`` is ``"w"`` (text; ``open_args`` such as ``encoding``, ``newline``)
    or ``"wb"``.
    """
    target = output_target(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, mode, **open_args) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file 0600; give it the mode a plain open() would
        os.chmod(tmp, _existing_mode(target))
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, UnicodeEncodeError):
            raise OutputError(f"{_label(path)}: cannot write text holding U+"
                              f"{ord(exc.object[exc.start]):04X} (not a character); "
                              "nothing was written") from None
        raise


def write_text_atomic(path, text: str, *, encoding: str = "utf-8", newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` through :func:`atomic_output`; returns ``path``.
    Text that cannot be encoded (a lone surrogate) raises OutputError, and
    nothing is written."""
    data = encode_text(text, path, encoding=encoding, newline=newline)
    with atomic_output(path, "wb") as f:
        f.write(data)
    return Path(path)


def write_bytes_atomic(path, data: bytes) -> Path:
    with atomic_output(path, "wb") as f:
        f.write(data)
    return Path(path)


def encode_text(text: str, path, *, encoding: str = "utf-8", newline: str | None = None) -> bytes:
    """``text`` encoded for the file ``path`` (``newline`` replaces each "\\n"
    as text-mode files do); OutputError naming the file and the character
    position when it cannot be encoded."""
    if newline not in (None, "", "\n"):
        text = text.replace("\n", newline)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise OutputError(f"{_label(path)}: cannot write character {exc.start + 1} "
                          f"(U+{ord(text[exc.start]):04X} is not a character that {encoding} "
                          "can hold); nothing was written") from None


def _existing_mode(target: Path) -> int:
    """The mode of the file being replaced, else 0666 less the umask (read from
    /proc: setting the umask to learn it would race with other threads)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        pass
    mask = 0o022
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    mask = int(line.split()[1], 8)
                    break
    except (OSError, ValueError, IndexError):
        pass
    return 0o666 & ~mask
