"""Where the team's reference data live (shared/ sits beside the repository)."""
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"


def reference_path(*parts) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"reference data missing: {path.relative_to(REPO.parent)} "
                    "(shared/ must sit beside the repository)")
    return path


def load_dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(reference_path("datasets", name, "sorts.csv"), index_col=0)
