"""The co-production study in German and in Arabic (right to left), completed
with the keyboard only: every page, component, announcement and message is in
the study's language (no English word besides the study's own texts, which
this variant keeps in English), <html lang dir> follow it, and in Arabic the
grid runs right to left with the arrow keys moving the way they point."""
from __future__ import annotations

import pytest
from i18nweb import english_on_page, page_texts, spoken, study_in
from playwright.sync_api import expect
from qsweb import (
    DEFN,
    HEIGHTS,
    active,
    link,
    pile_for,
    tab_to,
    wait_step,
)

from webapp.i18n import translator

pytestmark = pytest.mark.browser

#: the pre-sort keys of the co-production piles (shown disagree, neutral, agree)
KEYS = {"disagree": "1", "neutral": "2", "agree": "3"}


@pytest.fixture(scope="module")
def studies(store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("study-files")
    out = {}
    for language in ("de", "ar"):
        defn = study_in(language, folder)
        store.publish_study(defn)
        out[language] = defn
    yield out
    for defn in out.values():           # off the study list of the tests that follow
        store.set_study_status(defn.slug, "closed")


def is_button(text):
    return lambda a: a["tag"] == "BUTTON" and a["text"].strip() == text


class Seen:
    """Everything the participant saw or heard, checked page by page."""

    def __init__(self, page, defn, language):
        self.page, self.defn, self.language = page, defn, language
        self.pages = 0

    def check(self, where: str, extra: list[str] = ()) -> None:
        html = self.page.locator("html")
        expect(html).to_have_attribute("lang", self.language)
        expect(html).to_have_attribute("dir", "rtl" if self.language == "ar" else "ltr")
        texts = page_texts(self.page) + list(extra)
        assert len(texts) >= 3, where
        found = english_on_page(texts, self.defn, self.language)
        assert not found, f"English on the {where} page: {found[:10]}"
        self.pages += 1


def place_all(page, seen: Seen, rtl: bool) -> list[str]:
    """Place every card with Enter, the arrows and Enter; returns what was said."""
    said = []
    plan = [i for i, h in enumerate(HEIGHTS) for _ in range(h)]
    forward, back = ("ArrowLeft", "ArrowRight") if rtl else ("ArrowRight", "ArrowLeft")
    progress = page.locator(".qs-progress-text")
    for k, col in enumerate(plan):
        assert active(page)["inPile"], active(page)
        page.keyboard.press("Enter")                                  # pick up
        said += spoken(page)
        target = int(page.locator(".col.target").get_attribute("data-index"))
        for _ in range(abs(col - target)):
            page.keyboard.press(forward if col > target else back)
        expect(page.locator(".col.target")).to_have_attribute("data-index", str(col))
        said += spoken(page)
        page.keyboard.press("Enter")                                  # put down
        expect(progress).to_have_attribute("data-placed", str(k + 1))
        said += spoken(page)
    return said


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_study_in_its_language_by_keyboard(browser, app_url, store, studies, shots, language):
    defn = studies[language]
    tr = translator(language)
    _ = tr.gettext
    rtl = language == "ar"
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    seen = Seen(page, defn, language)

    page.goto(link(app_url, study=defn.slug))
    wait_step(page, "welcome")
    seen.check("welcome")
    shots(page, f"{language}-welcome")
    tab_to(page, lambda a: a["type"] == "checkbox")
    page.keyboard.press("Space")
    tab_to(page, is_button(_("Start")))
    page.keyboard.press("Enter")

    wait_step(page, "instruction")
    token = page.url.split("t=")[1].split("&")[0]
    expect(page.get_by_text(_("Your personal link"))).to_be_visible()
    seen.check("instruction")
    tab_to(page, is_button(_("Copy link")))
    page.keyboard.press("Enter")                        # what the copy button says is checked too
    page.wait_for_timeout(300)
    seen.check("instruction (link copied)")
    tab_to(page, is_button(_("Continue")))
    page.keyboard.press("Enter")

    # -- the pre-sort -------------------------------------------------------------------------------
    wait_step(page, "presort")
    seen.check("pre-sort")
    said = []
    tab_to(page, lambda a: "ps-current" in a["cls"])
    for i in range(len(DEFN.statements)):
        text = page.locator(".ps-current .text").text_content()
        page.keyboard.press(KEYS[pile_for(text)])
        expect(page.locator(".ps-progress-text")).to_have_attribute("data-sorted", str(i + 1),
                                                                    timeout=10_000)
        said += spoken(page)
        if i == 17:
            seen.check("pre-sort (half)", said)
            shots(page, f"{language}-presort-half", full=False)
    assert "ps-done" in active(page)["cls"]
    seen.check("pre-sort (done)", said)
    page.keyboard.press("Enter")

    # -- the grid -----------------------------------------------------------------------------------
    wait_step(page, "grid")
    seen.check("grid")
    cols = page.locator(".col")
    first, last = cols.first.bounding_box(), cols.last.bounding_box()
    # most disagree on the reading start side: the left in German, the right in Arabic
    assert (first["x"] > last["x"]) == rtl, (first, last)
    tab_to(page, lambda a: "card" in a["cls"] and a["inPile"])
    page.keyboard.press("Enter")
    target = int(page.locator(".col.target").get_attribute("data-index"))
    box = cols.nth(target).bounding_box()
    page.keyboard.press("ArrowLeft")                   # the arrows go the way they point
    moved = int(page.locator(".col.target").get_attribute("data-index"))
    assert moved == target + (1 if rtl else -1)
    assert cols.nth(moved).bounding_box()["x"] < box["x"]
    page.keyboard.press("ArrowRight")
    expect(page.locator(".col.target")).to_have_attribute("data-index", str(target))
    said = spoken(page)
    page.keyboard.press("Escape")
    said += spoken(page)

    said += place_all(page, seen, rtl)
    seen.check("grid (complete)", said)
    shots(page, f"{language}-grid-complete", full=False)
    tab_to(page, lambda a: "qs-done" in a["cls"])
    page.keyboard.press("Enter")

    # -- questions ----------------------------------------------------------------------------------
    wait_step(page, "postsort")
    seen.check("post-sort questions")
    last_text = [q for q in defn.postsort_questions if q.kind == "textarea"][-1].text[:20]
    tab_to(page, lambda a: a["tag"] == "TEXTAREA" and last_text in a["label"])
    page.keyboard.type(f"marker-{language}-{token}")
    seen.check("post-sort questions (typing)")
    tab_to(page, is_button(_("Continue")))
    page.keyboard.press("Enter")

    wait_step(page, "demographics")
    seen.check("questions about you")
    tab_to(page, lambda a: a["type"] == "radio")
    page.keyboard.press("Space")
    seen.check("questions about you (answered)")
    tab_to(page, is_button(_("Submit")))
    page.keyboard.press("Enter")
    wait_step(page, "thanks")
    seen.check("thank-you")
    shots(page, f"{language}-thanks")

    record = response_with_slug(store, defn.slug, f"marker-{language}-{token}")
    assert len(record.placements) == len(DEFN.statements)
    assert seen.pages >= 12

    # -- the link again: the study's language on the kind pages ---------------------------------
    page.goto(link(app_url, token, study=defn.slug))
    page.locator(".qs-problem[data-kind='used_link']").wait_for(state="attached")
    expect(page.get_by_role("heading", name=_("You have already taken part. Thank you!"))).to_be_visible()
    seen.check("used link")
    page.goto(link(app_url, study=defn.slug))         # the open link, in the same browser
    wait_step(page, "taken_part")
    expect(page.get_by_text(_("You have already taken part on this device"))).to_be_visible()
    seen.check("taken part on this device")
    page.goto(link(app_url, "not-a-token", study=defn.slug))
    page.locator(".qs-problem[data-kind='bad_token']").wait_for(state="attached")
    seen.check("unknown personal link")
    ctx.close()


def response_with_slug(store, slug: str, marker: str):
    found = [r for r in store.responses(slug) if marker in str(r.answers.get("missing", ""))]
    assert len(found) == 1, f"{len(found)} responses carry the marker {marker!r}"
    return found[0]


@pytest.mark.parametrize("locale, language, words", [
    ("de-DE", "de", "Dieser Link ist unvollständig"),
    ("ar-EG", "ar", "هذا الرابط ناقص"),
    ("es-ES", "es", "Este enlace está incompleto"),
    ("fr-FR", "en", "This link is incomplete"),
])
def test_pages_before_a_study_is_known_speak_the_browsers_language(browser, app_url, locale,
                                                                   language, words):
    ctx = browser.new_context(locale=locale)
    page = ctx.new_page()
    tr = translator(language)
    page.goto(app_url)                                   # the list of studies
    expect(page.get_by_role("heading", name=tr.gettext("Q-sort studies"))).to_be_visible(timeout=20_000)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{app_url}/take-part?t=abc")              # a link that names no study
    page.locator(".qs-problem[data-kind='bad_link']").wait_for(state="attached")
    expect(page.get_by_role("heading", name=words)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    if language != "en":
        assert not english_on_page(page_texts(page), DEFN, language)
    # an unknown study: still nothing known but the browser's languages
    page.goto(f"{app_url}/?study=no-such-study")
    page.locator(".qs-problem[data-kind='bad_link']").wait_for(state="attached")
    expect(page.get_by_role("heading", name=tr.gettext("This link does not work"))).to_be_visible()
    ctx.close()
