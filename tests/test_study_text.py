"""webapp.study_text: study texts as text (no link, image or HTML), with a
small markdown subset for the longer texts."""
from __future__ import annotations

import re

from webapp.study_text import WORD_JOINER, block, defuse, inline

PAYLOADS = ["[x](http://evil.example)", "<script>alert(1)</script>", "http://evil.example",
            "www.evil.example", "a@evil.example", "![i](http://evil.example/i.png)",
            "<http://evil.example>", "**b** _i_ `c`", "$x$", "# heading", "1. item"]


def unescaped_punctuation(md: str) -> list[str]:
    """The ASCII punctuation characters of ``md`` not escaped by a backslash."""
    found, i = [], 0
    while i < len(md):
        if md[i] == "\\" and i + 1 < len(md):
            i += 2
            continue
        if re.match(r"[!-/:-@\[-`{-~]", md[i]):
            found.append(md[i])
        i += 1
    return found


def test_inline_escapes_every_markdown_character_and_breaks_bare_links():
    for text in PAYLOADS:
        out = inline(text)
        assert unescaped_punctuation(out) == [], out
        # unescaping gives the text back, but for the invisible word joiners
        assert re.sub(r"\\(.)", r"\1", out).replace(WORD_JOINER, "") == text
    assert "http" + WORD_JOINER in inline("http://evil.example")
    assert "www" + WORD_JOINER in inline("www.evil.example")
    assert WORD_JOINER + "\\@" in inline("a@evil.example")
    assert inline("two\nlines") == "two lines"


def test_block_keeps_the_subset_and_escapes_the_rest():
    out = block("Hello **bold** and *it*, `code`.\n\n- one\n- two\n  more\n\n1. first\n2. second")
    assert out == ('<div class="qs-text"><p>Hello <strong>bold</strong> and <em>it</em>, '
                   "<code>code</code>.</p><ul><li>one</li><li>two more</li></ul>"
                   "<ol><li>first</li><li>second</li></ol></div>")
    evil = block("\n\n".join(PAYLOADS))
    assert "<a" not in evil and "<img" not in evil and "<script" not in evil and "<h1" not in evil
    assert "&lt;script&gt;" in evil and "[x](http://evil.example)" in evil
    assert "\n" not in evil                     # one line: one raw HTML block for markdown
    assert block("a\x000\x00b") == '<div class="qs-text"><p>a0b</p></div>'


def test_defuse_keeps_formatting_but_no_link_image_or_tag():
    out = defuse("**Keep** [x](http://evil) ![i](y) <b>t</b> <http://e> www.e.org")
    assert out.startswith("**Keep** ")
    assert "](" not in out and "<b" not in out and "<http" not in out and "www." not in out
    assert out.replace(WORD_JOINER, "") == "**Keep** [x](http://evil) ![i](y) <b>t</b> <http://e> www.e.org"
