"""Is ``P(better)`` honest? Calibration of ``forecast compare`` on pairs of sweeps with known laws.

Run: ``python benchmarks/compare_calibration.py [--pairs 300] [--runs 8] [--noise 0.01] [--factor 100]``.
Each pair is the example ladder's law and a rival whose floor, coefficient and exponent are
perturbed, so the true winner at the target is known. Sweeps with ``P(better)`` of about ``p``
should truly win about ``p`` of the time; the table prints, per bin of ``P(better)``, the mean
probability and the observed frequency, then the Brier score (lower is better; always answering
0.5 scores 0.25) and the coverage of the 90% interval of the difference. With ``--null`` both
sweeps follow the same law: ``P(better)`` is then a one-sided confidence level and should fall
above 0.95 (or below 0.05) in about 5% of pairs.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.compare import Sweep, compare_sweeps

BASE = (777.0, -0.155, 1.80)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--factor", type=float, default=100.0)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--null", action="store_true", help="the rival follows the same law: P(better) should be uniform"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    compute = np.geomspace(1e17, 1e20, args.runs)
    target = float(compute[-1] * args.factor)
    settings = FitSettings(n_boot=args.bootstrap, seed=args.seed)
    probabilities, wins, covered = [], [], []
    for _ in range(args.pairs):
        a, b, c = BASE
        rival = (a * np.exp(rng.normal(0, 0.3)), b * np.exp(rng.normal(0, 0.05)), c + rng.normal(0, 0.03))
        if args.null:
            rival = BASE
        laws = {"base": BASE, "rival": rival}
        sweeps = [
            Sweep(name, compute, (p[0] * compute ** p[1] + p[2]) * np.exp(rng.normal(0, args.noise, args.runs)))
            for name, p in laws.items()
        ]
        truth = {name: p[0] * target ** p[1] + p[2] for name, p in laws.items()}
        ranked = compare_sweeps(sweeps, settings, (Target(target),), baseline="base").comparisons[0].ranking
        row = next(r for r in ranked if r.sweep == "rival")
        assert row.p_better is not None and row.delta_ci is not None
        probabilities.append(row.p_better)
        wins.append(truth["rival"] < truth["base"])
        true_delta = truth["rival"] - truth["base"]
        covered.append(row.delta_ci[0] <= true_delta <= row.delta_ci[1])
    p, won = np.array(probabilities), np.array(wins, dtype=float)
    print(f"{args.pairs} pairs, {args.runs} runs over 3 decades, {args.noise:.1%} noise, target {args.factor:g}x")
    if args.null:
        print(f"P(better) > 0.95: {np.mean(p > 0.95):.3f}, < 0.05: {np.mean(p < 0.05):.3f} (0.05 each if exact)")
        print(f"P(better) > 0.8: {np.mean(p > 0.8):.3f}, < 0.2: {np.mean(p < 0.2):.3f} (0.2 each if exact)")
        print(f"90% delta_ci covers the true difference 0: {np.mean(covered):.3f}")
        return
    print(f"{'P(better) bin':>14} {'pairs':>6} {'mean P':>7} {'won':>6}")
    edges = np.array([0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001])
    for low, high in itertools.pairwise(edges):
        inside = (p >= low) & (p < high)
        if inside.any():
            count, mean_p, rate = int(inside.sum()), p[inside].mean(), won[inside].mean()
            print(f"{low:6.2f}-{min(high, 1.0):4.2f} {count:>8} {mean_p:7.3f} {rate:6.3f}")
    print(f"Brier score: {np.mean((p - won) ** 2):.4f} (0.25 for always 0.5)")
    print(f"90% delta_ci covers the true difference: {np.mean(covered):.3f}")


if __name__ == "__main__":
    main()
