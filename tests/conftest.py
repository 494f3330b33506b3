"""Shared test configuration."""

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The public data directory (../shared/data by default)."""
    path = Path(settings.DATA_DIR)
    assert path.is_dir(), f"data directory {path} not found (set URBANMINE_DATA_DIR)"
    return path
