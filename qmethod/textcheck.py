"""Text that cannot be stored or written: lone surrogates and NUL characters.

A JSON or YAML escape such as ``"\\ud800"`` decodes to a lone UTF-16 surrogate:
a Python ``str`` holds it, but it is not a character, so no UTF-8 file, page
or database can take it (writing it raises ``UnicodeEncodeError`` much later,
far from where it came in). A NUL character cannot be stored in a PostgreSQL
text column and ends C strings. Both are refused where text comes in (files,
study definitions, submissions) with one line naming where; they are never
silently changed, because a participant's words or a study's texts must be
stored as given or not at all.

Pure functions; no I/O.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

_BAD = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What an error message shows as an escape: the above plus control characters and
# line separators, so a message naming a key such as "\n\x00" stays on one line.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

#: How deep :func:`find_bad_text` walks nested data (deeper is refused as data too).
MAX_DEPTH = 64


def bad_char(text: str, *, nul: bool = True) -> str | None:
    """What is wrong with ``text`` ("a NUL character", "a lone surrogate
    (U+D800)"), or None when every character can be stored (NUL allowed when
    not ``nul``: a file format such as JSON can hold it)."""
    m = (_BAD if nul else _SURROGATE).search(text)
    if m is None:
        return None
    c = m.group()
    return "a NUL character" if c == "\x00" else f"a lone surrogate (U+{ord(c):04X}), which is not a character"


def find_bad_text(value, path: tuple = (), *, nul: bool = True) -> tuple[tuple, str] | None:
    """(path, problem) of the first string in ``value`` (nested dicts, lists,
    tuples; keys included) that :func:`bad_char` refuses, else None.

    ``path`` is the keys and indexes leading to it (a key's own path ends in
    the key itself).
    """
    stack = [(value, tuple(path))]
    while stack:
        v, p = stack.pop()
        if isinstance(v, str):
            problem = bad_char(v, nul=nul)
            if problem:
                return p, problem
        elif len(p) > MAX_DEPTH:
            return p, "data nested too deeply"
        elif isinstance(v, Mapping):
            items = list(v.items())
            for k, x in reversed(items):
                stack.append((x, p + (k,)))
                if isinstance(k, str):
                    stack.append((k, p + (k,)))
        elif isinstance(v, (list, tuple)):
            stack.extend((x, p + (i,)) for i, x in reversed(list(enumerate(v))))
    return None


def describe_path(path: tuple) -> str:
    """``("answers", "why")`` -> ``answers.why``; ``()`` -> ``the text``."""
    out = ""
    for p in path:
        part = safe_repr(p) if not isinstance(p, int) else f"[{p}]"
        out += part if isinstance(p, int) or not out else "." + part
    return out or "the text"


def safe_repr(value) -> str:
    """``value`` as one line of text that can always be written (lone
    surrogates, NUL, other control characters and line separators shown as
    escapes), for error messages."""
    text = value if isinstance(value, str) else str(value)
    return _UNPRINTABLE.sub(_escape, text)


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"
