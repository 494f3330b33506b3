"""The API's throttles count requests per user (and per address for anonymous ones) in the
cache, which outlives a test: the fuzzing here sends hundreds. Each test starts and ends with
empty counts, so that no test here, nor one after it, is answered 429 for another's calls."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(db):
    cache.clear()
    yield
    cache.clear()
