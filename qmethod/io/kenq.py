"""Ken-Q Sort's JSON export (one object per participant).

Layout, as in the reference ``formats/kenq-senmon.json``::

    {
      "-L36OzRI9W5xJ6i-mWBD": {
        "participantName": "P01",
        "sort": "+2|-2|+0|+3|...",
        "randomId": "pphlmyz",
        ...
      },
      ...
    }

The top-level keys are Ken-Q's record keys. ``sort`` holds the scores of
statements 1..n separated by ``|`` (a JSON list of numbers is accepted too).
The participant id is ``participantName``, or the record key when the name is
missing or empty; two participants with the same id are an error.

Every other field is kept, unchanged, in ``QSortData.extra[participant]``,
together with the record key under ``"_key"`` so that ``write_kenq_json``
writes the records back under their own keys (a participant without ``_key``
is written under its id). The writer puts each record's fields in
alphabetical order, two-space indented, as Ken-Q's export does, so reading
and writing the reference file gives it back byte for byte. Statement ids,
texts, grid and title are not part of the format: statements are named
``s1``..``sn`` unless ``statement_ids`` are given, and the writer drops the
rest.
"""
from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from pathlib import Path

from ..data import QSortData
from ..errors import FormatError, InputError
from ..files import write_text_atomic
from ..textcheck import describe_path, find_bad_text
from ._common import check_unique, file_label, make_sorts, parse_int, read_text, table_for_writing

__all__ = ["read_kenq_json", "write_kenq_json"]

KEY_FIELD = "_key"
_WS = re.compile(r"[ \t\n\r]*")


class _Lines:
    """Line numbers of character offsets in a text."""

    def __init__(self, text: str):
        self.starts = [m.end() for m in re.finditer("\n", text)]

    def __call__(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) + 1


def _members(text: str, pos: int, decoder: json.JSONDecoder):
    """(key, offset of the key, value) of the JSON object at ``text[pos]``.

    The text is already known to be valid JSON; walking it again by hand is
    what gives every member its line, which ``json`` does not report.
    """
    pos = _WS.match(text, pos).end()
    if text[pos] != "{":
        return None
    pos = _WS.match(text, pos + 1).end()
    out = []
    if text[pos] == "}":
        return out
    while True:
        key_at = pos
        key, pos = decoder.raw_decode(text, pos)
        pos = _WS.match(text, pos).end() + 1          # past ':'
        pos = _WS.match(text, pos).end()
        value_at = pos
        value, pos = decoder.raw_decode(text, pos)
        out.append((key, key_at, value_at, value))
        pos = _WS.match(text, pos).end()
        if text[pos] == "}":
            return out
        pos = _WS.match(text, pos + 1).end()          # past ','


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _bad_escape_at(text: str) -> int:
    """Offset of the first ``\\u`` escape in ``text`` that decodes to a lone
    surrogate (0 if none is found)."""
    pending = None              # offset of a high surrogate escape waiting for its pair
    for m in _ESCAPE.finditer(text):
        code = int(m.group(1), 16)
        if pending is not None:
            if 0xDC00 <= code <= 0xDFFF and m.start() == pending[1]:
                pending = None
                continue
            return pending[0]
        if 0xDC00 <= code <= 0xDFFF:
            return m.start()
        if 0xD800 <= code <= 0xDBFF:
            pending = (m.start(), m.end())
    return pending[0] if pending else 0


def read_kenq_json(path, statement_ids: Sequence[str] | None = None) -> QSortData:
    """Read a Ken-Q Sort JSON export (see the module docstring).

    Returns QSortData with ``sorts`` of shape (n, N), int64, index ``s1``..``sn``
    (or ``statement_ids``), columns the participant ids in file order, and
    ``extra`` participant -> dict of the other fields plus ``"_key"``.
    """
    path = Path(path)
    label = file_label(path)
    text = read_text(path)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg} (column {exc.colno})", path=label,
                          line=exc.lineno) from None
    except RecursionError:
        raise FormatError("JSON nested too deeply", path=label) from None
    line_of = _Lines(text)
    bad = find_bad_text(parsed, nul=False)     # JSON holds a NUL; nothing holds a lone surrogate
    if bad is not None:
        where, problem = bad
        raise FormatError(f"{describe_path(where)} holds {problem} (a \\u escape in the file); "
                          "fix that text", path=label, line=line_of(_bad_escape_at(text)))
    decoder = json.JSONDecoder()
    records = _members(text, 0, decoder)
    if records is None:
        raise FormatError("expected an object of participants ({\"key\": {\"sort\": ...}, ...})",
                          path=label, line=line_of(_WS.match(text, 0).end()))
    if not records:
        raise FormatError("the file holds no participants", path=label, line=1)

    ids, columns, extra = [], [], {}
    first_line: dict[str, int] = {}
    keys_seen: dict[str, int] = {}
    n = None
    for key, key_at, value_at, record in records:
        line = line_of(key_at)
        if key in keys_seen:
            raise FormatError(f"record key {key!r} repeats line {keys_seen[key]}", path=label,
                              line=line)
        keys_seen[key] = line
        fields = _members(text, value_at, decoder)
        if fields is None:
            raise FormatError(f"record {key!r} should be an object with a \"sort\" field, "
                              f"found {type(record).__name__}", path=label, line=line)
        field_line = {k: line_of(at) for k, at, _, _ in fields}
        name = record.get("participantName")
        pid = key if name is None or str(name).strip() == "" else str(name)
        if pid in first_line:
            raise FormatError(f"participant {pid!r} appears twice (also on line "
                              f"{first_line[pid]}); participant names must be unique",
                              path=label, line=field_line.get("participantName", line))
        first_line[pid] = field_line.get("participantName", line)
        if "sort" not in record:
            raise FormatError(f"participant {pid!r} has no \"sort\" field", path=label, line=line)
        sort_line = field_line["sort"]
        values = _sort_values(record["sort"], pid, label, sort_line)
        if n is None:
            n, n_from = len(values), (pid, sort_line)
        elif len(values) != n:
            raise FormatError(f"the sort of participant {pid!r} has {len(values)} values, but "
                              f"that of {n_from[0]!r} (line {n_from[1]}) has {n}",
                              path=label, line=sort_line)
        ids.append(pid)
        columns.append(values)
        extra[pid] = {**{k: v for k, v in record.items() if k not in ("sort", "participantName")},
                      KEY_FIELD: key}

    if statement_ids is None:
        statement_ids = [f"s{k}" for k in range(1, n + 1)]
    elif len(statement_ids) != n:
        raise InputError(f"{len(statement_ids)} statement ids were given but the sorts in "
                         f"{label} have {n} values")
    rows = [[col[i] for col in columns] for i in range(n)]
    return QSortData(sorts=make_sorts(rows, statement_ids, ids), extra=extra)


def _sort_values(sort, pid: str, label: str, line: int) -> list[int]:
    if isinstance(sort, str):
        cells = sort.split("|")
    elif isinstance(sort, list):
        cells = ["" if c is None else str(c) for c in sort]
    else:
        raise FormatError(f"the sort of participant {pid!r} should be a text like "
                          f"\"+2|-1|+0\", found {type(sort).__name__}", path=label, line=line)
    if not sort:
        raise FormatError(f"the sort of participant {pid!r} is empty", path=label, line=line)
    out = []
    for k, cell in enumerate(cells, start=1):
        v = parse_int(cell)
        if v is None:
            problem = "is missing" if not cell.strip() else f"{cell.strip()!r} is not a whole number"
            raise FormatError(f"in the sort of participant {pid!r}, the value for statement {k} "
                              f"{problem}", path=label, line=line)
        out.append(v)
    return out


def write_kenq_json(data: QSortData, path) -> None:
    """Write ``data`` as a Ken-Q Sort JSON export (see the module docstring).

    Each participant's record holds ``participantName``, ``sort`` ("+2|-1|+0|..."
    in the row order of ``data.sorts``) and the fields of ``data.extra``.
    """
    values, _, cols = table_for_writing(data)
    out = {}
    keys = []
    for j, pid in enumerate(cols):
        fields = dict(data.extra.get(pid, {}) or {})
        key = str(fields.pop(KEY_FIELD, pid))
        keys.append(key)
        fields["participantName"] = pid
        fields["sort"] = "|".join(f"{int(v):+d}" for v in values[:, j])
        out[key] = dict(sorted(fields.items(), key=lambda kv: str(kv[0])))
    check_unique(keys, "Ken-Q record key")
    try:
        text = json.dumps(out, indent=2, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"an extra field cannot be written as JSON: {exc}") from None
    write_text_atomic(path, text, newline="")
