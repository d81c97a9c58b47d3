"""No participant text escapes the catalogue: a scan of the participant pages'
Python (the texts handed to Streamlit) and of the components' HTML and
JavaScript (the texts put on the page or read to screen readers) fails on a
text that is not marked for translation."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PARTICIPANT = REPO / "webapp" / "participant"
COMPONENTS = REPO / "webapp" / "components"

# ---------------------------------------------------------------------------
# Python: texts handed to Streamlit (and to the page's messages)
# ---------------------------------------------------------------------------
#: calls that show their text argument: Streamlit's elements and widgets (as
#: st.x(...) or on a column, left.button(...)), the flash and problem messages
SHOWN = {"title", "header", "subheader", "markdown", "write", "caption", "text", "info",
         "warning", "error", "success", "toast", "button", "checkbox", "radio", "selectbox",
         "text_input", "text_area", "number_input", "expander", "link_button", "page_link",
         "set_page_config", "flash", "LinkProblem", "statement_box", "html"}
#: the keyword arguments that are texts
TEXT_KEYWORDS = {"label", "help", "placeholder", "body", "page_title", "caption", "title",
                 "message"}
TRANSLATING = {"_", "gettext", "ngettext", "N_"}
LETTERS = re.compile(r"[^\W\d_]{2,}")
TAG = re.compile(r"<[^>]*>|&\w+;")


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal_text(node: ast.expr) -> str | None:
    """The text of a string literal or f-string (fields as {}), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _bare(node: ast.expr) -> list[str]:
    """Literal words in an expression that no translation call wraps."""
    if isinstance(node, ast.Call) and _call_name(node.func) in TRANSLATING:
        return []
    text = _literal_text(node)
    if text is not None:
        words = LETTERS.findall(TAG.sub(" ", text))     # markup (<span class=...>) is not text
        return [text] if words else []
    if isinstance(node, ast.BinOp):
        return _bare(node.left) + _bare(node.right)
    if isinstance(node, ast.IfExp):
        return _bare(node.body) + _bare(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [t for v in node.values for t in _bare(v)]
    return []


def untranslated_in_python(source: str, name: str = "<code>") -> list[str]:
    """``file:line: text`` for each text shown without a translation call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _call_name(node.func) not in SHOWN:
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and (
                (isinstance(func.value, ast.Name) and func.value.id in ("logging", "log", "logger"))
                or (isinstance(func.value, ast.Call) and _call_name(func.value.func) == "getLogger")):
            continue                                    # the log is for the team, in English
        args = node.args[:1] + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        if _call_name(node.func) == "LinkProblem":
            args = list(node.args[1:]) + [k.value for k in node.keywords if k.arg != "kind"]
        for arg in args:
            found += [f"{name}:{node.lineno}: {text!r}" for text in _bare(arg)]
    return found


def test_every_text_the_participant_pages_show_is_marked_for_translation():
    files = sorted(PARTICIPANT.glob("*.py")) + [REPO / "app.py"]
    assert len(files) > 10
    found = [hit for path in files
             for hit in untranslated_in_python(path.read_text(encoding="utf-8"), path.name)]
    assert found == []


@pytest.mark.parametrize("code", [
    'st.button("Start", key="qs_start")',
    'left.button(f"Back to step {n}")',
    'st.title("Step 2: " + _("the grid"))',
    'st.warning(_("Done") if ok else "Not done")',
    'st.text_input(q.text, help="Type here")',
    'flash("Please answer: " + "; ".join(missing))',
    'LinkProblem("closed", "This study is closed", _("Thanks"))',
])
def test_the_python_scan_finds_a_text_left_in_english(code):
    assert untranslated_in_python(code)


@pytest.mark.parametrize("code", [
    'st.button(_("Start"), key="qs_start", type="primary")',
    'st.title(tr.ngettext("{n} pile", "{n} piles", n, n=n), anchor=False)',
    'st.markdown(f\'<span class="qs-step" data-step="{step}"></span>\', unsafe_allow_html=True)',
    'st.set_page_config(page_title=defn.title, layout="wide")',
    'LinkProblem("bad_link", N_("This link does not work"), N_("Check it."))',
    'st.markdown(defn.welcome)',
])
def test_the_python_scan_lets_translated_and_study_texts_pass(code):
    assert untranslated_in_python(code) == []


# ---------------------------------------------------------------------------
# JavaScript and HTML of the components
# ---------------------------------------------------------------------------
def _scan_js(source: str) -> list[dict]:
    """The string literals of a script: {text, line, calls, arg, statement},
    where ``calls`` are the names of the calls around it (innermost last),
    ``arg`` its argument index in the innermost call and ``statement`` the
    code of its statement before it. Comments are skipped."""
    out, stack, i, n = [], [], 0, len(source)
    last_significant = ""
    statement_start = 0

    def ident_before(pos: int) -> str | None:
        m = re.search(r"([A-Za-z_$][\w$]*)\s*$", source[:pos])
        return m.group(1) if m else None

    while i < n:
        c = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i) if source.find("\n", i) >= 0 else n
            continue
        if source.startswith("/*", i):
            i = source.find("*/", i + 2) + 2
            continue
        if c == "/" and (last_significant in "(,=:[!&|?{};+-*%<>~^" or
                         re.search(r"\b(return|typeof|case|in|of)\s*$", source[:i])):
            j = i + 1                                   # a regular expression literal
            in_class = False
            while j < n and (source[j] != "/" or in_class):
                if source[j] == "\\":
                    j += 1
                elif source[j] == "[":
                    in_class = True
                elif source[j] == "]":
                    in_class = False
                j += 1
            i = j + 1
            last_significant = "/"
            continue
        if c in "\"'`":
            j, parts = i + 1, []
            while j < n and source[j] != c:
                if source[j] == "\\":
                    parts.append(source[j:j + 2])
                    j += 2
                elif c == "`" and source.startswith("${", j):
                    depth, k = 1, j + 2
                    while k < n and depth:
                        depth += {"{": 1, "}": -1}.get(source[k], 0)
                        k += 1
                    parts.append("{}")
                    j = k
                else:
                    parts.append(source[j])
                    j += 1
            text = re.sub(r"\\u[0-9a-fA-F]{4}|\\.", " ", "".join(parts))
            calls = [name for name, _args in stack]
            out.append({"text": text, "line": source.count("\n", 0, i) + 1, "calls": calls,
                        "arg": stack[-1][1] if stack else None,
                        "statement": source[statement_start:i]})
            i = j + 1
            last_significant = c
            continue
        if c == "(":
            stack.append([ident_before(i), 0])
        elif c == ")" and stack:
            stack.pop()
        elif c == "," and stack:
            stack[-1][1] += 1
        elif c in ";{}" and not stack:
            statement_start = i + 1
        if not c.isspace():
            last_significant = c
        i += 1
    return out


#: calls whose arguments reach the page or a screen reader
JS_SHOWN = {"say", "showToast", "showAlert", "release", "createTextNode", "append", "prepend",
            "keysInto", "alert", "confirm"}
TEXT_ATTRIBUTES = {"aria-label", "title", "aria-roledescription", "placeholder", "alt",
                   "aria-description", "aria-valuetext"}
JS_TRANSLATING = {"_", "ngettext"}
SENTENCE = re.compile(r"[A-Z][a-z]+\s+[A-Za-z]{2,}|[A-Za-z]{2,}\s+[A-Za-z]{2,}[.!?…:]\s*$")


def untranslated_in_js(source: str, name: str = "<script>") -> list[str]:
    found = []
    literals = _scan_js(source)
    for k, lit in enumerate(literals):
        text = lit["text"]
        if not LETTERS.search(text) or set(lit["calls"]) & JS_TRANSLATING:
            continue
        calls = lit["calls"]
        inner = calls[-1] if calls else None
        shown = inner in JS_SHOWN and (lit["arg"] == 0 or inner in ("append", "prepend"))
        shown |= inner == "el" and lit["arg"] == 2                      # el(tag, class, text)
        if inner == "setAttribute" and lit["arg"] == 1:
            attr = literals[k - 1]["text"] if k else ""
            shown |= attr in TEXT_ATTRIBUTES
        tail = re.split(r"[;{}]", lit["statement"])[-1]
        shown |= bool(re.search(r"\.(textContent|innerText|title|placeholder|ariaLabel|value)\s*=",
                                tail)) and not calls
        shown |= bool(SENTENCE.search(text))            # a sentence anywhere is a text to translate
        if shown:
            found.append(f"{name}:{lit['line']}: {text!r}")
    return found


def js_files() -> list[Path]:
    return sorted(COMPONENTS.rglob("*.js")) + sorted(PARTICIPANT.glob("*.js"))


def test_every_text_the_components_show_or_say_is_marked_for_translation():
    files = js_files()
    assert {p.name for p in files} >= {"grid.js", "presort.js", "drafts.js", "i18n.js",
                                       "resume_link.js"}
    found = [hit for p in files for hit in untranslated_in_js(p.read_text(encoding="utf-8"), p.name)]
    assert found == []


def test_the_components_write_no_html():
    for p in js_files():
        code = p.read_text(encoding="utf-8")
        assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", code), p


def test_the_components_html_holds_no_text():
    """Every word of a component comes from its script (and so the catalogue)."""
    for p in sorted(COMPONENTS.rglob("*.html")):
        html = re.sub(r"<!--.*?-->", "", p.read_text(encoding="utf-8"), flags=re.S)
        between = re.sub(r"<[^>]*>", " ", html)
        assert not LETTERS.search(re.sub(r"&\w+;", " ", between)), (p.name, between.split())
        for attr, value in re.findall(r'\b(aria-label|title|placeholder|alt)="([^"]*)"', html):
            assert not LETTERS.search(value), (p.name, attr, value)


@pytest.mark.parametrize("code", [
    'node.textContent = "Saved";',
    'this.say(`Statement ${n} placed.`);',
    'this.say("Statement " + n + " placed.");',
    'button.setAttribute("aria-label", "Copy the link");',
    'const grip = el("span", "grip", "Drag");',
    'let how; how = "Tap a card in it to swap the two.";',
    'this.showToast(full ? "full" : _("free"), i);',
])
def test_the_javascript_scan_finds_a_text_left_in_english(code):
    assert untranslated_in_js(code)


@pytest.mark.parametrize("code", [
    'node.textContent = _("Saved");',
    'this.say(_("Statement {n} placed.", { n }));',
    'button.setAttribute("aria-label", _("Copy the link"));',
    'node.setAttribute("role", "button"); node.classList.add("card ps-small");',
    'const grip = el("span", "grip", "\\u2807\\u2807"); grip.title = _("Drag");',
    'root.querySelector(".qs-bar-title").textContent = ngettext("{n} card", "{n} cards", n, { n });',
    'const re = /\\{(\\w+)\\}/g; if (e.key === "Enter") x.dataset.kind = "offline";',
    'this.say([_("Picked up."), this.where(), ngettext("a b", "a bs", 2)].join(" "));',
])
def test_the_javascript_scan_lets_translated_texts_and_code_words_pass(code):
    assert untranslated_in_js(code) == []
