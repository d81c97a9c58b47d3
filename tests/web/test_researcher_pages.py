"""The researcher's pages, driven in Streamlit's AppTest (no browser): making
studies from each source, the design editor, publishing and closing, the
preview, invitations, monitoring, one response, sharing, signing in and out."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from workspace import TOKEN, app_store, run_page, shown_text

from storage import Submission
from studies.drafting import new_study_content
from studies.loader import load_study
from webapp.researcher.editor import statements_from_frame

ROOT = Path(__file__).resolve().parents[2]
DEFN = load_study(ROOT / "statements" / "coproduction.yaml")
CSV = "id,text,perspective\n" + "".join(f"{s.id},\"{s.text}\",{s.tags['perspective']}\n"
                                        for s in DEFN.statements)


@pytest.fixture
def world(tmp_path):
    with app_store("sqlite:///" + str(tmp_path / "pages.sqlite3")) as store:
        ana = store.create_researcher("ana@example.org", "correct horse")
        store.create_researcher("bo@example.org", "correct horse")
        tokens = {"ana": store.sign_in("ana@example.org", "correct horse"),
                  "bo": store.sign_in("bo@example.org", "correct horse")}
        yield store, ana, tokens


def no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def make_study(store, owner: int, slug: str = "mine", statements=DEFN.statements,
               publish: bool = False) -> None:
    content = new_study_content(slug, "My study", [s.to_dict() for s in statements])
    store.create_study(slug, content, owner=owner)
    if publish:
        store.publish_study_draft(slug, by=owner)


def complete_sorts(store, slug: str, n: int) -> list[int]:
    defn = store.get_study(slug).definition
    ids = defn.statement_ids()
    scores = [sc for sc, h in zip(defn.grid.scores, defn.grid.heights) for _ in range(h)]
    out = []
    for k, token in enumerate(store.create_invitations(slug, n)):
        store.record_consent(token)
        placements = dict(zip(ids, scores[k:] + scores[:k]))
        out.append(store.submit(token, Submission(placements=placements, timings={"grid": 5},
                                                  presort={ids[0]: "disagree"})).response_id)
    return out


# ---------------------------------------------------------------------------
def test_statements_table_is_read_back_in_order_with_ids():
    frame = pd.DataFrame({"#": [1, 2, 2, None, 5], "id": ["a1", "a2", "a3", None, ""],
                          "text": ["One", "Two", "Three", "Four", None],
                          "tag: view": ["x", None, "", "y", None]})
    rows, tidied = statements_from_frame(frame, ["view"])
    # a3 moved to place 2 goes before a2; the new row gets an id; the empty row goes
    assert [r["id"] for r in rows] == ["a1", "a3", "a2", "a5"]
    assert [r["text"] for r in rows] == ["One", "Three", "Two", "Four"]
    assert rows[0]["tags"] == {"view": "x"} and rows[3]["tags"] == {"view": "y"}
    assert tidied
    same = pd.DataFrame({"#": [1, 2], "id": ["a1", "a2"], "text": ["One", "Two"]})
    assert statements_from_frame(same, [])[1] is False


@pytest.mark.parametrize("source, upload, count", [
    ("csv", ("statements.csv", CSV.encode(), "text/csv"), 36),
    ("sta", ("LIPSET.STA", (ROOT / "tests/reference/formats/LIPSET.STA").read_bytes(), "text/plain"),
     33),
    ("yaml", ("co.yaml", (ROOT / "statements/coproduction.yaml").read_bytes(), "application/yaml"),
     36),
])
def test_new_study_from_a_file(world, source, upload, count):
    store, ana, tokens = world
    at = run_page("studies", tokens["ana"])
    at.radio(key="ws_new_source").set_value(source).run()
    at.text_input(key="ws_new_title").input("Made from a file").run()
    at.file_uploader(key=f"ws_new_file_{source}").set_value(upload).run()
    at.button(key="ws_new_make").click().run()
    no_exception(at)
    [made] = [w for w in store.workspace_studies(ana) if w.status == "draft"]
    draft = store.study_draft(made.slug)
    assert len(draft.content["statements"]) == count
    assert draft.content["title"] == "Made from a file"
    assert sum(draft.content["grid"]["heights"]) == count        # the suggested grid fits


def test_new_study_from_a_study_file_of_the_platform_and_from_scratch(world):
    store, ana, tokens = world
    at = run_page("studies", tokens["ana"])
    at.radio(key="ws_new_source").set_value("folder").run()
    assert at.selectbox(key="ws_new_folder").value.name == "coproduction.yaml"
    at.button(key="ws_new_make").click().run()
    no_exception(at)
    draft = store.study_draft("coproduction-2")        # its own slug is taken: -2
    assert draft.content["title"] == DEFN.title and len(draft.content["statements"]) == 36
    at = run_page("studies", tokens["ana"])
    at.text_input(key="ws_new_title").input("Tea, from scratch").run()
    at.button(key="ws_new_make").click().run()
    no_exception(at)
    content = store.study_draft("tea-from-scratch").content
    assert content["statements"] == [] and content["presort_piles"]


def test_new_study_problems_are_one_line_messages(world):
    store, ana, tokens = world
    at = run_page("studies", tokens["ana"])
    at.button(key="ws_new_make").click().run()                       # scratch, no title
    assert "Please give the study a title." in [e.value for e in at.error]
    at.radio(key="ws_new_source").set_value("csv").run()
    at.text_input(key="ws_new_title").input("T").run()
    at.file_uploader(key="ws_new_file_csv").set_value(("s.csv", b"\xff\xfe", "text/csv")).run()
    at.button(key="ws_new_make").click().run()
    no_exception(at)
    assert any("not UTF-8" in e.value for e in at.error)
    assert not [w for w in store.workspace_studies(ana) if w.status == "draft"]     # none made
    # a study file with a problem is kept as written, the problem shown on Design
    broken = (ROOT / "statements/coproduction.yaml").read_text().replace(
        "heights: [2, 3, 4, 6, 6, 6, 4, 3, 2]", "heights: [2, 3, 4, 6, 6, 6, 4, 3, 3]")
    at.radio(key="ws_new_source").set_value("yaml").run()
    at.file_uploader(key="ws_new_file_yaml").set_value(("b.yaml", broken.encode(), "x")).run()
    at.button(key="ws_new_make").click().run()
    no_exception(at)
    draft = store.study_draft("coproduction-2")          # the file's slug was taken
    assert draft.content["grid"]["heights"][-1] == 3


def test_design_editor_saves_changes_and_shows_problems_by_field(world):
    store, ana, tokens = world
    make_study(store, ana, statements=DEFN.statements[:9])
    at = run_page("design", tokens["ana"], slug="mine")
    no_exception(at)
    assert "No problems: the study can be published." in [s.value for s in at.success]
    title = [t for t in at.text_input if t.label == "Title"][0]
    title.input("A better title").run()
    assert store.study_draft("mine").content["title"] == "A better title"
    welcome = [t for t in at.text_area if t.label == "Welcome"][0]
    welcome.input("").run()
    no_exception(at)
    assert "the welcome text is empty" in [e.value for e in at.error]           # next to it
    assert any("1 problem to fix" in e.value for e in at.error)
    assert at.button(key="ws_publish").disabled
    # every part of the editor draws (tables included), for a study with no statements too
    for section in ("statements", "grid", "piles", "questions", "texts"):
        at.segmented_control(key="ws_section_mine").set_value(section).run()
        no_exception(at)
    at.segmented_control(key="ws_section_mine").set_value("grid").run()
    heights = [n for n in at.number_input if n.label in ("-2", "-1", "0", "+1", "+2")]
    assert [h.value for h in heights] == [1, 2, 3, 2, 1]
    heights[2].set_value(4).run()
    assert store.study_draft("mine").content["grid"]["heights"] == [1, 2, 4, 2, 1]
    assert any("the grid columns hold 10 statements" in e.value for e in at.error)
    at.button(key=[b for b in at.button if b.label.startswith("Use the suggested shape")][0].key) \
        .click().run()
    assert store.study_draft("mine").content["grid"]["heights"] == [1, 2, 3, 2, 1]
    [n for n in at.number_input if n.label == "Highest score"][0].set_value(3).run()
    g = store.study_draft("mine").content["grid"]
    assert (g["low"], g["high"], g["heights"]) == (-2, 3, [1, 2, 3, 2, 1, 0])
    assert g["labels"][-1] == "Most agree"
    no_exception(at)
    empty = new_study_content("empty", "Empty", [])
    store.create_study("empty", empty, owner=ana)
    at = run_page("design", tokens["ana"], slug="empty")
    for section in ("statements", "grid", "piles", "questions"):
        at.segmented_control(key="ws_section_empty").set_value(section).run()
        no_exception(at)


def test_publish_close_purge_reopen_and_new_version(world):
    store, ana, tokens = world
    make_study(store, ana)
    at = run_page("design", tokens["ana"], slug="mine")
    at.button(key="ws_publish").click().run()
    no_exception(at)
    assert store.study_status("mine") == "open" and store.get_study("mine").version == 1
    assert any("Published version 1" in s.value for s in at.success)
    [token] = store.create_invitations("mine", 1)
    store.record_consent(token)                       # someone who started and never finished
    at.checkbox(key="ws_close_purge").check().run()
    at.button(key="ws_close").click().run()
    assert store.study_status("mine") == "closed"
    assert store.get_session(token).status == "new"   # the unfinished sort is gone
    at.button(key="ws_reopen").click().run()
    assert store.study_status("mine") == "open"
    at.button(key="ws_new_version").click().run()
    no_exception(at)
    assert store.study_draft("mine").base_version == 1
    assert [e.action for e in store.study_events("mine")][:4] == \
        ["new_draft", "reopen", "purge", "close"]


def test_preview_walks_the_participant_steps_and_stores_nothing(world):
    store, ana, tokens = world
    make_study(store, ana)
    at = run_page("preview", tokens["ana"], slug="mine")
    no_exception(at)
    assert any("Preview of the draft: nothing is stored." in w.value for w in at.warning)
    at.checkbox(key="qs_consent").check().run()
    at.button(key="qs_start").click().run()
    no_exception(at)
    assert any("How to sort" in h.value for h in at.subheader)
    at.button(key="qs_instruction_next").click().run()
    no_exception(at)
    assert at.session_state["qp_preview"].step == "presort"
    step_box = [s for s in at.selectbox if s.key.startswith("ws_pv_step_")][0]
    step_box.set_value("postsort").run()
    no_exception(at)
    assert at.session_state["qp_preview"].step == "postsort"
    assert store.invitations("mine") == []                     # no link, no session, nothing
    at.button(key="ws_pv_restart").click().run()
    assert at.session_state["qp_preview"].step == "welcome"


def test_invitations_page_makes_links_and_lists_them(world):
    store, ana, tokens = world
    make_study(store, ana, publish=True)
    at = run_page("invitations", tokens["ana"], slug="mine")
    no_exception(at)
    assert at.code[0].value.endswith("/?study=mine")          # the open link, with its QR code
    form_count = [n for n in at.number_input if n.label == "How many links"][0]
    form_count.set_value(3)
    [t for t in at.text_input if t.label == "Label (optional)"][0].input("pilot")
    [b for b in at.button if b.label == "Make the links"][0].click().run()
    no_exception(at)
    links = at.code[1].value.splitlines()
    assert len(links) == 3 and all("/?study=mine&t=" in link for link in links)
    assert {i.label for i in store.invitations("mine")} == {"pilot"}
    states = {m.label: m.value for m in at.metric}
    assert states["not opened"] == "3" and states["finished"] == "0"
    # an open-link participant is listed, but their personal link is theirs alone
    token = store.open_link("mine")
    at.run()
    table = at.dataframe[0].value
    assert list(table["kind"]).count("open link") == 1
    assert table.loc[table["kind"] == "open link", "link"].tolist() == [""]
    assert not any(token in str(v) for v in table.to_numpy().ravel())


def test_monitoring_and_one_response(world):
    store, ana, tokens = world
    make_study(store, ana, publish=True)
    rid, _ = complete_sorts(store, "mine", 2)
    at = run_page("monitor", tokens["ana"], slug="mine")
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Finished"] == "2" and metrics["Consented"] == "2"
    assert metrics["Completion rate"] == "100%"
    text = shown_text(at)
    assert "**2** of 2 responses break a rule" in text              # 5 s: too fast
    at.number_input(key="ws_too_fast").set_value(0.0).run()
    assert "**0** of 2 responses break a rule" in shown_text(at)
    # one response: exclude (with a reason), include, delete (confirmed)
    at = run_page("response", tokens["ana"], slug="mine", response=str(rid))
    no_exception(at)
    assert any("Response r0001" in s.value for s in at.subheader)
    assert DEFN.statements[0].text in "".join(str(h.proto) for h in at.get("html"))
    assert at.button(key="ws_exclude").disabled                     # no reason yet
    at.text_input(key="ws_exclude_reason").input("  ").run()
    assert at.button(key="ws_exclude").disabled
    at.text_input(key="ws_exclude_reason").input("sorted in 5 seconds").run()
    at.button(key="ws_exclude").click().run()
    no_exception(at)
    assert store.response("mine", rid).exclusion_reason == "sorted in 5 seconds"
    assert any("Excluded from the analysis" in w.value for w in at.warning)
    at.button(key="ws_include").click().run()
    assert not store.response("mine", rid).excluded
    assert at.button(key="ws_delete").disabled                      # asks to confirm first
    at.checkbox(key="ws_delete_sure").check().run()
    at.button(key="ws_delete").click().run()
    no_exception(at)
    assert [r.id for r in store.responses("mine")] != [rid] and len(store.responses("mine")) == 1


def test_demo_study_is_read_only_everywhere(world):
    store, ana, tokens = world
    for name in ("design", "monitor", "invitations"):
        at = run_page(name, tokens["bo"], slug="coproduction-demo")
        no_exception(at)
        labels = {b.label for b in at.button}
        assert not labels & {"Publish", "Make a new version", "Make the links", "Close"}
    rid = store.responses("coproduction-demo")[0].id
    at = run_page("response", tokens["bo"], slug="coproduction-demo", response=str(rid))
    no_exception(at)
    assert not at.button and not at.text_input


def test_sharing_from_the_design_page(world):
    store, ana, tokens = world
    make_study(store, ana, publish=True)
    at = run_page("design", tokens["ana"], slug="mine")
    [t for t in at.text_input if t.label.startswith("Share with")][0].input("bo@example.org")
    [b for b in at.button if b.label == "Share"][0].click().run()
    no_exception(at)
    bo = store.researcher_by_email("bo@example.org").id
    assert store.study_role("mine", bo) == "editor"
    at = run_page("studies", tokens["bo"])
    assert "shared with you by ana@example.org" in shown_text(at)
    at = run_page("design", tokens["bo"], slug="mine")
    at.button(key="ws_unshare_bo@example.org").click().run()        # bo leaves
    assert [m.email for m in store.study_members("mine")] == ["ana@example.org"]


def test_first_run_sign_in_throttling_and_sign_out(tmp_path):
    with app_store("sqlite:///" + str(tmp_path / "signin.sqlite3")) as store:
        at = run_page("signin", None)
        assert "Welcome: make the first researcher account" in [t.value for t in at.title]
        inputs = {t.label: t for t in at.text_input}
        inputs["Email"].input("ana@example.org")
        inputs["Password (at least 8 characters)"].input("correct horse")
        inputs["The password again"].input("correct horse")
        at.button[0].click().run()
        no_exception(at)
        assert store.count_researchers() == 1
        assert store.session_researcher(at.session_state[TOKEN]).email == "ana@example.org"
        # signing in: wrong passwords, then the wait
        at = run_page("signin", None)
        assert [t.value for t in at.title] == ["Researchers"]           # no first-run any more
        for _ in range(5):
            at.text_input(key="qp_signin_email").input("ana@example.org")
            at.text_input(key="qp_signin_password").input("wrong")
            at.button[0].click().run()
        assert "The email or the password is not right." in [e.value for e in at.error]
        at.text_input(key="qp_signin_password").input("correct horse")
        at.button[0].click().run()
        assert any("Too many failed sign-ins" in e.value for e in at.error)
        # signing out ends the session in the database (another account: ana must wait)
        store.create_researcher("cy@example.org", "correct horse")
        token = store.sign_in("cy@example.org", "correct horse", "elsewhere")
        at = run_page("account", token)
        no_exception(at)
        at.button(key="qp_sign_out").click().run()
        no_exception(at)
        assert store.session_researcher(token) is None
        assert at.session_state["qp_signed_out"] and TOKEN not in at.session_state
        assert at.session_state["qp_cookie_pending"]["value"] == ""      # the cookie is cleared
