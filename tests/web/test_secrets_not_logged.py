"""No secret reaches a log: the app runs on a PostgreSQL URL that carries a
password, with Python's logging at INFO for every logger (what an operator
turns on to see more), while a researcher signs in (once with a wrong
password), participants take part by invitation and by the open link, a
results page is published and read, and broken links and tokens are tried;
then a second app is started on a database it cannot reach, with the same
password in its URL. Neither server's output (stdout, stderr and every
logging record) holds the password, the URL with it, a participant's token,
the researcher's password or sign-in cookie, or a results link's token."""
from __future__ import annotations

import pytest
from appserver import ROOT, running_app
from pgtools import PG_URL, fresh_schema, schema_url
from playwright.sync_api import expect
from qsweb import STUDY, link, wait_step
from sqlalchemy.engine import make_url

from storage import Store

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

DB_PASSWORD = "Db-Pw-7f3a9c1e"              # trust auth on the test server: any password works
EMAIL, PASSWORD = "logs@example.org", "Researcher-Pw-2b8d4e"
# every logger at INFO, to stderr (the server's output), before the app imports anything
SITECUSTOMIZE = ("import logging, sys\n"
                 "logging.basicConfig(level=logging.INFO, stream=sys.stderr,\n"
                 "                    format='%(levelname)s %(name)s %(message)s')\n")


def with_password(url: str, port: int | None = None) -> str:
    u = make_url(url).set(password=DB_PASSWORD)
    if port is not None:
        u = u.set(port=port)
    return u.render_as_string(hide_password=False)


def secrets_in(text: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, value in secrets.items() if value and value in text]


def test_no_password_url_or_token_reaches_a_log(browser, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {"PYTHONPATH": f"{site}:{ROOT}", "STREAMLIT_LOGGER_LEVEL": "info"}
    log = tmp_path / "app.log"
    secrets: dict[str, str] = {"database password": DB_PASSWORD,
                               "researcher password": PASSWORD}
    with fresh_schema() as schema:
        url = schema_url(schema, with_password(PG_URL))
        secrets["database URL"] = url
        secrets["database URL without options"] = with_password(PG_URL)
        with running_app(url, log, env=env) as base:
            store = Store.from_url(url)
            try:
                store.create_researcher(EMAIL, PASSWORD)
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                ctx.set_default_timeout(20_000)
                page = ctx.new_page()
                # a researcher signs in (a wrong password first)
                page.goto(base + "/signin")
                page.get_by_label("Email").fill(EMAIL)
                page.get_by_label("Password", exact=True).fill(PASSWORD + "-wrong")
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_text("The email or the password is not right.")).to_be_visible()
                page.get_by_label("Password", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_text(f"You are signed in as {EMAIL}").first).to_be_visible()
                page.wait_for_function("() => document.cookie.includes('qp_session=')")
                secrets["sign-in cookie"] = next(c["value"] for c in ctx.cookies()
                                                 if c["name"] == "qp_session")
                page.goto(f"{base}/monitoring?slug={STUDY}")
                expect(page.get_by_role("heading", name="Monitoring")).to_be_visible()

                # participants: an invitation, the open link, a broken token
                [invited] = store.create_invitations(STUDY, 1)
                secrets["invitation token"] = invited
                page.goto(link(base, invited))
                wait_step(page, "welcome")
                page.get_by_text("I have read this information").click()
                page.get_by_role("button", name="Start").click()
                wait_step(page, "instruction")
                other = browser.new_context()
                visitor = other.new_page()
                visitor.goto(link(base))
                wait_step(visitor, "welcome")
                visitor.get_by_text("I have read this information").click()
                visitor.get_by_role("button", name="Start").click()
                wait_step(visitor, "instruction")
                secrets["open-link token"] = visitor.evaluate(
                    "() => new URL(location.href).searchParams.get('t')")
                visitor.goto(link(base, "not-a-real-token-" + "x" * 30))
                wait_step(visitor, "problem-bad_token")
                other.close()

                # a results page, its link read, and a bad one
                from webapp.results.demo_results import ensure_demo_results

                ensure_demo_results(store)
                published = store.publish_results(
                    STUDY, store.demo_results("coproduction-demo").content)
                secrets["results token"] = published.token
                page.goto(f"{base}/results?r={published.token}")
                expect(page.locator("[data-section=stale], .qr h1").first).to_be_visible()
                page.goto(f"{base}/results?r=" + "y" * 32)
                page.wait_for_timeout(1500)
                ctx.close()
            finally:
                store.close()
        served = log.read_text(errors="replace")

    # the same password for a database that cannot be reached: the error is logged
    down_log = tmp_path / "down.log"
    down = with_password(PG_URL, port=9)            # nothing listens on port 9
    with running_app(down, down_log, env=env) as base:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(base + "/")
        expect(page.get_by_text("We lost the connection").first).to_be_visible(timeout=30_000)
        ctx.close()
    failed = down_log.read_text(errors="replace")
    assert "cannot open the database" in failed          # the log does say what went wrong

    assert "INFO" in served                               # logging was on at INFO
    assert secrets_in(served, secrets) == [], served[-3000:]
    assert secrets_in(failed, {**secrets, "unreachable URL": down}) == [], failed[-3000:]
