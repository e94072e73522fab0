"""Does the run ``forecast plan`` recommends beat the usual heuristics? Realised interval and error at the target.

    python benchmarks/plan.py [--datasets 20] [--jobs 2]          # seeded ladders of every truth
    python benchmarks/plan.py --real [--data ../shared/data]     # the real ladders
    python benchmarks/plan.py --exhaustive 4                     # also the greedy set against every set
    python benchmarks/plan.py --save rows.json                   # also every ladder's scores

Seeded ladders: each truth of ``benchmarks/ladders.py`` (three well specified, three misspecified),
8 runs over 2 decades with 1% log-normal noise, the target 100 times the largest run. Every
strategy spends the same budget, the compute of one run twice the largest (the usual next step):

* ``plan``: the runs ``forecast plan RUNS --target 100x --budget 2x`` recommends (default options);
* ``double``: one run at twice the largest;
* ``repeat``: two runs at the largest compute (new seeds);
* ``gap``: a run at the geometric midpoint of the widest gap in log compute, again while the budget
  lasts (three at most, as the plan).

Each new run is drawn from the TRUE law with its noise (the k-th new run of every strategy has the
same noise draw), the default procedure (``forecast fit``, 2,000 replicates, law choice, drift
check) is refitted to the runs and the new ones, and the table gives, per strategy, the mean 90%
``pi`` width at the target relative to the true loss there, how often the ``pi`` holds a new run at
the target, the median absolute log error of the estimate, and the mean compute spent.

Real ladders (``--real``): the compute-optimal frontiers of ``benchmarks/real_ladders.py`` (Gadre et
al.'s three sets, Chinchilla). The current runs are every other frontier run below the cut, the
pool of runs one could train next is every other frontier run up to the target (the largest run,
held out), and each strategy picks from the pool the runs nearest its heuristic's computes within
the budget; the plan weighs the pool (``--candidates``). The real losses are added; the realised
width at the target and the error against the held-out run are scored.

``--exhaustive N`` also plans the first N seeded ladders of each truth by trying every set of at
most two runs within the budget, and prints how often the greedy set's expected width is within 2%
of the best set's.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ladders import TRUTHS, WELL_SPECIFIED, draw_ladder, true_loss

from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.ladder import Ladder, fit_law
from scaling_forecast.tasks.plan import DRAWS, MAX_RUNS, exhaustive_set, plan_runs

STRATEGIES = ("now", "plan", "double", "repeat", "gap")
RUNS, DECADES, NOISE, TARGET_FACTOR, BUDGET_FACTOR = 8, 2.0, 0.01, 100.0, 2.0
Z90 = 1.6448536269514722


def gap_runs(compute: np.ndarray, budget: float, limit: int = MAX_RUNS) -> list[float]:
    """Runs at the geometric midpoint of the widest gap in log compute, in turn, while the budget lasts (ties: the
    gap of larger compute)."""
    chosen: list[float] = []
    points = sorted(compute.tolist())
    while len(chosen) < limit:
        logs = np.log(points)
        gaps = np.diff(logs)
        widest = int(np.flatnonzero(gaps >= gaps.max() - 1e-12)[-1])
        middle = float(np.exp((logs[widest] + logs[widest + 1]) / 2.0))
        if sum(chosen) + middle > budget:
            break
        chosen.append(middle)
        points = sorted([*points, middle])
    return chosen


def heuristics(compute: np.ndarray, budget: float) -> dict[str, list[float]]:
    largest = float(compute.max())
    return {
        "now": [],
        "double": [BUDGET_FACTOR * largest],
        "repeat": [largest] * int(budget // largest),
        "gap": gap_runs(compute, budget),
    }


def score(compute: np.ndarray, loss: np.ndarray, target: float, truth: float, new_run: float) -> dict[str, float]:
    result = fit_law(compute, loss, FitSettings(), (Target(target),))
    p = result.predictions[0]
    return {
        "width": (p.pi[1] - p.pi[0]) / truth,
        "covered": float(p.pi[0] <= new_run <= p.pi[1]),
        "error": abs(math.log(p.estimate / truth)),
    }


def run_seeded(job: tuple[str, int, int]) -> list[dict[str, Any]]:
    """Every strategy on one seeded ladder of ``truth``; with ``exhaustive``, the greedy set against every set."""
    truth, seed, exhaustive = job
    rng = np.random.default_rng([TRUTHS.index(truth), seed])
    compute, loss = draw_ladder(truth, RUNS, DECADES, NOISE, rng)
    smallest, largest = float(compute[0]), float(compute.max())
    target, budget = TARGET_FACTOR * largest, BUDGET_FACTOR * largest
    truth_at = float(true_loss(truth, np.array([target]), smallest)[0])
    new_run = truth_at * math.exp(NOISE * np.random.default_rng([TRUTHS.index(truth), seed, 9]).normal())
    ladder = Ladder(compute, loss, tuple(f"r{i}" for i in range(compute.size)), FitSettings())
    start = time.perf_counter()
    plan = plan_runs(ladder, Target(target), budget=budget)
    seconds = time.perf_counter() - start
    chosen = {**heuristics(compute, budget), "plan": list(plan.recommended.computes)}
    noise = np.random.default_rng([TRUTHS.index(truth), seed, 7]).normal(0.0, NOISE, 2 * MAX_RUNS + 2)
    rows = []
    for strategy in STRATEGIES:
        added = np.array(sorted(chosen[strategy]))
        new_loss = true_loss(truth, added, smallest) * np.exp(noise[: added.size])
        scored = score(np.concatenate([compute, added]), np.concatenate([loss, new_loss]), target, truth_at, new_run)
        cost = float(added.sum()) / largest
        rows.append({"truth": truth, "seed": seed, "strategy": strategy, "cost": cost, **scored})
    rows[1]["seconds"] = seconds
    if exhaustive:
        chosen_runs = tuple((c.compute, c.kind) for c in plan.candidates)
        from scaling_forecast.tasks import plan as planning

        base = replace(ladder, settings=replace(ladder.settings, n_boot=planning.PLAN_REPLICATES))
        at = Target(target)
        now = base.fit(targets=(at, *(Target(c) for c, _ in chosen_runs)))
        forecast = planning._forecast_at(now.predictions[1:])
        variates = planning._variates(DRAWS, 2, 0)

        def expected(picked: tuple[int, ...]) -> planning.Expectation:
            computes = np.array([chosen_runs[i][0] for i in picked])
            return planning._expected(base, at, (forecast, None), picked, computes, variates, now.law, now.fit.drift)

        singles = {i: c.width for i, c in enumerate(plan.candidates)}
        greedy = planning._best_set(chosen_runs, singles, budget, 2, expected, plan.width)
        best = exhaustive_set(chosen_runs, budget, 2, expected)
        rows.append({"truth": truth, "seed": seed, "strategy": "exhaustive", "greedy": greedy[1], "best": best[1]})
    return rows


def table(rows: list[dict[str, Any]], group: str) -> list[str]:
    lines = [
        f"| {group} | strategy | runs | mean cost (x largest) | mean 90% PI width / truth | median width | "
        "PI holds a new run | median abs log error |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    groups = sorted({r[group] for r in rows}, key=lambda g: (TRUTHS.index(g) if g in TRUTHS else 99, g))
    for name in [*groups, "all"]:
        for strategy in STRATEGIES:
            part = [r for r in rows if r["strategy"] == strategy and (name == "all" or r[group] == name)]
            if not part:
                continue
            width = float(np.mean([r["width"] for r in part]))
            median = float(np.median([r["width"] for r in part]))
            covered = float(np.mean([r["covered"] for r in part]))
            error = float(np.median([r["error"] for r in part]))
            cost = float(np.mean([r["cost"] for r in part]))
            lines.append(
                f"| {name} | {strategy} | {len(part)} | {cost:.2f} | {width:.2%} | {median:.2%} | {covered:.0%} | "
                f"{error:.2%} |"
            )
    return lines


def paired(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[str]:
    """The plan's width minus each heuristic's on the same ladders: mean, its standard error, and how often the
    plan's is narrower (the ladders differ far more than the strategies do, so the pairs say what the means
    cannot)."""
    by = {(tuple(r[k] for k in keys), r["strategy"]): r["width"] for r in rows}
    ladders = sorted({key for key, s in by if s == "plan"})
    lines = [
        "",
        "| plan against | ladders | mean width difference (points) | its standard error | median | plan narrower |",
    ]
    lines.append("|---|---:|---:|---:|---:|---:|")
    for strategy in STRATEGIES:
        if strategy == "plan":
            continue
        diff = np.array([by[(k, "plan")] - by[(k, strategy)] for k in ladders if (k, strategy) in by])
        if diff.size == 0:
            continue
        se = float(diff.std(ddof=1) / math.sqrt(diff.size)) if diff.size > 1 else float("nan")
        lines.append(
            f"| {strategy} | {diff.size} | {100 * diff.mean():+.2f} | {100 * se:.2f} | {100 * np.median(diff):+.2f} | "
            f"{np.mean(diff < 0):.0%} |"
        )
    return lines


def seeded(datasets: int, jobs: int, exhaustive: int, save: Path | None = None) -> None:
    work = [(truth, seed, int(seed < exhaustive)) for truth in TRUTHS for seed in range(datasets)]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        found = [row for rows in pool.map(run_seeded, work) for row in rows]
    rows = [r for r in found if r["strategy"] != "exhaustive"]
    if save is not None:
        save.write_text(json.dumps(found, indent=1) + "\n")
    print(
        f"seeded ladders: {datasets} per truth, {RUNS} runs over {DECADES:g} decades, {NOISE:.0%} noise, target "
        f"{TARGET_FACTOR:g}x the largest run, budget {BUDGET_FACTOR:g}x ({time.perf_counter() - start:.0f} s)\n"
    )
    print("\n".join(table(rows, "truth")))
    seconds = [r["seconds"] for r in rows if "seconds" in r]
    print(
        f"\nforecast plan with default options: median {np.median(seconds):.1f} s, max {max(seconds):.1f} s per ladder"
    )
    print("\n".join(paired(rows, ("truth", "seed"))))
    well = [r for r in rows if r["truth"] in WELL_SPECIFIED]
    mis = [r for r in rows if r["truth"] not in WELL_SPECIFIED]
    for label, part in (("well specified", well), ("misspecified", mis)):
        means = {s: np.mean([r["width"] for r in part if r["strategy"] == s]) for s in STRATEGIES}
        print(f"{label}: mean width " + ", ".join(f"{s} {means[s]:.2%}" for s in STRATEGIES))
    checked = [r for r in found if r["strategy"] == "exhaustive"]
    if checked:
        close = np.mean([r["greedy"] <= 1.02 * r["best"] for r in checked])
        ratio = np.mean([r["greedy"] / r["best"] for r in checked])
        print(
            f"greedy against exhaustive (sets of at most 2 runs within the budget, {len(checked)} ladders): "
            f"within 2% of the best set's expected width on {close:.0%}, mean ratio {ratio:.3f}"
        )


def real(data: Path) -> None:
    from real_ladders import frontier, ladders

    rows = []
    for name, compute, loss, cut in ladders(data):
        if "frontier" not in name:
            continue
        compute, loss = frontier(compute, loss)
        target_index = int(np.argmax(compute))
        target, truth_at = float(compute[target_index]), float(loss[target_index])
        below = np.flatnonzero(compute <= cut)
        current = below[::2]
        pool = np.setdiff1d(np.arange(compute.size - 1), current)
        pool = pool[compute[pool] < target]
        if current.size < 4 or pool.size == 0:
            continue
        c, y = compute[current], loss[current]
        largest = float(c.max())
        budget = BUDGET_FACTOR * largest
        affordable = pool[compute[pool] <= budget]
        ladder = Ladder(c, y, tuple(f"r{i}" for i in range(c.size)), FitSettings())
        plan = plan_runs(ladder, Target(target), budget=budget, candidates=tuple(compute[affordable].tolist()))
        wanted = {**heuristics(c, budget), "plan": list(plan.recommended.computes)}
        for strategy in STRATEGIES:
            picked: list[int] = []
            spent = 0.0
            for want in wanted[strategy]:
                left = [i for i in affordable if i not in picked and spent + compute[i] <= budget]
                if not left:
                    break
                i = min(left, key=lambda j: abs(math.log(compute[j] / want)))
                picked.append(int(i))
                spent += float(compute[i])
            scored = score(
                np.concatenate([c, compute[picked]]), np.concatenate([y, loss[picked]]), target, truth_at, truth_at
            )
            rows.append({"ladder": name, "strategy": strategy, "cost": spent / largest, **scored})
    print("real frontiers: every other run below the cut fitted, the others a pool; the largest run the target\n")
    print("\n".join(table(rows, "ladder")))
    print("\n".join(paired(rows, ("ladder",))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--exhaustive", type=int, default=0)
    parser.add_argument("--real", action="store_true")
    parser.add_argument("--save", type=Path, help="also write every ladder's scores to this JSON file")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    args = parser.parse_args()
    if args.real:
        if not args.data.is_dir():
            sys.exit(f"{args.data}: no such folder; give --data with the shared data")
        real(args.data)
        return
    seeded(args.datasets, args.jobs, args.exhaustive, args.save)


if __name__ == "__main__":
    main()
