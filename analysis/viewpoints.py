"""Which designed perspective, if any, does each extracted viewpoint match?

Calibrated matching of Q factors to the values of a design tag (the
``perspective`` of the co-production study, or any other tag such as
``theme``), with the family-wise rate of false claims controlled.

The method: contrasts of tag means, tested by permuting the tags
-----------------------------------------------------------------
For a factor with z-scores ``z`` (one per statement) and a tag value ``P``
held by ``n_P`` statements, the *contrast* of ``P`` against a set ``R`` of
other statements is the difference of the mean z-scores, divided by what that
difference varies by when labels are shuffled::

    T = (mean_P(z) - mean_R(z)) / (s * sqrt(1/n_P + 1/n_R))

where ``s`` is the standard deviation of the factor's z-scores over all ``n``
statements (``ddof=1``). Drawing the two groups at random from the ``n``
statements (without replacement), the difference has mean 0 and variance
exactly ``s**2 (1/n_P + 1/n_R)``, so every ``T`` in the family is on the same
scale (a permutation z-statistic) whatever the group sizes. ``T`` equals
``sqrt(n - 1)`` times the point-biserial correlation when ``R`` is "all
other statements".

The family of contrasts read for each factor with z-scores:

* every tag value against the rest (two-sided): a significantly positive one
  can name the factor after ``P``; a significantly negative one means the
  factor *rejects* ``P`` and never names it;
* for every pair ``{P, Q}``, each of ``P`` and ``Q`` against the statements
  tagged neither ``P`` nor ``Q`` (one-sided, upwards): the evidence for a
  hybrid. With three values of 12 statements, a perfect 50/50 hybrid of ``P``
  and ``Q`` gives "P against the rest" a correlation of only 0.5 (``T`` at
  most 2.96 for 36 statements, about the family's critical value), so "both
  above the rest" alone could almost never find a hybrid; "each above the
  statements of neither" is a full contrast for it.

The null distribution: permuting the tags across statements. If the tags
carry no information about the factor (the null: a random labelling of the
statements), every permutation of the labels is as likely as the observed one,
so the test is exact conditional on the z-scores, whatever the extraction,
rotation or number of sorts did. Random Q-sorts of the study's grid satisfy it
(their rows are exchangeable, and PCA/centroid and varimax are equivariant
under reordering statements), which is what the calibration checks. The
permutations move the statements of all factors together, so the dependence
between factors and between contrasts is kept.

Family-wise control: single-step max-T (Westfall and Young). For each
permutation the largest claim statistic over *all* factors and contrasts
(``|T|`` for tag-vs-rest, ``T`` for the one-sided pair contrasts) is kept; a
contrast's adjusted p is the share of permutations, the observed labelling
included, whose maximum reaches its statistic. Claiming only contrasts with
adjusted p <= alpha keeps the chance of any false claim in the study at most
alpha. The ``B`` permutations are one matrix product: the permuted z-scores
(``B*k x n``) times the contrast weights (``n x C``).

Why not the alternatives: the uncorrected correlation with ideal-type sorts
(:mod:`analysis.perspectives`) makes 3 x 3 tests at p < .05 and claims a
perspective in a quarter to a third of random studies; its one-to-one
assignment on ``|r|`` lets a negative correlation take a perspective away from
the factor that holds it. A null of random sorts of the same grid needs a full
re-analysis per replicate (slow) and tests "no shared viewpoint at all", not
"this viewpoint is unrelated to the tag".

Decision for each factor (``alpha`` = 0.05 by default)
-------------------------------------------------------
* ``no defining sort``: the factor has no z-scores.
* ``hybrid`` of ``P`` and ``Q``: both of the pair's contrasts are significant
  (or both ``P`` and ``Q`` are significantly above the rest), and neither is
  significantly above the other (``|T(P vs Q)|`` below the critical value).
  With a tag of three values, setting two above the third is the same pattern
  as rejecting the third; the explanation says so.
* ``matched`` to ``P``: ``P`` is significantly above the rest (the largest such
  ``T`` when several are and one dominates).
* ``rejects`` ``P``: no value is significantly above, ``P`` is significantly
  below the rest.
* ``unmatched``: nothing significant: a possible viewpoint the design does not
  name.

Every name is a hypothesis for the researcher to confirm, rename or reject.
The result is deterministic for a given seed; the seed and the number of
permutations are part of the output.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from qmethod.errors import QMethodError

STATUSES = ("matched", "hybrid", "rejects", "unmatched", "no defining sort")
#: statements x permutations x factors handled at once (memory ~ 8 bytes each)
_CHUNK_FLOATS = 4_000_000
#: permutations drawn per random-number call: fixed so that the permutations
#: (and so the p-values) do not depend on the number of factors
_DRAW = 2048
_UNTAGGED = "\x00untagged"


class ViewpointError(QMethodError, ValueError):
    """Inputs that cannot be matched (unknown tag, ids that do not match...)."""


# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------
@dataclass
class ViewpointMatch:
    """Result of :func:`match_viewpoints` (k factors, V tag values).

    Attributes
    ----------
    tag : name of the design tag tested (e.g. ``"perspective"``)
    values : the V tag values, sorted
    proposals : DataFrame indexed by factor (all k, in order): ``perspective``
        (the name proposed, ``"P + Q"`` for a hybrid, empty otherwise),
        ``status`` (one of :data:`STATUSES`), ``statistic`` and ``p_adjusted``
        (of the contrast behind the status; for ``unmatched`` the largest
        ``|T|`` against the rest), ``members`` (list of the values named),
        ``rejected`` (value ranked significantly below the rest, or empty),
        ``difference`` (mean z of the named/rejected value minus the rest),
        ``explanation`` (a sentence for a paper)
    statistic : (k', V) T of each value against the rest (factors with z-scores)
    p_adjusted : (k', V) family-wise adjusted p of ``statistic`` (two-sided)
    evidence : long table, one row per factor and contrast: ``factor, value,
        contrast`` (``"rest"`` or ``"pair"``), ``partner`` (the other value of a
        pair), ``n_value, n_compared, mean_z, compared_mean_z, difference,
        statistic, p_adjusted, significant``
    critical : the (1 - alpha) quantile of the permutation maximum: a claim
        needs its statistic above it
    alpha, permutations, seed : settings
    """

    tag: str
    values: list
    proposals: pd.DataFrame
    statistic: pd.DataFrame
    p_adjusted: pd.DataFrame
    evidence: pd.DataFrame
    critical: float
    alpha: float
    permutations: int
    seed: int | None
    notes: list = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """One row per factor, as written to ``viewpoints.csv``."""
        p = self.proposals
        out = pd.DataFrame({
            "factor": p.index, "tag": self.tag, "perspective": p["perspective"].to_numpy(),
            "status": p["status"].to_numpy(), "statistic": p["statistic"].to_numpy(),
            "p_adjusted": p["p_adjusted"].to_numpy(), "explanation": p["explanation"].to_numpy(),
            "members": [" + ".join(m) for m in p["members"]], "rejected": p["rejected"].to_numpy(),
            "difference": p["difference"].to_numpy(), "critical": self.critical,
            "alpha": self.alpha, "permutations": self.permutations,
            "seed": "" if self.seed is None else self.seed,
        })
        return out

    def evidence_table(self) -> pd.DataFrame:
        """Every contrast with its statistic and adjusted p (``viewpoint_evidence.csv``)."""
        ev = self.evidence.copy()
        ev.insert(1, "tag", self.tag)
        ev = ev.rename(columns={"value": "perspective"})
        ev["permutations"] = self.permutations
        ev["seed"] = "" if self.seed is None else self.seed
        return ev

    def describe(self) -> list[str]:
        """One line per factor: ``"f1: <explanation>"``."""
        return [f"{f}: {row.explanation}" for f, row in self.proposals.iterrows()]

    def write(self, out_dir) -> list:
        """Write ``viewpoints.csv`` and ``viewpoint_evidence.csv`` into ``out_dir``."""
        from pathlib import Path
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        files = [out / "viewpoints.csv", out / "viewpoint_evidence.csv"]
        from qmethod.cells import safe_frame  # no text cell runs as a spreadsheet formula
        safe_frame(self.table()).to_csv(files[0], index=False)
        safe_frame(self.evidence_table()).to_csv(files[1], index=False)
        return files


# ---------------------------------------------------------------------------
# the contrasts and their permutation distribution
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Contrast:
    kind: str          # "rest" (two-sided) or "pair" (one-sided: value above the statements of neither)
    value: int         # index of the tag value
    partner: int       # index of the pair's other value (-1 for "rest")
    weights: np.ndarray  # (n,) mean difference as a weighted sum of z-scores
    n_value: int
    n_compared: int


def _contrasts(codes: np.ndarray, n_values: int) -> list[_Contrast]:
    """The family for labels ``codes`` (n,), 0..n_values-1, or -1 for untagged."""
    out = []
    masks = [codes == v for v in range(n_values)]

    def contrast(kind, v, partner, mask_r):
        w = np.zeros(codes.size)
        n_v, n_r = int(masks[v].sum()), int(mask_r.sum())
        w[masks[v]] = 1.0 / n_v
        w[mask_r] = -1.0 / n_r
        # Standardise here so every statistic has permutation variance 1 (times s**2).
        w /= np.sqrt(1.0 / n_v + 1.0 / n_r)
        return _Contrast(kind, v, partner, w, n_v, n_r)

    for v in range(n_values):
        out.append(contrast("rest", v, -1, ~masks[v]))
    for v, q in combinations(range(n_values), 2):
        neither = ~(masks[v] | masks[q])
        if not neither.any():
            continue            # a two-valued tag: no statements of neither
        out.append(contrast("pair", v, q, neither))
        out.append(contrast("pair", q, v, neither))
    return out


def _permutation_max(Z: np.ndarray, W: np.ndarray, two_sided: np.ndarray, permutations: int,
                     seed) -> np.ndarray:
    """Maximum claim statistic over factors and contrasts for each permutation.

    Z : (n, k) standardised z-scores; W : (n, C) contrast weights;
    two_sided : (C,) bool. Returns (permutations,) maxima.
    """
    n, k = Z.shape
    rng = np.random.default_rng(seed)
    out = np.empty(permutations)
    base = np.arange(n)
    per_chunk = max(1, _CHUNK_FLOATS // max(1, n * k))
    done = 0
    while done < permutations:
        b = min(_DRAW, permutations - done)
        perms = rng.permuted(np.tile(base, (b, 1)), axis=1)      # (b, n)
        for lo in range(0, b, per_chunk):
            p = perms[lo:lo + per_chunk]
            # Permuting the labels is permuting the z-scores against fixed weights:
            # one (m*k, n) @ (n, C) product for all permutations of the chunk.
            Zp = Z[p].transpose(0, 2, 1).reshape(-1, n)          # (m*k, n)
            T = (Zp @ W).reshape(p.shape[0], k, -1)              # (m, k, C)
            T = np.where(two_sided, np.abs(T), T)
            out[done + lo:done + lo + p.shape[0]] = T.reshape(p.shape[0], -1).max(axis=1)
        done += b
    return out


# ---------------------------------------------------------------------------
# the public function
# ---------------------------------------------------------------------------
def match_viewpoints(zscores: pd.DataFrame, tags: Mapping[str, str] | pd.Series, *,
                     tag: str = "perspective", permutations: int = 9999, seed: int | None = 0,
                     alpha: float = 0.05, factor_arrays: pd.DataFrame | None = None,
                     texts: Mapping[str, str] | None = None) -> ViewpointMatch:
    """Propose a tag value (perspective) for each factor, with family-wise control.

    Parameters
    ----------
    zscores : (n statements, k factors) factor z-scores indexed by statement id;
        a factor whose column is NaN has no defining sort
    tags : statement id -> tag value for the statements that carry the tag
        (statements without one count among "the rest")
    tag : the tag's name, used in the output and the explanations
    permutations : number of random relabellings B (>= 99)
    seed : seed of numpy's ``default_rng`` (the result is deterministic for it)
    alpha : family-wise level of the claims
    factor_arrays : (n, k) grid positions, only for the explanations
    texts : statement id -> text, only for the explanations

    Returns
    -------
    ViewpointMatch
    """
    if not isinstance(permutations, int | np.integer) or permutations < 99:
        raise ViewpointError(f"the number of permutations must be a whole number of at least 99, "
                             f"not {permutations!r}")
    if not 0 < alpha < 1:
        raise ViewpointError(f"alpha must be between 0 and 1, not {alpha!r}")
    given = {str(k): v for k, v in dict(tags).items()}
    ids = [str(i) for i in zscores.index]
    unknown = [k for k in given if k not in set(ids)]
    if unknown:
        raise ViewpointError(f"{len(unknown)} tagged statement id(s) are not in the z-scores: "
                             f"{', '.join(unknown[:5])}")

    def label(v):
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) or str(v) == "" else str(v)

    labels = [label(given.get(i)) for i in ids]
    values = sorted({v for v in labels if v is not None})
    if not values:
        raise ViewpointError(f"no statement carries the tag {tag!r}")
    if len(values) == 1 and None not in labels:
        raise ViewpointError(f"every statement has the same {tag} ({values[0]!r}): nothing to compare")
    codes = np.array([values.index(v) if v is not None else -1 for v in labels])
    family = _contrasts(codes, len(values))
    W = np.column_stack([c.weights for c in family])                      # (n, C)
    two_sided = np.array([c.kind == "rest" for c in family])

    factors = [str(f) for f in zscores.columns]
    usable = [f for f, col in zip(factors, zscores.columns)
              if not zscores[col].isna().any() and zscores[col].std(ddof=1) > 0]
    Zraw = zscores[[c for c, f in zip(zscores.columns, factors) if f in usable]].to_numpy(float)
    Z = (Zraw - Zraw.mean(0)) / Zraw.std(0, ddof=1) if usable else np.zeros((len(ids), 0))
    T_obs = Z.T @ W                                                       # (k', C)
    claim_obs = np.where(two_sided, np.abs(T_obs), T_obs)
    B = int(permutations)
    if usable:
        null_max = np.sort(_permutation_max(Z, W, two_sided, B, seed))
        exceed = B - np.searchsorted(null_max, claim_obs - 1e-12 * (1 + np.abs(claim_obs)), side="left")
        P = (1.0 + exceed) / (B + 1.0)
        allowed = int(np.floor(alpha * (B + 1) + 1e-9)) - 1              # permutations allowed at or above
        critical = float(null_max[B - 1 - allowed]) if 0 <= allowed < B else float("inf")
    else:
        P = np.zeros((0, len(family)))
        critical = float("nan")
    sig = P <= alpha

    rows = []
    for i, f in enumerate(usable):
        for j, c in enumerate(family):
            in_v = codes == c.value
            compared = (codes != c.value) if c.kind == "rest" else ~(in_v | (codes == c.partner))
            zz = Zraw[:, i]
            rows.append({"factor": f, "value": values[c.value], "contrast": c.kind,
                         "partner": values[c.partner] if c.partner >= 0 else "",
                         "n_value": c.n_value, "n_compared": c.n_compared,
                         "mean_z": float(zz[in_v].mean()), "compared_mean_z": float(zz[compared].mean()),
                         "difference": float(zz[in_v].mean() - zz[compared].mean()),
                         "statistic": float(T_obs[i, j]), "p_adjusted": float(P[i, j]),
                         "significant": bool(sig[i, j] and (c.kind == "rest" or T_obs[i, j] > 0))})
    evidence = pd.DataFrame(rows, columns=["factor", "value", "contrast", "partner", "n_value", "n_compared",
                                           "mean_z", "compared_mean_z", "difference", "statistic",
                                           "p_adjusted", "significant"])
    rest_idx = [j for j, c in enumerate(family) if c.kind == "rest"]
    stat = pd.DataFrame(T_obs[:, rest_idx], index=pd.Index(usable, name="factor"),
                        columns=pd.Index(values, name=tag))
    padj = pd.DataFrame(P[:, rest_idx], index=stat.index, columns=stat.columns)

    ctx = _Context(tag=tag, values=values, codes=codes, ids=ids, zscores=zscores, factors=factors,
                   factor_arrays=factor_arrays, texts=dict(texts or {}), alpha=alpha, B=B, seed=seed,
                   critical=critical)
    records = {}
    for i, f in enumerate(usable):
        records[f] = _decide(i, f, family, T_obs[i], P[i], Z[:, i], ctx)
    for f in factors:
        if f not in records:
            records[f] = {"perspective": "", "status": "no defining sort", "statistic": np.nan,
                          "p_adjusted": np.nan, "members": [], "rejected": "", "difference": np.nan,
                          "explanation": f"Factor {f} has no defining sort, so it has no z-scores "
                                         f"to compare with the {_plural_tag(tag)}."}
    proposals = pd.DataFrame.from_dict({f: records[f] for f in factors}, orient="index")
    proposals.index.name = "factor"
    notes = []
    if (codes < 0).any():
        notes.append(f"{int((codes < 0).sum())} statement(s) without the tag {tag!r} count among the rest")
    return ViewpointMatch(tag=tag, values=values, proposals=proposals, statistic=stat, p_adjusted=padj,
                          evidence=evidence, critical=critical, alpha=alpha, permutations=B, seed=seed,
                          notes=notes)


def match_result(result, definition, *, tag: str = "perspective", permutations: int = 9999,
                 seed: int | None = 0, alpha: float = 0.05) -> ViewpointMatch:
    """:func:`match_viewpoints` for a :class:`qmethod.QResult` of a study.

    ``definition`` is the :class:`studies.StudyDefinition` whose statements
    carry ``tag``; its statement ids must be those of the result.
    """
    ids = [str(i) for i in result.zscores.index]
    known = definition.statement_ids()
    if sorted(ids) != sorted(known):
        missing = [i for i in known if i not in set(ids)]
        extra = [i for i in ids if i not in set(known)]
        parts = []
        if extra:
            parts.append(f"{len(extra)} not in the study ({', '.join(extra[:5])})")
        if missing:
            parts.append(f"{len(missing)} of the study missing ({', '.join(missing[:5])})")
        raise ViewpointError(f"the statement ids of the sorts do not match study {definition.slug!r}: "
                             + "; ".join(parts))
    tagged = {s.id: s.tags[tag] for s in definition.statements if tag in s.tags}
    if not tagged:
        names = sorted({k for s in definition.statements for k in s.tags})
        raise ViewpointError(f"no statement of study {definition.slug!r} has the tag {tag!r} "
                             f"(its tags: {', '.join(names) if names else 'none'})")
    return match_viewpoints(result.zscores, tagged, tag=tag, permutations=permutations, seed=seed,
                            alpha=alpha, factor_arrays=result.factor_arrays,
                            texts={s.id: s.text for s in definition.statements})


# ---------------------------------------------------------------------------
# the decision and its explanation
# ---------------------------------------------------------------------------
@dataclass
class _Context:
    tag: str
    values: list
    codes: np.ndarray
    ids: list
    zscores: pd.DataFrame
    factors: list
    factor_arrays: pd.DataFrame | None
    texts: dict
    alpha: float
    B: int
    seed: int | None
    critical: float


def _decide(i: int, f: str, family: list[_Contrast], T: np.ndarray, P: np.ndarray, z: np.ndarray,
            ctx: _Context) -> dict:
    values, a = ctx.values, ctx.alpha
    rest = {c.value: j for j, c in enumerate(family) if c.kind == "rest"}
    pair = {(c.value, c.partner): j for j, c in enumerate(family) if c.kind == "pair"}
    pos = [v for v, j in rest.items() if T[j] > 0 and P[j] <= a]
    neg = [v for v, j in rest.items() if T[j] < 0 and P[j] <= a]

    def versus(v, q):
        """T of v against q alone (both standardised as in the family)."""
        mv, mq = ctx.codes == v, ctx.codes == q
        return (z[mv].mean() - z[mq].mean()) / np.sqrt(1 / mv.sum() + 1 / mq.sum())

    # Hybrid candidates: both of a pair's contrasts significant, or both above the rest.
    candidates = []
    for v, q in combinations(range(len(values)), 2):
        jv, jq = pair.get((v, q)), pair.get((q, v))
        by_pair = (jv is not None and jq is not None and T[jv] > 0 and T[jq] > 0
                   and P[jv] <= a and P[jq] <= a)
        by_rest = v in pos and q in pos
        if not (by_pair or by_rest):
            continue
        if abs(versus(v, q)) >= ctx.critical:
            continue            # one dominates: a match to it (leaning to the other), not a hybrid
        if by_pair:
            s, p = min(T[jv], T[jq]), max(P[jv], P[jq])
        else:
            s, p = min(T[rest[v]], T[rest[q]]), max(P[rest[v]], P[rest[q]])
        candidates.append((s, p, v, q))
    rejected = min(neg, key=lambda v: T[rest[v]]) if neg else None
    if candidates:
        s, p, v, q = max(candidates)
        members = sorted([v, q], key=lambda x: -T[rest[x]])
        rec = {"perspective": " + ".join(values[m] for m in members), "status": "hybrid",
               "statistic": float(s), "p_adjusted": float(p), "members": [values[m] for m in members],
               "rejected": values[rejected] if rejected is not None else "",
               "difference": float(np.mean([_diff(ctx.zscores[_col(ctx, f)].to_numpy(float), ctx.codes, m)
                                            for m in members]))}
        rec["explanation"] = _explain_hybrid(f, members, rec, rejected, ctx)
    elif pos:
        v = max(pos, key=lambda x: T[rest[x]])
        rec = {"perspective": values[v], "status": "matched", "statistic": float(T[rest[v]]),
               "p_adjusted": float(P[rest[v]]), "members": [values[v]], "rejected": "",
               "difference": _diff(ctx.zscores[_col(ctx, f)].to_numpy(float), ctx.codes, v)}
        rec["explanation"] = _explain_match(f, v, rec, ctx)
    elif neg:
        v = rejected
        rec = {"perspective": "", "status": "rejects", "statistic": float(T[rest[v]]),
               "p_adjusted": float(P[rest[v]]), "members": [], "rejected": values[v],
               "difference": _diff(ctx.zscores[_col(ctx, f)].to_numpy(float), ctx.codes, v)}
        rec["explanation"] = _explain_reject(f, v, rec, ctx)
    else:
        v = max(rest, key=lambda x: abs(T[rest[x]]))
        rec = {"perspective": "", "status": "unmatched", "statistic": float(T[rest[v]]),
               "p_adjusted": float(P[rest[v]]), "members": [], "rejected": "",
               "difference": _diff(ctx.zscores[_col(ctx, f)].to_numpy(float), ctx.codes, v)}
        rec["explanation"] = _explain_unmatched(f, v, rec, ctx)
    return rec


def _col(ctx: _Context, f: str):
    return ctx.zscores.columns[ctx.factors.index(f)]


def _diff(z: np.ndarray, codes: np.ndarray, v: int) -> float:
    return float(z[codes == v].mean() - z[codes != v].mean())


def _plural_tag(tag: str) -> str:
    return tag + ("es" if tag.endswith(("s", "x", "ch", "sh")) else "s")


def _fmt_p(p: float, B: int) -> str:
    if p <= 1.0 / (B + 1) + 1e-15:
        return f"p \u2264 {p:.2g}"          # the smallest p the permutations can give
    return f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


def _settings(ctx: _Context, p: float) -> str:
    seed = "" if ctx.seed is None else f", seed {ctx.seed}"
    return f"family-wise adjusted {_fmt_p(p, ctx.B)}; {ctx.B:,} permutations of the {ctx.tag} tags{seed}"


def _stmt(ctx: _Context, f: str, sid: str, with_tag: bool = False) -> str:
    text = ctx.texts.get(sid)
    where = ""
    if ctx.factor_arrays is not None and sid in ctx.factor_arrays.index:
        val = ctx.factor_arrays.loc[sid, _col(ctx, f)]
        if not pd.isna(val):
            where = f"{int(val):+d}" if int(val) else "0"
    tagv = ""
    if with_tag:
        code = ctx.codes[ctx.ids.index(sid)]
        tagv = ctx.values[code] if code >= 0 else f"no {ctx.tag}"
    inner = ", ".join(x for x in (tagv, where) if x)
    quoted = f" \u201c{text}\u201d" if text else ""
    return f"{sid}{quoted}" + (f" ({inner})" if inner else "")


def _ranked(ctx: _Context, f: str, mask: np.ndarray, top: bool, n: int) -> list[str]:
    z = ctx.zscores[_col(ctx, f)].to_numpy(float)
    idx = np.flatnonzero(mask)
    order = idx[np.argsort(-z[idx] if top else z[idx], kind="stable")]
    return [ctx.ids[j] for j in order[:n]]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _n(x: int, what: str) -> str:
    return f"{x} {what}{'' if x == 1 else 's'}"


def _beyond(f: str, members: list[int], ctx: _Context) -> str:
    """What the factor says that the perspective(s) do not."""
    z = ctx.zscores[_col(ctx, f)].to_numpy(float)
    inside = np.isin(ctx.codes, members)
    parts = []
    other_top = _ranked(ctx, f, ~inside, True, 1)
    if other_top and z[ctx.ids.index(other_top[0])] > 0:
        parts.append(f"it also agrees with {_stmt(ctx, f, other_top[0], True)}")
    own_low = _ranked(ctx, f, inside, False, 1)
    if own_low and z[ctx.ids.index(own_low[0])] < 0:
        parts.append(f"it disagrees with {_stmt(ctx, f, own_low[0], True)}")
    if not parts:
        return ""
    return " Unlike the " + ("perspective" if len(members) == 1 else "two") + ", " + " and ".join(parts) + "."


def _explain_match(f: str, v: int, rec: dict, ctx: _Context) -> str:
    z = ctx.zscores[_col(ctx, f)].to_numpy(float)
    mv = ctx.codes == v
    name = ctx.values[v]
    top = _ranked(ctx, f, mv, True, 2)
    return (f"Factor {f} matches {name}: it ranks the {_n(int(mv.sum()), name + ' statement')} above "
            f"the other {int((~mv).sum())} (mean z-score {z[mv].mean():.2f} against {z[~mv].mean():.2f}; "
            f"standardised difference {rec['statistic']:.2f}, {_settings(ctx, rec['p_adjusted'])}). "
            f"Of {name}'s statements it ranks highest {_join([_stmt(ctx, f, s) for s in top])}."
            + _beyond(f, [v], ctx))


def _explain_hybrid(f: str, members: list[int], rec: dict, rejected, ctx: _Context) -> str:
    z = ctx.zscores[_col(ctx, f)].to_numpy(float)
    names = [ctx.values[m] for m in members]
    inside = np.isin(ctx.codes, members)
    means = ", ".join(f"{ctx.values[m]} {z[ctx.codes == m].mean():.2f}" for m in members)
    neither = (f"the other {int((~inside).sum())} statements ({z[~inside].mean():.2f})"
               if (~inside).any() else "the rest")
    top = [_ranked(ctx, f, ctx.codes == m, True, 1)[0] for m in members]
    same = ""
    if len(ctx.values) == 3 and not (ctx.codes < 0).any():
        third = [x for x in ctx.values if x not in names][0]
        same = (f" With three {_plural_tag(ctx.tag)} this is the same pattern as rejecting {third}.")
    return (f"Factor {f} is a hybrid of {names[0]} and {names[1]}: it ranks the statements of both "
            f"above {neither} (mean z-scores {means}; the smaller standardised difference "
            f"{rec['statistic']:.2f}, {_settings(ctx, rec['p_adjusted'])}), and neither significantly "
            f"above the other.{same} It ranks highest {_join([_stmt(ctx, f, s) for s in top])}."
            + _beyond(f, members, ctx))


def _explain_reject(f: str, v: int, rec: dict, ctx: _Context) -> str:
    z = ctx.zscores[_col(ctx, f)].to_numpy(float)
    mv = ctx.codes == v
    name = ctx.values[v]
    low = _ranked(ctx, f, mv, False, 2)
    top = _ranked(ctx, f, np.ones_like(mv), True, 1)
    return (f"Factor {f} rejects {name}: it ranks the {_n(int(mv.sum()), name + ' statement')} below "
            f"the other {int((~mv).sum())} (mean z-score {z[mv].mean():.2f} against {z[~mv].mean():.2f}; "
            f"standardised difference {rec['statistic']:.2f}, {_settings(ctx, rec['p_adjusted'])}), "
            f"and no {ctx.tag} is ranked significantly above the rest, so none is named. It places lowest "
            f"{_join([_stmt(ctx, f, s) for s in low])}; it agrees most with {_stmt(ctx, f, top[0], True)}.")


def _explain_unmatched(f: str, v: int, rec: dict, ctx: _Context) -> str:
    n = len(ctx.ids)
    top = _ranked(ctx, f, np.ones(n, bool), True, 1)
    low = _ranked(ctx, f, np.ones(n, bool), False, 1)
    return (f"Factor {f} matches no {ctx.tag}: no {ctx.tag}'s statements are ranked significantly above "
            f"or below the rest (the largest standardised difference is {rec['statistic']:.2f}, for "
            f"{ctx.values[v]}; {_settings(ctx, rec['p_adjusted'])}). A possible viewpoint the design does not "
            f"name: it agrees most with {_stmt(ctx, f, top[0], True)} and least with "
            f"{_stmt(ctx, f, low[0], True)}.")


# ---------------------------------------------------------------------------
# reading one factor
# ---------------------------------------------------------------------------
def extreme_statements(zscores: pd.DataFrame, factor_arrays: pd.DataFrame, texts: dict[str, str],
                       factor: str, n: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` statements a factor ranks highest and lowest.

    Returns two frames (most agreed first, most disagreed first), indexed by
    statement id, with columns ``text``, ``position`` (factor-array value) and
    ``z`` (z-score).
    """
    table = pd.DataFrame({"text": pd.Series(texts).reindex(zscores.index),
                          "position": factor_arrays[factor], "z": zscores[factor]})
    ordered = table.sort_values("z", ascending=False)
    return ordered.head(n), ordered.tail(n).iloc[::-1]
