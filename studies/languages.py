"""The languages of the participant pages, for checking a study's
``language`` and ``messages`` (its own wording of single participant texts).

Every word of the participant pages that is not the study's own text is a
gettext message: the template ``locales/messages.pot`` lists them (extracted
from the code with ``pybabel extract -F babel.cfg``, see the README) and each
translation is ``locales/<language>/LC_MESSAGES/messages.po``. English is the
source language (the msgids are the English texts), so it has no catalogue.
This module only reads the catalogues (Babel's PO reader); the web app's
:mod:`webapp.i18n` translates with them.

A study's ``messages`` map a msgid to the study's wording in its language: a
text, or for a message with plural forms either one text for every count or
a list with one text per plural form of the language (in the catalogue's
order, see its ``Plural-Forms`` header).
"""
from __future__ import annotations

import difflib
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from .definition import LANGUAGE_PATTERN

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Message:
    """One msgid of the template: its plural msgid (None if it has no plural
    forms) and the ``{name}`` placeholders it uses."""

    msgid: str
    plural: str | None
    names: frozenset[str]


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` fields of a message text (``str.format`` syntax)."""
    try:
        return frozenset(name for _lit, name, _spec, _conv in string.Formatter().parse(text)
                         if name)
    except ValueError:
        return frozenset({"{"})         # unbalanced braces: never equal to a msgid's names


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, domain=DOMAIN)


@cache
def template() -> dict[str, Message]:
    """Every participant message of the code, by msgid (``locales/messages.pot``)."""
    out = {}
    for m in _read(LOCALES_DIR / f"{DOMAIN}.pot"):
        if not m.id:
            continue                    # the header
        msgid, plural = (m.id[0], m.id[1]) if m.pluralizable else (m.id, None)
        names = placeholders(msgid) | (placeholders(plural) if plural else frozenset())
        out[msgid] = Message(msgid, plural, names)
    return out


@cache
def available_languages() -> tuple[str, ...]:
    """The languages with participant texts: English and every catalogue shipped."""
    found = {p.parents[1].name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


def parse_locale(code: str) -> Locale | None:
    """Babel's locale for a language code such as ``de``, ``pt_BR`` or ``es-MX``
    (None if Babel does not know it)."""
    if not isinstance(code, str) or not LANGUAGE_PATTERN.match(code):
        return None
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def catalogue_language(code: str) -> str | None:
    """The shipped language that speaks ``code`` (``de_AT`` -> ``de``), or None."""
    loc = parse_locale(code)
    if loc is None:
        return None
    for candidate in (str(loc), loc.language):
        if candidate in available_languages():
            return candidate
    return None


@cache
def catalog(language: str) -> Catalog | None:
    """The catalogue of a shipped language (None for English, the source)."""
    if language == SOURCE_LANGUAGE or language not in available_languages():
        return None
    return _read(LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po")


def plural_count(language: str) -> int:
    """How many plural forms ``language`` has in its catalogue (English: 2)."""
    cat = catalog(catalogue_language(language) or SOURCE_LANGUAGE)
    return cat.num_plurals if cat is not None else get_plural(SOURCE_LANGUAGE).num_plurals


def missing_messages(language: str) -> list[str]:
    """The msgids the participant code uses that ``language``'s catalogue does
    not translate (missing, empty, fuzzy, or without every plural form), in
    the template's order. English, the source language, lacks none; a
    language without a catalogue lacks all."""
    lang = catalogue_language(language)
    if lang == SOURCE_LANGUAGE:
        return []
    cat = catalog(lang) if lang else None
    missing = []
    for msgid, m in template().items():
        entry = cat.get(msgid) if cat is not None else None
        if entry is None or entry.fuzzy:
            missing.append(msgid)
            continue
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if m.plural is not None and len(forms) != cat.num_plurals:
            missing.append(msgid)
        elif not all(isinstance(f, str) and f.strip() for f in forms):
            missing.append(msgid)
    return missing


# ---------------------------------------------------------------------------
# checking a study's language and messages
# ---------------------------------------------------------------------------
def language_problem(code: str) -> str | None:
    """Why ``code`` cannot be a study's language (None if it can)."""
    shipped = ", ".join(available_languages())
    if parse_locale(code) is None:
        return (f"unknown language {code!r} (use a language code such as 'de' or 'es'; "
                f"participant texts exist in: {shipped})")
    if catalogue_language(code) is None:
        return (f"the participant pages have no texts in {code!r} yet (available: {shipped}); "
                f"see 'Adding a language' in the README")
    return None


def message_problem(language: str, msgid: str, text) -> str | None:
    """Why ``text`` cannot be the study's wording of ``msgid`` (None if it can)."""
    known = template()
    m = known.get(msgid)
    if m is None:
        close = difflib.get_close_matches(msgid, list(known), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{msgid!r} is not a participant text of this version{hint}"
    texts = list(text) if isinstance(text, (list, tuple)) else [text]
    if m.plural is None and len(texts) != 1:
        return f"{msgid!r} has no plural forms: give one text"
    if m.plural is not None and len(texts) not in (1, plural_count(language)):
        return (f"{msgid!r} has plural forms: give one text, or {plural_count(language)} "
                f"texts (one per plural form of {language!r})")
    for t in texts:
        extra = placeholders(t) - m.names
        if extra:
            names = ", ".join("{" + n + "}" for n in sorted(m.names)) or "none"
            return (f"the text for {msgid!r} uses {', '.join('{' + n + '}' for n in sorted(extra))}, "
                    f"which it does not have (it has: {names})")
    return None


def study_language_problems(d: Mapping, locate: Callable[[tuple], str]) -> list[str]:
    """The problems of a study's ``language`` and ``messages`` (the dict form),
    as ``"<where>: <problem>"``; a wrong shape is left to the definition's own
    checks (:func:`studies.definition.validate_study_dict`)."""
    problems: list[str] = []
    if not isinstance(d, Mapping):
        return problems
    language = d.get("language") or SOURCE_LANGUAGE
    if isinstance(language, str) and LANGUAGE_PATTERN.match(language):
        problem = language_problem(language)
        if problem:
            problems.append(f"{locate(('language',))}: {problem}")
            language = SOURCE_LANGUAGE
    messages = d.get("messages")
    if isinstance(messages, Mapping):
        for msgid, text in messages.items():
            texts = list(text) if isinstance(text, (list, tuple)) else [text]
            if not isinstance(msgid, str) or not all(isinstance(t, str) for t in texts):
                continue
            problem = message_problem(language, msgid, text)
            if problem:
                problems.append(f"{locate(('messages', msgid))}: messages: {problem}")
    return problems
