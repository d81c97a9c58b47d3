"""Simulated studies with planted viewpoints: how often is viewpoint matching right?

The tests and ``bench/bench_viewpoints.py`` use this module to measure the
rates of :func:`analysis.viewpoints.match_viewpoints` on studies whose truth is
known, built on a real Q-set (its statements' tags and its grid).

Kinds of study (``KINDS``), with the number of factors extracted:

* ``three`` - three groups, each holding one tag value (3 factors);
* ``two`` - two groups holding two different values (2 factors);
* ``one_other`` - one group holding a value, one holding a viewpoint that is
  none of them: a random profile drawn independently of the tags (2 factors);
* ``noise`` - random sorts of the grid (3 factors, as a researcher who expects
  three perspectives would extract);
* ``hybrid`` - one group holding an even mix of two values, one holding an
  unrelated viewpoint (2 factors).

How a participant is drawn (the model of :mod:`studies.demo`, in matrix form):
a group's profile is the tie-free ideal type of its value (statements with the
value at the mean of the top grid positions, the others at the mean of the
rest), or the average of two ideal types for a hybrid, plus a signature of the
group (normal, sd ``signature_sd`` grid points: groups also differ in ways the
design does not tag, and without it three ideal types span only two
dimensions). An even mix of two ideal types has half the spread of one (for
three values of equal size), so by default a hybrid group's signature is half
as large too (``hybrid_signature_sd``): the hybrid is then as clearly a mix of
the two values as a pure group is clearly one value. Every participant's latent score is the group profile plus a term
shared by the whole study (sd ``common_sd``) plus their own noise (sd drawn
from ``noise_sd``); the latent scores are ranked into the grid, so every sort is
forced. Groups are as equal in size as the number of participants allows.

Grading: the factor a planted view *defines* is the factor on which most of its
holders are flagged. A view is *found* when that factor is ``matched`` to its
value (a pure view) or ``hybrid`` of its two values (a hybrid). A claim is
*false* when it names a value the majority view of the factor's defining sorts
does not hold, rejects one it holds, or is made at all on a factor defined by
an unrelated viewpoint or by noise.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

import qmethod as qm

from .viewpoints import match_viewpoints

KINDS = ("three", "two", "one_other", "noise", "hybrid")
#: planted groups of each kind: ("pure", "pure", ...), ("hybrid", "other"), ...
_GROUPS = {"three": ("pure", "pure", "pure"), "two": ("pure", "pure"),
           "one_other": ("pure", "other"), "noise": (), "hybrid": ("hybrid", "other")}
_FACTORS = {"three": 3, "two": 2, "one_other": 2, "noise": 3, "hybrid": 2}
OTHER = "other"
NOISE = "noise"


@dataclass
class SimulatedStudy:
    """One simulated study.

    sorts : (n statements, N participants) forced Q-sorts (grid scores)
    truth : (N,) each participant's view: a tag value, ``"P+Q"`` for a hybrid,
        ``"other"`` (a viewpoint unrelated to the tags) or ``"noise"``
    planted : the views planted (group order)
    nfactors : factors to extract
    kind, seed : how it was made
    """

    sorts: pd.DataFrame
    truth: pd.Series
    planted: list
    nfactors: int
    kind: str
    seed: int


def ideal_profile(labels: np.ndarray, value: str, grid_values: np.ndarray) -> np.ndarray:
    """Tie-free ideal type of ``value``: (n,) mean of the top ``n_value`` grid
    positions for its statements, mean of the others for the rest."""
    members = labels == value
    k = int(members.sum())
    desc = np.sort(grid_values)[::-1].astype(float)
    return np.where(members, desc[:k].mean(), desc[k:].mean())


def simulate_study(labels: Sequence, grid_values: Sequence[int], kind: str, seed: int, *,
                   ids: Sequence[str] | None = None, n_participants: int = 40,
                   signature_sd: float = 1.0, hybrid_signature_sd: float | None = None,
                   common_sd: float = 0.5, noise_sd: tuple[float, float] = (1.0, 1.8)) -> SimulatedStudy:
    """A study of ``kind`` (see :data:`KINDS`) on a Q-set whose statements
    carry ``labels`` (n,) (None for untagged) and whose grid holds ``grid_values`` (n,).
    Deterministic for ``seed``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    labels = np.array([None if v is None else str(v) for v in labels], dtype=object)
    grid = np.sort(np.asarray(grid_values, dtype=int))
    n, N = labels.size, int(n_participants)
    if grid.size != n:
        raise ValueError(f"{n} labels but a grid of {grid.size} positions")
    ids = [f"s{i + 1}" for i in range(n)] if ids is None else [str(i) for i in ids]
    values = sorted({v for v in labels if v is not None})
    rng = np.random.default_rng(seed)
    groups = _GROUPS[kind]
    if sum(g == "pure" for g in groups) > len(values) or ("hybrid" in groups and len(values) < 2):
        raise ValueError(f"kind {kind!r} needs more tag values than {len(values)}")
    chosen = [values[i] for i in rng.permutation(len(values))]
    spread = float(np.std(ideal_profile(labels, values[0], grid)))
    profiles, planted = [], []
    for g in groups:
        if g == "pure":
            v = chosen.pop(0)
            base, view = ideal_profile(labels, v, grid), v
        elif g == "hybrid":
            a, b = sorted([chosen.pop(0), chosen.pop(0)])
            base = 0.5 * (ideal_profile(labels, a, grid) + ideal_profile(labels, b, grid))
            view = f"{a}+{b}"
        else:
            base, view = rng.normal(0.0, spread, n), OTHER
        sd = signature_sd
        if g == "hybrid":
            sd = signature_sd / 2 if hybrid_signature_sd is None else hybrid_signature_sd
        profiles.append(base + rng.normal(0.0, sd, n))
        planted.append(view)
    if groups:
        member = np.arange(N) % len(groups)
        rng.shuffle(member)
        latent = np.column_stack(profiles)[:, member] + rng.normal(0.0, common_sd, (n, 1))
        latent = latent + rng.normal(size=(n, N)) * rng.uniform(*noise_sd, N)
        truth = [planted[m] for m in member]
    else:
        latent = rng.normal(size=(n, N))
        truth = [NOISE] * N
    ranks = np.argsort(np.argsort(latent, axis=0, kind="stable"), axis=0)
    sorts = pd.DataFrame(grid[ranks], index=pd.Index(ids, name="statement"),
                         columns=[f"sim{j + 1:03d}" for j in range(N)])
    return SimulatedStudy(sorts=sorts, truth=pd.Series(truth, index=sorts.columns, name="view"),
                          planted=planted, nfactors=_FACTORS[kind], kind=kind, seed=seed)


def _held(view: str) -> set:
    return set() if view in (OTHER, NOISE) else set(view.split("+"))


def grade(study: SimulatedStudy, flags: pd.DataFrame, proposals: pd.DataFrame) -> dict:
    """Compare proposals (of :class:`analysis.viewpoints.ViewpointMatch`) with the truth.

    Returns ``found`` {planted view: bool}, ``false_claims`` (number of
    factors with a false claim) and ``any_claim`` (bool).
    """
    truth = study.truth.reindex(flags.index)
    majority = {}
    for f in flags.columns:
        held = truth[flags[f].to_numpy(bool)]
        majority[str(f)] = held.value_counts().idxmax() if len(held) else None
    found = {}
    for view in study.planted:
        if view == OTHER:
            continue
        counts = flags[(truth == view).to_numpy()].sum(axis=0)
        f = str(counts.idxmax()) if counts.max() > 0 else None
        if f is None:
            found[view] = False
            continue
        row = proposals.loc[f]
        want = _held(view)
        found[view] = (row.status == ("hybrid" if len(want) == 2 else "matched")
                       and set(row.members) == want)
    false_claims = 0
    claims = 0
    for f, row in proposals.iterrows():
        if row.status not in ("matched", "hybrid", "rejects"):
            continue
        claims += 1
        held = _held(majority.get(str(f)) or NOISE)
        named = set(row.members)
        wrong = (not held) or bool(named - held) or (row.rejected in held)
        false_claims += bool(wrong)
    return {"found": found, "false_claims": false_claims, "any_claim": claims > 0}


def run(labels: Sequence, grid_values: Sequence[int], kind: str, seeds: Sequence[int], *,
        ids: Sequence[str] | None = None, permutations: int = 999, alpha: float = 0.05,
        tag: str = "perspective", **simulation) -> pd.DataFrame:
    """Simulate, analyse (PCA, varimax), match and grade one study per seed.

    Returns one row per study: ``kind, seed, all_found`` (every planted view
    found), ``found`` (share of planted views found), ``false_claim`` (any
    false claim), ``any_claim``, ``match_seconds`` (time of the matching
    alone) and ``seconds`` (analysis and matching).
    """
    rows = []
    for seed in seeds:
        st = simulate_study(labels, grid_values, kind, int(seed), ids=ids, **simulation)
        tags = {i: v for i, v in zip(st.sorts.index, labels) if v is not None}
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = qm.analyze(st.sorts, st.nfactors)
        t1 = time.perf_counter()
        m = match_viewpoints(res.zscores, tags, tag=tag, permutations=permutations, seed=int(seed),
                             alpha=alpha)
        t2 = time.perf_counter()
        g = grade(st, res.flags, m.proposals)
        found = list(g["found"].values())
        rows.append({"kind": kind, "seed": int(seed), "all_found": all(found) if found else np.nan,
                     "found": float(np.mean(found)) if found else np.nan,
                     "false_claim": g["false_claims"] > 0, "any_claim": g["any_claim"],
                     "match_seconds": t2 - t1, "seconds": t2 - t0})
    return pd.DataFrame(rows)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Rates per kind from :func:`run` rows: studies, all planted found, planted
    views found, studies with a false claim, studies with any claim, median
    matching time."""
    g = table.groupby("kind", sort=False)
    return pd.DataFrame({"studies": g.size(), "all_found": g["all_found"].mean(),
                         "views_found": g["found"].mean(), "false_claim": g["false_claim"].mean(),
                         "any_claim": g["any_claim"].mean(),
                         "match_ms": g["match_seconds"].median() * 1000})
