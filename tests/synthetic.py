"""Synthetic forced-grid studies with planted viewpoints, for tests."""
import numpy as np
import pandas as pd

GRID40 = (2, 3, 4, 6, 10, 6, 4, 3, 2)


def planted(n: int | None = None, N: int = 30, k: int = 3, seed: int = 0, lo: float = 0.6,
            hi: float = 0.85, heights=GRID40) -> pd.DataFrame:
    """Forced-grid study (n = sum(heights) statements x N sorts) in which sort j
    follows viewpoint j % k with a loading drawn from [lo, hi], plus noise,
    ranked onto the grid (scores centred on 0)."""
    rng = np.random.default_rng(seed)
    values = np.repeat(np.arange(len(heights)) - len(heights) // 2, heights)
    assert n is None or n == values.size, "n must equal sum(heights)"
    n = values.size
    proto = rng.standard_normal((n, k))
    load = rng.uniform(lo, hi, N)
    keys = proto[:, np.arange(N) % k] * load + rng.standard_normal((n, N)) * np.sqrt(1 - load ** 2)
    X = np.sort(values)[np.argsort(np.argsort(keys, axis=0), axis=0)]
    return pd.DataFrame(X, index=[f"s{i + 1}" for i in range(n)],
                        columns=[f"p{j + 1}" for j in range(N)])
