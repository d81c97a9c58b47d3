"""The components' translation functions (webapp/components/shared/i18n.js) in
Chromium give what Python gives: the same texts, plural forms for every count
and number format, and they never write HTML."""
from __future__ import annotations

import pytest

from webapp.components.qsort_grid import SCRIPTS as GRID_SCRIPTS
from webapp.components.shared import I18N_JS
from webapp.i18n import translator

pytestmark = pytest.mark.browser

COUNTED = [("{count} of {total} statement placed.", "{count} of {total} statements placed."),
           ("{free} of {capacity} place free", "{free} of {capacity} places free"),
           ("All {total} statement placed: the grid is complete.",
            "All {total} statements placed: the grid is complete.")]


@pytest.fixture(scope="module")
def page(browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_content("<html><body><p id='help'></p></body></html>")
    page.add_script_tag(content=I18N_JS.read_text(encoding="utf-8"))
    yield page
    ctx.close()


@pytest.mark.parametrize("language", ["en", "de", "es", "ar"])
def test_javascript_and_python_agree_on_every_count(page, language):
    tr = translator(language, {"Saved": "Saved!"} if language == "de" else None)
    page.evaluate("spec => useI18n(spec)", tr.js(GRID_SCRIPTS))
    counts = list(range(131)) + [1000, 10_000, 1_000_000]
    for singular, plural in COUNTED:
        got = page.evaluate("""([s, p, counts]) => counts.map(n => ngettext(s, p, n,
            {count: 7, total: n, free: 1, capacity: n}))""", [singular, plural, counts])
        want = [tr.ngettext(singular, plural, n, count=7, total=n, free=1, capacity=n)
                for n in counts]
        assert got == want, language
    assert page.evaluate("_('Saved')") == tr.gettext("Saved")
    assert page.evaluate("_('Statement {n}:', {n: 12})") == tr.gettext("Statement {n}:", n=12)
    assert page.evaluate("_('a text no catalogue has {x}', {x: 3})") == "a text no catalogue has 3"
    assert page.evaluate("[scoreText(4), scoreText(-4), scoreText(0)]") == (
        ["\u2066+4\u2069", "\u2066\u22124\u2069", "\u20660\u2069"] if language == "ar"
        else ["+4", "\u22124", "0"])


def test_a_studys_own_wording_reaches_the_javascript(page):
    page.evaluate("spec => useI18n(spec)", translator("de", {"Saved": "Gesichert"}).js(GRID_SCRIPTS))
    assert page.evaluate("_('Saved')") == "Gesichert"
    assert page.evaluate("_('Continue')") == "Weiter"


def test_key_help_is_built_from_text_and_kbd_elements_only(page):
    page.evaluate("spec => useI18n(spec)", translator("de").js(GRID_SCRIPTS))
    html = page.evaluate("""() => {
      const p = document.getElementById('help');
      keysInto(p, 'Press {enter} <b>now</b> or {esc} {unknown}', {enter: 'Eingabe', esc: 'Esc'});
      return p.innerHTML; }""")
    assert html == ("Press <kbd>Eingabe</kbd> &lt;b&gt;now&lt;/b&gt; or <kbd>Esc</kbd> {unknown}")


def test_a_plural_rule_that_is_not_plain_arithmetic_is_not_run(page):
    spec = translator("de").js(GRID_SCRIPTS)
    spec["plural"] = "alert(1) || n"
    page.evaluate("spec => useI18n(spec)", spec)
    assert page.evaluate("[ngettext('a', 'b', 1), ngettext('a', 'b', 2)]") == ["a", "b"]
