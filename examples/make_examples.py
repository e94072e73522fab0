"""Regenerate the example ladders (seeded, so the files are identical on every run).

    python examples/make_examples.py

The ladder mimics the GPT-4 report's setting: nine runs spanning four decades of compute
(1e17 to 1e21 FLOP, at 20 tokens per parameter), final losses drawn from
L(C) = 777 * C^-0.155 + 1.80 with 0.6% multiplicative noise. The true law is known, so the
forecast at 1e24 FLOP can be checked: L(1e24) = 1.948.
"""

from __future__ import annotations

import csv
import json
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


def pass_rate_ladder(seed: int = 4) -> list[dict[str, object]]:
    """Seven models (1e18 to 1e21 FLOP) on 100 problems, 100 samples each.

    Problem j is solved with probability ``exp(-alpha_j C^-0.2)``, ``alpha_j`` log-normal with
    mean 9950, so ``-E[log pass_rate] = 9950 C^-0.2`` exactly over the problem distribution.
    """
    rng = np.random.default_rng(seed)
    compute = 1e18 * 10 ** (np.arange(7) / 2)
    spread = 1.0
    alpha = 9950.0 * np.exp(spread * rng.standard_normal(100) - spread**2 / 2)
    rows = []
    for i, c in enumerate(compute):
        correct = rng.binomial(100, np.exp(-alpha * c**-0.2))
        for j, n_correct in enumerate(correct):
            rows.append(
                {
                    "run": f"model-{i + 1}",
                    "compute": float(f"{c:.4g}"),
                    "problem": f"P{j + 1:03d}",
                    "n_samples": 100,
                    "n_correct": int(n_correct),
                }
            )
    return rows


def write_pass_rates() -> None:
    rows = pass_rate_ladder()
    with open(HERE / "passrates.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    by_run: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_run.setdefault(str(row["run"]), []).append(row)
    with open(HERE / "passrates_aggregate.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["run", "compute", "pass_rate"])
        for run, problems in by_run.items():
            rates = [int(p["n_correct"]) / 100 for p in problems]  # type: ignore[call-overload]
            writer.writerow([run, problems[0]["compute"], f"{np.mean(rates):.4f}"])


#: Three methodologies whose ranking flips: ``mix-b`` wins small runs (lower a, higher floor),
#: ``deep-c`` wins at scale (steeper exponent, lower floor), ``baseline`` is the example ladder's law.
SWEEPS = {
    "baseline": (777.0, -0.155, 1.80),
    "mix-b": (600.0, -0.155, 1.95),
    "deep-c": (3000.0, -0.18, 1.75),
}


def write_sweeps(seed: int = 7) -> None:
    """Eight runs per methodology from 1e17 to 1e21 FLOP with 0.6% noise, in one file with a sweep column."""
    rng = np.random.default_rng(seed)
    compute = np.geomspace(1e17, 1e21, 8)
    with open(HERE / "sweeps.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["sweep", "run", "compute", "loss"])
        for name, (a, b, c) in SWEEPS.items():
            loss = (a * compute**b + c) * np.exp(rng.normal(0.0, NOISE, compute.size))
            for i, (flops, value) in enumerate(zip(compute, loss, strict=True)):
                writer.writerow([name, f"{name}-{i + 1}", f"{flops:.4g}", f"{value:.4f}"])


#: Hoffmann et al. 2022's own fit of L(N, D) = E + A / N^alpha + B / D^beta (their rounded values).
HOFFMANN = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def write_chinchilla(seed: int = 11) -> None:
    """Six model sizes (10M to 1B parameters) x five token budgets (5 to 80 tokens per parameter), 0.5% noise."""
    rng = np.random.default_rng(seed)
    p = HOFFMANN
    with open(HERE / "chinchilla.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["run", "params", "tokens", "loss"])
        for n in np.geomspace(1e7, 1e9, 6):
            for ratio in (5, 10, 20, 40, 80):
                d = ratio * n
                loss = (p["E"] + p["A"] / n ** p["alpha"] + p["B"] / d ** p["beta"]) * np.exp(rng.normal(0, 0.005))
                writer.writerow([f"n{n:.2g}-x{ratio}", f"{n:.4g}", f"{d:.4g}", f"{loss:.4f}"])


def write_early_runs(seed: int = 2024) -> None:
    """The same law seen early: eight runs from 1e13 to 1e15 FLOP with 1% noise, where the floor is 19-33% of
    the loss and the runs barely bend (the true loss at 1e18 FLOP is 3.060)."""
    rng = np.random.default_rng(seed)
    compute = np.geomspace(1e13, 1e15, 8)
    loss = (A * compute**B + C_FLOOR) * np.exp(rng.normal(0.0, 0.01, compute.size))
    with open(HERE / "early_runs.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["run", "compute", "loss"])
        for i, (flops, value) in enumerate(zip(compute, loss, strict=True)):
            writer.writerow([f"early-{i + 1}", f"{flops:.4g}", f"{value:.4f}"])


def write_tracker_exports() -> None:
    """The example ladder as experiment trackers export it (examples/trackers/), with one crashed run added.

    * ``wandb_runs.csv``: the W&B runs table's "Export as CSV" (Name, State, ..., then config and summary
      keys as columns).
    * ``wandb_project.csv``: the W&B API recipe (``runs_df.to_csv("project.csv")``): an unnamed pandas
      index column, and ``summary``/``config`` written as Python dicts.
    * ``mlflow_runs.csv``: ``mlflow.search_runs().to_csv(...)``: ``status``, ``metrics.<key>``,
      ``params.<key>`` and ``tags.mlflow.runName`` columns, with the pandas index.
    * ``runs.jsonl``: one JSON object per run.
    """
    runs = ladder()
    folder = HERE / "trackers"
    folder.mkdir(exist_ok=True)
    crashed = {"run": "ladder-10", "params": 5133450480, "tokens": 102669009610, "loss": ""}
    with open(folder / "wandb_runs.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(
            ["Name", "State", "Notes", "User", "Tags", "Runtime", "n_params", "n_tokens", "val_loss", "_step"]
        )
        for run in [*runs, crashed]:
            state = "crashed" if run is crashed else "finished"
            row = [run["run"], state, "-", "team", "ladder", 3600, run["params"], run["tokens"], run["loss"], 1000]
            writer.writerow(row)
    with open(folder / "wandb_project.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["", "summary", "config", "name"])
        for i, run in enumerate(runs):
            summary = {"val_loss": run["loss"], "_step": 1000, "_runtime": 3600.5}
            config = {"n_params": run["params"], "n_tokens": run["tokens"], "lr": 0.0003}
            writer.writerow([i, repr(summary), repr(config), run["run"]])
    with open(folder / "mlflow_runs.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        header = ["", "run_id", "experiment_id", "status", "metrics.val_loss", "params.n_params", "params.n_tokens"]
        writer.writerow([*header, "tags.mlflow.runName"])
        for i, run in enumerate([*runs, crashed]):
            status = "FAILED" if run is crashed else "FINISHED"
            row = [i, f"{i:032x}", "1", status, run["loss"], run["params"], run["tokens"], run["run"]]
            writer.writerow(row)
    lines = [
        json.dumps({"run": r["run"], "params": r["params"], "tokens": r["tokens"], "loss": r["loss"]}) for r in runs
    ]
    (folder / "runs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_harness_outputs(seed: int = 5) -> None:
    """A ladder of six models as evaluation harnesses write their results (examples/harnesses/).

    Models of 70M to 1.4B parameters trained on 3e11 tokens (Pythia's sizes), with the capability law
    of the GPT-4 report, ``-log pass_rate = alpha * C^-k``, as the truth:

    * ``lm-eval/EleutherAI__<model>/results_2024-05-01T12-00-00.json``: EleutherAI lm-evaluation-harness 0.4,
      laid out as it writes (the folder is ``model_name_sanitized``; ``results.lambada_openai."acc,none"``,
      ``config.model_num_parameters``, ``model_name``);
    * ``bigcode/<model>/evaluation_results.json``: bigcode-evaluation-harness (``humaneval.pass@1``);
    * ``human-eval/<model>_results.jsonl``: OpenAI human-eval's ``evaluate_functional_correctness``
      output, one line per sample (``task_id``, ``completion``, ``result``, ``passed``);
    * ``models.csv``: each model's parameters and tokens, for files that do not give them.
    """
    rng = np.random.default_rng(seed)
    folder = HERE / "harnesses"
    params = np.array([70e6, 160e6, 410e6, 1.0e9, 1.4e9, 2.8e9])
    names = ["pythia-70m", "pythia-160m", "pythia-410m", "pythia-1b", "pythia-1.4b", "pythia-2.8b"]
    compute = 6.0 * params * 3e11
    accuracy = np.exp(-2.5e5 * compute**-0.24) * np.exp(rng.normal(0.0, 0.01, compute.size))
    for name, n, acc in zip(names, params, accuracy, strict=True):
        path = folder / "lm-eval" / f"EleutherAI__{name}" / "results_2024-05-01T12-00-00.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "results": {
                "lambada_openai": {
                    "alias": "lambada_openai",
                    "perplexity,none": float(round(np.exp(3.0 * (1.0 - acc)) * 3.0, 4)),
                    "perplexity_stderr,none": 0.1,
                    "acc,none": float(round(acc, 4)),
                    "acc_stderr,none": float(round(np.sqrt(acc * (1 - acc) / 5153), 4)),
                }
            },
            "versions": {"lambada_openai": 1.0},
            "n-shot": {"lambada_openai": 0},
            "higher_is_better": {"lambada_openai": {"perplexity": False, "acc": True}},
            "config": {
                "model": "hf",
                "model_args": f"pretrained=EleutherAI/{name}",
                "model_num_parameters": int(n),
                "model_dtype": "torch.float16",
                "batch_size": "16",
                "limit": None,
                "random_seed": 0,
            },
            "git_hash": "0000000",
            "date": 1714564800.0,
            "model_name": f"EleutherAI/{name}",
            "model_name_sanitized": f"EleutherAI__{name}",
        }
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    coder_rate = np.exp(-1.5e6 * compute**-0.3)
    problems, samples = 20, 10
    for name, rate in zip(names, coder_rate, strict=True):
        path = folder / "bigcode" / name / "evaluation_results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        difficulty = rng.lognormal(0.0, 0.5, problems)
        solved = rng.binomial(samples, np.clip(rate**difficulty, 0.0, 1.0))
        document = {
            "humaneval": {"pass@1": float(solved.sum() / (problems * samples))},
            "config": {"model": f"EleutherAI/{name}", "tasks": "humaneval", "n_samples": samples, "temperature": 0.2},
        }
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        lines = []
        for problem, k in enumerate(solved):
            for sample in range(samples):
                passed = bool(sample < k)
                line = {
                    "task_id": f"HumanEval/{problem}",
                    "completion": "    return x\n",
                    "result": "passed" if passed else "failed: AssertionError",
                    "passed": passed,
                }
                lines.append(json.dumps(line))
        target = folder / "human-eval" / f"{name}_results.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(folder / "models.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["model", "params", "tokens"])
        for name, n in zip(names, params, strict=True):
            for model in (name, f"EleutherAI/{name}"):
                writer.writerow([model, int(n), int(3e11)])


def write_logged_values(seed: int = 6) -> None:
    """Two more tools' outputs (examples/harnesses/):

    * ``tensorboard/run-<run>-tag-val_loss.csv``: TensorBoard's scalar CSV download of the example
      ladder's runs (``Wall time,Step,Value``; each run's value is its last step's), and
      ``ladder_models.csv`` with each run's compute;
    * ``lm-eval-samples/<model>/samples_lambada_openai_<date>.jsonl``: lm-evaluation-harness's
      ``--log_samples`` output (``doc_id`` and ``acc`` per document, 40 documents), beside a
      ``results_*.json`` that gives the model's parameters.
    """
    rng = np.random.default_rng(seed)
    folder = HERE / "harnesses"
    runs = ladder()
    (folder / "tensorboard").mkdir(parents=True, exist_ok=True)
    for run in runs:
        steps = np.arange(100, 1001, 100)
        final = float(run["loss"])
        values = final * (1.0 + 0.5 * np.exp(-steps / 250.0) - 0.5 * np.exp(-4.0))
        with open(folder / "tensorboard" / f"run-{run['run']}-tag-val_loss.csv", "w", encoding="utf-8") as stream:
            stream.write("Wall time,Step,Value\n")
            for i, (step, value) in enumerate(zip(steps, values, strict=True)):
                stream.write(f"{1714564800.0 + 60.0 * i},{step},{value:.6g}\n")
    with open(folder / "ladder_models.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["model", "compute"])
        for run in runs:
            writer.writerow([run["run"], run["compute"]])
    params = np.array([70e6, 160e6, 410e6, 1.0e9, 1.4e9, 2.8e9])
    names = ["pythia-70m", "pythia-160m", "pythia-410m", "pythia-1b", "pythia-1.4b", "pythia-2.8b"]
    accuracy = np.exp(-2.5e5 * (6.0 * params * 3e11) ** -0.24)
    difficulty = rng.lognormal(0.0, 0.4, 40)
    for name, acc in zip(names, accuracy, strict=True):
        target = folder / "lm-eval-samples" / name
        target.mkdir(parents=True, exist_ok=True)
        source = folder / "lm-eval" / f"EleutherAI__{name}" / "results_2024-05-01T12-00-00.json"
        results = json.loads(source.read_text())
        (target / "results_2024-05-01T12-00-00.json").write_text(json.dumps(results, indent=2) + "\n")
        lines = []
        for doc, hard in enumerate(difficulty):
            solved = float(rng.random() < acc**hard)
            lines.append(json.dumps({"doc_id": doc, "filter": "none", "metrics": ["acc"], "acc": solved}))
        (target / "samples_lambada_openai_2024-05-01T12-00-00.jsonl").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
    write_tracker_exports()
    write_harness_outputs()
    write_logged_values()
    write_pass_rates()
    write_sweeps()
    write_chinchilla()
    write_early_runs()
