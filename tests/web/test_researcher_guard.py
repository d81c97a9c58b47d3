"""The guard of the researcher's workspace: every page in the page table and
every action answers "sign in" to a visitor who is not signed in and "not
found" for another researcher's study, and changes nothing.

Pages run in Streamlit's AppTest (no browser); a page added to
``webapp/researcher/pages.py`` is tested here automatically, and a page
module left out of that table fails :func:`test_every_page_module_is_in_the_table`.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from workspace import app_store, run_page, shown_text

from storage import NotAllowed, Submission, UnknownStudy
from studies.loader import load_study
from webapp.researcher.actions import ACTIONS, Ctx
from webapp.researcher.guard import NOT_FOUND, SIGN_IN_PROMPT, NotSignedIn
from webapp.researcher.pages import RESEARCHER_PAGES

ROOT = Path(__file__).resolve().parents[2]
STUDY_PAGES = [p for p in RESEARCHER_PAGES if p.study]
#: every researcher page, listed here on purpose: a new page must be added
#: (and so is run by the tests below); pages on one study are marked
LISTED = {"studies": False, "design": True, "preview": True, "invitations": True,
          "monitor": True, "response": True, "analysis": True, "account": False}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Two researchers, each with a study; A's has a response. The pages'
    store (``get_store``) is pointed at this database."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("guard") / "guard.sqlite3")
    with app_store(url) as store:
        a = store.create_researcher("ana@example.org", "correct horse")
        b = store.create_researcher("bo@example.org", "correct horse")
        defn = load_study(ROOT / "statements" / "coproduction.yaml")
        for slug, owner in (("ana-study", a), ("bo-study", b)):
            content = {**defn.to_dict(), "slug": slug, "title": f"Secret title of {slug}"}
            store.create_study(slug, content, owner=owner)
            store.publish_study_draft(slug, by=owner)
        [token] = store.create_invitations("ana-study", 1)
        store.record_consent(token)
        ids = defn.statement_ids()
        scores = [sc for sc, h in zip(defn.grid.scores, defn.grid.heights) for _ in range(h)]
        response = store.submit(token, Submission(placements=dict(zip(ids, scores)))).response_id
        store.start_new_version("ana-study", by=a)
        tokens = {"ana": store.sign_in("ana@example.org", "correct horse"),
                  "bo": store.sign_in("bo@example.org", "correct horse")}
        yield store, tokens, response


def test_every_page_module_is_in_the_table():
    """A module of webapp/researcher/ with a page() function is a page: it must
    be in RESEARCHER_PAGES and in LISTED above (so the tests below run it)."""
    assert {p.name: p.study for p in RESEARCHER_PAGES} == LISTED
    listed = set(LISTED) | {"signin"}
    found = set()
    for path in (ROOT / "webapp" / "researcher").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.FunctionDef) and n.name == "page" for n in tree.body):
            found.add(path.stem)
    assert found == listed


@pytest.mark.parametrize("page", RESEARCHER_PAGES, ids=lambda p: p.name)
def test_signed_out_every_page_asks_to_sign_in(world, page):
    store, tokens, response = world
    for token in (None, "forged-or-expired-token"):
        at = run_page(page.name, token, slug="ana-study", response=str(response))
        assert not at.exception, at.exception
        assert [i.value for i in at.info] == [f"{SIGN_IN_PROMPT} to see this page."]
        text = shown_text(at)
        assert "Secret title" not in text and "ana-study" not in text
        assert [b.label for b in at.button] == ["Sign in"]        # the form, nothing else


@pytest.mark.parametrize("page", STUDY_PAGES, ids=lambda p: p.name)
def test_another_researchers_study_is_not_found(world, page):
    store, tokens, response = world
    for slug in ("ana-study", "no-such-study"):
        at = run_page(page.name, tokens["bo"], slug=slug, response=str(response))
        assert not at.exception, at.exception
        assert [t.value for t in at.title] == [NOT_FOUND]
        assert at.error and at.error[0].value.startswith(f"{NOT_FOUND}: there is no study")
        assert "Secret title of ana-study" not in shown_text(at)
        assert not at.button and not at.text_input and not at.number_input


@pytest.mark.parametrize("page", STUDY_PAGES, ids=lambda p: p.name)
def test_the_owner_sees_the_study(world, page):
    """The same pages work for the owner (so the tests above test the guard,
    not a broken page)."""
    store, tokens, response = world
    at = run_page(page.name, tokens["ana"], slug="ana-study", response=str(response))
    assert not at.exception, at.exception
    assert NOT_FOUND not in [t.value for t in at.title]
    assert "Secret title of ana-study" in shown_text(at) + "".join(
        str(s.options) for s in at.selectbox)


def test_a_response_is_reached_only_through_its_own_study(world):
    store, tokens, response = world
    at = run_page("response", tokens["bo"], slug="bo-study", response=str(response))
    assert not at.exception
    assert "There is no such response in this study" in at.error[0].value


def test_the_study_list_shows_only_own_shared_and_demo_studies(world):
    store, tokens, _ = world
    at = run_page("studies", tokens["bo"])
    text = shown_text(at)
    assert "Secret title of bo-study" in text and "Secret title of ana-study" not in text


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_checks_the_guard_when_it_runs(world, name):
    store, tokens, response = world
    action, need = ACTIONS[name]
    before = (store.study_draft("ana-study"), store.study_status("ana-study"),
              [(r.id, r.excluded) for r in store.responses("ana-study")],
              len(store.invitations("ana-study")), store.study_members("ana-study"),
              len(store.workspace_studies(store.researcher_by_email("ana@example.org").id)))
    args = {"create_study": ("", {"title": "x"}), "save_draft": ({"title": "Hacked"},),
            "close_study": (True,), "share": ("bo@example.org",),
            "remove_share": ("ana@example.org",), "create_invitations": (5, "x"),
            "revoke": (["t"],), "exclude_response": (response, "x"),
            "include_response": (response,), "delete_response": (response,)}.get(name, ())
    for token in (None, "forged-or-expired-token"):
        with pytest.raises(NotSignedIn):
            action(Ctx(store, token), "ana-study", *args)
    if need is not None:
        with pytest.raises(UnknownStudy):                  # not bo's study
            action(Ctx(store, tokens["bo"]), "ana-study", *args)
        if need != "viewer":
            with pytest.raises(NotAllowed):                # the demo study is read-only
                action(Ctx(store, tokens["bo"]), "coproduction-demo", *args)
    after = (store.study_draft("ana-study"), store.study_status("ana-study"),
             [(r.id, r.excluded) for r in store.responses("ana-study")],
             len(store.invitations("ana-study")), store.study_members("ana-study"),
             len(store.workspace_studies(store.researcher_by_email("ana@example.org").id)))
    assert after == before


def test_with_no_account_the_prompt_points_at_the_first_run_screen(tmp_path):
    with app_store("sqlite:///" + str(tmp_path / "empty.sqlite3")):
        at = run_page("monitor", None, slug="coproduction")
        assert [i.value for i in at.info] == [f"{SIGN_IN_PROMPT} to see this page."]
        assert "make the first one on the **Researchers** page" in shown_text(at)
        assert not at.button
