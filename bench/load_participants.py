"""Many participants at once, through the storage and submission path, with a
sample of them in Chromium through the real server at the same time.

    .venv/bin/python bench/load_participants.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/load_participants.py --backend postgres --participants 400
    QP_BENCH_POSTGRES_URL=postgresql://... .venv/bin/python bench/load_participants.py

Each simulated participant (``tests/faultkit.py``) is a whole session, as the
app's pages make it: the open link (a token), consent, the pre-sort draft,
``--drafts`` grid drafts, the answers, the submission; between two steps it
waits ``--think`` seconds (about 0.5 to 1.5 times that; a real participant
takes minutes, so this is a crowd far busier than its size). ``--participants``
of them run at once, each in its own thread, spread over ``--processes``
processes (as over app replicas) and started over ``--ramp`` seconds.

Meanwhile ``--browsers`` participants take part in headless Chromium through a
real ``streamlit run app.py`` on the same database: the grid filled by
keyboard, Continue, the questions, Submit.

Printed: throughput (store calls and finished sessions per second), server
time of each store call (p50, p95, p99: the time the app's page spends in the
store, which is what a participant waits for beyond the network), the
browser's time from a click to the next step on screen, and what the database
holds against what participants were told: lost (acknowledged but not stored
as acknowledged) and duplicated (a token with two responses). The load
average is printed at the start and the end: other work on the machine makes
every time longer.

The open link's caps on new sessions (``storage/limits.py``) are turned off
for the crowd: 200 starts in seconds from simulated addresses would trip them
by design. The PostgreSQL run uses a fresh schema (dropped at the end) on
``QP_BENCH_POSTGRES_URL`` (default: the test server, 127.0.0.1:5432/test).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests", ROOT / "tests" / "web"):
    sys.path.insert(0, str(extra))

TARGET_P95_MS = 200.0
os.environ["QP_OPEN_LINK_PER_STUDY"] = "0"
os.environ["QP_OPEN_LINK_PER_CLIENT"] = "0"


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


# ---------------------------------------------------------------------------
# the crowd: one process's share
# ---------------------------------------------------------------------------
def crowd_process(url: str, schema: str | None, count: int, index: int, args: dict,
                  ready, go, results) -> None:
    from faultkit import Participant, Timer

    from storage import Store

    store = Store.from_url(url, schema=schema)
    defn = store.get_study("coproduction").definition
    timer = Timer()
    lines: list[str] = []
    errors: list[str] = []
    ready.put(index)
    go.wait()
    start = time.monotonic()

    def one(i: int) -> None:
        time.sleep(args["ramp"] * i / max(1, count))
        try:
            Participant(store, defn, lines.append, drafts=args["drafts"], think=args["think"],
                        timer=timer, client=f"10.{index}.{i // 250}.{i % 250}").run()
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(f"{type(exc).__name__}: {exc}"[:300])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put({"samples": dict(timer.samples), "lines": lines, "errors": errors,
                 "seconds": time.monotonic() - start})
    store.close()


# ---------------------------------------------------------------------------
# the browser sample
# ---------------------------------------------------------------------------
def browser_participant(browser, base: str, store, steps: dict[str, list[float]]) -> str:
    """One participant in Chromium from the grid to the thank-you page; its token."""
    from qsweb import DESKTOP, link, place_by_keyboard, session_at, wait_step

    token = session_at(store, "grid")
    ctx = browser.new_context(**DESKTOP)
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()

    def timed(name: str, action, step: str) -> None:
        t0 = time.perf_counter()
        action()
        wait_step(page, step, timeout=60_000)
        steps[name].append(time.perf_counter() - t0)

    try:
        timed("open the grid", lambda: page.goto(link(base, token)), "grid")
        place_by_keyboard(page, 36)
        timed("grid -> questions", lambda: page.locator(".qs-done").click(), "postsort")
        timed("questions -> about you",
              lambda: page.get_by_role("button", name="Continue").click(), "demographics")
        timed("submit -> thank you",
              lambda: page.get_by_role("button", name="Submit").click(), "thanks")
    finally:
        ctx.close()
    return token


def browser_sample(base: str, store, n: int, started: threading.Event) -> dict:
    """``n`` participants in Chromium, one after another, while the crowd runs."""
    from playwright.sync_api import sync_playwright
    from qsweb import CHROMIUM, CHROMIUM_ARGS

    steps: dict[str, list[float]] = {"open the grid": [], "grid -> questions": [],
                                     "questions -> about you": [], "submit -> thank you": []}
    tokens = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            started.wait()
            for _ in range(n):
                tokens.append(browser_participant(browser, base, store, steps))
        finally:
            browser.close()
    return {"steps": steps, "tokens": tokens}


# ---------------------------------------------------------------------------
def run_backend(name: str, args) -> dict:
    from faultkit import Journal, check

    from storage import Store
    from studies.seed import ensure_coproduction

    cleanup = None
    if name == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="qp-load-"))
        url, schema = f"sqlite:///{folder / 'load.sqlite3'}", None
        app_url = url
    else:
        from pgtools import schema_url

        from storage.db import drop_schema, make_engine
        url = os.environ.get("QP_BENCH_POSTGRES_URL",
                             "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        schema = "qp_bench_" + secrets.token_hex(5)
        app_url = schema_url(schema, url)

        def cleanup():
            engine = make_engine(url)
            drop_schema(engine, schema)
            engine.dispose()
    store = Store.from_url(url, schema=schema)
    ensure_coproduction(store)
    try:
        ctx = mp.get_context("spawn")
        ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        shares = [args.participants // args.processes + (1 if i < args.participants % args.processes
                                                          else 0) for i in range(args.processes)]
        settings = {"ramp": args.ramp, "drafts": args.drafts, "think": args.think}
        procs = [ctx.Process(target=crowd_process, args=(url, schema, n, i, settings, ready, go,
                                                         results))
                 for i, n in enumerate(shares)]
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=300)
        sample: dict = {}
        started = threading.Event()
        browser_thread = None
        app = None
        if args.browsers:
            from appserver import running_app
            app = running_app(app_url, Path(tempfile.mkdtemp(prefix="qp-load-app-")) / "app.log")
            base = app.__enter__()
            import urllib.request
            urllib.request.urlopen(base + "/", timeout=60).read()      # warm, before the clock

            def drive():
                try:
                    sample.update(browser_sample(base, store, args.browsers, started))
                except Exception as exc:  # noqa: BLE001 - reported
                    sample["error"] = f"{type(exc).__name__}: {exc}"[:300]

            browser_thread = threading.Thread(target=drive)
            browser_thread.start()
        load_start = os.getloadavg()[0]
        t0 = time.monotonic()
        go.set()
        started.set()
        outs = [results.get(timeout=3600) for _ in procs]
        crowd_seconds = time.monotonic() - t0
        for p in procs:
            p.join()
        if browser_thread is not None:
            browser_thread.join()
            app.__exit__(None, None, None)
        load_end = os.getloadavg()[0]
        journal = Journal()
        samples: dict[str, list[float]] = {}
        errors = []
        for out in outs:
            for line in out["lines"]:
                journal.read(line)
            for kind, values in out["samples"].items():
                samples.setdefault(kind, []).extend(values)
            errors.extend(out["errors"])
        sample_tokens = frozenset(sample.get("tokens", []))
        try:
            figures = check(store, journal, others=sample_tokens)
            verdict = "ok"
        except AssertionError as exc:
            figures, verdict = {}, f"FAILED: {exc}"
        from faultkit import stored_responses
        stored = stored_responses(store)
        browser_stored = [len(stored.get(t, [])) for t in sample_tokens]
        return {"backend": name, "samples": samples, "errors": errors, "figures": figures,
                "verdict": verdict, "seconds": crowd_seconds, "load": (load_start, load_end),
                "sample": sample, "browser_stored": browser_stored}
    finally:
        store.close()
        if cleanup:
            cleanup()


def report(r: dict, args) -> bool:
    every = [x for v in r["samples"].values() for x in v]
    calls = len(every)
    finished = r["figures"].get("submitted", 0)
    print(f"\n## {r['backend']}: {args.participants} participants at once "
          f"({args.processes} process{'es' if args.processes > 1 else ''}, ramp {args.ramp:g} s, think {args.think:g} s, "
          f"{args.drafts} grid drafts each)")
    print(f"load average {r['load'][0]:.1f} at the start, {r['load'][1]:.1f} at the end "
          f"({os.cpu_count()} cores); {date.today().isoformat()}")
    print(f"{calls} store calls in {r['seconds']:.1f} s: {calls / r['seconds']:.0f} calls/s, "
          f"{finished / r['seconds']:.1f} finished sessions/s")
    print("| store call | n | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in ["open_link", "consent", "draft", "submit", "all"]:
        values = every if kind == "all" else r["samples"].get(kind, [])
        if values:
            print(f"| {kind} | {len(values)} | {statistics.median(values) * 1000:.1f} | "
                  f"{pct(values, .95) * 1000:.1f} | {pct(values, .99) * 1000:.1f} | "
                  f"{max(values) * 1000:.1f} |")
    f = r["figures"]
    print(f"responses: {f.get('submitted', '?')} acknowledged, {f.get('stored', '?')} stored, "
          f"lost {f.get('lost', '?')}, duplicated {f.get('duplicated', '?')}, "
          f"wrong {f.get('wrong', '?')}; errors {len(r['errors'])}; check: {r['verdict']}")
    if r["errors"]:
        print("  first errors:", r["errors"][:3])
    s = r["sample"]
    if args.browsers:
        if "error" in s:
            print(f"browser sample FAILED: {s['error']}")
        else:
            print(f"browser sample: {len(s['tokens'])} participants in Chromium through "
                  f"streamlit run app.py during the load, stored exactly once: "
                  f"{r['browser_stored'] == [1] * len(s['tokens'])}")
            print("| browser step (click to next step on screen) | n | p50 (ms) | max (ms) |")
            print("|---|---:|---:|---:|")
            for name, values in s["steps"].items():
                if values:
                    print(f"| {name} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                          f"{max(values) * 1000:.0f} |")
    p95 = pct(every, .95) * 1000
    ok = (r["verdict"] == "ok" and not r["errors"] and p95 < TARGET_P95_MS
          and (not args.browsers or r["browser_stored"] == [1] * args.browsers))
    print(f"target (p95 < {TARGET_P95_MS:.0f} ms, 0 lost, 0 duplicated): "
          f"{'met' if ok else 'NOT met'} (p95 {p95:.1f} ms)")
    return ok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--participants", type=int, default=200)
    p.add_argument("--processes", type=int, default=None,
                   help="processes the crowd is spread over (default: 1 for SQLite, which "
                        "serves one machine's one app process, 2 for PostgreSQL, as two replicas)")
    p.add_argument("--think", type=float, default=2.0)
    p.add_argument("--drafts", type=int, default=8)
    p.add_argument("--ramp", type=float, default=20.0)
    p.add_argument("--browsers", type=int, default=3)
    args = p.parse_args()
    ok = True
    chosen = args.processes
    for name in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        args.processes = chosen or (1 if name == "sqlite" else 2)
        ok = report(run_backend(name, args), args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
