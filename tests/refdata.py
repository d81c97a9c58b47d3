"""Where the reference data live: ``tests/reference/`` (copied into the repository, see its README)."""
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "reference"


def reference_path(*parts) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"reference data missing: {path.relative_to(REPO)}")
    return path


def load_dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(reference_path("datasets", name, "sorts.csv"), index_col=0)
