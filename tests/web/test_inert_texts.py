"""Every text a study file, a researcher or a participant supplies stays inert
on every page: a study whose title, description, welcome, consent,
instruction, thank-you text, statements, grid and pile labels, questions,
options and own wording (``messages``) all hold script, HTML and link
payloads is taken part in (open link, consent, every step, submit, the
"already taken part" page), its response opened by the researcher
(monitoring, the response page) and a results page published with the
payloads in it. On every page: no script ran (no dialog, no window flag), no
element carries a payload's handler, no image or frame loads a payload's
address, no link leads out of the app (participant pages) or to a payload's
address (all pages), and the payloads are shown as the text written.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from playwright.sync_api import expect
from qsweb import grid_columns, link, wait_step

from studies.loader import load_study

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DEFN = load_study(ROOT / "statements" / "coproduction.yaml")
SLUG = "inert-texts"
PAYLOADS = [
    "<script>window.__xss='script';alert('script')</script>",
    "<img src=x onerror=\"window.__xss='img';alert('img')\">",
    "[js link](javascript:window.__xss='jslink';alert('jslink'))",
    "[evil link](http://evil.example/steal)",
    "<http://evil.example/autolink>",
    "bare http://evil.example/bare",
    "www.evil.example/www",
    "mail evil@evil.example",
    "<iframe src=\"javascript:window.__xss='iframe';alert('iframe')\"></iframe>",
    "<svg onload=\"window.__xss='svg';alert('svg')\"></svg>",
    "![image](http://evil.example/pixel.png)",
    "<a href=\"http://evil.example/a\">html link</a>",
    "\"><script>window.__xss='attr';alert('attr')</script>",
    "<details open ontoggle=\"window.__xss='details';alert('details')\">x</details>",
    "[ref link][r]\n\n[r]: http://evil.example/ref",
    "<object data=\"http://evil.example/object\"></object>",
    "$\\href{http://evil.example/katex}{maths}$",
    "<style>*{display:none!important}</style>",
]
# what each payload shows, in part, when shown as text
VISIBLE = ["<script>window.__xss='script'", "onerror=", "[js link](javascript:",
           "[evil link](http://evil.example/steal)", "<http://evil.example/autolink>",
           "http://evil.example/bare", "www.evil.example/www", "evil@evil.example",
           "<iframe src=", "<svg onload=", "![image](http://evil.example/pixel.png)",
           "<a href=\"http://evil.example/a\">", "<details open ontoggle="]
ONE_LINE = " ".join(p.replace("\n", " ") for p in PAYLOADS)
BLOCK = "\n\n".join(PAYLOADS)

INSPECT_JS = """() => {
  const all = [];
  const walk = root => root.querySelectorAll('*').forEach(e => {
    all.push(e); if (e.shadowRoot) walk(e.shadowRoot); });
  walk(document);
  const bad = /evil|javascript:|__xss|alert\\(/i;
  const links = all.filter(e => e.tagName === 'A' && e.hasAttribute('href'))
    .map(e => e.href).filter(h => { try { return new URL(h).origin !== location.origin; }
                                    catch (err) { return true; } });
  const handlers = all.filter(e => Array.from(e.attributes).some(
    a => a.name.startsWith('on') && bad.test(a.value))).map(e => e.outerHTML.slice(0, 160));
  const loads = all.filter(e => ['img', 'iframe', 'object', 'embed', 'image', 'script']
    .includes(e.tagName.toLowerCase()) && bad.test(e.outerHTML)).map(e => e.outerHTML.slice(0, 160));
  const text = [document.body.innerText].concat(
    all.filter(e => e.shadowRoot).map(e => e.shadowRoot.textContent)).join('\\n');
  return {links, handlers, loads, flag: window.__xss || null, text: text.replace(/\\u2060/g, '')};
}"""


def study_content() -> dict:
    content = copy.deepcopy(DEFN.to_dict())
    content.update(slug=SLUG, title="Inert " + ONE_LINE, description=BLOCK, welcome=BLOCK,
                   consent=BLOCK, instruction=BLOCK, thank_you=BLOCK,
                   messages={"Start": "Start [x](http://evil.example/msg) <b onclick=alert(1)>"})
    for k, s in enumerate(content["statements"]):
        s["text"] = f"{s['text']} {PAYLOADS[k % len(PAYLOADS)]}"
    content["grid"]["labels"] = [f"{lab} {PAYLOADS[k]}" for k, lab in
                                 enumerate(content["grid"]["labels"])]
    for k, pile in enumerate(content["presort_piles"]):
        pile["label"] = f"{pile['label']} {PAYLOADS[k + 3]}"
    for q in content["postsort_questions"] + content["demographic_questions"]:
        q["text"] = f"{q['text']} {ONE_LINE}"
        q["options"] = [f"{o} {PAYLOADS[k]}" for k, o in enumerate(q.get("options") or [])]
    return content


@pytest.fixture(scope="module")
def world(store):
    """The payload study (published, owned by a researcher) and the researcher's sign-in."""
    email = "inert@example.org"
    owner = store.create_researcher(email, "correct horse battery")
    store.create_study(SLUG, study_content(), owner=owner)
    store.publish_study_draft(SLUG, by=owner)
    return store, store.sign_in(email, "correct horse battery")


def check(page, where: str, *, participant: bool = True, shows: list[str] = VISIBLE) -> dict:
    """The page's payloads are inert (and shown as text, waiting up to 10 s for
    the page to finish drawing)."""
    for _ in range(50):
        found = page.evaluate(INSPECT_JS)
        assert found["flag"] is None, (where, found["flag"])
        assert not found["handlers"], (where, found["handlers"])
        assert not found["loads"], (where, found["loads"])
        outside = found["links"] if participant else [
            h for h in found["links"] if "evil" in h or h.startswith(("javascript", "mailto"))]
        assert not outside, (where, outside)
        missing = [v for v in shows if v not in found["text"]]
        if not missing:
            return found
        page.wait_for_timeout(200)
    raise AssertionError(f"{where}: not shown as text: {missing}")


def test_payloads_stay_text_on_every_page(world, browser, app_url):
    store, researcher = world
    dialogs = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # the study list, the welcome and consent (open link)
    page.goto(app_url + "/")
    expect(page.get_by_text("Inert <script>", exact=False).first).to_be_visible(timeout=20_000)
    check(page, "home")
    page.goto(link(app_url, study=SLUG))
    wait_step(page, "welcome")
    check(page, "welcome")
    page.get_by_text("I have read this information").click()
    page.get_by_role("button", name="Start").click()
    wait_step(page, "instruction")
    token = page.evaluate("() => new URL(location.href).searchParams.get('t')")
    assert token
    check(page, "instruction")

    # every later step, from the server's draft (as the pages leave it)
    piles = {s.id: "agree" for s in DEFN.statements}
    answers = {q.id: ONE_LINE for q in DEFN.postsort_questions if q.kind == "textarea"}
    for step in ("presort", "grid", "postsort", "demographics"):
        draft = {"presort": {"rev": 1, "ts": 1, "piles": piles}}
        if step != "presort":
            draft["grid"] = {"rev": 1, "ts": 1, "columns": grid_columns()}
        if step == "demographics":
            draft["answers"] = answers
        store.save_draft(token, draft, step=step)
        page.goto(link(app_url, token, study=SLUG))
        wait_step(page, step)
        check(page, step, shows=VISIBLE if step != "grid" else VISIBLE[:2])
    page.get_by_role("button", name="Submit").click()
    wait_step(page, "thanks")
    check(page, "thanks")
    page.goto(link(app_url, study=SLUG))          # the open link again: "already taken part"
    expect(page.get_by_text("Inert <script>", exact=False).first).to_be_visible()
    check(page, "taken part", shows=VISIBLE[:2])

    # the researcher's monitoring and the response (the participant's answers)
    ctx.add_cookies([{"name": "qp_session", "value": researcher, "url": app_url}])
    page.goto(f"{app_url}/monitoring?slug={SLUG}")
    expect(page.get_by_role("heading", name="Monitoring")).to_be_visible()
    check(page, "monitoring", participant=False, shows=[])
    [response] = store.responses(SLUG)
    page.goto(f"{app_url}/response?slug={SLUG}&response={response.id}")
    expect(page.get_by_role("heading", name=f"Response {response.participant}", exact=False)) \
        .to_be_visible()
    check(page, "response", participant=False, shows=VISIBLE[:2])

    # a results page whose texts hold the payloads
    from webapp.results.demo_results import ensure_demo_results

    ensure_demo_results(store)
    content = copy.deepcopy(store.demo_results("coproduction-demo").content)
    _poison(content)
    token = store.publish_results(SLUG, content).token
    page.goto(f"{app_url}/results?r={token}")
    expect(page.get_by_role("heading", level=1).first).to_contain_text("<script>")
    check(page, "results", participant=False, shows=VISIBLE[:2])

    assert dialogs == []
    ctx.close()


def _poison(node) -> None:
    """Put the payloads into every title, name, text and narrative of a report."""
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, str) and key in ("title", "name", "text", "narrative", "label"):
            node[key] = ("Inert " if key == "title" else "") + value + " " + ONE_LINE
        elif isinstance(value, (dict, list)):
            _poison(value)
