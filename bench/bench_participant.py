"""Server time of each step of the participant's Q-sort.

    .venv/bin/python bench/bench_participant.py               # temporary SQLite file
    .venv/bin/python bench/bench_participant.py --repeat 100
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/bench_participant.py --url env

Two measurements of the Python work behind each step (the browser's work is
not server time: dragging never reaches the server):

1. direct: the page functions and store calls a step runs, timed with
   ``time.perf_counter`` around exactly that work, on fresh participants of
   the co-production study (36 statements);
2. AppTest: a whole Streamlit script run of ``app.py`` for the step (the page
   a participant's browser asks for), with ``streamlit.testing.v1.AppTest``,
   which adds Streamlit's own script-run overhead but no network.

The budget: loading the grid page and submitting must each stay under 200 ms
of server time (median and 95th percentile). The script prints a table and
exits with status 1 when a budgeted step is over.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET_MS = 200.0
STUDY = "coproduction"


def ms(seconds: float) -> float:
    return seconds * 1000.0


def summary(name: str, samples: list[float], budget: float | None = None) -> tuple[str, bool]:
    samples = sorted(samples)
    med = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    ok = budget is None or p95 < budget
    mark = "" if budget is None else (" ok" if ok else " OVER BUDGET")
    line = (f"| {name:<44} | {len(samples):>4} | {med:8.2f} | {p95:8.2f} | {samples[-1]:8.2f} |"
            f" {'' if budget is None else f'< {budget:.0f}'}{mark}")
    return line, ok


def full_grid(p) -> dict:
    numbers = list(range(1, len(p.order) + 1))
    columns, i = {}, 0
    for score, height in zip(p.definition.grid.scores, p.definition.grid.heights):
        columns[str(score)] = numbers[i:i + height]
        i += height
    return {"rev": 7, "columns": columns}


def participant_at(store, step: str):
    """A fresh invited participant whose session is at ``step`` (set up outside the timing)."""
    from webapp.participant import grid, presort
    from webapp.participant import session as s

    token = store.create_invitations(STUDY, 1)[0]
    p = s.load_participant(store, STUDY, token)
    s.give_consent(p)
    order = ["presort", "grid", "postsort", "demographics"]
    if step in order:
        p.save(step="presort")
        if order.index(step) >= 1:
            presort.accept(p, {"rev": 1, "piles": {str(n): "agree" for n in range(1, 37)}})
        if order.index(step) >= 2:
            grid.accept(p, full_grid(p))
        if order.index(step) >= 3:
            p.save(step="demographics", answers={"why_most_agree": "Because.", "missing": "No."})
    return p


def bench_direct(store, repeat: int) -> list[tuple[str, list[float], float | None]]:
    from webapp.participant import grid, presort
    from webapp.participant import session as s

    rows = []
    # welcome -> consent (open link: issue a token, record consent, load)
    t = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = s.begin_open_link(store, STUDY)
        s.give_consent(p)
        t.append(ms(time.perf_counter() - t0))
    rows.append(("consent (open link: token, consent, step)", t, None))

    # the open link clicked again in a browser that took part: look up the
    # personal link it remembers (its cookie) before showing "Welcome back"
    t = []
    for _ in range(repeat):
        token = s.begin_open_link(store, STUDY).token
        t0 = time.perf_counter()
        session = s.remembered_session(store, STUDY, token)
        t.append(ms(time.perf_counter() - t0))
        assert session is not None and session.token == token
    rows.append(("open link again (remembered link lookup)", t, None))

    # the pre-sort page (a new browser session: check the link, build the data)
    ps = [participant_at(store, "presort") for _ in range(repeat)]
    t = []
    for p in ps:
        t0 = time.perf_counter()
        q = s.load_participant(store, STUDY, p.token)
        presort.component_data(q)
        t.append(ms(time.perf_counter() - t0))
    rows.append(("load pre-sort page", t, None))

    t = []
    for p in ps:
        t0 = time.perf_counter()
        presort.accept(p, {"rev": 2, "piles": {str(n): "neutral" for n in range(1, 37)}})
        t.append(ms(time.perf_counter() - t0))
    rows.append(("finish pre-sort (check + save, step)", t, None))

    # the grid page: the budgeted step
    t = []
    for p in ps:
        t0 = time.perf_counter()
        q = s.load_participant(store, STUDY, p.token)
        grid.component_data(q)
        t.append(ms(time.perf_counter() - t0))
    rows.append(("LOAD GRID PAGE (link check + data)", t, BUDGET_MS))

    t = []
    for k, p in enumerate(ps):
        half = {"rev": 3 + k, "columns": {"-4": [1, 2], "0": [3, 4, 5]}}
        t0 = time.perf_counter()
        grid.save_draft(p, half)
        t.append(ms(time.perf_counter() - t0))
    rows.append(("autosave grid draft", t, None))

    t = []
    for p in ps:
        t0 = time.perf_counter()
        grid.accept(p, full_grid(p) | {"rev": 10_000})
        t.append(ms(time.perf_counter() - t0))
    rows.append(("finish grid (validate + save, step)", t, None))

    # submitting: the budgeted step
    subs = [participant_at(store, "demographics") for _ in range(repeat)]
    t = []
    for p in subs:
        t0 = time.perf_counter()
        result = p.submit("bench-agent")
        t.append(ms(time.perf_counter() - t0))
        assert result.created
    rows.append(("SUBMIT (validate + store response)", t, BUDGET_MS))

    t = []
    for p in subs[: max(5, repeat // 4)]:
        t0 = time.perf_counter()
        result = p.submit("bench-agent")
        t.append(ms(time.perf_counter() - t0))
        assert not result.created
    rows.append(("submit again (idempotent)", t, None))
    return rows


def bench_apptest(store, repeat: int) -> list[tuple[str, list[float], float | None]]:
    """Whole script runs of app.py with AppTest (Streamlit's script overhead included).

    Each AppTest first runs the home page once: that run pays AppTest's own
    per-instance setup (scanning installed packages for components), which a
    real server pays once at start. Every timed run is then a new participant
    (a new token), as when a browser opens a link.
    """
    from streamlit.testing.v1 import AppTest

    def warm() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.run()
        assert not at.exception, at.exception
        return at

    grid_runs, submit_runs = [], []
    at_grid, at_submit = warm(), warm()
    for _ in range(repeat):
        p = participant_at(store, "grid")
        at_grid.query_params["study"] = STUDY
        at_grid.query_params["t"] = p.token
        t0 = time.perf_counter()
        at_grid.run()
        grid_runs.append(ms(time.perf_counter() - t0))
        assert not at_grid.exception, at_grid.exception
        assert any("the grid" in t.value for t in at_grid.title), [t.value for t in at_grid.title]

        q = participant_at(store, "demographics")
        at_submit.query_params["study"] = STUDY
        at_submit.query_params["t"] = q.token
        at_submit.run()
        at_submit.button(key="qs_submit").click()
        t0 = time.perf_counter()
        at_submit.run()
        submit_runs.append(ms(time.perf_counter() - t0))
        assert not at_submit.exception, at_submit.exception
        assert any("Thank you" in t.value for t in at_submit.title), \
            [t.value for t in at_submit.title]
        assert q.store.get_session(q.token).status == "submitted"
    return [("AppTest: grid page, whole script run", grid_runs, BUDGET_MS),
            ("AppTest: Submit click, whole script run", submit_runs, BUDGET_MS)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=40, help="participants per step (default 40)")
    ap.add_argument("--apptest-repeat", type=int, default=15,
                    help="AppTest script runs per step (default 15)")
    ap.add_argument("--url", default=None,
                    help="database URL; 'env' uses DATABASE_URL (default: a temporary SQLite file)")
    args = ap.parse_args(argv)

    tmp = None
    if args.url == "env":
        url = os.environ["DATABASE_URL"]
    elif args.url:
        url = args.url
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-participant-")
        url = "sqlite:///" + str(Path(tmp.name) / "bench.sqlite3")
    os.environ["DATABASE_URL"] = url          # AppTest's app.py opens the same store

    # AppTest runs outside a server; Streamlit warns about that ("missing ScriptRunContext")
    import streamlit  # noqa: F401  (creates Streamlit's loggers)

    from webapp.participant import session as s
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    t0 = time.perf_counter()
    store = s.open_store(url)
    print(f"store: {store.backend}; opened and co-production study published in "
          f"{ms(time.perf_counter() - t0):.0f} ms (once per server process)\n")
    print("| step (server time, ms)                       |    n |   median |      p95 |      max | budget")
    print("|----------------------------------------------|------|----------|----------|----------|-------")
    ok = True
    for name, samples, budget in bench_direct(store, args.repeat) + bench_apptest(store, args.apptest_repeat):
        line, good = summary(name, samples, budget)
        ok &= good
        print(line)
    print("\nAll budgeted steps are under 200 ms." if ok else "\nSome budgeted step is OVER 200 ms.")
    store.close()
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
