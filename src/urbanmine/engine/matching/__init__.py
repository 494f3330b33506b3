"""Matching engine: supply lots to demand lines, directly or via hubs (pure Python).

`load_instance` validates a JSON instance (version 1, see ARCHITECTURE.md), `solve` runs
the optimal solver (HiGHS, proven bound) or the first-come-first-served baseline, and
`check` verifies any result against every rule of the contract.
"""

from __future__ import annotations

from pathlib import Path

from urbanmine.engine.matching.checker import CheckReport, Violation, check
from urbanmine.engine.matching.greedy import solve_greedy
from urbanmine.engine.matching.instance import (
    Assignment,
    Instance,
    InstanceError,
    Result,
    Totals,
    load_instance,
    parse_instance,
)
from urbanmine.engine.matching.optimal import OPTIMAL_REL_GAP, solve_optimal

SOLVERS = ("optimal", "greedy")

__all__ = [
    "OPTIMAL_REL_GAP",
    "SOLVERS",
    "Assignment",
    "CheckReport",
    "Instance",
    "InstanceError",
    "Result",
    "Totals",
    "Violation",
    "check",
    "load_instance",
    "parse_instance",
    "solve",
    "solve_file",
]


def solve(
    instance: Instance,
    solver: str = "optimal",
    time_limit: float | None = None,
    *,
    rel_gap: float | None = None,
    max_memory_gb: float | None = None,
) -> Result:
    """Solve with `solver` ("optimal" or "greedy"); `time_limit` in seconds (optimal only).
    `rel_gap` (optimal only) stops the search once the proven relative gap is at most that;
    the status is `optimal` only within OPTIMAL_REL_GAP (1e-6) regardless. `max_memory_gb`
    (optimal only, default 4) is the memory budget: a larger instance is solved by
    streaming its candidate routes, never refused."""
    if solver == "optimal":
        return solve_optimal(
            instance, time_limit=time_limit, rel_gap=rel_gap, max_memory_gb=max_memory_gb
        )
    if solver == "greedy":
        return solve_greedy(instance)
    raise ValueError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")


def solve_file(
    path: str | Path,
    solver: str = "optimal",
    time_limit: float | None = None,
    *,
    rel_gap: float | None = None,
    max_memory_gb: float | None = None,
) -> Result:
    return solve(
        load_instance(path),
        solver=solver,
        time_limit=time_limit,
        rel_gap=rel_gap,
        max_memory_gb=max_memory_gb,
    )
