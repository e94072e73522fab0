"""Capability forecasts on real data: fit the smallest Pythias, forecast the larger ones, every task and metric.

Run: ``python benchmarks/capability_pythia.py [--params total|nonembed] [--shots 0 5] [--data standard deduped]
[--window 5 6] [--law default two-step gpt4 sigmoid accuracy]`` (needs ``../shared/data/pythia``).

For each suite (``--data``), shot count, fit window (the ``--window`` smallest of the eight models)
and law, each task and metric's smallest models are written to a file (``model, params,
nonembed_params, tokens`` and the metric) and fitted as a user would: ``forecast fit FILE -t C ...
-f json`` at the larger models' computes, plus ``--chance P`` (the task's chance accuracy; 0 for
lambada) for accuracies, and ``--law LAW`` unless the law is ``default`` (the command as typed).
Compute is ``6 N D`` from the file's columns. Losses (lambada perplexity, as ``loss = log ppl``;
crows_pairs likelihood difference) go through the loss path and are listed, not scored; lambada
accuracy has a task loss (its log perplexity), which the default takes to the two-step law; other
accuracies have none (``--law two-step`` is skipped for them).

With one configuration, prints per task and metric the error at each held-out size, whether the
90% ``pi`` covered it, and ``fit.trend``. Then, per configuration, over the accuracy forecasts:
how many fits failed (exit other than 0), mean absolute error, mean signed error (forecast minus
actual), ``pi`` coverage, median ``pi`` width, and for each capability warning how often it fired
on forecasts the ``pi`` covered and on those it missed; with several configurations, each law
pooled over them. ``--params nonembed`` adds ``--params nonembed_params --tokens tokens``: compute
is ``6 N D`` with non-embedding parameters (and the targets are on the same footing).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from scaling_forecast.cli import app

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pythia" / "pythia_evals_final.csv"
CHANCE = {
    "arc_challenge": 0.25,
    "arc_easy": 0.25,
    "lambada_openai": 0.0,
    "logiqa": 0.25,
    "mmlu_mean_of_57_subtasks(derived)": 0.25,
    "piqa": 0.5,
    "sciq": 0.25,
    "winogrande": 0.5,
    "wsc": 0.5,
    "crows_pairs_english": 0.0,
    "crows_pairs_french": 0.0,
}
LOSSES = ("ppl", "likelihood_difference")
#: The capability warnings scored, by a phrase of their text.
WARNINGS = {
    "flat": "is flat across",
    "near chance": "sits near chance",
    "worsening": "(trend: worsening)",
    "below chance": "below chance",
}


@dataclass(frozen=True)
class Forecast:
    """One held-out model's accuracy forecast."""

    task: str
    metric: str
    error: float
    covered: bool
    width: float
    warnings: tuple[str, ...]


def _write(path: Path, series: list[dict[str, str]], rows: list[dict[str, str]], task: str, metric: str) -> list[float]:
    """The runs file of ``series`` (the fit window), and the truth at every size on the fitted scale."""
    sizes = [f"{r['model']},{r['params']},{r['nonembed_params']},{r['tokens']}" for r in series]
    header = "model,params,nonembed_params,tokens"
    values = [float(r["value"]) for r in series]
    if metric in LOSSES:
        shown = [math.log(v) if metric == "ppl" else v for v in values]
        path.write_text(f"{header},loss\n" + "".join(f"{s},{v:.8g}\n" for s, v in zip(sizes, shown, strict=True)))
        return shown
    if task == "lambada_openai":  # accuracy with its task loss, the log perplexity
        ppl = {r["model"]: float(r["value"]) for r in rows if r["task"] == task and r["metric"] == "ppl"}
        lines = [
            f"{s},{math.log(ppl[r['model']]):.8g},{v:.8g}\n" for s, r, v in zip(sizes, series, values, strict=True)
        ]
        path.write_text(f"{header},task_loss,accuracy\n" + "".join(lines))
        return values
    path.write_text(f"{header},accuracy\n" + "".join(f"{s},{v:.8g}\n" for s, v in zip(sizes, values, strict=True)))
    return values


def run(rows: list[dict[str, str]], params: str, window: int, law: str, detail: bool) -> tuple[list[Forecast], int]:
    """Every accuracy forecast of one configuration, and how many accuracy fits failed (printing each task's
    line when ``detail``)."""
    column = "params" if params == "total" else "nonembed_params"
    runner = CliRunner()
    forecasts: list[Forecast] = []
    failed = 0
    with tempfile.TemporaryDirectory() as folder:
        for task, metric in sorted({(r["task"], r["metric"]) for r in rows}):
            series = sorted(
                (r for r in rows if r["task"] == task and r["metric"] == metric), key=lambda r: float(r["params"])
            )
            if len(series) != 8 or (law != "default" and metric in LOSSES):
                continue
            if law == "two-step" and task != "lambada_openai":
                continue  # no task loss to go through
            path = Path(folder) / "runs.csv"
            truth = _write(path, series, rows, task, metric)
            compute = [6.0 * float(r[column]) * float(r["tokens"]) for r in series]
            extra = [] if params == "total" else ["--params", "nonembed_params", "--tokens", "tokens"]
            if metric not in LOSSES and law != "gpt4":
                extra += ["--chance", str(CHANCE.get(task, 0.0))]
            if law != "default":
                extra += ["--law", law]
            path.write_text("".join(path.read_text().splitlines(keepends=True)[: window + 1]))
            targets = [arg for c in compute[window:] for arg in ("-t", f"{c:.6g}")]
            result = runner.invoke(app, ["fit", str(path), *targets, "-f", "json", *extra])
            if result.exit_code != 0:
                failed += metric not in LOSSES
                if detail:
                    print(f"{task:36s} {metric:22s} exit {result.exit_code}: {result.stderr.strip()[:80]}")
                continue
            document: dict[str, Any] = json.loads(result.stdout)
            cells = []
            for prediction, actual in zip(document["predictions"], truth[window:], strict=True):
                low, high = prediction["pi"]
                inside = low - 1e-9 <= actual <= high + 1e-9  # a constant task forecast exactly, up to rounding
                cells.append(f"{prediction['estimate'] - actual:+.3f} ({'y' if inside else 'n'})")
                if metric not in LOSSES:
                    warned = tuple(
                        k for k, text in WARNINGS.items() if any(text in w for w in document["fit"]["warnings"])
                    )
                    forecasts.append(
                        Forecast(task, metric, prediction["estimate"] - actual, inside, high - low, warned)
                    )
            if detail:
                trend = str(document["fit"]["trend"])
                print(f"{task:36s} {metric:22s} {document['law']:9s} {trend:13s} {' / '.join(cells)}")
    return forecasts, failed


def summary(forecasts: list[Forecast]) -> str:
    """Mean absolute and signed error, pi coverage, median pi width, and each warning's firing on covered/missed."""
    if not forecasts:
        return "no forecasts"
    n = len(forecasts)
    mae = sum(abs(f.error) for f in forecasts) / n
    signed = sum(f.error for f in forecasts) / n
    coverage = sum(f.covered for f in forecasts) / n
    width = statistics.median(f.width for f in forecasts)
    covered = sum(f.covered for f in forecasts)
    rates = []
    for kind in WARNINGS:
        on_covered = sum(kind in f.warnings and f.covered for f in forecasts)
        on_missed = sum(kind in f.warnings and not f.covered for f in forecasts)
        rates.append(f"{kind} {on_covered}/{covered} covered, {on_missed}/{n - covered} missed")
    return (
        f"n {n:3d}  MAE {mae:.3f}  signed {signed:+.3f}  pi covers {coverage:.2f}  median pi width {width:.3f}  "
        + "; ".join(rates)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--params", choices=("total", "nonembed"), default="total")
    parser.add_argument("--shots", nargs="+", default=["0"])
    parser.add_argument("--data", nargs="+", default=["standard"])
    parser.add_argument("--window", nargs="+", type=int, default=[5])
    parser.add_argument("--law", nargs="+", default=["default"])
    args = parser.parse_args()
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent")
    with DATA.open() as handle:
        every = list(csv.DictReader(handle))
    configurations = list(itertools.product(args.data, args.shots, args.window, args.law))
    detail = len(configurations) == 1
    results = []
    for data, shots, window, law in configurations:
        rows = [r for r in every if r["shots"] == shots and r["data"] == data]
        if detail:
            print(f"Pythia, {shots}-shot, {data} Pile, compute = 6 N D with {args.params} N; fit the {window} smallest")
            print(
                f"{'task':36s} {'metric':22s} {'law':9s} {'trend':13s} forecast - actual (pi covers?) per larger size"
            )
        results.append(((data, shots, window, law), run(rows, args.params, window, law, detail)))
    print(f"{'data':9s} {'shots':5s} {'window':6s} {'law':9s} {'failed':6s} accuracies")
    for (data, shots, window, law), (forecasts, failed) in results:
        print(f"{data:9s} {shots:5s} {window:<6d} {law:9s} {failed:<6d} {summary(forecasts)}")
    if len(results) > 1:
        for law in args.law:
            pooled = [f for (*_, each), (forecasts, _) in results if each == law for f in forecasts]
            failed = sum(n for (*_, each), (_, n) in results if each == law)
            print(f"{'all':9s} {'':5s} {'':6s} {law:9s} {failed:<6d} {summary(pooled)}")


if __name__ == "__main__":
    main()
