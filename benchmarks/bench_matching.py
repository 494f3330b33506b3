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

# (size, hub-capacity factor): the generator's hub capacities are fixed per typology and
# bind at every size; other factors can be given on the command line (e.g. 50000x0.5)
CASES = ((1000, 1.0), (10000, 1.0), (50000, 1.0))
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
            f"< 4 GB; {r.get('hubs_full')} hubs full in the solution; method {ex.get('method')}, "
            f"subgradient iterations {ex.get('subgradient_iterations', 0)}, "
            f"LP rounds {ex.get('pricing_rounds')}{gain}"
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
    "Hub capacities are fixed per typology (generator docstring, ADR 0002): raw-materials "
    "hub 2-5 kt, urban mining hub 100-300 t, circular craft centre 10-40 t, material bank "
    "10-40 t, at the producer 50-200 t; they do not grow with the number of lots, so "
    "capacity binds at every size ('hubs full' column). Objectives are not comparable with "
    "earlier results files (those used capacities that grew with the instance).",
    "Large instances (> 300k candidate arcs): Lagrangian relaxation of hub capacity. The "
    "bound is the exact per-group transportation optimum over ALL (supply, demand) pairs "
    "(OR-Tools min-cost flow, costs rounded up) plus the priced capacity, evaluated at "
    "lam = 0 and at the best multipliers of a projected-subgradient phase (Polyak steps, "
    "target = best primal) run on a restricted oracle (top pairs per supply and demand; "
    "it steers the multipliers, it is not a bound). The primal is a Lagrangian heuristic "
    "(relaxed flow repaired to capacity, greedy top-up); a restricted master LP with "
    "column generation polishes it when time is left.",
    "Previous engine (restricted master LP + master-derived multipliers) re-run on these "
    "same instances during this work, 120 s, rel_gap 1e-3: 10k time_limit, objective "
    "331,683,137, bound 337,435,355 (gap 1.70%, vs 1.07% now); 50k time_limit with NO "
    "solution (its first master LP did not finish: objective 0, gap 100%, vs 0.87% now).",
    "Target NOT met at 10k and 50k with binding capacities: the subgradient phase moves the "
    "exact bound only slightly (the restricted oracle's best multipliers are not good "
    "multipliers for the full problem) and the primal is the Lagrangian heuristic's. The "
    "true optimum lies somewhere between objective and bound. See ADR 0002 for next steps.",
]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
