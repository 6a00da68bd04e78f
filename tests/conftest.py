"""Shared fixtures: the real data beside the repository and the embedded example city."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_REAL = REPO.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real data (``../shared/data/real``); skips the test when it is absent."""
    if not SHARED_REAL.is_dir():
        pytest.skip("../shared/data/real is not beside the repository")
    return SHARED_REAL


@pytest.fixture(scope="session")
def example_data() -> Path:
    """The embedded example city's ``data/`` folder."""
    return REPO / "data"
