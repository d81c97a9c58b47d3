"""Study texts shown safely: what a study file, a researcher or a participant
wrote is shown as text, never as a link, an image or HTML.

Streamlit renders every title, label, message box and ``st.markdown`` as
GitHub markdown, which turns ``[x](http://...)``, ``<http://...>`` and even a
bare ``www.example.org`` or ``someone@example.org`` into a live link. A
participant's page holds their personal token in its address, so a link in a
study's title or consent text could carry it off (the ``Referer``), and raw
HTML could run script. Two ways to show such a text:

- :func:`inline` for one-line places that Streamlit always reads as markdown
  (titles, widget labels and options, message boxes, a text put into a
  translated sentence): every ASCII punctuation character is backslash-escaped
  and the patterns GitHub markdown turns into links without any markup
  (``http:``, ``www.``, ``@``) are broken by an invisible WORD JOINER
  (U+2060), since Streamlit finds those in the text after unescaping.
- :func:`block` / :func:`show` for the longer texts (description, welcome,
  consent, instruction, thank you): a small markdown subset (paragraphs,
  ``-``/``*`` and ``1.`` lists, ``**bold**``, ``*italic*``/``_italic_``,
  ```code```) turned into HTML by this module, everything else HTML-escaped,
  so links, images, headings and raw HTML show as the characters written.
  The HTML is one line: markdown reads it as one raw HTML block and so finds
  no link in it either.
- :func:`defuse` for a study's own wording of a participant text (its
  ``messages``), which keeps its markdown but loses links, images and HTML,
  and for widget labels and options: Streamlit also gives a label's markdown
  source to screen readers (``aria-label``), where backslashes would be read
  out, while the word joiners :func:`defuse` adds are silent.
"""
from __future__ import annotations

import html
import re

WORD_JOINER = "\u2060"
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
# where GitHub markdown starts a link without markup: "http(s)://", "www.", "a@b"
_AUTOLINK_AT = re.compile(r"(?i:(?<=http)|(?<=https))(?=:)|(?i:(?<=www))(?=\.)|(?=@)")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\d{1,9}[.)]\s+(.*)$")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_EM = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`([^`]+)`")


def break_autolinks(text: str) -> str:
    """``text`` with a WORD JOINER where markdown would start a bare link."""
    return _AUTOLINK_AT.sub(WORD_JOINER, text)


def defuse(text: str) -> str:
    """``text`` with its markdown formatting kept but no link, image or HTML:
    a WORD JOINER after every ``]`` (no ``](``, ``][`` or ``]:``) and ``<``
    (no tag, no ``<http://...>``), and in the bare links (for a researcher's
    own wording of a participant text, which may use ``**bold**``)."""
    return break_autolinks(text).replace("]", "]" + WORD_JOINER).replace("<", "<" + WORD_JOINER)


def inline(text: object) -> str:
    """Markdown source that Streamlit shows as exactly ``text`` (on one line):
    no formatting, link, image, HTML, emoji code or maths."""
    flat = " ".join(str(text).split())
    return _PUNCT.sub(r"\\\1", break_autolinks(flat))


def _inline_html(text: str) -> str:
    """One line of the subset as HTML (escaped first, so only our tags remain)."""
    out = html.escape(text.replace("\x00", ""), quote=True)
    codes: list[str] = []

    def keep_code(m: re.Match) -> str:
        codes.append(f"<code>{m.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    out = _CODE.sub(keep_code, out)
    out = _STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", out)
    out = _EM.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", out)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], out)


def _chunk_html(chunk: str) -> list[str]:
    """The HTML of one chunk between blank lines: paragraphs and lists."""
    parts: list[str] = []
    kind, items, para = None, [], []

    def close():
        nonlocal kind, items, para
        if para:
            parts.append("<p>" + " ".join(_inline_html(x) for x in para) + "</p>")
        if items:
            parts.append(f"<{kind}>" + "".join(
                "<li>" + " ".join(_inline_html(x) for x in item) + "</li>" for item in items)
                + f"</{kind}>")
        kind, items, para = None, [], []

    for raw in chunk.split("\n"):
        line = raw.strip()
        if not line:
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        new_kind = "ul" if bullet else "ol" if numbered else None
        if new_kind:
            if new_kind != kind:
                close()
                kind = new_kind
            items.append([(bullet or numbered).group(1)])
        elif items:
            items[-1].append(line)          # a list item running on
        else:
            para.append(line)
    close()
    return parts


def block(text: object) -> str:
    """``text`` (the markdown subset) as one line of safe HTML in a
    ``<div class="qs-text">``; blank lines part paragraphs and lists."""
    parts: list[str] = []
    for chunk in re.split(r"\n\s*\n", str(text).replace("\r\n", "\n").strip()):
        parts.extend(_chunk_html(chunk))
    return '<div class="qs-text">' + "".join(parts) + "</div>"


def show(text: object, where=None) -> None:
    """Show a study's longer text (see :func:`block`) in ``where`` (default:
    the page, or the current container)."""
    import streamlit as st

    if str(text or "").strip():
        (where or st).markdown(block(text), unsafe_allow_html=True)
