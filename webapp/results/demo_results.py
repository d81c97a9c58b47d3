"""The demo study's published results page, made at start-up.

So that a fresh install shows a results page, the app analyses the
co-production study's demo copy (40 simulated participants), saves the run,
writes an interpretation as a researcher would (names from the calibrated
matching, short narratives, two consented quotes per viewpoint) and publishes
it. The page is marked as simulated data (the study is a demo copy). Safe to
call at every start and from two processes at once: nothing is published
while a live publication of the latest demo version exists, and the store
publishes under a lock.
"""
from __future__ import annotations

import logging
import warnings

import qmethod as qm
from analysis.report import (
    FactorInterpretation,
    Interpretation,
    build_report,
    collect_comments,
)
from analysis.viewpoints import match_result

DEMO_SLUG = "coproduction-demo"
NFACTORS = 3
PERMUTATIONS = 9999
SEED = 0
QUOTES_PER_VIEWPOINT = 2

#: what a researcher might have written for a viewpoint matching each perspective
NARRATIVES = {
    "clarification": ("Define it first", (
        "For this viewpoint co-production has to be pinned down before it can be done well: one shared "
        "definition, written principles agreed at the start, and a clear, recorded share of decisions and "
        "budget for community members.\n\n"
        "Agreed standards are not red tape here. They are what tells real co-production apart from a "
        "consultation that borrows the name, and what lets funders and communities judge whether a project "
        "kept its promises.")),
    "elucidation": ("Look at who holds power", (
        "This viewpoint reads co-production as a window on power. The word means different things to "
        "councils, universities and community groups, and that difference is worth studying rather than "
        "settling.\n\n"
        "Trust, time and relationships decide what happens, more than any written procedure; deadlines, "
        "ethics checks and professional ways of talking quietly keep professionals in charge, and much of "
        "the community's work goes unpaid and unseen.")),
    "provocation": ("Act now, learn by doing", (
        "For this viewpoint co-production is worth what it changes. Debating definitions and perfecting the "
        "process use up energy that should go into acting together.\n\n"
        "A good-enough start that hands real decisions to communities now beats waiting for the perfect "
        "set-up, and success is judged by what changes in people's lives and organisations after a project "
        "ends.")),
}


def demo_interpretation(result, match, comments, definition) -> Interpretation:
    """Names and narratives from the matching; each viewpoint quotes the first
    consented comments of its defining participants about their most-agree statements."""
    about = {q.id: q.about for q in definition.postsort_questions}
    factors = {}
    for f in result.factor_names:
        row = match.proposals.loc[f]
        defining = {str(p) for p in result.flags.index[result.flags[f].to_numpy(bool)]}
        picks = [c.id for c in comments if c.quote_consent and c.participant in defining
                 and about.get(c.question_id) == "agree_extreme"][:QUOTES_PER_VIEWPOINT]
        if row.status == "matched" and row.perspective in NARRATIVES:
            name, text = NARRATIVES[row.perspective]
            factors[f] = FactorInterpretation(name=name, narrative=text, decision="renamed", quotes=tuple(picks))
        else:
            factors[f] = FactorInterpretation(
                narrative="A viewpoint the simulation's design does not name; read its composite sort.",
                decision="rejected" if row.status == "hybrid" else None, quotes=tuple(picks))
    return Interpretation(
        factors=factors, title="What is co-production good for? (demo results)",
        summary=("An example of a published results page, made from the demo copy of the co-production "
                 "study: 40 simulated participants drawn from the study's three designed perspectives. "
                 "The names and narratives below were written for the demonstration."))


def analyse_demo(store, slug: str = DEMO_SLUG):
    """(definition, result, match, comments, run id): the demo study analysed and the run saved."""
    info = store.get_study(slug)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = qm.analyze(store.sorts_frame(slug), NFACTORS, grid=info.definition.grid)
    match = match_result(result, info.definition, permutations=PERMUTATIONS, seed=SEED)
    comments = collect_comments(info.definition, store.responses(slug))
    params = {"nfactors": NFACTORS, "extraction": "pca", "rotation": "varimax", "correlation": "pearson",
              "viewpoints": {"tag": "perspective", "permutations": PERMUTATIONS, "seed": SEED},
              "purpose": "demo results page"}
    run_id = store.record_analysis_run(slug, params, result.to_json(), version=info.version)
    return info.definition, result, match, comments, run_id


def ensure_demo_results(store, slug: str = DEMO_SLUG):
    """Publish the demo study's results unless its latest version's are live;
    returns the new :class:`storage.PublishedLink` or None."""
    live = store.live_publication(slug)
    if live is not None and live.run_id in {r.id for r in store.analysis_runs(slug)}:
        return None
    if not store.count_responses(slug):
        return None
    definition, result, match, comments, run_id = analyse_demo(store, slug)
    report = build_report(result, definition, match=match, comments=comments, simulated=True,
                          interpretation=demo_interpretation(result, match, comments, definition))
    link = store.publish_results(slug, report.to_dict(), run_id=run_id, if_none_live=live is None)
    if link is not None:
        logging.getLogger("qplatform").info("published the demo study's results page")
    return link
