"""Regenerate the example ladders (seeded, so the files are identical on every run).

    python examples/make_examples.py

The ladder mimics the GPT-4 report's setting: nine runs spanning four decades of compute
(1e17 to 1e21 FLOP, at 20 tokens per parameter), final losses drawn from
L(C) = 777 * C^-0.155 + 1.80 with 0.6% multiplicative noise. The true law is known, so the
forecast at 1e24 FLOP can be checked: L(1e24) = 1.948.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
A, B, C_FLOOR, NOISE = 777.0, -0.155, 1.80, 0.006


def ladder(seed: int = 2023) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    compute = 1e17 * 10 ** (np.arange(9) / 2)
    params = np.sqrt(compute / 120.0)
    tokens = 20.0 * params
    loss = (A * compute**B + C_FLOOR) * np.exp(rng.normal(0.0, NOISE, compute.size))
    return [
        {
            "run": f"ladder-{i + 1:02d}",
            "params": round(float(n)),
            "tokens": round(float(d)),
            "compute": float(f"{c:.4g}"),
            "loss": round(float(value), 4),
        }
        for i, (n, d, c, value) in enumerate(zip(params, tokens, compute, loss, strict=True))
    ]


def main() -> None:
    runs = ladder()
    with open(HERE / "runs.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(runs[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(runs)
    lines = ["# The example ladder of runs.csv as YAML: one mapping per run.", "runs:"]
    for run in runs:
        lines.append(f"  - run: {run['run']}")
        for key in ("params", "tokens", "compute", "loss"):
            lines.append(f"    {key}: {run[key]}")
    (HERE / "runs.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
