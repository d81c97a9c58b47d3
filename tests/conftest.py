"""Shared fixtures for the engine tests."""
import pandas as pd
import pytest

from refdata import load_dataset


@pytest.fixture(scope="session")
def lipset() -> pd.DataFrame:
    return load_dataset("lipset")


@pytest.fixture(scope="session")
def senmon() -> pd.DataFrame:
    return load_dataset("senmon")
