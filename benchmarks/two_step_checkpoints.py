"""The two-step law with and without checkpoints, on Pythia's lambada: does every checkpoint in step 2 help?

Run: ``python benchmarks/two_step_checkpoints.py`` (needs ``../shared/data/pythia``; about 15 s).

For each suite (standard, deduped Pile), shot count (0, 5) and fit window (the 5 or the 6 smallest
models), two files are written and fitted as a user would, ``forecast fit FILE -t C ... --chance 0
-f json`` at the larger models' computes:

* final only: one row per model (``run, compute, task_loss, accuracy``; compute ``6 N D``, task
  loss the log of lambada's perplexity);
* every checkpoint: one row per evaluated checkpoint of those models, with a ``step`` column and
  the checkpoint's own compute (``6 N D_step``). Step 1 fits each run's last step; step 2 every row.

Prints per configuration and pooled: mean absolute and mean signed error of the accuracy at 2.8B,
6.9B and 12B (the smallest models' published finals), ``pi`` coverage and median ``pi`` width.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import statistics
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from scaling_forecast.cli import app

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pythia" / "pythia_evals_all_checkpoints.csv"
SIZES = ("70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b")
FINAL_STEP = 143000


def _series(rows: list[dict[str, str]], data: str, shots: str) -> dict[tuple[str, int], tuple[float, float, float]]:
    """``(size, step) -> (compute, task loss, accuracy)`` for lambada in one suite and shot count."""
    values: dict[tuple[str, int], dict[str, float]] = {}
    compute: dict[tuple[str, int], float] = {}
    for r in rows:
        if r["task"] == "lambada_openai" and r["data"] == data and r["shots"] == shots:
            key = (r["size"], int(r["step"]))
            values.setdefault(key, {})[r["metric"]] = float(r["value"])
            compute[key] = 6.0 * float(r["params"]) * float(r["tokens"])
    return {
        key: (compute[key], math.log(v["ppl"]), v["acc"])
        for key, v in values.items()
        if "ppl" in v and "acc" in v and v["ppl"] > 1.0 and compute[key] > 0
    }


def fit_json(path: Path, arguments: list[str]) -> list[dict[str, object]]:
    """``forecast fit PATH ARGUMENTS --chance 0 -f json``, as a user types it: its predictions."""
    result = CliRunner().invoke(app, ["fit", str(path), *arguments, "--chance", "0", "-f", "json"])
    if result.exit_code != 0:
        raise SystemExit(f"{path}: exit {result.exit_code}: {result.stderr}")
    predictions: list[dict[str, object]] = json.loads(result.stdout)["predictions"]
    return predictions


def main() -> None:
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent")
    with DATA.open() as handle:
        rows = list(csv.DictReader(handle))
    pooled: dict[str, list[tuple[float, bool, float]]] = {"final only": [], "every checkpoint": []}
    print(f"{'data':9s} {'shots':5s} {'window':6s} {'rows':>5s}  final only -> every checkpoint")
    with tempfile.TemporaryDirectory() as folder:
        for data, shots, window in itertools.product(("standard", "deduped"), ("0", "5"), (5, 6)):
            series = _series(rows, data, shots)
            fitted, held = SIZES[:window], SIZES[window:]
            if any((size, FINAL_STEP) not in series for size in SIZES):
                continue
            finals = [
                f"pythia-{s},{FINAL_STEP},{c:.8g},{loss:.8g},{acc:.8g}"
                for s in fitted
                for c, loss, acc in [series[(s, FINAL_STEP)]]
            ]
            every = [
                f"pythia-{size},{step},{c:.8g},{loss:.8g},{acc:.8g}"
                for (size, step), (c, loss, acc) in sorted(series.items())
                if size in fitted
            ]
            header = "run,step,compute,task_loss,accuracy"
            truth = [series[(s, FINAL_STEP)] for s in held]
            targets = [c for c, _, _ in truth]
            cells = []
            for name, lines in (
                ("final only", [header.replace("step,", ""), *[_drop_step(x) for x in finals]]),
                ("every checkpoint", [header, *every]),
            ):
                path = Path(folder) / "runs.csv"
                path.write_text("\n".join(lines) + "\n")
                predictions = fit_json(path, [a for t in targets for a in ("-t", f"{t:.6g}")])
                scored = []
                for p, (_, _, actual) in zip(predictions, truth, strict=True):
                    low, high = p["pi"]  # type: ignore[misc]
                    scored.append((float(p["estimate"]) - actual, low <= actual <= high, high - low))  # type: ignore[arg-type]
                pooled[name] += scored
                cells.append(_summary(scored))
            print(f"{data:9s} {shots:5s} {window:<6d} {len(every):5d}  {cells[0]}  ->  {cells[1]}")
    for name, scored in pooled.items():
        print(f"all {name:16s} {_summary(scored)}")


def _drop_step(line: str) -> str:
    run, _, rest = line.split(",", 2)
    return f"{run},{rest}"


def _summary(scored: list[tuple[float, bool, float]]) -> str:
    n = len(scored)
    mae = sum(abs(e) for e, _, _ in scored) / n
    signed = sum(e for e, _, _ in scored) / n
    coverage = sum(c for _, c, _ in scored) / n
    width = statistics.median(w for _, _, w in scored)
    return f"n {n:2d} MAE {mae:.3f} signed {signed:+.3f} pi {coverage:.2f} width {width:.3f}"


if __name__ == "__main__":
    main()
