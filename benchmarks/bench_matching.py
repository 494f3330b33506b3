"""Matching benchmark: optimal vs greedy on generated Zuid-Holland instances.

Each (size, solver) runs in its own subprocess so peak memory (ru_maxrss) is that run's.
Writes benchmarks/results/matching.md. Usage: python benchmarks/bench_matching.py [CASES...]
with CASES like `50000` or `50000x0.05` (size x hub-capacity factor of the generator).
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

# (size, hub-capacity factor): the standard instances, plus a 50k variant whose hub
# capacities are cut to 5% so that they bind in the optimum (at factor 1 they do not at 50k)
CASES = ((1000, 1.0), (10000, 1.0), (50000, 1.0), (50000, 0.05))
N_HUBS = 25
SEED = 1
TIME_LIMIT_S = 120.0
TARGET_GAP = 1e-3


def hubs_at_capacity(inst, res) -> int:
    """Hubs whose held mass reaches >= 99% of capacity on some day in the result."""
    from datetime import date

    import numpy as np

    a = inst.arrays
    full = 0
    by_hub: dict[int, list[tuple[int, int, float]]] = {}
    for x in res.assignments:
        if x.hub is None:
            continue
        s = inst.supply_index[x.supply]
        day = date.fromisoformat(x.delivery_date).toordinal()
        by_hub.setdefault(inst.hub_index[x.hub], []).append(
            (int(a.s_day[s]), day, x.quantity * float(a.s_mass_t[s]))
        )
    for h, items in by_hub.items():
        days = np.array(sorted({d for it in items for d in it[:2]}))
        load = np.zeros(len(days) + 1)
        for d0, d1, m in items:
            load[np.searchsorted(days, d0)] += m
            load[np.searchsorted(days, d1)] -= m
        if np.cumsum(load).max() >= 0.99 * a.h_cap_t[h]:
            full += 1
    return full


def run_one(instance_path: str, solver: str) -> dict:
    """Child process: load, solve, check; print one JSON line."""
    from urbanmine.engine.matching import check, load_instance, solve

    t0 = time.perf_counter()
    inst = load_instance(instance_path)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    if solver == "optimal":
        res = solve(inst, solver, time_limit=TIME_LIMIT_S, rel_gap=TARGET_GAP)
    else:
        res = solve(inst, solver)
    t_solve = time.perf_counter() - t1
    rep = check(inst, res)
    return {
        "solver": solver,
        "status": res.status,
        "objective_eur": res.objective_eur,
        "bound_eur": res.bound_eur,
        "gap": res.gap,
        "mass_t": res.totals.mass_kg / 1000,
        "co2_avoided_t": res.totals.co2_avoided_kg / 1000,
        "assignments": len(res.assignments),
        "load_s": t_load,
        "solve_s": t_solve,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "violations": len(rep.violations),
        "hubs_full": hubs_at_capacity(inst, res),
        "extra": {k: v for k, v in res.extra.items() if isinstance(v, int | float | str)},
    }


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "--child":
        print(json.dumps(run_one(argv[1], argv[2])))
        return 0
    from matching_generator import generate

    cases = [
        (int(c.split("x")[0]), float(c.split("x")[1]) if "x" in c else 1.0) for c in argv
    ] or list(CASES)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, cap_f in cases:
            t0 = time.perf_counter()
            path = Path(tmp) / f"instance_{n}_{cap_f}.json"
            data = generate(n, n, N_HUBS, SEED, capacity_factor=cap_f)
            path.write_text(json.dumps(data), encoding="utf-8")
            gen_s = time.perf_counter() - t0
            for solver in ("optimal", "greedy"):
                print(f"matching {n} x{cap_f}: {solver}...", flush=True)
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), solver],
                    capture_output=True,
                    text=True,
                    cwd=REPO,
                )
                if out.returncode:
                    print(out.stderr, file=sys.stderr)
                    rows.append(
                        {"n": n, "cap": cap_f, "solver": solver, "error": out.stderr.strip()[-300:]}
                    )
                    continue
                row = json.loads(out.stdout.strip().splitlines()[-1])
                row.update(n=n, cap=cap_f, generate_s=gen_s)
                rows.append(row)
                print(json.dumps(row), flush=True)
    write_report(rows)
    return 0


def _fmt(x, spec: str) -> str:
    return "n/a" if x is None else format(x, spec)


def _label(r: dict) -> str:
    tight = "" if r.get("cap", 1.0) == 1.0 else f" (hub capacity x{r['cap']:g})"
    return f"{r['n']:,} x {r['n']:,}{tight}"


def write_report(rows: list[dict]) -> None:
    lines = [
        "# Matching benchmark",
        "",
        f"Generated by `benchmarks/bench_matching.py` on {time.strftime('%Y-%m-%d')} "
        f"({platform.processor() or platform.machine()}, Python {platform.python_version()}). "
        f"Instances: `benchmarks/matching_generator.py`, seed {SEED}, as many demand lines as "
        f"supply lots, {N_HUBS} hubs (five typologies). Optimal runs with a "
        f"{TIME_LIMIT_S:.0f} s time limit and `rel_gap={TARGET_GAP:g}` (it stops once the "
        "proven gap is at most 0.1%; status `optimal` still means gap <= 1e-6); each run is a "
        "separate process (peak memory = its ru_maxrss). Solve time excludes JSON loading and "
        "includes candidate generation. Gap = (bound - objective) / bound with the solver's "
        "proven upper bound. Every result was verified by the checker (violations column). "
        "'hubs full' = hubs whose held mass reaches >= 99% of capacity on some day in that "
        "solution.",
        "",
        "| supply x demand | solver | status | solve s | peak MB | objective EUR | bound EUR "
        "| gap | mass matched t | CO2 avoided t | candidate arcs | hubs full | violations |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {_label(r)} | {r['solver']} | error: {r['error']} |")
            continue
        lines.append(
            f"| {_label(r)} | {r['solver']} | {r['status']} | {r['solve_s']:.1f} "
            f"| {r['peak_mb']:.0f} | {r['objective_eur']:,.0f} | {_fmt(r['bound_eur'], ',.0f')} "
            f"| {_fmt(None if r['gap'] is None else 100 * r['gap'], '.4f')}% "
            f"| {r['mass_t']:,.0f} | {r['co2_avoided_t']:,.0f} "
            f"| {r['extra'].get('candidate_arcs', '')} | {r.get('hubs_full', '')} "
            f"| {r['violations']} |"
        )
    lines += ["", "## Against the target", ""]
    for r in rows:
        if r.get("solver") != "optimal" or "error" in r:
            continue
        greedy = next(
            (
                g
                for g in rows
                if g.get("n") == r["n"] and g.get("cap") == r.get("cap") and g["solver"] == "greedy"
            ),
            None,
        )
        gain = ""
        if greedy and "objective_eur" in greedy and greedy["objective_eur"]:
            gain = (
                f"; optimal/greedy objective = {r['objective_eur'] / greedy['objective_eur']:.3f}"
            )
        ok = (
            r["gap"] is not None
            and r["gap"] <= TARGET_GAP
            and r["solve_s"] < 120
            and r["peak_mb"] < 4096
        )
        ex = r["extra"]
        lines.append(
            f"- {_label(r)}: {'MET' if ok else 'NOT MET'} (target: gap <= 0.1% in < 120 s and "
            f"< 4 GB; method {ex.get('method')}, LP rounds {ex.get('pricing_rounds')}{gain}"
            + (
                f"; Lagrangian bounds {ex['lagrangian_bounds']}"
                if "lagrangian_bounds" in ex
                else ""
            )
            + (f"; seconds: {ex['timings']}" if "timings" in ex else "")
            + ")"
        )
    lines += ["", "## Notes", ""] + [f"- {n}" for n in NOTES]
    out = HERE / "results" / "matching.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


NOTES = [
    "Large instances (> 300k candidate arcs) use a Lagrangian bound plus column generation "
    "(ADR 0002): relaxing the binding hubs' capacity rows splits the problem into one "
    "transportation problem per product group over (supply, demand) pairs (each pair's best "
    "route), solved exactly by OR-Tools min-cost flow on costs rounded up, so the bound is "
    "proven for the full problem. The restricted master LP (HiGHS dual simplex) starts from "
    "every route of the pairs the uncapacitated flow uses (~0.1M columns at 50k); its "
    "solution is rounded down and topped up greedily.",
    "Instances changed during this work: `src/urbanmine/data/impact_factors.csv` appeared "
    "(another workstream), and the generator uses its factors when present, so objectives "
    "are ~4x the earlier results file (50k optimal 1.94e9 vs 4.3e8 EUR). Locations, dates, "
    "quantities and capacities are generated the same way (arcs differ: values changed).",
    "Finding: with the generator's default capacities (scaled with the number of lots) hub "
    "capacity does NOT bind in the optimum at 50k (peak hub load <= 30% of capacity; the "
    "uncapacitated transportation optimum is feasible, so the Lagrangian bound at zero "
    "multipliers is already tight), and barely at 10k (one hub full; capacity costs ~EUR 400 "
    "of 337M). The generator's claim that capacities bind at every size holds only at 1k. "
    "The 'hub capacity x0.05' row cuts every capacity to 5% so that capacities bind at 50k "
    "(19 hubs full): the primal is 0.37% below the bound and 10.8% above greedy, but the "
    "bound is not closed in 120 s (see its row).",
    "Previous engine (before the Lagrangian bound, on the previous factors): 50k time_limit "
    "at 102 s, gap 38.9%, objective 2.1% above greedy; the same 50k instance then had an "
    "uncapacitated optimum 5.4% above its best solution (its top-k master missed most of "
    "the useful arcs).",
    "10k reports `feasible`, not `optimal`: the bench passes `rel_gap=1e-3`, the solver "
    "stopped at a proven 1.2e-6 gap, and `optimal` is reserved for <= 1e-6.",
    "Tried for the binding (x0.05) case: warm primal-simplex re-solves after adding priced "
    "columns (60 s for one re-solve at 0.19M columns), cold dual simplex (> 100 s at 0.19M), "
    "masters seeded with extra top-k arcs per demand (0.18M columns: 9.8 s vs 2.5 s for the "
    "lean master on the default instance), IPM without crossover (12 s vs 2.5 s), Lagrangian "
    "multipliers straight from the restricted master's duals and Wentges-smoothed halfway to "
    "zero (both give a weaker bound than zero multipliers: the lean master over-prices "
    "capacity).",
]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
