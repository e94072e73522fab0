"""Capability forecasts on real data: fit Pythia 70M-1.4B, forecast 2.8B, 6.9B and 12B, every task and metric.

Run: ``python benchmarks/capability_pythia.py [--params total|nonembed] [--shots 0] [--data standard]``
(needs ``../shared/data/pythia``). For each task and metric the five smallest models are written
to a file (``model, params, nonembed_params, tokens`` and the metric) and fitted as a user would:
``forecast fit FILE -t C_2.8B -t C_6.9B -t C_12B -f json``, plus ``--chance P`` (the task's chance
accuracy; 0 for lambada) for accuracies; compute is ``6 N D`` from the file's columns. Losses
(lambada perplexity, as ``loss = log ppl``; crows_pairs likelihood difference) go through the loss
path; lambada accuracy has a task loss (its log perplexity), so ``--law auto`` takes the two-step
law; other accuracies take the direct ``accuracy`` law. Prints, per task and metric, the error at
each held-out size, whether the 90% pi covered it, and ``fit.trend``; then how often each
capability warning fired on forecasts the pi covered and on forecasts it missed, and the mean
absolute error and pi coverage over all accuracies. ``--params nonembed`` adds
``--params nonembed_params --tokens tokens`` to every command: compute = 6 N D with non-embedding
parameters instead of total (and the targets are the large models' computes on the same footing).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import tempfile
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", choices=("total", "nonembed"), default="total")
    parser.add_argument("--shots", default="0")
    parser.add_argument("--data", default="standard")
    args = parser.parse_args()
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent")
    with DATA.open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["shots"] == args.shots and r["data"] == args.data]
    column = "params" if args.params == "total" else "nonembed_params"
    runner = CliRunner()
    errors, covered, total = [], 0, 0
    kinds = {"laws disagree": "disagree", "forecast as flat": "is flat across", "below chance": "below chance"}
    fired: dict[str, list[bool]] = {kind: [] for kind in kinds}  # per warning: whether each forecast it saw was covered
    missed_warned = missed = 0
    print(f"Pythia, {args.shots}-shot, {args.data} Pile, compute = 6 N D with {args.params} N; fit 70M-1.4B")
    print(f"{'task':36s} {'metric':22s} {'law':9s} {'trend':13s} 2.8B / 6.9B / 12B: forecast - actual (pi covers?)")
    with tempfile.TemporaryDirectory() as folder:
        for task, metric in sorted({(r["task"], r["metric"]) for r in rows}):
            series = sorted(
                (r for r in rows if r["task"] == task and r["metric"] == metric), key=lambda r: float(r["params"])
            )
            if len(series) != 8:
                continue
            compute = [6.0 * float(r[column]) * float(r["tokens"]) for r in series]
            values = [float(r["value"]) for r in series]
            path = Path(folder) / "runs.csv"
            sizes = [f"{r['model']},{r['params']},{r['nonembed_params']},{r['tokens']}" for r in series[:5]]
            header = "model,params,nonembed_params,tokens"
            extra = [] if args.params == "total" else ["--params", "nonembed_params", "--tokens", "tokens"]
            if metric in LOSSES:
                shown = [math.log(v) if metric == "ppl" else v for v in values]
                lines = [f"{s},{v:.8g}" for s, v in zip(sizes, shown[:5], strict=True)]
                path.write_text(f"{header},loss\n" + "\n".join(lines) + "\n")
                truth = shown
            elif task == "lambada_openai":  # accuracy with its task loss, the log perplexity
                ppl = {r["model"]: float(r["value"]) for r in rows if r["task"] == task and r["metric"] == "ppl"}
                lines = [
                    f"{s},{math.log(ppl[r['model']]):.8g},{v:.8g}"
                    for s, r, v in zip(sizes, series[:5], values[:5], strict=True)
                ]
                path.write_text(f"{header},task_loss,accuracy\n" + "\n".join(lines) + "\n")
                extra += ["--chance", str(CHANCE[task])]
                truth = values
            else:
                lines = [f"{s},{v:.8g}" for s, v in zip(sizes, values[:5], strict=True)]
                path.write_text(f"{header},accuracy\n" + "\n".join(lines) + "\n")
                extra += ["--chance", str(CHANCE.get(task, 0.0))]
                truth = values
            targets = [arg for c in compute[5:] for arg in ("-t", f"{c:.6g}")]
            result = runner.invoke(app, ["fit", str(path), *targets, "-f", "json", *extra])
            if result.exit_code not in (0,):
                print(f"{task:36s} {metric:22s} exit {result.exit_code}: {result.stderr.strip()[:80]}")
                continue
            document = json.loads(result.stdout)
            cells = []
            for prediction, actual in zip(document["predictions"], truth[5:], strict=True):
                inside = prediction["pi"][0] <= actual <= prediction["pi"][1]
                cells.append(f"{prediction['estimate'] - actual:+.3f} ({'y' if inside else 'n'})")
                if metric not in LOSSES:
                    errors.append(abs(prediction["estimate"] - actual))
                    covered += inside
                    total += 1
                    warned = False
                    for kind, text in kinds.items():
                        if any(text in w for w in document["fit"]["warnings"]):
                            fired[kind].append(inside)
                            warned = True
                    missed += not inside
                    missed_warned += (not inside) and warned
            print(f"{task:36s} {metric:22s} {document['law']:9s} {document['fit']['trend']!s:13s} {' / '.join(cells)}")
    for kind, outcomes in fired.items():
        right = sum(outcomes)
        print(
            f"warning '{kind}': fired on {len(outcomes)} of {total} forecasts; "
            f"pi covered {right}, missed {len(outcomes) - right}"
        )
    if missed:
        print(f"of the {missed} forecasts the pi missed, {missed_warned} carried one of these warnings")
    if total:
        print(
            f"accuracies: mean absolute error {sum(errors) / total:.3f} over {total} forecasts; "
            f"pi covers {covered / total:.2f}"
        )


if __name__ == "__main__":
    main()
