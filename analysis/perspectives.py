"""Which extracted viewpoint resembles which designed perspective?

A *hypothesis* for the researcher to confirm, never a label forced on the
data: each factor's z-scores are correlated with each perspective's ideal-type
sort, correlations are tested against the chance level for n statements, and
a one-to-one assignment proposes at most one perspective per factor. Factors
with no significant match are proposed as new viewpoints; factors where two
perspectives are significant are marked hybrid; a significant negative
correlation is shown as a bipolar (mirror) match.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import t as student_t


def critical_r(n: int, p: float = 0.05) -> float:
    """Smallest |r| significant at two-sided level p for n paired values
    (t-test of a Pearson correlation, df = n - 2). For n = 36, p = .05: 0.329."""
    if n < 3:
        raise ValueError("a correlation test needs at least 3 statements")
    t = student_t.ppf(1 - p / 2, n - 2)
    return float(t / np.sqrt(n - 2 + t * t))


@dataclass
class PerspectiveMatch:
    """Evidence and proposal for naming factors after perspectives.

    correlations : (k factors, P perspectives) Pearson r of z-scores with ideal types
    threshold : critical |r| (p < .05) for the number of statements
    proposals : one row per factor: perspective (or None), r, status
        ('match', 'hybrid', 'bipolar', 'new viewpoint', 'no defining sort'), also_significant
        (other perspectives with a significant positive r)
    drivers : per factor, the statements that contribute most to its best match
    """

    correlations: pd.DataFrame
    threshold: float
    proposals: pd.DataFrame
    drivers: dict

    def describe(self) -> list[str]:
        out = []
        for f, row in self.proposals.iterrows():
            if row.status == "no defining sort":
                out.append(f"{f}: no Q-sort defines it, so it has no z-scores to compare")
            elif row.status == "new viewpoint":
                out.append(f"{f}: no perspective correlates significantly "
                           f"(|r| < {self.threshold:.2f}): a possible new viewpoint")
            else:
                extra = (f"; also significant: {', '.join(row.also_significant)}"
                         if row.also_significant else "")
                mirror = " (negatively: the mirror image)" if row.status == "bipolar" else ""
                out.append(f"{f}: resembles {row.perspective}{mirror}, r = {row.r:.2f}{extra}")
        return out


def match_perspectives(zscores: pd.DataFrame, ideal_types: dict[str, dict[str, int]], *,
                       p: float = 0.05, n_drivers: int = 5) -> PerspectiveMatch:
    """Propose a perspective for each factor.

    Parameters
    ----------
    zscores : (n statements, k factors) factor z-scores, indexed by statement id
    ideal_types : perspective -> {statement id: grid score}
    p : significance level of the correlation test
    """
    persp = list(ideal_types)
    ideal = pd.DataFrame({q: pd.Series(ideal_types[q]) for q in persp}).reindex(zscores.index)
    if ideal.isna().any().any():
        missing = ideal.index[ideal.isna().any(axis=1)].tolist()
        raise ValueError(f"ideal types do not cover statements {missing[:5]}")
    usable = [f for f in zscores.columns if not zscores[f].isna().any()]
    Z = zscores[usable].to_numpy(float)
    I = ideal.to_numpy(float)
    Zs = (Z - Z.mean(0)) / Z.std(0, ddof=1)
    Is = (I - I.mean(0)) / I.std(0, ddof=1)
    C = Zs.T @ Is / (len(zscores) - 1)
    corr = pd.DataFrame(C, index=pd.Index(usable, name="factor"), columns=pd.Index(persp, name="perspective"))
    thr = critical_r(len(zscores), p)
    rows, cols = linear_sum_assignment(-np.abs(C)) if C.size else ([], [])
    assigned = dict(zip(rows, cols))
    records = []
    drivers = {}
    for i, f in enumerate(usable):
        # Ideal types are built against each other ("P high, the rest low"), so a
        # factor that matches one is expected to correlate negatively with the
        # others; only a second *positive* significant correlation makes a hybrid.
        sig = [persp[j] for j in range(len(persp)) if C[i, j] >= thr]
        j = assigned.get(i)
        if j is None or abs(C[i, j]) < thr:
            records.append({"factor": f, "perspective": None, "r": float(np.max(np.abs(C[i]))) if len(persp) else np.nan,
                            "status": "new viewpoint", "also_significant": sig})
            continue
        others = [q for q in sig if q != persp[j]]
        status = "bipolar" if C[i, j] < 0 else ("hybrid" if others else "match")
        records.append({"factor": f, "perspective": persp[j], "r": float(C[i, j]), "status": status,
                        "also_significant": others})
        contrib = pd.Series(Zs[:, i] * Is[:, j] * np.sign(C[i, j]), index=zscores.index)
        drivers[f] = contrib.sort_values(ascending=False).head(n_drivers).index.tolist()
    for f in zscores.columns:
        if f not in usable:
            records.append({"factor": f, "perspective": None, "r": np.nan,
                            "status": "no defining sort", "also_significant": []})
    proposals = pd.DataFrame(records).set_index("factor").loc[list(zscores.columns)] if records else pd.DataFrame(
        columns=["perspective", "r", "status", "also_significant"])
    return PerspectiveMatch(corr, thr, proposals, drivers)
