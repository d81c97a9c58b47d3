"""Reading a factor as a viewpoint: its most and least agreed statements."""
from __future__ import annotations

import pandas as pd


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
