"""What one parse may cost and what its numbers may be: the most rows, a time budget, and
the product groups' masses (for the bounds of `bounds`).

A file is read row by row and refused as a whole, with one file-level error naming the
limit, as soon as it has more rows below the header than `max_rows` (blank rows included:
they cost as much to read) or the clock passes the deadline. An XLSX of a few hundred
kilobytes can declare millions of rows (its XML compresses a thousandfold), so the size of
the upload alone bounds nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from .bounds import MassReference
from .issues import InventoryFileError

#: Rows below the header one parse reads at most by default: twice the 100,000 rows the
#: import benchmark reads (and the database stores) well inside its target time.
MAX_ROWS = 200_000
#: The clock is read every so many rows (reading it costs ~50 ns; a row ~10 us).
CHECK_TIME_EVERY = 64


@dataclass(frozen=True, slots=True)
class InventoryLimits:
    """Limits of one parse. `deadline` is a `time.monotonic()` value; `time_limit_s` sets it
    from the start of the parse when no deadline is given. `mass_references`: product
    group code -> its catalogue unit and typical mass, for the band of plausible masses
    per unit (a group without one gets only the maximum per lot)."""

    max_rows: int | None = MAX_ROWS
    time_limit_s: float | None = None
    deadline: float | None = None
    mass_references: Mapping[str, MassReference] = field(default_factory=dict)


@dataclass(slots=True)
class Clock:
    """The deadline of one parse, checked while reading rows."""

    deadline: float | None = None
    #: the budget as the user is told it (seconds)
    seconds: int | float = 0

    @classmethod
    def start(cls, limits: InventoryLimits) -> Clock:
        now = time.monotonic()
        if limits.deadline is not None:
            budget = limits.time_limit_s
            if budget is None:
                budget = max(limits.deadline - now, 0.0)
            return cls(limits.deadline, _shown(budget))
        if limits.time_limit_s is not None:
            return cls(now + limits.time_limit_s, _shown(limits.time_limit_s))
        return cls()

    def check(self, row: int | None = None) -> None:
        """Raise the file-level error when the deadline has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise InventoryFileError.from_code("time_limit_exceeded", row, seconds=self.seconds)


def _shown(seconds: float) -> int | float:
    """30 rather than 30.0; 0.5 stays 0.5."""
    rounded = round(seconds, 1)
    return int(rounded) if rounded == int(rounded) else rounded
