"""Seeding a database: the co-production study and a study's demo copy.

The platform opens with the co-production study (real, open, no responses)
and its demo copy filled with simulated participants, so the whole pipeline
can be shown on first run. This module does that through the store's generic
API (publish a study, count and add simulated responses): the storage layer
knows nothing of the co-production study or of how participants are
simulated. ``store`` is a :class:`storage.Store` (studies never imports
storage; :class:`SeedableStore` says what is used).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from .definition import StudyDefinition
from .demo import simulate_participants
from .loader import load_study

REPO_ROOT = Path(__file__).resolve().parents[1]
COPRODUCTION_PATH = REPO_ROOT / "statements" / "coproduction.yaml"
SIMULATED_USER_AGENT = "simulated participant (demo data)"


class SeedableStore(Protocol):
    """The part of :class:`storage.Store` that seeding uses."""

    def publish_study(self, defn: StudyDefinition, *, demo: bool = False) -> Any: ...

    def count_responses(self, slug: str, version: int | None = None) -> int: ...

    def add_simulated_responses(self, slug: str, submissions: Sequence[Mapping], *,
                                version: int | None = None) -> int: ...


def simulated_submissions(defn: StudyDefinition, n: int = 40, seed: int = 0) -> list[dict]:
    """``n`` simulated participants of ``defn`` as submissions (the dicts
    :meth:`storage.Submission.from_dict` reads): demographics go with the
    answers, as the participant pages send them."""
    return [{"placements": dict(p["placements"]), "presort": dict(p.get("presort") or {}),
             "answers": {**dict(p.get("answers") or {}), **dict(p.get("demographics") or {})},
             "timings": dict(p.get("timings") or {}), "user_agent": SIMULATED_USER_AGENT}
            for p in simulate_participants(defn, n=n, seed=seed)]


def seed_demo(store: SeedableStore, defn: StudyDefinition, n: int = 40, seed: int = 0):
    """Publish the demo copy of ``defn`` (``<slug>-demo``) and fill it with ``n``
    simulated participants, unless its latest version already has responses.
    Returns the demo copy's study info. Safe to run at every start, and by
    two processes at once (the store adds them in one transaction, once)."""
    info = store.publish_study(defn, demo=True)
    if not store.count_responses(info.slug, info.version):
        store.add_simulated_responses(info.slug, simulated_submissions(info.definition, n, seed),
                                      version=info.version)
    return info


def ensure_coproduction(store: SeedableStore, path: str | Path | None = None, *,
                        participants: int = 40, seed: int = 0) -> tuple[Any, Any]:
    """Publish the co-production study (real, open, no responses) and its demo
    copy filled with simulated participants; returns both study infos. Safe
    to call at every start: unchanged content publishes nothing new, and a
    closed study stays closed."""
    defn = load_study(path or COPRODUCTION_PATH)
    real = store.publish_study(defn)
    demo = seed_demo(store, defn, n=participants, seed=seed)
    return real, demo
