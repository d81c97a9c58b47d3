"""Comparing two analysis runs: how alike their factors are, which factor of
one run is which factor of the other, and which participants changed factor.

Congruence is Tucker's coefficient between the factors' **z-scores** over the
statements both runs share:

    phi(x, y) = sum_i x_i y_i / sqrt(sum_i x_i^2 * sum_i y_i^2)

Z-scores (not loadings) because a factor's z-scores describe its viewpoint
statement by statement, so two runs compare even when their participants
differ (an uploaded data set, responses excluded or added, a later study
version); loadings exist only for the participants both runs share. Read
with Lorenzo-Seva & ten Berge (2006): |phi| >= .95 the factors are equal,
.85 to .95 fairly similar, below .85 different.

Pairing: the one-to-one matching of factors that maximises the sum of
|phi| (Hungarian algorithm); a negative phi means the factor is inverted in
the other run (a bipolar factor read from its other pole). With unequal
numbers of factors the extra ones stay unpaired.

Who changed factor (participants in both runs): a participant's defining
factors in run A, translated through the pairing, against their defining
factors in run B.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from qmethod import QResult

EQUAL, SIMILAR = 0.95, 0.85

#: The ``change`` of a participant between run A and run B.
CHANGES = ("same", "moved", "flagged in A only", "flagged in B only", "in A only", "in B only")


def tucker(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Tucker's congruence between the columns of x (n, p) and y (n, q): (p, q).
    A column with a missing value or all zeros gives NaN."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    num = x.T @ y
    den = np.sqrt(np.outer((x ** 2).sum(axis=0), (y ** 2).sum(axis=0)))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    out[~np.isfinite(out)] = np.nan
    return out


def similarity(phi: float) -> str:
    """Lorenzo-Seva & ten Berge's reading of |phi|."""
    if not np.isfinite(phi):
        return "not comparable"
    a = abs(phi)
    return "equal" if a >= EQUAL else "fairly similar" if a >= SIMILAR else "different"


@dataclass(frozen=True)
class RunComparison:
    """Result of :func:`compare_runs`.

    congruence : (k_A, k_B) Tucker's phi, rows A's factors, columns B's
    pairs : one row per A factor: ``factor_a``, ``factor_b`` (None when
        unpaired), ``congruence`` (signed phi of the pair), ``similarity``,
        ``inverted`` (phi < 0)
    participants : index participant (every participant of either run):
        ``factors_a``, ``factors_b`` (defining factors, e.g. "f1" or "f1, f3",
        "" for none, NaN for a participant not in that run), ``change`` (one
        of ``CHANGES``)
    n_statements : statements both runs share (the congruence is over these)
    """

    congruence: pd.DataFrame
    pairs: pd.DataFrame
    participants: pd.DataFrame
    n_statements: int

    @property
    def changed(self) -> pd.DataFrame:
        """Participants whose factor is not the same in both runs."""
        return self.participants[self.participants["change"] != "same"]


def _defining(res: QResult) -> dict[str, list[str]]:
    F = res.flags.to_numpy()
    names = res.factor_names
    return {str(p): [names[j] for j in np.flatnonzero(row)]
            for p, row in zip(res.flags.index, F)}


def compare_runs(a: QResult, b: QResult) -> RunComparison:
    """Compare run ``a`` with run ``b`` (see the module docstring)."""
    shared = a.zscores.index.intersection(b.zscores.index, sort=False)
    if len(shared) < 3:
        raise ValueError(f"the two runs share {len(shared)} statements; comparing their "
                         "factors needs at least 3")
    za, zb = a.zscores.loc[shared], b.zscores.loc[shared]
    phi = pd.DataFrame(tucker(za.to_numpy(), zb.to_numpy()),
                       index=pd.Index(a.factor_names, name="factor_a"),
                       columns=pd.Index(b.factor_names, name="factor_b"))
    # pair on |phi|; a factor without z-scores (no defining sorts) pairs with nothing
    weight = np.nan_to_num(np.abs(phi.to_numpy()), nan=-1.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    partner = {a.factor_names[i]: b.factor_names[j] for i, j in zip(rows, cols)
               if weight[i, j] >= 0}
    pairs = []
    for f in a.factor_names:
        g = partner.get(f)
        v = float(phi.loc[f, g]) if g is not None else np.nan
        pairs.append({"factor_a": f, "factor_b": g, "congruence": v,
                      "similarity": similarity(v) if g is not None else "unpaired",
                      "inverted": bool(g is not None and v < 0)})
    pairs = pd.DataFrame(pairs)

    da, db = _defining(a), _defining(b)
    rows_out = {}
    for p in list(da) + [p for p in db if p not in da]:
        fa, fb = da.get(p), db.get(p)
        if fb is None:
            change = "in A only"
        elif fa is None:
            change = "in B only"
        elif not fa and not fb:
            change = "same"
        elif fa and not fb:
            change = "flagged in A only"
        elif fb and not fa:
            change = "flagged in B only"
        else:
            change = "same" if sorted(partner.get(f, "") for f in fa) == sorted(fb) else "moved"
        rows_out[p] = {"factors_a": None if fa is None else ", ".join(fa),
                       "factors_b": None if fb is None else ", ".join(fb), "change": change}
    people = pd.DataFrame.from_dict(rows_out, orient="index",
                                    columns=["factors_a", "factors_b", "change"])
    people.index.name = "participant"
    return RunComparison(congruence=phi, pairs=pairs, participants=people,
                         n_statements=len(shared))
