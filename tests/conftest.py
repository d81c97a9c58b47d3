"""Shared fixtures for the engine tests, and how Hypothesis draws its cases."""
import os

import pandas as pd
import pytest
from hypothesis import settings
from refdata import load_dataset

# The same commit must get the same verdict: by default every property and fuzz
# test draws its cases from its own name, not at random (a CI run once failed on
# a case no earlier run had drawn). To hunt for new cases, run with
# HYPOTHESIS_PROFILE=explore (fresh random cases each run); add what it finds as
# an @example so the repeatable run keeps it.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def lipset() -> pd.DataFrame:
    return load_dataset("lipset")


@pytest.fixture(scope="session")
def senmon() -> pd.DataFrame:
    return load_dataset("senmon")


def pytest_terminal_summary(terminalreporter):
    """How many cases each fuzz test ran, and how they ended (tests/fuzzcount.py)."""
    from fuzzcount import summary_lines
    lines = summary_lines()
    if lines:
        terminalreporter.section("fuzz cases")
        for line in lines:
            terminalreporter.write_line(line)
