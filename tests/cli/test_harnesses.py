"""Evaluation harness outputs read as is: lm-evaluation-harness, bigcode-evaluation-harness, human-eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES, write_csv

HARNESSES = EXAMPLES / "harnesses"
MODELS = str(HARNESSES / "models.csv")
FAST = ["-t", "1e22", "--bootstrap", "200", "-f", "json"]


def _fit(runner: CliRunner, *args: str) -> dict:
    result = runner.invoke(app, ["fit", *args, *FAST])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _sizes() -> dict[str, float]:
    lines = (HARNESSES / "models.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",")[0]: float(line.split(",")[1]) for line in lines}


def test_lm_eval_accuracies_fit_with_their_perplexity_as_the_two_step_law_written_by_hand(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An lm-eval accuracy goes to the accuracy laws; the task's perplexity beside it is the two-step's task loss."""
    import math

    rows = []
    for path in sorted((HARNESSES / "lm-eval").glob("*/results_*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        params = document["config"]["model_num_parameters"]
        task = document["results"]["lambada_openai"]
        loss = math.log(task["perplexity,none"])
        rows.append(f"{document['model_name']},{6 * params * 3e11!r},{loss!r},{task['acc,none']}")
    by_hand = write_csv(tmp_path / "acc.csv", "run,compute,task_loss,accuracy", rows)
    expected = _fit(runner, str(by_hand))
    document = _fit(runner, str(HARNESSES / "lm-eval"), "--tokens", "3e11")
    assert document["law"] == "two-step" and document["data"]["n_runs"] == 6
    assert document["data"]["accuracy_column"] == "accuracy"
    assert document["predictions"] == expected["predictions"] and document["params"] == expected["params"]
    with_table = _fit(runner, str(HARNESSES / "lm-eval"), "--models", MODELS)
    assert with_table["predictions"] == expected["predictions"]


def test_a_metric_where_lower_is_better_is_fitted_like_a_loss(runner: CliRunner) -> None:
    document = _fit(runner, str(HARNESSES / "lm-eval"), "--tokens", "3e11", "--metric", "perplexity")
    assert document["law"] != "passrate" and document["data"]["y_column"] == "log perplexity"  # fitted as its log


def test_bigcode_results_fit_with_the_models_table(runner: CliRunner, tmp_path: Path) -> None:
    sizes = _sizes()
    rows = []
    for path in sorted((HARNESSES / "bigcode").glob("*/evaluation_results.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        model = document["config"]["model"]
        rows.append(f"{model},{6 * sizes[model] * 3e11!r},{document['humaneval']['pass@1']}")
    expected = _fit(runner, str(write_csv(tmp_path / "p.csv", "run,compute,pass_rate", rows)))
    document = _fit(runner, str(HARNESSES / "bigcode"), "--models", MODELS)
    assert document["predictions"] == expected["predictions"]


def test_human_eval_samples_give_per_problem_pass_rates(runner: CliRunner, tmp_path: Path) -> None:
    sizes = _sizes()
    rows = []
    for path in sorted((HARNESSES / "human-eval").glob("*_results.jsonl")):
        model = path.name.removesuffix("_results.jsonl")
        counts: dict[str, list[int]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            sample = json.loads(line)
            tally = counts.setdefault(sample["task_id"], [0, 0])
            tally[0] += 1
            tally[1] += int(sample["passed"])
        compute = 6 * sizes[model] * 3e11
        rows += [f"{model},{compute!r},{task},{n},{k}" for task, (n, k) in counts.items()]
    by_hand = write_csv(tmp_path / "long.csv", "run,compute,problem,n_samples,n_correct", rows)
    expected = _fit(runner, str(by_hand))
    document = _fit(runner, str(HARNESSES / "human-eval"), "--models", MODELS)
    assert document["data"]["problems"]["n_problems_total"] == 20
    assert document["predictions"] == expected["predictions"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lm-eval"], "model 'EleutherAI/pythia-1.4b': no training tokens, so no compute; give --tokens N"),
        (
            ["lm-eval", "--tokens", "3e11", "--task", "mmlu"],
            "--task 'mmlu': no results file holds it; they hold lambada_openai",
        ),
        (["lm-eval", "--tokens", "3e11", "--metric", "f1"], "--metric 'f1': task 'lambada_openai' has acc, perplexity"),
        (["bigcode"], "model 'EleutherAI/pythia-1.4b': no parameters and tokens, so no compute"),
    ],
)
def test_missing_or_unknown_pieces_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["fit", str(HARNESSES / args[0]), *args[1:]])
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_a_model_missing_from_the_table_and_an_empty_folder(runner: CliRunner, tmp_path: Path) -> None:
    table = write_csv(tmp_path / "models.csv", "model,params,tokens", ["EleutherAI/pythia-70m,7e7,3e11"])
    result = runner.invoke(app, ["fit", str(HARNESSES / "bigcode"), "--models", str(table)])
    assert result.exit_code == 2 and "is not in" in result.stderr and "add a row for it" in result.stderr
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["fit", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "is a folder" in result.stderr and result.stderr.count("\n") == 1


def test_tensorboard_scalars_fit_as_the_ladder_s_last_values(runner: CliRunner) -> None:
    expected = _fit(runner, str(EXAMPLES / "runs.csv"))
    document = _fit(runner, str(HARNESSES / "tensorboard"), "--models", str(HARNESSES / "ladder_models.csv"))
    assert document["data"]["n_runs"] == 9
    assert document["predictions"][0]["estimate"] == pytest.approx(expected["predictions"][0]["estimate"], rel=1e-5)


def test_lm_eval_logged_samples_give_per_document_pass_rates(runner: CliRunner) -> None:
    document = _fit(runner, str(HARNESSES / "lm-eval-samples"), "--tokens", "3e11", "--zeros", "smooth")
    assert document["law"] == "passrate" and document["data"]["problems"]["n_problems_total"] == 40
    result = runner.invoke(app, ["fit", str(HARNESSES / "lm-eval-samples"), "--tokens", "3e11"])
    assert result.exit_code == 2 and "use --zeros smooth" in result.stderr


def test_a_json_of_another_kind_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    other = tmp_path / "metrics.json"
    other.write_text(json.dumps({"accuracy": 0.5, "model": "x"}), encoding="utf-8")
    result = runner.invoke(app, ["fit", str(other)])
    assert result.exit_code == 2 and "expected a list of runs" in result.stderr and result.stderr.count("\n") == 1
