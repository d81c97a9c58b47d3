"""Two app replicas behind nginx over one PostgreSQL database, as
``deploy/`` sets them up: participants in real Chromium go through nginx; the
replica serving one of them is SIGKILLed in the middle of the grid, and that
participant finishes on the other replica, nothing lost, nothing doubled.
Also through nginx: Streamlit's metrics are not public, the pages cannot be
framed and send no referrer, and the open link's cap on new sessions per
client holds (a client cannot dodge it with its own X-Forwarded-For).

nginx runs as an ordinary process with a configuration rendered into a
temporary folder, on loopback ports; nothing of the machine's nginx is used.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from qsweb import (
    DESKTOP,
    STUDY,
    grid_columns,
    grid_in_dom,
    link,
    place_by_keyboard,
    server_grid,
    session_at,
    wait_step,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
from pgtools import PG_URL, fresh_schema, schema_url  # noqa: E402
from run_replicas import (  # noqa: E402
    nginx_command,
    replica_command,
    replica_env,
    write_nginx_config,
)
from sqlalchemy import func, select  # noqa: E402

from storage import Store  # noqa: E402
from storage import models as m  # noqa: E402
from studies.seed import ensure_coproduction  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
PER_CLIENT = 2


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def wait_http(url: str, procs: list[subprocess.Popen], logs: list[Path], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        dead = [p for p in procs if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            text = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
                             for log in logs if log.exists())
            raise RuntimeError(f"{url} did not answer:\n{text}")
        time.sleep(0.2)


class Cluster:
    def __init__(self, base: str, ports: list[int], replicas: list[subprocess.Popen],
                 store: Store, nginx_dir: Path):
        self.base, self.ports, self.replicas, self.store = base, ports, replicas, store
        self.nginx_dir = nginx_dir

    def replica_of(self, context) -> int:
        """The index of the replica a browser context is stuck to (its cookie)."""
        names = [c["value"] for c in context.cookies() if c["name"] == "qp_replica"]
        assert names, "nginx set no qp_replica cookie"
        return int(names[0][1:]) - 1


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicas")
    with fresh_schema() as schema:
        store = Store.from_url(PG_URL, schema=schema)      # migrated once, before the replicas
        ensure_coproduction(store)
        env = replica_env(dict(os.environ, DATABASE_URL=schema_url(schema),
                               QP_OPEN_LINK_PER_CLIENT=str(PER_CLIENT)))
        ports = [free_port(), free_port()]
        logs = [tmp / f"replica-{p}.log" for p in ports]
        procs = []
        try:
            for port, log in zip(ports, logs):
                with open(log, "wb") as out:
                    procs.append(subprocess.Popen(replica_command(port), cwd=ROOT, env=env,
                                                  stdout=out, stderr=subprocess.STDOUT))
            for port in ports:
                wait_http(f"http://127.0.0.1:{port}/_stcore/health", procs, logs)
            nport = free_port()
            main = write_nginx_config(tmp / "nginx", ports, f"127.0.0.1:{nport}")
            nlog = tmp / "nginx" / "nginx.out"
            with open(nlog, "wb") as out:
                nginx = subprocess.Popen(nginx_command(main), stdout=out, stderr=subprocess.STDOUT)
            procs.append(nginx)
            base = f"http://127.0.0.1:{nport}"
            wait_http(base + "/_stcore/health", procs, logs + [nlog, tmp / "nginx" / "error.log"])
            yield Cluster(base, ports, procs[:2], store, tmp / "nginx")
        finally:
            for p in procs:
                if p.poll() is None:
                    p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            store.close()


def new_context(browser, **extra):
    ctx = browser.new_context(**DESKTOP, **extra)
    ctx.set_default_timeout(30_000)
    return ctx


# ---------------------------------------------------------------------------
def test_metrics_blocked_and_protective_headers(cluster, browser):
    status, headers, _ = get(cluster.base + "/")
    assert status == 200
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "frame-ancestors 'none'"
    assert headers["referrer-policy"] == "no-referrer"
    assert "qp_replica=r" in headers["set-cookie"] and "HttpOnly" in headers["set-cookie"]
    # a static file and an error page carry them too
    status, headers, _ = get(cluster.base + "/_stcore/health")
    assert status == 200 and headers["x-frame-options"] == "DENY"
    for path in ("/_stcore/metrics", "/_stcore/metrics?families=session_events",
                 "/_stcore/metrics/"):
        status, headers, body = get(cluster.base + path)
        assert status == 404 and b"session" not in body, path
        assert headers["referrer-policy"] == "no-referrer"
    # ... while each replica does serve them: the block is nginx's doing
    assert get(f"http://127.0.0.1:{cluster.ports[0]}/_stcore/metrics")[0] == 200

    # Chromium refuses to show the app in another site's frame
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        page.set_content(f'<iframe id="f" src="{link(cluster.base)}" width="800" height="600">'
                         f'</iframe><iframe id="g" src="http://127.0.0.1:{cluster.ports[1]}/" '
                         'width="800" height="600"></iframe>')
        direct = page.frame_locator("#g").locator("[data-testid=stApp]")
        expect(direct).to_be_attached(timeout=30_000)         # framing is detectable ...
        page.wait_for_timeout(1000)
        framed = page.frame_locator("#f").locator("[data-testid=stApp]")
        assert framed.count() == 0                            # ... and through nginx refused
        response = ctx.new_page().goto(link(cluster.base))
        assert response.headers["referrer-policy"] == "no-referrer"
    finally:
        ctx.close()


def test_open_link_cap_per_client_through_nginx(cluster, browser):
    """The open link lets PER_CLIENT new sessions a minute from one address;
    the next visitor is asked to wait, even with a forged X-Forwarded-For
    (nginx sets the header itself)."""
    contexts, pages = [], []
    try:
        for i in range(PER_CLIENT + 1):
            # the last one claims another address: nginx replaces the header
            extra = {"extra_http_headers": {"X-Forwarded-For": "198.51.100.77"}} \
                if i == PER_CLIENT else {}
            contexts.append(new_context(browser, **extra))
            pages.append(contexts[-1].new_page())
            pages[-1].goto(link(cluster.base), wait_until="commit")   # all load at once
        for page in pages:
            wait_step(page, "welcome")
            page.get_by_text("I have read this information").click()
            page.get_by_role("button", name="Start").click()
            if page is not pages[-1]:
                wait_step(page, "instruction")
        page = pages[-1]
        expect(page.get_by_text("Please wait a minute")).to_be_visible()
        expect(page.get_by_text("Nothing about you has been stored")).to_be_visible()
        assert "t=" not in page.url
        page.wait_for_timeout(500)
        assert page.locator(".qs-step[data-step='welcome']").count() == 1
    finally:
        for ctx in contexts:
            ctx.close()
    with cluster.store.engine.connect() as conn:
        opened = conn.execute(select(func.count()).select_from(m.ParticipantToken)
                              .where(m.ParticipantToken.kind == "open")).scalar()
    assert opened == PER_CLIENT


def finish(page, ctx, cards_left: int) -> dict:
    place_by_keyboard(page, cards_left)
    final = grid_in_dom(page)
    page.locator(".qs-done").click()
    wait_step(page, "postsort")
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "demographics")
    page.get_by_role("button", name="Submit").click()
    wait_step(page, "thanks")
    return final


def test_replica_killed_mid_grid(cluster, browser):
    store = cluster.store
    # the victim starts the grid; the other participant has placed all but one card
    almost = grid_columns()
    almost[str(max(int(k) for k in almost))] = almost[str(max(int(k) for k in almost))][:-1]
    tokens = [session_at(store, "grid"), session_at(store, "grid", columns=almost)]
    contexts, pages = [], []
    for token in tokens:
        ctx = new_context(browser)
        page = ctx.new_page()
        page.goto(link(cluster.base, token))
        wait_step(page, "grid")
        contexts.append(ctx)
        pages.append(page)
    try:
        victim_ctx, victim_page, victim_token = contexts[0], pages[0], tokens[0]
        victim = cluster.replica_of(victim_ctx)
        survivor = 1 - victim

        # both sort; the server has the victim's 15 cards
        place_by_keyboard(victim_page, 15)
        expect(victim_page.locator(".qs-saved")).to_have_text("Saved", timeout=20_000)
        assert sum(map(len, server_grid(store, victim_token).values())) == 15

        # SIGKILL the replica that holds the victim's websocket
        proc = cluster.replicas[victim]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # the participant keeps sorting while the page reconnects (to the other replica)
        place_by_keyboard(victim_page, 2)
        deadline = time.monotonic() + 60
        while cluster.replica_of(victim_ctx) != survivor:
            assert time.monotonic() < deadline, "the page never reconnected to the other replica"
            victim_page.wait_for_timeout(250)
        wait_step(victim_page, "grid")
        # the first change sent to the new replica (which has never run this
        # page, so knows none of its callbacks) saves everything
        place_by_keyboard(victim_page, 1)
        expect(victim_page.locator(".qs-saved")).to_have_text("Saved", timeout=30_000)
        on_screen = grid_in_dom(victim_page)
        assert sum(map(len, server_grid(store, victim_token).values())) == 18

        # a browser with nothing kept locally gets the server's draft, from the survivor
        victim_ctx.close()
        ctx = new_context(browser)
        contexts[0] = ctx
        page = ctx.new_page()
        page.goto(link(cluster.base, victim_token))
        wait_step(page, "grid")
        assert cluster.replica_of(ctx) == survivor
        assert grid_in_dom(page) == on_screen
        finals = {victim_token: finish(page, ctx, 36 - 18),
                  tokens[1]: finish(pages[1], contexts[1], 1)}
    finally:
        for ctx in contexts:
            ctx.close()

    # the database: one response each, exactly what was on screen, nothing else
    with store.engine.connect() as conn:
        stored = conn.execute(select(m.ParticipantToken.token, m.Response.id, m.Response.placements)
                              .join(m.Response, m.Response.token_id == m.ParticipantToken.id)
                              .join(m.Study, m.Study.id == m.Response.study_id)
                              .where(m.Study.slug == STUDY)).all()
    assert sorted(t for t, _, _ in stored) == sorted(finals)
    for token, _rid, placements in stored:
        assert placements == finals[token]
