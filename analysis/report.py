"""A study's results as plain data: what a results page, its HTML file and its PDF show.

:func:`build_report` turns one analysis (a :class:`qmethod.QResult`), the
study's definition, the calibrated viewpoint matching
(:class:`analysis.viewpoints.ViewpointMatch`), the researcher's
:class:`Interpretation` (names, narratives, decisions on the proposed
matches, picked quotes), the post-sort :class:`Comment` s and an optional
bootstrap into a :class:`Report`. The page (``webapp/results``), the
self-contained HTML file and the PDF (:mod:`analysis.report_html`,
:mod:`analysis.report_pdf`) all render that one object, so they cannot
disagree; a publication stores it frozen as JSON (:meth:`Report.to_dict`).

Privacy by construction
-----------------------
The content types below hold statements, scores of viewpoints, words and
aggregate numbers only: there is no field for a participant id, a token, an
individual sort or a per-participant loading, and :meth:`Report.to_dict` is
all a publication keeps. Besides:

* a comment is quoted only if its author chose the first option of the
  study's quotation-consent question (:mod:`studies.quotation`) AND the
  researcher picked it; the quote keeps its text and the question it answers,
  never who wrote it;
* no count below :data:`MIN_GROUP` is shown: such a count is stored as None
  and worded "fewer than 3";
* a viewpoint defined by fewer than :data:`MIN_GROUP` sorts is close to one
  person's sort (with one defining sort its composite *is* that sort), so its
  statement-level results (composite sort, distinguishing statements, z-scores,
  the matching's statement-by-statement explanation) are withheld
  (``Viewpoint.withheld``); its name, narrative and the matching's verdict stay;
* the engine's notes and the bootstrap's own summary name sorts, so neither is
  copied: the bootstrap is summarised per factor here.

Shapes: n statements (numbered 1..n in the study's order; a number is what a
reader sees), k viewpoints (keyed by the engine's factor names "f1".."fk").
"""
from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import qmethod
from qmethod import bootstrap as qboot
from qmethod.flagging import auto_flags, flag_threshold
from studies.quotation import QUOTE_CONSENT_ID, consents_to_quotation

REPORT_FORMAT = "qplatform-results"
REPORT_VERSION = 1
#: smallest count of participants shown as a number (below: "fewer than 3")
MIN_GROUP = 3
#: the researcher's decisions on a proposed viewpoint match
DECISIONS = ("accepted", "renamed", "rejected")
#: post-sort question kinds whose answers are comments that can be quoted
COMMENT_KINDS = ("text", "textarea")
#: the significance marks of distinguishing statements
MARKS = {"**": "p < .01", "*": "p < .05"}


class ReportError(ValueError):
    """Inputs that cannot make a report; ``problems`` lists each one in a line."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def fewer_than(n: int | None, noun: str = "") -> str:
    """``12 sorts`` or ``fewer than 3 sorts`` (``n`` None or below :data:`MIN_GROUP`)."""
    tail = f" {noun}" if noun else ""
    if n is None or n < MIN_GROUP:
        return f"fewer than {MIN_GROUP}{tail}"
    return f"{n}{tail}"


def _shown_count(n: int) -> int | None:
    return int(n) if n >= MIN_GROUP else None


def _num(x) -> float | None:
    """A finite float, or None (JSON has no NaN)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


# ---------------------------------------------------------------------------
# inputs: the researcher's interpretation and the comments
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FactorInterpretation:
    """The researcher's reading of one factor.

    name : the viewpoint's name ('' : the accepted proposal, else "Viewpoint i")
    narrative : what the viewpoint says, in the researcher's words (plain text;
        blank lines separate paragraphs)
    decision : on the proposed viewpoint match: 'accepted', 'renamed'
        (accepted under ``name``), 'rejected', or None (not decided)
    quotes : ids of the post-sort comments picked for quotation
        (:func:`comment_id`); each is shown only if its author consented
    """

    name: str = ""
    narrative: str = ""
    decision: str | None = None
    quotes: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "quotes", tuple(str(q) for q in self.quotes))


@dataclass(frozen=True)
class Interpretation:
    """What the researcher adds to a run before publishing it.

    factors : factor key ("f1", ...) -> :class:`FactorInterpretation`; a
        factor left out gets the defaults
    title : the results page's title ('' : "Results: <study title>")
    summary : an introduction above the viewpoints (plain text)
    """

    factors: Mapping[str, FactorInterpretation] = field(default_factory=dict)
    title: str = ""
    summary: str = ""

    def factor(self, key: str) -> FactorInterpretation:
        return self.factors.get(key) or FactorInterpretation()

    def to_dict(self) -> dict:
        """JSON-safe form (to save with a run)."""
        return {"title": self.title, "summary": self.summary,
                "factors": {k: dataclasses.asdict(v) | {"quotes": list(v.quotes)}
                            for k, v in self.factors.items()}}

    @classmethod
    def from_dict(cls, d: Mapping) -> "Interpretation":
        factors = {str(k): FactorInterpretation(name=str(v.get("name") or ""),
                                                narrative=str(v.get("narrative") or ""),
                                                decision=v.get("decision") or None,
                                                quotes=tuple(v.get("quotes") or ()))
                   for k, v in dict(d.get("factors") or {}).items()}
        return cls(factors=factors, title=str(d.get("title") or ""), summary=str(d.get("summary") or ""))


def comment_id(participant: str, question_id: str) -> str:
    """The id of one comment: ``"<participant>:<question id>"`` (ids never hold ':')."""
    return f"{participant}:{question_id}"


@dataclass(frozen=True)
class Comment:
    """One written post-sort answer, as the researcher's workspace lists it.

    An input of :func:`build_report`, never part of a :class:`Report`: only a
    consented, picked comment's ``text`` and ``question`` are published.
    """

    id: str
    participant: str
    question_id: str
    question: str
    text: str
    quote_consent: bool


def collect_comments(definition, responses: Iterable) -> list[Comment]:
    """Every non-empty text answer to a post-sort question, with its author's
    quotation consent.

    ``responses``: objects with ``participant`` and ``answers`` (as
    :class:`storage.ResponseRecord`) or mappings with those keys; the
    participant labels must be those of the analysed sorts (the columns of
    ``result.data``).
    """
    questions = [q for q in definition.postsort_questions
                 if q.kind in COMMENT_KINDS and q.id != QUOTE_CONSENT_ID]
    out = []
    for r in responses:
        participant = r["participant"] if isinstance(r, Mapping) else r.participant
        answers = dict((r["answers"] if isinstance(r, Mapping) else r.answers) or {})
        consent = consents_to_quotation(definition, answers)
        for q in questions:
            text = answers.get(q.id)
            if isinstance(text, str) and text.strip():
                out.append(Comment(id=comment_id(str(participant), q.id), participant=str(participant),
                                   question_id=q.id, question=q.text, text=text.strip(),
                                   quote_consent=consent))
    return out


# ---------------------------------------------------------------------------
# the content
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class GridColumn:
    """One column of a composite sort: its grid score and label, and the
    statement numbers it holds, top (highest z-score) to bottom."""

    score: int
    label: str
    statements: tuple[int, ...]


@dataclass(frozen=True)
class StatementScore:
    """A statement on one viewpoint: its grid position and z-score, the
    significance mark ("**" p < .01, "*" p < .05, '' none) and its positions on
    the other viewpoints shown (``(viewpoint key, position)``)."""

    number: int
    position: int
    zscore: float
    mark: str = ""
    others: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class MatchEvidence:
    """One perspective against the rest on one factor: the standardised
    difference of mean z-scores and its family-wise adjusted p."""

    perspective: str
    statistic: float | None
    p_adjusted: float | None


@dataclass(frozen=True)
class MatchSummary:
    """The calibrated viewpoint matching of one factor, and the researcher's decision.

    status : 'matched', 'hybrid', 'rejects', 'unmatched' or 'no defining sort'
    proposal : the perspective proposed ('P + Q' for a hybrid; '' none)
    rejected : the perspective ranked below the rest, if any
    headline : the verdict in one plain sentence, with the adjusted p and the decision
    explanation : the matching's statement-by-statement account ('' if withheld)
    evidence : every perspective against the rest
    """

    tag: str
    status: str
    proposal: str
    rejected: str
    statistic: float | None
    p_adjusted: float | None
    decision: str | None
    headline: str
    explanation: str
    evidence: tuple[MatchEvidence, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A quoted comment: its text and the question it answers (never its author)."""

    text: str
    question: str


@dataclass(frozen=True)
class Viewpoint:
    """One viewpoint (factor) as a results page shows it.

    defining_sorts : how many sorts define it; None when fewer than
        :data:`MIN_GROUP` (see :attr:`defining_words`)
    explained_variance : % of the study variance
    composite_reliability, se_zscores : of the composite (None if withheld)
    withheld : statement-level results withheld (fewer than MIN_GROUP
        defining sorts): ``grid``, ``distinguishing`` are then empty
    grid : the composite Q-sort, one :class:`GridColumn` per grid column
    distinguishing : statements that set it apart from every other viewpoint
        (p < .05), by decreasing z-score
    """

    key: str
    number: int
    name: str
    narrative: str
    defining_sorts: int | None
    explained_variance: float | None
    composite_reliability: float | None
    se_zscores: float | None
    withheld: bool
    grid: tuple[GridColumn, ...] = ()
    distinguishing: tuple[StatementScore, ...] = ()
    match: MatchSummary | None = None
    quotes: tuple[Quote, ...] = ()

    @property
    def defining_words(self) -> str:
        n = self.defining_sorts
        return fewer_than(n, "participants" if n is None or n != 1 else "participant")


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement no pair of viewpoints ranks differently (p < .05): its
    position on each viewpoint shown (``(viewpoint key, position)``)."""

    number: int
    positions: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Methods:
    """How the analysis was made, in words a reviewer can judge.

    n_sorts : None when fewer than MIN_GROUP
    judgmental : the judgmental rotation steps, in order ('' none)
    manual_flags : the hand-made flag changes in words ("none", "for 5 sorts",
        "for fewer than 3 sorts")
    """

    n_statements: int
    n_sorts: int | None
    nfactors: int
    correlation: str
    extraction: str
    rotation: str
    judgmental: tuple[str, ...]
    flagging: str
    manual_flags: str
    factor_arrays: str
    matching: str
    software: str
    analysed: str
    rotation_note: str = ""


@dataclass(frozen=True)
class BootstrapFactor:
    """Stability of one factor over the bootstrap resamples.

    mean_congruence : mean Tucker's congruence with the full-sample factor
    share_poor : share of resamples with congruence below the poor level
    stable_positions : statements whose factor-array position never moved
    mean_se : mean bootstrap standard error of the z-scores
    """

    key: str
    verdict: str
    mean_congruence: float | None
    share_poor: float | None
    stable_positions: int
    mean_se: float | None


@dataclass(frozen=True)
class BootstrapSummary:
    """The bootstrap's stability, per factor, without any sort's id."""

    resamples: int
    seed: int | None
    alignment: str
    poor_congruence: float
    factors: tuple[BootstrapFactor, ...]


@dataclass(frozen=True)
class Report:
    """Everything a results page shows (see the module doc for what it never holds).

    statements : the n statement texts; statement number i is ``statements[i-1]``
    grid_scores, grid_labels : the study grid's columns
    viewpoints : the k viewpoints in factor order
    consensus : the consensus statements, by number
    zscores : (viewpoint key, n z-scores) for each viewpoint not withheld
    factor_correlations : (k, k) correlations of the viewpoints' z-scores
        (None where a viewpoint has none)
    """

    title: str
    study_title: str
    summary: str
    simulated: bool
    statements: tuple[str, ...]
    grid_scores: tuple[int, ...]
    grid_labels: tuple[str, ...]
    viewpoints: tuple[Viewpoint, ...]
    consensus: tuple[ConsensusStatement, ...]
    zscores: tuple[tuple[str, tuple[float, ...]], ...]
    factor_correlations: tuple[tuple[float | None, ...], ...]
    methods: Methods
    bootstrap: BootstrapSummary | None = None
    format: str = REPORT_FORMAT
    version: int = REPORT_VERSION

    # -- views -----------------------------------------------------------------
    def text(self, number: int) -> str:
        return self.statements[number - 1]

    def viewpoint(self, key: str) -> Viewpoint:
        for v in self.viewpoints:
            if v.key == key:
                return v
        raise KeyError(key)

    def name(self, key: str) -> str:
        return self.viewpoint(key).name

    def zscore_frame(self) -> pd.DataFrame:
        """(n, shown viewpoints) z-scores, indexed by statement number, columns named by key."""
        return pd.DataFrame({k: list(z) for k, z in self.zscores},
                            index=pd.Index(range(1, len(self.statements) + 1), name="statement"))

    # -- JSON ------------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-safe dict (what a publication stores)."""
        return json.loads(json.dumps(dataclasses.asdict(self), allow_nan=False))

    @classmethod
    def from_dict(cls, d: Mapping) -> "Report":
        """Rebuild from :meth:`to_dict`; raises :class:`ReportError` for anything else."""
        if not isinstance(d, Mapping) or d.get("format") != REPORT_FORMAT:
            raise ReportError(["not a results report"])
        if int(d.get("version", 0)) > REPORT_VERSION:
            raise ReportError([f"results report version {d.get('version')} is newer than this "
                               f"software reads ({REPORT_VERSION})"])
        try:
            return _decode(cls, d)
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportError([f"the results report cannot be read ({type(exc).__name__}: {exc})"]) from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Report":
        return cls.from_dict(json.loads(text))


def _decode(tp, value):
    """``value`` (from JSON) as type ``tp``: dataclasses, tuples, optionals, scalars."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner[0], value)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(args, value))
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _decode(hints[f.name], value[f.name])
                     for f in dataclasses.fields(tp) if f.name in value})
    if tp is float:
        return None if value is None else float(value)
    if tp is int:
        return int(value)
    if tp is str:
        return str(value)
    if tp is bool:
        return bool(value)
    return value


# ---------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------
_CORRELATION = {"pearson": "Pearson", "spearman": "Spearman", "kendall": "Kendall's tau"}
_EXTRACTION = {"pca": "principal components (PCA)", "centroid": "centroid (Brown's method)",
               "supplied": "loadings supplied with the data"}
_ROTATION = {"varimax": "varimax", "none": "none (unrotated)", "quartimax": "quartimax",
             "equamax": "equamax", "promax": "promax (oblique)", "oblimin": "oblimin (oblique)",
             "supplied": "supplied with the loadings"}


def _info(result, key, default=None):
    info = result.info
    get = getattr(info, "get", None)
    if get is not None:
        value = get(key, default)
    else:
        value = getattr(info, key, default)
    return default if value is None else value


def interpretation_problems(result, definition, interpretation: Interpretation | None,
                            comments: Iterable[Comment] = ()) -> list[str]:
    """Every reason ``interpretation`` cannot be published with ``result``, one line each
    (empty when it can). :func:`build_report` raises them as a :class:`ReportError`."""
    problems = []
    ids = [str(i) for i in result.zscores.index]
    known = [s.id for s in definition.statements]
    if sorted(ids) != sorted(known):
        problems.append(f"the statements of the analysis are not those of study {definition.slug!r}")
    if interpretation is None:
        return problems
    factors = list(result.factor_names)
    by_id = {c.id: c for c in comments}
    analysed = {str(p) for p in result.loadings.index}
    for key, fi in interpretation.factors.items():
        if key not in factors:
            problems.append(f"there is no factor {key!r} in this analysis (it has {', '.join(factors)})")
            continue
        if fi.decision is not None and fi.decision not in DECISIONS:
            problems.append(f"{key}: the decision must be one of {', '.join(DECISIONS)}, not {fi.decision!r}")
        if fi.decision == "renamed" and not fi.name.strip():
            problems.append(f"{key}: a renamed viewpoint needs its new name")
        for cid in fi.quotes:
            c = by_id.get(cid)
            if c is None:
                problems.append(f"{key}: comment {cid!r} is not one of the study's comments")
            elif not c.quote_consent:
                problems.append(f"{key}: comment {cid!r} cannot be quoted: its author did not agree "
                                f"to be quoted")
            elif c.participant not in analysed:
                problems.append(f"{key}: comment {cid!r} is by a participant whose sort is not in "
                                f"this analysis")
    return problems


def build_report(result, definition, *, match=None, interpretation: Interpretation | None = None,
                 comments: Iterable[Comment] = (), bootstrap=None, simulated: bool | None = None) -> Report:
    """The results content of one analysis.

    Parameters
    ----------
    result : :class:`qmethod.QResult` of the study's sorts (statement ids those
        of ``definition``)
    definition : the :class:`studies.StudyDefinition` (texts, grid, questions)
    match : :class:`analysis.viewpoints.ViewpointMatch` of ``result``, or None
    interpretation : the researcher's names, narratives, decisions and picks
    comments : the study's comments (:func:`collect_comments`); only picked
        ones whose author consented are used
    bootstrap : a :class:`qmethod.bootstrap.BootstrapResult` of the same
        settings, a :class:`BootstrapSummary`, or None
    simulated : the data are simulated (default: the study is a demo copy,
        its title starting "[DEMO] ")

    Raises :class:`ReportError` with :func:`interpretation_problems`.
    """
    comments = list(comments)
    problems = interpretation_problems(result, definition, interpretation, comments)
    if problems:
        raise ReportError(problems)
    interpretation = interpretation or Interpretation()
    by_id = {c.id: c for c in comments}
    order = [s.id for s in definition.statements]
    number = {sid: i + 1 for i, sid in enumerate(order)}
    factors = list(result.factor_names)
    ch = result.characteristics
    Z = result.zscores.reindex(order)
    A = result.factor_arrays.reindex(order)
    dist = result.distinguishing.reindex(order)
    grid = definition.grid
    labels = tuple(str(x) for x in (grid.labels or [f"{s:+d}" if s else "0" for s in grid.scores]))

    withheld = {f: bool(int(ch.loc[f, "defining_sorts"]) < MIN_GROUP or Z[f].isna().any()) for f in factors}
    shown = [f for f in factors if not withheld[f]]
    names = {}
    for i, f in enumerate(factors):
        fi = interpretation.factor(f)
        proposal = _proposal(match, f)
        if fi.name.strip():
            names[f] = fi.name.strip()
        elif proposal and fi.decision in ("accepted", None) and _status(match, f) in ("matched", "hybrid"):
            names[f] = proposal[:1].upper() + proposal[1:]
        else:
            names[f] = f"Viewpoint {i + 1}"

    viewpoints = []
    for i, f in enumerate(factors):
        fi = interpretation.factor(f)
        w = withheld[f]
        n_def = int(ch.loc[f, "defining_sorts"])
        quotes = tuple(Quote(text=by_id[c].text, question=by_id[c].question) for c in dict.fromkeys(fi.quotes)
                       if c in by_id and by_id[c].quote_consent)
        viewpoints.append(Viewpoint(
            key=f, number=i + 1, name=names[f], narrative=fi.narrative.strip(),
            defining_sorts=_shown_count(n_def),
            explained_variance=_num(ch.loc[f, "explained_variance"]),
            composite_reliability=None if w else _num(ch.loc[f, "composite_reliability"]),
            se_zscores=None if w else _num(ch.loc[f, "se_zscores"]),
            withheld=w,
            grid=() if w else _grid_columns(A[f], Z[f], grid, labels, number),
            distinguishing=() if w else _distinguishing(f, factors, shown, Z, A, dist, number),
            match=_match_summary(match, f, fi, names[f], number, w),
            quotes=quotes))

    consensus = ()
    if "consensus" in dist and len([f for f in factors if not Z[f].isna().any()]) >= 2:
        consensus = tuple(ConsensusStatement(number=number[sid],
                                             positions=tuple((f, int(A.loc[sid, f])) for f in shown))
                          for sid in order if bool(dist.loc[sid, "consensus"]))
    C = result.factor_correlations.reindex(index=factors, columns=factors)
    title = interpretation.title.strip() or f"Results: {definition.title}"
    if simulated is None:
        simulated = str(definition.title).startswith("[DEMO] ")
    if bootstrap is not None and not isinstance(bootstrap, BootstrapSummary):
        bootstrap = summarise_bootstrap(bootstrap)
    return Report(
        title=title, study_title=definition.title, summary=interpretation.summary.strip(),
        simulated=bool(simulated), statements=tuple(s.text for s in definition.statements),
        grid_scores=tuple(int(s) for s in grid.scores), grid_labels=labels,
        viewpoints=tuple(viewpoints), consensus=consensus,
        zscores=tuple((f, tuple(float(v) for v in Z[f].to_numpy(float))) for f in shown),
        factor_correlations=tuple(tuple(_num(C.loc[a, b]) for b in factors) for a in factors),
        methods=_methods(result, match, withheld), bootstrap=bootstrap)


def _proposal(match, f) -> str:
    if match is None or f not in match.proposals.index:
        return ""
    return str(match.proposals.loc[f, "perspective"] or "")


def _status(match, f) -> str:
    if match is None or f not in match.proposals.index:
        return ""
    return str(match.proposals.loc[f, "status"])


def _grid_columns(array: pd.Series, z: pd.Series, grid, labels, number) -> tuple[GridColumn, ...]:
    cols = []
    scores = [int(s) for s in grid.scores]
    for score, label in zip(scores, labels):
        ids = [sid for sid in array.index if not pd.isna(array[sid]) and int(array[sid]) == score]
        ids.sort(key=lambda sid: (-float(z[sid]), number[sid]))
        cols.append(GridColumn(score=score, label=label, statements=tuple(number[s] for s in ids)))
    # qmethod's rounding of ties can give a value the grid lacks: keep it visible, never drop it
    extra = sorted({int(v) for v in array.dropna()} - set(scores))
    for score in extra:
        ids = sorted((sid for sid in array.index if not pd.isna(array[sid]) and int(array[sid]) == score),
                     key=lambda sid: (-float(z[sid]), number[sid]))
        cols.append(GridColumn(score=score, label=f"{score:+d}", statements=tuple(number[s] for s in ids)))
    return tuple(sorted(cols, key=lambda c: c.score))


def _mark(f: str, factors: list[str], live: list[str], dist: pd.DataFrame, sid: str) -> str:
    """'**' when every comparison of ``f`` with another viewpoint is significant
    at p < .01, else '*' (all at p < .05, as ``distinguishes_f`` says)."""
    strong = True
    for g in live:
        if g == f:
            continue
        a, b = sorted((f, g), key=factors.index)
        star = str(dist.loc[sid, f"sig_{a}_{b}"]) if f"sig_{a}_{b}" in dist else ""
        if star not in ("**", "***", "6*"):
            strong = False
    return "**" if strong else "*"


def _distinguishing(f, factors, shown, Z, A, dist, number) -> tuple[StatementScore, ...]:
    col = f"distinguishes_{f}"
    if col not in dist:
        return ()
    live = [g for g in factors if not Z[g].isna().any()]
    ids = [sid for sid in Z.index if bool(dist.loc[sid, col])]
    ids.sort(key=lambda sid: -float(Z.loc[sid, f]))
    return tuple(StatementScore(number=number[sid], position=int(A.loc[sid, f]), zscore=float(Z.loc[sid, f]),
                                mark=_mark(f, factors, live, dist, sid),
                                others=tuple((g, int(A.loc[sid, g])) for g in shown if g != f))
                 for sid in ids)


def format_p(p: float | None, permutations: int | None = None) -> str:
    """``adjusted p = 0.012``, or ``adjusted p ≤ 0.0001`` at the smallest p the
    permutations can give."""
    if p is None:
        return "adjusted p not available"
    if permutations and p <= 1.0 / (permutations + 1) + 1e-15:
        return f"adjusted p \u2264 {p:.2g}"
    return f"adjusted p = {p:.2g}" if p < 0.1 else f"adjusted p = {p:.2f}"


def _match_summary(match, f, fi: FactorInterpretation, name: str, number, withheld: bool) -> MatchSummary | None:
    if match is None or f not in match.proposals.index:
        return None
    row = match.proposals.loc[f]
    status = str(row["status"])
    stat, p = _num(row["statistic"]), _num(row["p_adjusted"])
    B = int(match.permutations)
    tagp = _plural(match.tag)
    ev = f"standardised difference {stat:+.2f}, {format_p(p, B)}" if stat is not None else ""
    if status == "matched":
        head = f"The matching proposes that this viewpoint matches the {row['perspective']} {match.tag} ({ev})."
    elif status == "hybrid":
        a, b = list(row["members"])[:2]
        head = f"The matching proposes that this viewpoint is a hybrid of {a} and {b} ({ev})."
    elif status == "rejects":
        head = (f"This viewpoint ranks the {row['rejected']} statements below the rest ({ev}); no {match.tag} "
                f"ranks significantly above the rest, so none is proposed.")
    elif status == "unmatched":
        head = (f"This viewpoint matches none of the {tagp}: no {match.tag}'s statements rank "
                f"significantly above or below the rest (largest {ev}).")
    else:
        head = "No sort defines this viewpoint, so it was not matched."
    proposes = status in ("matched", "hybrid")
    if proposes and fi.decision == "accepted":
        head += " The researcher accepted this proposal."
    elif proposes and fi.decision == "renamed":
        head += f" The researcher accepted it and named the viewpoint \u201c{name}\u201d."
    elif proposes and fi.decision == "rejected":
        head += " The researcher rejected this proposal."
    elif proposes:
        head += " It is a proposal the researcher has not reviewed."
    explanation = ""
    if not withheld:
        explanation = _renumber(str(row["explanation"]), f, number)
    evidence = ()
    if f in match.statistic.index:
        evidence = tuple(MatchEvidence(perspective=str(v), statistic=_num(match.statistic.loc[f, v]),
                                       p_adjusted=_num(match.p_adjusted.loc[f, v]))
                         for v in match.statistic.columns)
    return MatchSummary(tag=str(match.tag), status=status, proposal=str(row["perspective"] or ""),
                        rejected=str(row["rejected"] or ""), statistic=stat, p_adjusted=p,
                        decision=fi.decision if proposes else None, headline=head,
                        explanation=explanation, evidence=evidence)


def _plural(tag: str) -> str:
    return tag + ("es" if tag.endswith(("s", "x", "ch", "sh")) else "s")


def _renumber(text: str, f: str, number: Mapping[str, int]) -> str:
    """The matching's explanation in the page's words: statement numbers
    instead of ids, "This viewpoint" instead of "Factor fi"."""
    for prefix in (f"Factor {f} ", f"factor {f} "):
        if text.startswith(prefix):
            text = "This viewpoint " + text[len(prefix):]
    for sid in sorted(number, key=len, reverse=True):
        text = text.replace(f"{sid} \u201c", f"statement {number[sid]} \u201c")
    return text


def _methods(result, match, withheld: Mapping[str, bool]) -> Methods:
    n = int(result.zscores.shape[0])
    N = int(result.loadings.shape[0])
    k = int(result.loadings.shape[1])
    correlation = str(_info(result, "correlation", "unknown"))
    extraction = str(_info(result, "extraction", "supplied"))
    rotation = str(_info(result, "rotation", "supplied"))
    judgmental = _info(result, "judgmental", [])
    if isinstance(judgmental, str):
        judgmental = [judgmental] if judgmental else []
    level = float(_info(result, "flag_level", 0.05))
    majority = bool(_info(result, "majority_rule", True))
    rule = str(_info(result, "flagging", "automatic"))
    try:
        thr = flag_threshold(n, level)
        z = 1.96 if level == 0.05 else 2.58
        auto_words = (f"a sort defines a viewpoint when its loading is significant at p < {level:g} "
                      f"(|loading| > {z:g}/\u221a{n} = {thr:.2f})"
                      + (" and that factor explains more of the sort than all the others together "
                         "(its squared loading exceeds the sum of the other squared loadings)" if majority else ""))
    except Exception:  # noqa: BLE001 - an unusual level: say it plainly
        thr, auto_words = None, f"automatic flags at p < {level:g}"
    changed = 0
    if rule != "automatic" and thr is not None:
        auto = auto_flags(result.loadings.to_numpy(float), n, p=level, majority=majority)
        changed = int((auto != result.flags.to_numpy(bool)).any(axis=1).sum())
    if rule == "automatic":
        flagging, manual = "automatic: " + auto_words, "none"
    elif rule == "automatic + manual":
        flagging = "automatic, then changed by hand: " + auto_words
        manual = "none" if changed == 0 else "for " + fewer_than(changed, "sorts" if changed != 1 else "sort")
    else:
        flagging = "set by hand (the automatic rule: " + auto_words + ")"
        manual = "every flag set by hand; they differ from the automatic rule " + (
            "for no sort" if changed == 0 else "for " + fewer_than(changed, "sorts" if changed != 1 else "sort"))
    ties = str(_info(result, "ties", "qmethod"))
    arrays = ("tied z-scores share one grid position (the R package qmethod's rounding), so a column "
              "may hold one statement more or less than the grid" if ties == "qmethod"
              else "the statements are ranked by z-score into the grid, which they fill exactly")
    matching = ""
    if match is not None:
        matching = (f"each viewpoint's z-scores compared with the statements of each {match.tag} "
                    f"(standardised difference of means), with the chance of such a difference found by "
                    f"shuffling the {match.tag} tags across the statements {int(match.permutations):,} times"
                    + (f" (seed {match.seed})" if match.seed is not None else "")
                    + f"; family-wise adjusted p (max-T) at \u03b1 = {match.alpha:g}, critical "
                      f"|difference| {match.critical:.2f}. A name is a proposal for the researcher.")
    version = str(_info(result, "engine_version", "") or qmethod.__version__)
    created = str(_info(result, "created", ""))
    note = ""
    phi = getattr(result, "rotation_factor_correlations", None)
    if phi is not None:
        vals = phi.to_numpy(float)[np.triu_indices(phi.shape[0], 1)]
        if vals.size:
            note = (f"The {rotation} rotation is oblique: its factors correlate (from {vals.min():.2f} "
                    f"to {vals.max():.2f}).")
    return Methods(
        n_statements=n, n_sorts=_shown_count(N), nfactors=k,
        correlation=_CORRELATION.get(correlation, correlation),
        extraction=_EXTRACTION.get(extraction, extraction), rotation=_ROTATION.get(rotation, rotation),
        judgmental=tuple(str(s) for s in judgmental), flagging=flagging, manual_flags=manual,
        factor_arrays=arrays, matching=matching,
        software=f"Open Q-methodology platform, qmethod engine {version} (Python)",
        analysed=created[:10], rotation_note=note)


def summarise_bootstrap(boot) -> BootstrapSummary:
    """Per-factor stability of a :class:`qmethod.bootstrap.BootstrapResult`,
    with no sort named (the engine's own ``summary`` lists sorts by id)."""
    poor = float(getattr(qboot, "POOR_CONGRUENCE", 0.85))
    info = boot.info
    factors = []
    phi = boot.congruence
    for f in phi.columns:
        col = phi[f].to_numpy(float)
        ok = col[np.isfinite(col)]
        share = float((ok < poor).mean()) if ok.size else None
        verdict = ("not scored" if share is None else
                   "replicates well" if share < 0.05 else
                   "replicates in most resamples" if share < 0.25 else
                   "is unstable: it often does not reappear in resamples")
        stable = int((boot.array_max[f] == boot.array_min[f]).sum())
        factors.append(BootstrapFactor(key=str(f), verdict=verdict,
                                       mean_congruence=_num(np.nanmean(col)) if ok.size else None,
                                       share_poor=share, stable_positions=stable,
                                       mean_se=_num(np.nanmean(boot.zscore_se[f].to_numpy(float)))))
    seed = info.get("seed") if hasattr(info, "get") else None
    return BootstrapSummary(resamples=int(info["resamples"]), seed=None if seed is None else int(seed),
                            alignment=str(info.get("alignment", "procrustes")), poor_congruence=poor,
                            factors=tuple(factors))


def privacy_leaks(report: Report, secrets: Iterable[str]) -> list[str]:
    """Which of ``secrets`` (participant ids, tokens, unconsented comments...)
    appear anywhere in the report's JSON; a check for tests and for the
    publishing step."""
    text = report.to_json()
    return [s for s in secrets if s and s in text]


__all__ = [
    "BootstrapFactor", "BootstrapSummary", "Comment", "ConsensusStatement", "DECISIONS",
    "FactorInterpretation", "GridColumn", "Interpretation", "MIN_GROUP", "MatchEvidence", "MatchSummary",
    "Methods", "Quote", "Report", "ReportError", "StatementScore", "Viewpoint", "build_report",
    "collect_comments", "comment_id", "fewer_than", "format_p", "interpretation_problems", "privacy_leaks",
    "summarise_bootstrap",
]
