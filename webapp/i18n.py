"""Participant texts in the study's language: gettext catalogues through Babel.

Where the texts live: ``locales/messages.pot`` (the template, extracted from
the code) and ``locales/<language>/LC_MESSAGES/messages.po`` (see
:mod:`studies.languages` and the README's "Adding a language"). English is
the source language: its texts are the msgids.

Compiled at start-up: the first page that needs a language compiles its
``.po`` in memory (Babel's ``write_mo`` into :class:`gettext.GNUTranslations`),
once per process. No ``.mo`` file is written or read, so a fresh clone needs
no build step and an edited ``.po`` can never be shadowed by a stale ``.mo``.

Python::

    tr = translator(defn.language, defn.message_overrides())
    _ = tr.gettext
    st.button(_("Start"))
    tr.ngettext("{count} statement", "{count} statements", n, count=n)

Values are put into the ``{name}`` fields after translation; whole numbers in
the language's format (Babel's locale data, Latin digits). A study's own
wording of a msgid (its ``messages``) comes before the catalogue.

JavaScript (the sorting components): :meth:`Translator.js` gives the
msgids that a component's files use, translated, with the catalogue's plural
rule, as ``data.i18n``; ``webapp/components/shared/i18n.js`` turns it into
``_()`` and ``ngettext()`` there.
"""
from __future__ import annotations

import gettext
import io
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.numbers import format_decimal

from studies.languages import (
    SOURCE_LANGUAGE,
    available_languages,
    catalog,
    catalogue_language,
    parse_locale,
)
from studies.languages import missing_messages as _missing

from .study_text import defuse

# a C plural expression of a catalogue's Plural-Forms header, before the
# JavaScript side turns it into a function (only n, numbers and operators)
_PLURAL_EXPR = re.compile(r"^[n0-9\s!=<>&|?:%()+\-*/]+$")
# Unicode's first-strong isolate: a signed score reads "+4" in right-to-left text
_LRI, _PDI = "\u2066", "\u2069"


@cache
def _translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of a shipped language (English: no catalogue)."""
    cat = catalog(language)
    if cat is None:
        return gettext.NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, cat)          # fuzzy entries are left out
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@cache
def _plural_expr(language: str) -> str:
    cat = catalog(language)
    expr = cat.plural_expr if cat is not None else "(n != 1)"
    if not _PLURAL_EXPR.match(expr):    # never sent to the browser unless plainly arithmetic
        raise ValueError(f"unexpected plural expression in the {language} catalogue: {expr!r}")
    return expr


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """The participant texts of one language (plus a study's own wording).

    ``language`` is a study's ``language`` (``de``, ``de_AT``, ...); texts come
    from the catalogue of the shipped language that speaks it, dates and
    numbers follow the full locale. ``overrides`` maps msgids to the study's
    wording (a text, or one text per plural form).
    """

    def __init__(self, language: str = SOURCE_LANGUAGE,
                 overrides: Mapping[str, str | Iterable[str]] | None = None):
        self.catalogue = catalogue_language(language) or SOURCE_LANGUAGE
        self.locale: Locale = parse_locale(language) or Locale.parse(self.catalogue)
        self.language = str(self.locale)
        self._t = _translations(self.catalogue)
        # a study's wording is shown as markdown: its links, images and HTML defused
        self.overrides = {k: defuse(v) if isinstance(v, str) else tuple(map(defuse, v))
                          for k, v in dict(overrides or {}).items()}
        cat = catalog(self.catalogue)
        self.nplurals = cat.num_plurals if cat is not None else 2
        self._js: dict[tuple[Path, ...], dict[str, Any]] = {}

    # -- what the page needs to know -----------------------------------------------
    @property
    def tag(self) -> str:
        """The language as a BCP 47 tag for ``<html lang>`` (``de-AT``)."""
        return str(self.locale).replace("_", "-")

    @property
    def direction(self) -> str:
        """``'rtl'`` for a right-to-left script (Arabic, Hebrew, ...), else ``'ltr'``."""
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    # -- messages ------------------------------------------------------------------
    def plural_index(self, n: int) -> int:
        """Which plural form of the catalogue a count takes."""
        if isinstance(self._t, gettext.GNUTranslations):
            return int(self._t.plural(abs(int(n))))
        return 0 if abs(int(n)) == 1 else 1

    def gettext(self, msgid: str, /, **values: Any) -> str:
        """``msgid`` in this language (the study's wording first), with ``values``."""
        text = self.overrides.get(msgid)
        if isinstance(text, tuple):
            text = text[0] if text else None
        if not text:
            text = self._t.gettext(msgid) or msgid
        return self._format(text, msgid, values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The form of ``singular``/``plural`` for the count ``n``, with ``values``."""
        text = self.overrides.get(singular)
        if isinstance(text, tuple):
            text = text[min(self.plural_index(n), len(text) - 1)] if text else None
        if not text:
            text = self._t.ngettext(singular, plural, n) or (singular if n == 1 else plural)
        return self._format(text, singular if n == 1 else plural, values)

    def _format(self, text: str, source: str, values: Mapping[str, Any]) -> str:
        shown = _Values({k: self._show(v) for k, v in values.items()})
        try:
            return text.format_map(shown)
        except (ValueError, IndexError, AttributeError):
            # a broken translation (the catalogue tests catch these): say it in English
            return source.format_map(shown)

    def _show(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        return self.number(value)

    # -- locale data -----------------------------------------------------------------
    def number(self, value: int | float) -> str:
        """A number in this language's format (``10,000``, ``10.000``, ...)."""
        return format_decimal(value, locale=self.locale)

    def score(self, value: int) -> str:
        """A grid score with its sign (``+4``, ``-4``, ``0``), kept in reading
        order inside right-to-left text."""
        text = f"{int(value):+d}" if value else "0"
        return f"{_LRI}{text}{_PDI}" if self.direction == "rtl" else text

    def list(self, items: Iterable[str], style: str = "standard") -> str:
        """``a, b and c`` (``style="or"``: ``a, b or c``) in this language (Babel's
        list patterns; a style the locale lacks falls back to ``standard``)."""
        items = [str(x) for x in items]
        try:
            return format_list(items, style=style, locale=self.locale)
        except KeyError:
            return format_list(items, locale=self.locale)

    def date(self, value: date | datetime, format: str = "long") -> str:
        """A date in this language (``3. März 2026``)."""
        return format_date(value, format=format, locale=self.locale)

    # -- for the components' JavaScript ----------------------------------------------
    def js(self, scripts: Iterable[Path]) -> dict[str, Any]:
        """The catalogue a component needs (``data.i18n``): the msgids its
        ``scripts`` use, translated (plural messages as the list of forms, in
        the catalogue's order), the plural rule as a C expression of ``n``,
        the language tag and the writing direction. Made once per component
        (a grid's page reruns at every autosave)."""
        key = tuple(Path(p) for p in scripts)
        if key not in self._js:
            self._js[key] = self._make_js(key)
        return dict(self._js[key])

    def _make_js(self, scripts: tuple[Path, ...]) -> dict[str, Any]:
        reps = self._representatives()
        messages: dict[str, Any] = {}
        for msgid in js_msgids(scripts):
            if isinstance(msgid, tuple):
                singular, plural = msgid
                messages[singular] = [self.ngettext(singular, plural, n) for n in reps]
            else:
                messages[msgid] = self.gettext(msgid)
        return {"lang": self.tag, "dir": self.direction,
                "plural": _plural_expr(self.catalogue), "numbers": self.number_format(),
                "messages": messages}

    def number_format(self) -> dict[str, Any]:
        """How whole numbers are written (Babel's locale data, Latin digits), for
        the JavaScript to write counts as :meth:`number` does: the group
        separator and the sizes of the first and the further groups."""
        symbols = self.locale.number_symbols.get("latn", {})
        primary, secondary = self.locale.decimal_formats[None].grouping
        return {"group": symbols.get("group", ","), "minus": symbols.get("minusSign", "-"),
                "sizes": [primary, secondary]}

    def _representatives(self) -> list[int]:
        """A count for each plural form (the smallest that takes it)."""
        reps: dict[int, int] = {}
        for n in range(1000):
            reps.setdefault(self.plural_index(n), n)
            if len(reps) == self.nplurals:
                break
        return [reps.get(i, 0) for i in range(self.nplurals)]


@cache
def _translator(language: str, overrides: tuple) -> Translator:
    return Translator(language, dict(overrides))


def translator(language: str = SOURCE_LANGUAGE,
               overrides: Mapping[str, str | Iterable[str]] | None = None) -> Translator:
    """The (cached) translator of a language and a study's own wording."""
    frozen = tuple(sorted((k, v if isinstance(v, str) else tuple(v))
                          for k, v in dict(overrides or {}).items()))
    return _translator(language or SOURCE_LANGUAGE, frozen)


def for_study(definition) -> Translator:
    """The translator of a study definition (its ``language`` and ``messages``)."""
    return translator(getattr(definition, "language", SOURCE_LANGUAGE),
                      getattr(definition, "message_overrides", dict)())


ENGLISH = Translator()


def N_(msgid: str) -> str:
    """Mark a text for translation where it is defined (a module constant),
    to be translated where it is shown (``tr.gettext(text)``)."""
    return msgid


# ---------------------------------------------------------------------------
# before a study is known: the browser's languages
# ---------------------------------------------------------------------------
def accepted_languages(header: str | None) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first
    (``de-CH, de;q=0.9, en;q=0.5`` -> ``['de_CH', 'de', 'en']``)."""
    found = []
    for i, part in enumerate(str(header or "").split(",")):
        code, _sep, params = part.strip().partition(";")
        code = code.strip()
        if not code or code == "*":
            continue
        q = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            found.append((-q, i, code.replace("-", "_")))
    return [code for _q, _i, code in sorted(found)]


def negotiate(header: str | None) -> str:
    """The shipped language that best suits an ``Accept-Language`` header
    (English when none does)."""
    wanted = accepted_languages(header)
    return negotiate_locale(wanted, list(available_languages())) or SOURCE_LANGUAGE


def for_browser(header: str | None) -> Translator:
    """The translator for a page shown before a study is known."""
    return translator(negotiate(header))


# ---------------------------------------------------------------------------
# what a language lacks (for the researcher's design page)
# ---------------------------------------------------------------------------
def missing_messages(language: str) -> list[str]:
    """The msgids of the participant pages that ``language`` has no
    translation for (empty for English and complete catalogues). A study in
    that language shows these texts in English, unless its ``messages`` give
    its own wording."""
    return _missing(language)


# ---------------------------------------------------------------------------
# the msgids of the components' scripts
# ---------------------------------------------------------------------------
@cache
def js_msgids(scripts: tuple[Path, ...]) -> tuple[str | tuple[str, str], ...]:
    """The msgids that ``scripts`` use (``_("...")``; ``ngettext`` gives a
    (singular, plural) pair), found as ``pybabel extract`` finds them."""
    found: dict[Any, None] = {}
    for path in scripts:
        with open(path, "rb") as f:
            for _line, message, _comments, _context in extract("javascript", f):
                found.setdefault(message, None)
    return tuple(found)
