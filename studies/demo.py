"""Simulated (synthetic) demo participants for a study.

So that the whole pipeline can be shown on first run, the platform ships a
clearly labelled synthetic data set: every simulated participant has an id
``demo-01``, ``demo-02`` ... and ``"synthetic": True``. It must never be mixed
with real responses.

How a participant is drawn
--------------------------
* Most participants hold one perspective ("pure-ish"); about 15 % hold a mix of
  two (for n = 40: 12 / 11 / 11 pure and 6 mixed). Who is which is shuffled,
  so the ids reveal nothing.
* Latent score of each statement = the participant's view profile + gaussian
  noise. The profile of a pure participant is the tie-free ideal-type profile
  of their perspective (:func:`studies.ideal_types.ideal_type_profile`); a
  mixed participant blends two profiles with weights between 0.35 and 0.65. A
  group signature (see ``SIGNATURE_SD``) and a small "common ground" term
  shared by everyone (one draw per statement)
  makes some statements consensual, as in real studies. The noise standard
  deviation differs per participant (1.0 to 1.8 grid points), so some sorts
  are cleaner than others.
* The latent scores are ranked into the study grid (highest latent score to
  the highest grid position), so every sort is forced and valid.
* The pre-sort pile follows the sign of the placement (agree above 0,
  disagree below, neutral at 0); post-sort answers and demographics are
  plausible canned texts and draws; about 70 % agree to be quoted
  (:mod:`studies.quotation`).

Everything is deterministic for a given seed (numpy's ``default_rng(seed)``).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .definition import Question, StudyDefinition
from .errors import StudyError
from .ideal_types import DEFAULT_TAG, ideal_type_profile, perspectives
from .quotation import QUOTE_CONSENT_ID

#: A study's demo copy lives under ``<slug>-demo`` with a "[DEMO] " title.
DEMO_SUFFIX = "-demo"
DEMO_TITLE_PREFIX = "[DEMO] "

MIXED_SHARE = 0.15
NOISE_SD = (1.0, 1.8)
COMMON_SD = 0.5
#: Ideal types built as "P high, the rest low" sum to a constant over the
#: perspectives, so three of them span only two dimensions: data drawn from
#: them alone hold two factors, not three. Real groups also differ in ways the
#: design does not tag; a random signature per group (drawn once per seed)
#: stands for that and gives each perspective a direction of its own.
SIGNATURE_SD = 1.0
#: Share of simulated participants who agree to be quoted. Their answer is
#: drawn from a random stream of its own, so adding the question to a study
#: leaves every other simulated answer and sort as it was.
QUOTE_CONSENT_SHARE = 0.7

# Canned post-sort answers, by the participant's main perspective. Plain and
# short, as real answers tend to be; "{n}" is the number of statements shown.
_AGREE_ANSWERS = {
    "clarification": [
        "If we cannot say what co-production is, we cannot tell it apart from ordinary consultation.",
        "I have seen too many projects call themselves co-produced with nothing behind the label.",
        "Clear rules protect community members as much as anyone.",
    ],
    "elucidation": [
        "These match what I see: the same word hides very different relationships and power.",
        "In my experience it is trust and who gets listened to that make the difference.",
        "These statements name the unpaid work and unequal power that usually stay hidden.",
    ],
    "provocation": [
        "What matters to me is whether anything changes for people afterwards.",
        "We get further by starting and learning as we go than by waiting for the perfect set-up.",
        "These are about action and the partnerships that last, which is why I do this work.",
    ],
}
_DISAGREE_ANSWERS = {
    "clarification": [
        "Debating definitions is not a waste: without them anything can be called co-production.",
        "A process that is only 'good enough' often means the community gets a worse deal.",
    ],
    "elucidation": [
        "A single definition would flatten how differently people experience this.",
        "Criteria written by institutions tend to suit the institutions, not communities.",
    ],
    "provocation": [
        "Arguing over definitions and criteria has never changed anything on the ground.",
        "These put rules before results, and communities cannot wait that long.",
    ],
}
_GENERIC_AGREE = ["These statements are closest to my own experience.",
                  "I feel strongly about these from my own work."]
_GENERIC_DISAGREE = ["These do not match what I have seen.",
                     "I think these statements get it the wrong way round."]
_MISSING_ANSWERS = [
    "Nothing about paying community members fairly for their time.",
    "The role of young people is missing.",
    "Something on what happens when partners disagree.",
    "Nothing I can think of.",
    "How long it takes to build trust in a new area.",
]
_SECTORS = ["health", "housing", "local government", "higher education", "voluntary sector",
            "youth work", "arts and culture", "social care"]
_ROLE_WEIGHTS = {"community member": 3, "practitioner": 3, "researcher": 2,
                 "policy-maker": 1, "funder": 1, "other": 1}


def _composition(n: int, groups: list[str], rng: np.random.Generator) -> list[dict[str, float]]:
    """Each participant's view: ``{perspective: weight}`` (weights sum to 1), shuffled."""
    k = len(groups)
    n_mixed = int(round(n * MIXED_SHARE)) if k >= 2 else 0
    n_pure = n - n_mixed
    views: list[dict[str, float]] = []
    for i, g in enumerate(groups):
        views += [{g: 1.0}] * (n_pure // k + (1 if i < n_pure % k else 0))
    pairs = [(groups[i], groups[j]) for i in range(k) for j in range(i + 1, k)]
    for m in range(n_mixed):
        a, b = pairs[m % len(pairs)]
        w = float(rng.uniform(0.35, 0.65))
        views.append({a: w, b: 1.0 - w})
    order = rng.permutation(len(views))
    return [dict(views[i]) for i in order]


def _answer(q: Question, main: str | None,
            rng: np.random.Generator, skip_optional: float):
    """A plausible answer to ``q`` or ``None`` (left blank)."""
    if not q.required and rng.random() < skip_optional:
        return None
    if q.kind == "choice":
        opts = list(q.options)
        w = np.array([_ROLE_WEIGHTS.get(o, 1) for o in opts], dtype=float)
        return opts[int(rng.choice(len(opts), p=w / w.sum()))]
    if q.kind == "number":
        return int(min(40, rng.geometric(0.12)))
    if q.about in ("agree_extreme", "disagree_extreme"):
        pool = (_AGREE_ANSWERS if q.about == "agree_extreme" else _DISAGREE_ANSWERS).get(
            main or "", _GENERIC_AGREE if q.about == "agree_extreme" else _GENERIC_DISAGREE)
        return str(pool[int(rng.integers(len(pool)))])
    if q.kind == "text" and "sector" in (q.id + " " + q.text).lower():
        return _SECTORS[int(rng.integers(len(_SECTORS)))]
    if q.kind in ("text", "textarea"):
        return _MISSING_ANSWERS[int(rng.integers(len(_MISSING_ANSWERS)))]
    return None


def demo_definition(defn: StudyDefinition) -> StudyDefinition:
    """The demo copy of ``defn``: slug ``<slug>-demo``, title prefixed "[DEMO] "
    (``defn`` itself if it is one already)."""
    if defn.slug.endswith(DEMO_SUFFIX) and defn.title.startswith(DEMO_TITLE_PREFIX):
        return defn
    return dataclasses.replace(defn, slug=defn.slug + DEMO_SUFFIX,
                               title=DEMO_TITLE_PREFIX + defn.title)


def simulate_participants(defn: StudyDefinition, n: int = 40, seed: int = 0, *,
                          tag: str = DEFAULT_TAG) -> list[dict]:
    """``n`` synthetic participants for ``defn`` (see the module doc for the model).

    Each is a dict with ``participant_id`` (``"demo-01"`` ...), ``placements``
    ``{statement_id: score}`` on the study grid, ``presort``
    ``{statement_id: "agree" | "neutral" | "disagree"}``, ``answers``
    ``{question_id: answer}`` for the post-sort questions answered,
    ``demographics`` likewise, ``synthetic: True`` and ``simulated_view``
    ``{perspective: weight}`` (the truth the simulation drew from).
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise StudyError(f"the number of demo participants must be a positive whole number, not {n!r}")
    groups = perspectives(defn, tag)
    if not groups:
        raise StudyError(f"study {defn.slug!r} has no statements tagged {tag!r}: simulated "
                         f"participants are drawn from the perspectives in that tag")
    rng = np.random.default_rng(seed)
    consent_rng = np.random.default_rng([0 if seed is None else seed, 1])
    ids = defn.statement_ids()
    profiles = {g: np.array([ideal_type_profile(defn, g, tag)[i] for i in ids]) for g in groups}
    # Each group also shares a signature of its own (see SIGNATURE_SD).
    profiles = {g: p + rng.normal(0.0, SIGNATURE_SD, len(ids)) for g, p in profiles.items()}
    common = rng.normal(0.0, COMMON_SD, len(ids))
    values = np.sort(defn.grid.distribution())          # ascending grid values
    views = _composition(n, groups, rng)
    width = max(2, len(str(n)))
    pile_ids = {p.id for p in defn.presort_piles}
    out = []
    for j, view in enumerate(views):
        profile = sum(w * profiles[g] for g, w in view.items())
        sd = rng.uniform(*NOISE_SD)
        latent = profile + common + rng.normal(0.0, sd, len(ids))
        ranks = np.argsort(latent, kind="stable")        # lowest latent first
        scores = np.empty(len(ids), dtype=int)
        scores[ranks] = values
        placements = {sid: int(s) for sid, s in zip(ids, scores)}
        presort = {sid: ("agree" if s > 0 else "disagree" if s < 0 else "neutral")
                   for sid, s in placements.items()}
        if pile_ids and not {"agree", "disagree", "neutral"} <= pile_ids:
            presort = {}
        main = max(view, key=view.get)
        answers = {}
        for q in defn.postsort_questions:
            if q.id == QUOTE_CONSENT_ID and q.kind == "choice" and q.options:
                yes = consent_rng.random() < QUOTE_CONSENT_SHARE
                answers[q.id] = q.options[0] if yes else q.options[-1]
                continue
            a = _answer(q, main, rng, skip_optional=0.1)
            if a is not None:
                answers[q.id] = a
        demographics = {}
        for q in defn.demographic_questions:
            a = _answer(q, main, rng, skip_optional=0.15)
            if a is not None:
                demographics[q.id] = a
        out.append({
            "participant_id": f"demo-{j + 1:0{width}d}",
            "synthetic": True,
            "simulated_view": {g: round(w, 3) for g, w in view.items()},
            "placements": placements,
            "presort": presort,
            "answers": answers,
            "demographics": demographics,
        })
    return out
