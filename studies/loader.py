"""Read and write study definition files (one YAML file per study).

The format is described in ``statements/README.md``. :func:`load_study`
reports every problem of a file at once, each as ``"<file>, line <n>:
<problem>"``; the line numbers come from the YAML parser's node marks, so they
point at the key or item at fault even in a long file.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from qmethod.errors import FormatError
from qmethod.files import read_limited, write_text_atomic

from .definition import StudyDefinition, build_study, validate_study_dict
from .errors import StudyError
from .languages import study_language_problems

STUDY_SUFFIXES = (".yaml", ".yml")
#: Largest study file read (bytes): a study of 200 statements is about 50 kB.
MAX_STUDY_BYTES = 10 * 2 ** 20


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------
def load_study(path: str | os.PathLike) -> StudyDefinition:
    """Read one study file; raise :class:`StudyError` listing every problem."""
    path = Path(path)
    name = path.name
    try:
        text = read_limited(path, MAX_STUDY_BYTES, what="study file").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StudyError(f"{name}: the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                         path=str(path)) from None
    except FormatError as exc:
        message = str(exc).removeprefix(f"{name}: ")
        if message == "file not found":
            message = "cannot read the file (No such file or directory)"
        raise StudyError(f"{name}: {message}", path=str(path)) from None
    return parse_study(text, name=name, path=str(path))


def parse_study(text: str, name: str = "<study>", path: str | None = None) -> StudyDefinition:
    """Parse the text of a study file (``name`` is used in messages)."""
    node, data, problems = _parse(text, name)
    if node is None:                      # empty file or YAML syntax error
        raise StudyError(problems, path=path or name, subject=name)
    locate = _Locator(node, name)
    # the language and msgids are checked against the participant pages' catalogues here
    problems = sorted(problems + validate_study_dict(data, locate)
                      + study_language_problems(data, locate), key=_line_of)
    if problems:
        raise StudyError(problems, path=path or name, subject=name)
    return build_study(data, locate)


def _parse(text: str, name: str) -> tuple[yaml.Node | None, Any, list[str]]:
    """Compose the YAML node tree and construct the data from it (one parse)."""
    try:
        # the reader refuses control characters (a NUL...) as soon as it is made
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:
        return None, None, [f"{name}: {' '.join(str(exc).split())}"]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, [f"{name}, line 1: the file is empty"]
        problems = _duplicate_keys(node, name)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        context = exc.context or ""
        if context and exc.context_mark is not None and exc.problem_mark is not None \
                and exc.context_mark.line != exc.problem_mark.line:
            context += f" (started on line {exc.context_mark.line + 1})"
        what = ": ".join(x for x in (context, exc.problem) if x)
        return None, None, [f"{name}{line}: YAML syntax error: {what or exc}"]
    except yaml.YAMLError as exc:
        return None, None, [f"{name}: YAML error: {' '.join(str(exc).split())}"]
    finally:
        loader.dispose()
    return node, data, problems


def _duplicate_keys(node: yaml.Node, name: str) -> list[str]:
    """YAML silently keeps the last of two equal keys; report them instead."""
    problems = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            first: dict[str, int] = {}
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in first:
                        problems.append(f"{name}, line {k.start_mark.line + 1}: the key "
                                        f"{k.value!r} appears twice in the same mapping "
                                        f"(first on line {first[k.value]})")
                    else:
                        first[k.value] = k.start_mark.line + 1
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return sorted(problems, key=_line_of)


def _line_of(message: str) -> int:
    try:
        return int(message.split(", line ", 1)[1].split(":", 1)[0])
    except (IndexError, ValueError):
        return 0


class _Locator:
    """Maps a field path such as ``("statements", 3, "text")`` to ``"file, line n"``.

    A path ending in a mapping key points at the key's line; a path that does
    not exist (a missing field) points at the deepest part that does.
    """

    def __init__(self, root: yaml.Node, name: str):
        self.root = root
        self.name = name

    def line(self, path: tuple) -> int:
        node = self.root
        line = node.start_mark.line + 1
        for p in path:
            if isinstance(node, yaml.MappingNode):
                hit = None
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and _same_key(k, p):
                        hit = (k, v)
                if hit is None:
                    break
                line = hit[0].start_mark.line + 1
                node = hit[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) \
                    and 0 <= p < len(node.value):
                node = node.value[p]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def __call__(self, path: tuple) -> str:
        return f"{self.name}, line {self.line(path)}"


def _same_key(knode: yaml.ScalarNode, key: Any) -> bool:
    return knode.value == str(key)


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------
class _Flow(dict):
    """A mapping written on one line: ``{perspective: clarification, theme: '1'}``."""


class _FlowList(list):
    """A list written on one line: ``[2, 3, 4]``."""


class _Block(str):
    """A long text written as a literal block (``|``), one paragraph per line."""


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Block, lambda d, x: d.represent_scalar(
    "tag:yaml.org,2002:str", str(x), style="|"))
_Dumper.add_representer(_Flow, lambda d, x: d.represent_mapping(
    "tag:yaml.org,2002:map", dict(x), flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, x: d.represent_sequence(
    "tag:yaml.org,2002:seq", list(x), flow_style=True))

# a blank line before each of these top-level keys, for readability
_SPACED = ("grid", "statements", "presort_piles", "postsort_questions", "demographic_questions",
           "instruction", "welcome", "consent", "thank_you", "messages")


def study_to_yaml(defn: StudyDefinition) -> str:
    """The study as a human-editable YAML document (what :func:`dump_study` writes)."""
    g = defn.grid
    grid: dict[str, Any] = {}
    if list(g.scores) == list(range(g.scores[0], g.scores[-1] + 1)):
        grid["low"], grid["high"] = g.scores[0], g.scores[-1]
    else:
        grid["scores"] = _FlowList(g.scores)
    grid["heights"] = _FlowList(g.heights)
    if g.labels is not None:
        grid["labels"] = _FlowList(g.labels)

    def question(q):
        d: dict[str, Any] = {"id": q.id, "text": _Block(q.text) if "\n" in q.text else q.text,
                             "kind": q.kind}
        if q.options:
            d["options"] = _FlowList(q.options)
        if q.about is not None:
            d["about"] = q.about
        if q.required:
            d["required"] = True
        return d

    def statement(s):
        d: dict[str, Any] = {"id": s.id, "text": s.text}
        if s.tags:
            d["tags"] = _Flow(s.tags)
        return d

    doc: dict[str, Any] = {"slug": defn.slug, "title": defn.title}
    if defn.language != "en":
        doc["language"] = defn.language
    if defn.description:
        doc["description"] = _Block(defn.description)
    doc["grid"] = grid
    for key in ("instruction", "welcome", "consent", "thank_you"):
        doc[key] = _Block(getattr(defn, key))
    if defn.presort_piles:
        doc["presort_piles"] = [_Flow(p.to_dict()) for p in defn.presort_piles]
    doc["statements"] = [statement(s) for s in defn.statements]
    if defn.postsort_questions:
        doc["postsort_questions"] = [question(q) for q in defn.postsort_questions]
    if defn.demographic_questions:
        doc["demographic_questions"] = [question(q) for q in defn.demographic_questions]
    if defn.messages:
        doc["messages"] = {k: _FlowList(v) if isinstance(v, tuple) else v for k, v in defn.messages}

    parts = []
    for key, value in doc.items():
        chunk = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                          width=10_000, default_flow_style=False, indent=2)
        if key in _SPACED:
            chunk = "\n" + chunk
        parts.append(chunk)
    header = (f"# Study definition: {defn.title}\n"
              f"# Format: see statements/README.md. Edit freely; the loader checks it.\n")
    return header + "".join(parts)


def dump_study(defn: StudyDefinition, path: str | os.PathLike) -> None:
    """Write ``defn`` to ``path`` as YAML; :func:`load_study` reads it back equal."""
    text = study_to_yaml(defn)
    # Refuse to write a file we could not read back (guards the round trip).
    again = parse_study(text, name=Path(path).name)
    if again.fingerprint() != defn.fingerprint():  # pragma: no cover - defensive
        raise StudyError(f"{Path(path).name}: the study does not survive a YAML round trip")
    write_text_atomic(path, text)


def list_studies(folder: str | os.PathLike) -> list[Path]:
    """The study files (``*.yaml``, ``*.yml``) in ``folder``, sorted by name.

    Files whose name starts with ``.`` or ``_`` are skipped (drafts, editor
    back-ups). A missing folder gives an empty list.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in STUDY_SUFFIXES
                  and not p.name.startswith((".", "_")))
