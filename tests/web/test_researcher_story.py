"""The researcher's whole story in the Debian Chromium, on an app of its own:
make the first account, sign in, create a study from a CSV file, fix a grid
whose heights do not add up, preview it, publish it, make 3 invitations, a
participant completes one sort through an invitation link (a second browser
context, driven by the participant test helpers), see it in monitoring,
open it, exclude it, sign out."""
from __future__ import annotations

import csv
import re

import pytest
from appserver import running_app
from playwright.sync_api import Page, expect
from qsweb import (
    DEFN,
    PILE_KEYS,
    pile_for,
    place_by_keyboard,
    tab_to,
    wait_step,
)
from sqlalchemy import func, select

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "ana@example.org", "correct horse battery"
TITLE = "Views on co-production"
SLUG = "views-on-co-production"
LABEL = "pilot"


@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory):
    """(base URL, store) of an app on an empty database (no account yet)."""
    from storage import Store

    folder = tmp_path_factory.mktemp("researcher-story")
    db_url = "sqlite:///" + str(folder / "story.sqlite3")
    expect.set_options(timeout=20_000)      # a shared machine: first page loads can be slow
    try:
        with running_app(db_url, folder / "streamlit.log") as base:
            store = Store.from_url(db_url)
            yield base, store
            store.close()
    finally:
        expect.set_options(timeout=5_000)   # Playwright's default, for the other tests


def new_context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    return ctx


def statements_csv(path) -> None:
    """The co-production statements as a CSV file ``id,text,perspective``."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "perspective"])
        for s in DEFN.statements:
            w.writerow([s.id, s.text, s.tags.get("perspective", "")])


def set_height(page: Page, score: str, value: int) -> None:
    box = page.get_by_label(score, exact=True)
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value))
    page.wait_for_timeout(300)


def wait_idle(page: Page) -> None:
    """Until Streamlit has finished the run a change started."""
    page.wait_for_timeout(200)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=20_000)


def take_part(page: Page, url: str) -> None:
    """A participant completes the study through ``url`` (keyboard, as the
    participant tests do)."""
    page.goto(url)
    wait_step(page, "welcome")
    page.get_by_text("I have read this information and I agree to take part.").click()
    page.get_by_role("button", name="Start", exact=True).click()
    wait_step(page, "instruction")
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "presort")
    tab_to(page, lambda a: "ps-current" in a["cls"])
    for i in range(len(DEFN.statements)):
        text = page.locator(".ps-current .text").text_content()
        page.keyboard.press(PILE_KEYS[pile_for(text)])
        expect(page.locator(".ps-progress-text")).to_contain_text(f"{i + 1} of 36 sorted")
    tab_to(page, lambda a: "ps-done" in a["cls"])
    page.keyboard.press("Enter")
    wait_step(page, "grid")
    place_by_keyboard(page, len(DEFN.statements))
    tab_to(page, lambda a: "qs-done" in a["cls"])
    page.keyboard.press("Enter")
    wait_step(page, "postsort")
    page.get_by_role("button", name="Submit").click()
    wait_step(page, "thanks")


def test_researcher_story(fresh_app, browser, tmp_path, shots):
    from storage.models import ParticipantToken, ResearcherSession

    base, store = fresh_app
    csv_path = tmp_path / "statements.csv"
    statements_csv(csv_path)

    # -- the first account, on the first-run screen ------------------------------------------
    first = new_context(browser)
    page = first.new_page()
    page.goto(base + "/signin")
    expect(page.get_by_text("Welcome: make the first researcher account")).to_be_visible()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password (at least 8 characters)").fill(PASSWORD)
    page.get_by_label("The password again").fill(PASSWORD)
    page.get_by_role("button", name="Make the account and sign in").click()
    expect(page.get_by_role("heading", name="My studies")).to_be_visible()
    # the cookie holds a random id only; the database keeps its hash
    page.wait_for_function("() => document.cookie.includes('qp_session=')")
    cookie = next(c for c in first.cookies() if c["name"] == "qp_session")
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and len(cookie["value"]) >= 40
    with store._tx() as s:
        hashes = s.scalars(select(ResearcherSession.token_hash)).all()
    assert cookie["value"] not in hashes and len(hashes) == 1
    page.reload()                                        # still signed in after a reload
    expect(page.get_by_role("heading", name="My studies")).to_be_visible()
    # the first-run screen is gone now
    page.goto(base + "/signin")
    expect(page.get_by_text("You are signed in as").first).to_be_visible()
    first.close()

    # -- sign in (another browser: no cookie) -------------------------------------------------
    ctx = new_context(browser)
    page = ctx.new_page()
    page.goto(base + "/signin")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email or the password is not right.")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"You are signed in as {EMAIL}").first).to_be_visible()  # two while the page reruns
    page.wait_for_function("() => document.cookie.includes('qp_session=')")   # for the next page

    # -- a study from a CSV file -----------------------------------------------------------------
    page.goto(base + "/workspace")
    page.get_by_text("A CSV file of statements").click()
    page.get_by_label("Title (participants see it)").fill(TITLE)
    page.locator("input[type=file]").set_input_files(str(csv_path))
    expect(page.get_by_text("statements.csv")).to_be_visible()
    page.get_by_role("button", name="Make the study").click()
    expect(page.get_by_role("heading", name="Design")).to_be_visible()
    assert f"slug={SLUG}" in page.url
    draft = store.study_draft(SLUG)
    assert len(draft.content["statements"]) == 36
    assert draft.content["statements"][0]["tags"] == {"perspective": "provocation"}

    # -- the grid: heights that do not add up, the error, then fixed --------------------------------
    page.get_by_role("radio", name=re.compile("^Grid")).click()
    set_height(page, "-2", 4)
    set_height(page, "+2", 4)
    wait_idle(page)
    expect(page.get_by_text("the grid columns hold 34 statements")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("^Grid ⚠ 1"))).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_be_disabled()
    shots(page, "grid-error")
    set_height(page, "-1", 6)
    set_height(page, "+1", 6)
    wait_idle(page)
    expect(page.get_by_text("The columns hold 36 places")).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_be_enabled()
    assert store.study_draft(SLUG).content["grid"]["heights"] == [2, 3, 4, 6, 6, 6, 4, 3, 2]
    shots(page, "grid-fixed")

    # -- preview: the participant's steps, marked, nothing stored ----------------------------------
    page.get_by_role("link", name="Preview").first.click()
    expect(page.get_by_text("Preview of the draft: nothing is stored.")).to_be_visible()
    wait_step(page, "welcome")
    page.get_by_text("I have read this information and I agree to take part.").click()
    page.get_by_role("button", name="Start", exact=True).click()
    wait_step(page, "instruction")
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "presort")
    shots(page, "preview-presort")
    with store._tx() as s:
        assert s.scalar(select(func.count()).select_from(ParticipantToken)
                        .where(ParticipantToken.kind != "demo")) == 0
    page.get_by_role("link", name="Back to the design").click()

    # -- publish -----------------------------------------------------------------------------------
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published version 1.")).to_be_visible()
    assert store.study_status(SLUG) == "open" and store.study_draft(SLUG) is None

    # -- 3 invitations ----------------------------------------------------------------------------
    page.goto(base + f"/invitations?slug={SLUG}")
    expect(page.get_by_text("QR code of the open link")).to_be_visible()
    page.get_by_label("How many links").fill("3")
    page.get_by_label("Label (optional)").fill(LABEL)
    page.get_by_role("button", name="Make the links").click()
    expect(page.get_by_text("3 new links (pilot)")).to_be_visible()
    code = page.locator("[data-testid=stCode]").filter(has_text="&t=").first
    links = re.findall(r"http://\S+&t=[A-Za-z0-9_-]+", code.text_content())
    assert len(links) == 3 and all(link.startswith(f"{base}/?study={SLUG}&t=") for link in links)
    assert [i.state for i in store.invitations(SLUG)] == ["not opened"] * 3
    shots(page, "invitations")

    # a participant link opened in the researcher's own browser shows no menu at all
    page.goto(base + f"/?study={SLUG}")
    wait_step(page, "welcome")
    expect(page.get_by_text("Workspace", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("stTopNavLinkContainer")).to_have_count(0)

    # -- a participant takes part through the first link ------------------------------------------
    participant = new_context(browser)
    take_part(participant.new_page(), links[0])
    participant.close()
    states = sorted(i.state for i in store.invitations(SLUG))
    assert states == ["finished", "not opened", "not opened"]

    # -- monitoring: the response is there; open it and exclude it -----------------------------------
    page.goto(base + f"/monitoring?slug={SLUG}")
    finished = page.get_by_test_id("stMetric").filter(has_text="Finished")
    expect(finished).to_contain_text("1")
    expect(page.get_by_text("Responses over time")).to_be_visible()
    shots(page, "monitoring")
    wait_idle(page)
    choose = page.get_by_test_id("stSelectbox").filter(has_text="Open a response").locator("input")
    choose.click()
    choose.fill("r0001")
    page.get_by_role("option", name=re.compile("^r0001")).click()
    page.get_by_role("link", name="Open response r0001").click()
    expect(page.get_by_role("heading", name=re.compile("Response r0001"))).to_be_visible()
    expect(page.get_by_text(DEFN.statements[0].text).first).to_be_visible()    # the grid, with texts
    page.get_by_label("Reason for excluding it from the analysis").fill("a test of the workspace")
    page.get_by_label("Reason for excluding it from the analysis").press("Enter")
    page.get_by_role("button", name="Exclude from the analysis").click()
    expect(page.get_by_text("Excluded from the analysis: a test of the workspace")).to_be_visible()
    [record] = store.responses(SLUG)
    assert record.excluded and record.exclusion_reason == "a test of the workspace"
    assert store.sorts_frame(SLUG).shape == (36, 0)                   # out of the analysis
    shots(page, "response")

    # -- sign out ---------------------------------------------------------------------------------
    token = next(c for c in ctx.cookies() if c["name"] == "qp_session")["value"]
    assert store.session_researcher(token) is not None
    page.goto(base + "/account")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert store.session_researcher(token) is None                     # ended in the database
    page.wait_for_function("() => !document.cookie.includes('qp_session=')")
    page.goto(base + f"/monitoring?slug={SLUG}")
    expect(page.get_by_text("Please sign in to see this page.")).to_be_visible()
    expect(page.get_by_text("Responses over time")).to_have_count(0)
    ctx.close()


def test_typed_text_survives_a_reload(fresh_app, browser):
    """Words typed into a design text field and not yet sent (the field was
    never left) are kept in the browser and saved when the page comes back."""
    from studies.drafting import new_study_content

    base, store = fresh_app
    if store.researcher_by_email(EMAIL) is None:
        store.create_researcher(EMAIL, PASSWORD)
    owner = store.researcher_by_email(EMAIL).id
    statements = [s.to_dict() for s in DEFN.statements[:9]]
    store.create_study("keeper", new_study_content("keeper", "Keeper", statements), owner=owner)
    ctx = new_context(browser)
    page = ctx.new_page()
    sign_in(page, base)
    page.goto(base + "/design?slug=keeper")
    welcome = page.get_by_role("textbox", name="Welcome")
    welcome.click()
    page.keyboard.press("End")
    page.keyboard.type(" Typed and never sent.")
    # the keeper is listening (it also copies what was typed before it was)
    expect(welcome).to_have_attribute("data-qp-kept", re.compile("."))
    page.wait_for_timeout(300)
    assert "never sent" not in store.study_draft("keeper").content["welcome"]
    page.reload()
    expect(page.get_by_text("What you were typing before the page was reloaded")).to_be_visible()
    expect(page.get_by_role("textbox", name="Welcome")).to_have_value(re.compile("Typed and never sent.$"))
    assert store.study_draft("keeper").content["welcome"].endswith("Typed and never sent.")
    ctx.close()


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/signin")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function("() => document.cookie.includes('qp_session=')")


def test_revoking_a_link_from_the_table(fresh_app, browser):
    """Select a link's row in the table of links, revoke it: it no longer works."""
    from storage import UnknownToken
    from studies.drafting import new_study_content

    base, store = fresh_app
    if store.researcher_by_email(EMAIL) is None:
        store.create_researcher(EMAIL, PASSWORD)
    owner = store.researcher_by_email(EMAIL).id
    statements = [s.to_dict() for s in DEFN.statements[:9]]
    store.create_study("revoking", new_study_content("revoking", "Revoking", statements),
                       owner=owner)
    store.publish_study_draft("revoking", by=owner)
    first, second = store.create_invitation_batch("revoking", 2, label="to revoke").tokens
    ctx = new_context(browser)
    page = ctx.new_page()
    page.set_viewport_size({"width": 1280, "height": 1400})
    sign_in(page, base)
    page.goto(base + "/invitations?slug=revoking")
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    wait_idle(page)
    box = table.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)        # the first row's checkbox
    page.get_by_role("button", name="Revoke 1 selected link").click()
    expect(page.get_by_text("1 link(s) revoked: they no longer work.")).to_be_visible()
    states = {i.token: i.state for i in store.invitations("revoking")}
    assert states == {first: "revoked", second: "not opened"}
    with pytest.raises(UnknownToken):
        store.start_session("revoking", first)
    ctx.close()
