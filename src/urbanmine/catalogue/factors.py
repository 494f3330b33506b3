"""The platform's impact factor source: the cited default table, or a licensed export
(NMD, MKI set) in the same columns named by URBANMINE_IMPACT_FACTORS — no code change."""

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from urbanmine.engine.impact import CsvFactorSource, FactorSource


@lru_cache(maxsize=4)
def _source(path: str, transport_path: str | None) -> FactorSource:
    return CsvFactorSource(path, transport_path)


def factor_source() -> FactorSource:
    return _source(str(settings.IMPACT_FACTORS_PATH), str(settings.TRANSPORT_FACTORS_PATH))


def factor_table_path() -> Path:
    return Path(settings.IMPACT_FACTORS_PATH)
