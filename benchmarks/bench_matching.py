"""Matching benchmark: optimal vs greedy on generated Zuid-Holland instances.

Each (size, solver) runs in its own subprocess so peak memory (ru_maxrss) is that run's.
Writes benchmarks/results/matching.md (and matching.json, the rows it was made from: a run
of some cases replaces those rows and keeps the others). Usage:
python benchmarks/bench_matching.py [CASES...] with CASES like `50000`, `50000x0.05` (size x
hub-capacity factor of the generator) or `50000d` (the generator's dense mode, issue #16);
`dense` runs the three dense rows (10k, 20k, 50k: about 9 minutes on a quiet 2-core
machine).
The dense 50k case also runs `urbanmine match-file --time-limit TIME_CHECK_S` end to end and
checks that it ends within the limit plus 10% (wall time of the whole command).
"""

from __future__ import annotations

import json
import os
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
CASES = (
    (1000, 1.0, False),
    (10000, 1.0, False),
    (50000, 1.0, False),
    (10000, 1.0, True),
    (20000, 1.0, True),
    (50000, 1.0, True),
)
N_HUBS = 25
DENSE_HUBS = {20000: 20}  # the 20k dense case had 20 hubs
TIME_CHECK_S = 30.0  # a short --time-limit for the end-to-end check on 50k dense
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

    load_before = os.getloadavg()[0]
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
        # the solving process plus its min-cost-flow worker processes (each at its own peak)
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        + float(res.extra.get("flow_workers_peak_mb", 0.0)),
        "violations": len(rep.violations),
        "hubs_full": hubs_at_capacity(inst, res),
        "extra": {k: v for k, v in res.extra.items() if isinstance(v, int | float | str)},
        # 1-minute load average before and after the run (the machine is shared: 2 cores)
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def _parse_case(c: str) -> tuple[int, float, bool]:
    dense = c.endswith("d")
    c = c.rstrip("d")
    return int(c.split("x")[0]), float(c.split("x")[1]) if "x" in c else 1.0, dense


def time_limit_check(path: Path, limit: float) -> dict:
    """`urbanmine match-file` end to end with a short limit: wall time of the command."""
    with tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "result.json"
        t0 = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "from urbanmine.cli import main; main()",
                "match-file",
                str(path),
                "--out",
                str(out_path),
                "--time-limit",
                str(limit),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        wall = time.perf_counter() - t0
        load_avg = round(os.getloadavg()[0], 2)
        if out.returncode:
            return {"limit_s": limit, "wall_s": wall, "error": out.stderr.strip()[-300:]}
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        return {
            "limit_s": limit,
            "wall_s": wall,
            "status": summary["status"],
            "gap": summary["gap"],
            "violations": summary["check_violations"],
            "bound_eur": summary["bound_eur"],
            "load_avg": load_avg,
        }


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "--child":
        print(json.dumps(run_one(argv[1], argv[2])))
        return 0
    from matching_generator import generate

    if argv == ["dense"]:  # the dense rows only
        argv = [f"{n}d" for n, _, dense in CASES if dense]
    cases = [_parse_case(c) for c in argv] or list(CASES)
    rows = []
    checks = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, cap_f, dense in cases:
            t0 = time.perf_counter()
            path = Path(tmp) / f"instance_{n}_{cap_f}_{int(dense)}.json"
            hubs = DENSE_HUBS.get(n, N_HUBS) if dense else N_HUBS
            data = generate(n, n, hubs, SEED, capacity_factor=cap_f, dense=dense)
            path.write_text(json.dumps(data), encoding="utf-8")
            gen_s = time.perf_counter() - t0
            for solver in ("optimal", "greedy"):
                print(f"matching {n} x{cap_f}{' dense' if dense else ''}: {solver}...", flush=True)
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), solver],
                    capture_output=True,
                    text=True,
                    cwd=REPO,
                )
                base = {"n": n, "cap": cap_f, "dense": dense, "hubs": hubs, "solver": solver}
                if out.returncode:
                    print(out.stderr, file=sys.stderr)
                    rows.append({**base, "error": out.stderr.strip()[-300:]})
                    continue
                row = json.loads(out.stdout.strip().splitlines()[-1])
                row.update(base, generate_s=gen_s)
                rows.append(row)
                print(json.dumps(row), flush=True)
            if dense and n == 50000:
                check = time_limit_check(path, TIME_CHECK_S)
                check.update(n=n, dense=dense)
                checks.append(check)
                print(json.dumps(check), flush=True)
    write_report(*_merge(rows, checks))
    return 0


def _merge(rows: list[dict], checks: list[dict]) -> tuple[list[dict], list[dict]]:
    """Rows of this run replace those of the same case in matching.json; others stay."""
    store = HERE / "results" / "matching.json"
    old = json.loads(store.read_text(encoding="utf-8")) if store.exists() else {}

    def key(r: dict) -> tuple:
        return (r["n"], r.get("cap", 1.0), r.get("dense", False), r.get("solver"))

    done = {key(r) for r in rows}
    merged = [r for r in old.get("rows", []) if key(r) not in done] + rows
    merged.sort(key=lambda r: (r.get("dense", False), r["n"], r.get("cap", 1.0), r["solver"]))
    checks = checks or old.get("checks", [])
    store.write_text(json.dumps({"rows": merged, "checks": checks}, indent=1), encoding="utf-8")
    return merged, checks


def _load(r: dict) -> str:
    """The 1-minute load average before -> after a run ('' for rows measured before it was
    recorded)."""
    la = r.get("load_avg")
    return f"{la[0]:.1f} -> {la[1]:.1f}" if la else ""


def _fmt(x, spec: str) -> str:
    return "n/a" if x is None else format(x, spec)


def _label(r: dict) -> str:
    tight = "" if r.get("cap", 1.0) == 1.0 else f" (hub capacity x{r['cap']:g})"
    dense = f" dense ({r.get('hubs', N_HUBS)} hubs)" if r.get("dense") else ""
    return f"{r['n']:,} x {r['n']:,}{dense}{tight}"


def _greedy_of(rows: list[dict], r: dict) -> dict | None:
    return next(
        (
            g
            for g in rows
            if g.get("n") == r["n"]
            and g.get("cap") == r.get("cap")
            and g.get("dense", False) == r.get("dense", False)
            and g["solver"] == "greedy"
            and "objective_eur" in g
        ),
        None,
    )


def write_report(rows: list[dict], checks: list[dict] | None = None) -> None:
    lines = [
        "# Matching benchmark",
        "",
        f"Generated by `benchmarks/bench_matching.py` on {time.strftime('%Y-%m-%d')} "
        f"({platform.processor() or platform.machine()}, Python {platform.python_version()}). "
        f"Instances: `benchmarks/matching_generator.py`, seed {SEED}, as many demand lines as "
        f"supply lots, {N_HUBS} hubs (five typologies). Optimal runs with a "
        f"{TIME_LIMIT_S:.0f} s time limit and `rel_gap={TARGET_GAP:g}` (it stops once the "
        "proven gap is at most 0.1%; status `optimal` still means gap <= 1e-6); each run is a "
        "separate process (peak memory = its ru_maxrss plus the peaks of the min-cost-flow "
        "worker processes it starts at 50k, one per core). Solve time excludes JSON loading and "
        "includes candidate generation. Gap = (bound - objective) / bound with the solver's "
        "proven upper bound. Every result was verified by the checker (violations column). "
        "'hubs full' = hubs whose held mass reaches >= 99% of capacity on some day in that "
        "solution.",
        "",
        "| supply x demand | solver | status | solve s | peak MB | objective EUR | bound EUR "
        "| gap | vs greedy | mass matched t | CO2 avoided t | candidate arcs | hubs full "
        "| violations | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {_label(r)} | {r['solver']} | error: {r['error']} |")
            continue
        g = _greedy_of(rows, r) if r["solver"] == "optimal" else None
        vs = f"{r['objective_eur'] / g['objective_eur']:.3f}" if g and g["objective_eur"] else ""
        arcs = r["extra"].get("candidate_arcs", "")
        if not arcs and r["extra"].get("estimated_routes"):
            arcs = f"~{r['extra']['estimated_routes']:.3g} (streamed)"
        lines.append(
            f"| {_label(r)} | {r['solver']} | {r['status']} | {r['solve_s']:.1f} "
            f"| {r['peak_mb']:.0f} | {r['objective_eur']:,.0f} | {_fmt(r['bound_eur'], ',.0f')} "
            f"| {_fmt(None if r['gap'] is None else 100 * r['gap'], '.4f')}% | {vs} "
            f"| {r['mass_t']:,.0f} | {r['co2_avoided_t']:,.0f} "
            f"| {arcs} | {r.get('hubs_full', '')} "
            f"| {r['violations']} | {_load(r)} |"
        )
    lines += ["", "## Against the target", ""]
    for r in rows:
        if r.get("solver") != "optimal" or "error" in r:
            continue
        greedy = _greedy_of(rows, r)
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
    if checks:
        lines += ["", "## Time limit, end to end", ""]
        for c in checks:
            if "error" in c:
                lines.append(
                    f"- {c['n']:,} dense, --time-limit {c['limit_s']:g}: error {c['error']}"
                )
                continue
            ok = c["wall_s"] <= 1.1 * c["limit_s"] and c["violations"] == 0
            lines.append(
                f"- `urbanmine match-file` on {c['n']:,} x {c['n']:,} dense with --time-limit "
                f"{c['limit_s']:g}: {'MET' if ok else 'NOT MET'} (target: ends within the limit "
                f"+ 10%, a checked result with a bound): wall {c['wall_s']:.1f} s for the whole "
                f"command (Python start, loading, solving, checking, writing), status "
                f"{c['status']}, gap {_fmt(None if c['gap'] is None else 100 * c['gap'], '.2f')}%, "
                f"{c['violations']} violations"
                + (f", load average {c['load_avg']:.1f}" if "load_avg" in c else "")
            )
    lines += ["", "## Notes", ""] + [f"- {n}" for n in NOTES]
    out = HERE / "results" / "matching.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


NOTES = [
    "Run of 2026-11-29, 18:50-19:10: other sessions' test suites (pytest with browser tests) "
    "ran on the same 2 cores the whole time (load average 3-3.5). The 50k row lost most of "
    "its subgradient steps to that: main's code (before issue #16) run right after on the "
    "same 50k instance under the same load gave exactly the same numbers (objective "
    "1,936,152,599, bound 1,941,974,833, gap 0.2998%, one subgradient step), against 0.0248% "
    "on a quiet machine (previous results file). The in-memory path is unchanged by issue #16; "
    "only a sample of the candidate space (about 1-2 s at 50k) now comes first.",
    "Dense rows (issue #16, generator `--dense`): supply from a few large demolition "
    "projects, 40-90 km maximum distances, binding hubs. Above the memory budget (4 GiB by "
    "default; the sampled estimate of the routes decides) the optimal solver streams the "
    "candidate routes in blocks and never stores them ('candidate arcs' is then the "
    "estimate): a working set of the best pairs per demand and per supply, the Lagrangian + "
    "LP on it, and a bound over ALL routes from its transportation duals repaired by a "
    "streamed pass (ADR 0002, decision 7). The dense path starts from the greedy (first "
    "incumbent, its routes in the working set), so it never ends below it. At 50k dense the "
    "greedy (~11 s), the first pass (~22 s) and one round with a support LP (~25 s) fit, "
    "then light rounds (the working set's flow at that LP's multipliers and a pricing pass, "
    "~12 s each) and a final round for the primal; the 0.1% target is not reached in 120 s "
    "(the bound at one LP's multipliers is the weak side: ADR 0002, fifth round).",
    "Dense rows of 2026-11-30, 09:52-10:00 UTC (issue #16, fifth round: LPs predicted not "
    "to finish are not started, light rounds; main 1289e49), quiet machine ('load avg' "
    "column: 1-minute load before -> after each run). The same code's 50k dense run "
    "varies with the machine's speed in the hour: 0.36% (this row, three times) to 1.45% "
    "when one light round fewer fits; the fourth round's code gave 1.45-1.9% the same hour. "
    "20k dense: 2.5-4.4% over six runs. The 50k (not dense) row was re-measured at 08:27 UTC "
    "with the LP prediction in place: 0.0248% in 110 s, 3,265 MB. Re-run: `python "
    "benchmarks/bench_matching.py dense` (about 9 minutes; replaces only the dense rows).",
    "Hub capacities are fixed per typology (generator docstring, ADR 0002): raw-materials "
    "hub 2-5 kt, urban mining hub 100-300 t, circular craft centre 10-40 t, material bank "
    "10-40 t, at the producer 50-200 t; they do not grow with the number of lots, so "
    "capacity binds at every size ('hubs full' column). Objectives are not comparable with "
    "earlier results files (those used capacities that grew with the instance).",
    "Large instances (> 300k candidate arcs): Lagrangian relaxation of hub capacity, then "
    "column generation on the LP over its support (ADR 0002). (1) Projected subgradient "
    "(Polyak steps) on the exact Lagrangian function when there are at most 1M (supply, "
    "demand) pairs (10k: every step is a proven bound), else on a restricted oracle (top "
    "pairs per supply and demand plus the exact flow at lam = 0). The routes every relaxed "
    "flow uses form the support. (2) The LP relaxation over the support and the direct route "
    "of each support pair, HiGHS IPM with crossover; its solution rounded, repaired to the "
    "strict capacity ledger, and the routes that use no binding capacity re-solved exactly "
    "by min-cost flow. (3) Multipliers from that LP's capacity duals; the exact Lagrangian "
    "over ALL pairs at those multipliers (OR-Tools min-cost flow, costs rounded up) is the "
    "proven bound, and the pairs its flow uses outside the support join the LP for the next "
    "round. At 50k the min-cost flows run in two spawned worker processes (one per core); "
    "their peak memory is included in 'peak MB'.",
    "Earlier engines on these same instances (120 s, rel_gap 1e-3): restricted master LP with "
    "master-derived multipliers: 10k gap 1.70%, 50k no solution (its first master LP did not "
    "finish); Lagrangian heuristic with subgradient multipliers only: 10k gap 0.64%, 50k "
    "0.61%. The LP relaxation of the full 10k model, solved once by HiGHS IPM in 409 s, is "
    "336,818,475 EUR: the primal, not the bound, was the weak side. Run without a gap "
    "target (rel_gap 1e-6, 54 s), the support LP at 10k converges to 336,813,637 EUR "
    "(0.0014% below it) in 6 rounds; objective 336,759,886, bound 336,835,701 (gap 0.023%).",
    "The optimal runs stop as soon as the proven gap is at most 0.1% (rel_gap). The gap left "
    "is the rounding of the LP to integer units under the strict capacity ledger plus the "
    "distance between the support LP's multipliers and the full LP's; the true optimum lies "
    "between objective and bound.",
    (
        "Quiet re-measure of the 50k row, 2026-11-29 19:48-19:53 UTC (load average 0.2; this "
        "session's machine is an Intel Xeon, the earlier 0.0248 % came from an AMD EPYC one): "
        "this code (main 248772f) gap 0.2487 % in 115.0 s, 3,187 MB incl. workers (objective "
        "1,938,195,608, bound 1,943,028,458; 2 pricing rounds, 4 subgradient steps; LP 68.4 "
        "s); main's code before issue #16 (aef6c34) on the same instance right after: gap "
        "0.3591 % in 111.3 s, 3,159 MB (objective 1,935,493,460, bound 1,942,468,295). The "
        "dense work does not make the 50k row worse; on this slower machine neither version "
        "reaches the 0.1 % target in 120 s."
    ),
]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
