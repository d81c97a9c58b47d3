"""How many cases each fuzz test ran, printed at the end of the pytest run
(``pytest_terminal_summary`` in tests/conftest.py)."""
from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings

CASES: Counter = Counter()
OUTCOMES: dict[str, Counter] = {}


def count(name: str, outcome: str) -> None:
    """One case of fuzz test ``name`` ended in ``outcome`` ("result" or an error class)."""
    CASES[name] += 1
    OUTCOMES.setdefault(name, Counter())[outcome] += 1


def fuzz_settings(max_examples: int):
    """Fixed, modest and reproducible: the same cases on every run."""
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def summary_lines() -> list[str]:
    lines = []
    for name in sorted(CASES):
        kinds = ", ".join(f"{k} {n}" for k, n in OUTCOMES[name].most_common())
        lines.append(f"{name}: {CASES[name]} cases ({kinds})")
    return lines
