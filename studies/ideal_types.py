"""Ideal-type sorts: the Q-sort a "pure" holder of one perspective would make.

For a perspective P (a value of a design tag, ``perspective`` by default) the
ideal-type sort puts the statements tagged P in the highest positions of the
study grid and all other statements in the lowest. Correlating extracted
factors with these sorts is how the analysis proposes a perspective for each
factor.

The tie-break rule
------------------
The design says only "P high, the rest low", but a forced grid needs a full
order, so the order *within* each of the two groups is a tie to break. The
rule used here is deterministic and documented:

* ``tie_break=<int seed>`` (the default is seed 0): within each group,
  statements are ordered by the SHA-256 hash of ``"<seed>|<perspective>|<id>"``
  (the smallest hash gets the highest position). This is a fixed pseudo-random
  order: it does not depend on the file order, the Python version or the
  random module, and it favours no theme or angle. The perspective is part of
  the hash so that two ideal types do not share the same order of the
  statements they both place low (which would correlate them artificially).
* ``tie_break="design"``: within each group, by theme, then angle (belief
  before worry), then perspective, then id.

Whatever the rule, the group of each statement decides whether it is in the
top ``k`` positions (``k`` = number of statements tagged P); only the exact
column within a group changes. :func:`alternative_ideal_type_sort` gives the
same ideal type with another rule so tests can show that the choice changes
nothing material; :func:`ideal_type_profile` gives the tie-free expected sort
(each group's mean grid score), which is what the demo participants are drawn
around.
"""
from __future__ import annotations

import hashlib

from .definition import StudyDefinition
from .errors import StudyError

DEFAULT_TAG = "perspective"
_ANGLE_ORDER = {"belief": 0, "worry": 1}


def perspectives(defn: StudyDefinition, tag: str = DEFAULT_TAG) -> list[str]:
    """The distinct values of ``tag`` over the statements, sorted."""
    return sorted({s.tags[tag] for s in defn.statements if tag in s.tags})


def _group(defn: StudyDefinition, perspective: str, tag: str) -> set[str]:
    members = {s.id for s in defn.statements if s.tags.get(tag) == perspective}
    if not members:
        known = perspectives(defn, tag)
        raise StudyError(f"no statement of study {defn.slug!r} is tagged {tag}={perspective!r} "
                         f"(known values: {', '.join(known) if known else 'none'})")
    if len(members) == len(defn.statements):
        raise StudyError(f"every statement of study {defn.slug!r} is tagged {tag}={perspective!r}, "
                         f"so its ideal type has no low statements")
    return members


def _hash_key(seed: int, perspective: str, sid: str) -> str:
    return hashlib.sha256(f"{seed}|{perspective}|{sid}".encode()).hexdigest()


def _design_key(stmt) -> tuple:
    theme = stmt.tags.get("theme", "")
    theme_key = (0, int(theme), "") if theme.lstrip("-").isdigit() else (1, 0, theme)
    return (theme_key, _ANGLE_ORDER.get(stmt.tags.get("angle", ""), 2),
            stmt.tags.get("perspective", ""), stmt.id)


def ideal_type_order(defn: StudyDefinition, perspective: str, tag: str = DEFAULT_TAG, *,
                     tie_break: int | str = 0) -> list[str]:
    """Statement ids from the highest grid position to the lowest (see module doc)."""
    members = _group(defn, perspective, tag)
    if tie_break == "design":
        within = _design_key
    elif isinstance(tie_break, int) and not isinstance(tie_break, bool):
        def within(stmt):
            return _hash_key(tie_break, perspective, stmt.id)
    else:
        raise StudyError(f"tie_break must be a whole-number seed or 'design', not {tie_break!r}")
    ordered = sorted(defn.statements, key=lambda s: (s.id not in members, within(s)))
    return [s.id for s in ordered]


def ideal_type_sort(defn: StudyDefinition, perspective: str, tag: str = DEFAULT_TAG, *,
                    tie_break: int | str = 0) -> dict[str, int]:
    """The ideal-type Q-sort of ``perspective``: ``{statement_id: grid score}``.

    Statements tagged ``tag == perspective`` take the top positions of the
    grid, all others the bottom ones; ties within each group are broken by the
    documented rule (``tie_break``: a seed, default 0, or ``"design"``). The
    result always fits the grid (checked).
    """
    order = ideal_type_order(defn, perspective, tag, tie_break=tie_break)
    values = sorted(defn.grid.distribution().tolist(), reverse=True)
    placements = dict(zip(order, values))
    result = {sid: int(placements[sid]) for sid in defn.statement_ids()}
    defn.check_placements(result, who=f"the ideal type {perspective!r}")
    return result


def alternative_ideal_type_sort(defn: StudyDefinition, perspective: str,
                                tag: str = DEFAULT_TAG, *, tie_break: int | str = 1) -> dict[str, int]:
    """The same ideal type with a different tie-break (seed 1 by default).

    Use it to show that the tie-break rule changes nothing material: the set of
    statements in the top ``k`` positions is the same, only their columns move.
    """
    return ideal_type_sort(defn, perspective, tag, tie_break=tie_break)


def ideal_type_sorts(defn: StudyDefinition, tag: str = DEFAULT_TAG, *,
                     tie_break: int | str = 0) -> dict[str, dict[str, int]]:
    """``{perspective: ideal-type sort}`` for every value of ``tag``."""
    return {p: ideal_type_sort(defn, p, tag, tie_break=tie_break) for p in perspectives(defn, tag)}


def ideal_type_profile(defn: StudyDefinition, perspective: str,
                       tag: str = DEFAULT_TAG) -> dict[str, float]:
    """The tie-free ideal type: each statement gets the mean grid score of its group.

    This is the average of the ideal-type sort over every possible tie-break
    (in-perspective statements share the mean of the top ``k`` grid values,
    the others the mean of the rest), so it carries no trace of the rule.
    """
    members = _group(defn, perspective, tag)
    values = sorted(defn.grid.distribution().tolist(), reverse=True)
    k = len(members)
    high = sum(values[:k]) / k
    low = sum(values[k:]) / (len(values) - k)
    return {sid: (high if sid in members else low) for sid in defn.statement_ids()}
