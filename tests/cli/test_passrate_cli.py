"""``forecast fit`` on pass rates: the capability law end to end, and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES

PASSRATES = str(EXAMPLES / "passrates.csv")


def test_predicted_pass_rate_with_its_interval(runner: CliRunner) -> None:
    result = runner.invoke(app, ["fit", PASSRATES, "--target", "1000x", "--bootstrap", "300"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "passrate law -E[log pass_rate] = alpha * C^(-k) fitted to 7 runs" in out
    assert "90 of 100 problems kept (nonzero pass rate on every run)" in out
    assert "pass rate" in out and "%" in out


def test_json_has_pass_rates_and_problems(runner: CliRunner) -> None:
    result = runner.invoke(app, ["fit", PASSRATES, "-t", "1000x", "-f", "json", "--bootstrap", "300"])
    document = json.loads(result.stdout)
    assert document["law"] == "passrate" and set(document["params"]) == {"alpha", "k"}
    assert document["data"]["problems"]["n_problems"] == 90 and document["data"]["problems"]["n_problems_total"] == 100
    prediction = document["predictions"][0]
    assert prediction["estimate"] > 0
    rate = prediction["pass_rate"]
    assert 0 <= rate["pi"][0] <= rate["ci"][0] <= rate["estimate"] <= rate["ci"][1] <= rate["pi"][1] <= 1


def test_aggregate_file_and_smooth_policy(runner: CliRunner) -> None:
    aggregate = json.loads(
        runner.invoke(
            app, ["fit", str(EXAMPLES / "passrates_aggregate.csv"), "-f", "json", "--bootstrap", "200"]
        ).stdout
    )
    assert aggregate["law"] == "passrate" and aggregate["data"]["problems"]["n_problems"] is None
    smooth = json.loads(
        runner.invoke(app, ["fit", PASSRATES, "--zeros", "smooth", "-f", "json", "--bootstrap", "200"]).stdout
    )
    assert smooth["data"]["problems"]["note"].endswith("smoothed to (c + 0.5) / (n + 1)")


def test_buckets_in_json_and_table(runner: CliRunner) -> None:
    document = json.loads(
        runner.invoke(app, ["fit", PASSRATES, "-t", "1e24", "--buckets", "3", "-f", "json", "--method", "delta"]).stdout
    )
    buckets = document["buckets"]
    assert [b["name"] for b in buckets] == ["bucket 1 of 3", "bucket 2 of 3", "bucket 3 of 3"]
    assert sum(b["n_problems"] for b in buckets) == 90
    for bucket in buckets:
        assert set(bucket) == {"name", "n_problems", "mean_pass_rate", "params", "predictions"}
        assert "pass_rate" in bucket["predictions"][0]
    table = runner.invoke(app, ["fit", PASSRATES, "--buckets", "3", "--method", "delta"]).stdout
    assert "Difficulty buckets" in table and "bucket 3 of 3" in table


def test_pass_at_k_option(runner: CliRunner) -> None:
    one = json.loads(runner.invoke(app, ["fit", PASSRATES, "-f", "json", "--method", "delta"]).stdout)
    five = json.loads(runner.invoke(app, ["fit", PASSRATES, "--k", "5", "-f", "json", "--method", "delta"]).stdout)
    assert five["data"]["problems"]["k"] == 5
    assert five["predictions"][0]["pass_rate"]["estimate"] > one["predictions"][0]["pass_rate"]["estimate"]


def _error(runner: CliRunner, args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, args)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return result.exit_code, result.stderr.rstrip("\n")


BAD = [
    (
        "rate.csv",
        ["run,compute,problem,pass_rate", "a,1e18,p1,1.2"],
        "row 1, column 'pass_rate': 1.2 is not a pass rate in [0, 1]",
    ),
    (
        "negative.csv",
        ["run,compute,problem,n_samples,n_correct", "a,1e18,p1,10,-1"],
        "row 1, column 'n_correct': '-1' must be a whole number >= 0",
    ),
    (
        "fraction.csv",
        ["run,compute,problem,n_samples,n_correct", "a,1e18,p1,10.5,1"],
        "row 1, column 'n_samples': '10.5' must be a whole number >= 0",
    ),
    (
        "toomany.csv",
        ["run,compute,problem,n_samples,n_correct", "a,1e18,p1,10,11"],
        "row 1: n_correct 11 exceeds n_samples 10; fix the counts",
    ),
    (
        "fewsamples.csv",
        ["run,compute,problem,n_samples,n_correct", "a,1e18,p1,3,1"],
        "row 1, column 'n_samples': 3 samples cannot give pass@5; need at least 5",
    ),
    (
        "missing.csv",
        ["run,compute,problem,pass_rate", "a,1e18,p1,0.5", "a,1e18,p2,0.4", "b,1e19,p1,0.6"],
        "problem 'p2' has no row for run 'b'; every run needs every problem (add the row or remove the problem)",
    ),
    (
        "twice.csv",
        ["run,compute,problem,pass_rate", "a,1e18,p1,0.5", "a,1e18,p1,0.4"],
        "rows 1 and 2 give problem 'p1' twice for run 'a'; keep one",
    ),
    (
        "compute.csv",
        ["run,compute,problem,pass_rate", "a,1e18,p1,0.5", "a,1e19,p2,0.4"],
        "rows 1 and 2 give run 'a' different compute; one run has one compute value",
    ),
    (
        "meanlog.csv",
        ["run,compute,mean_log_pass_rate", "a,1e18,2.0"],
        "row 1, column 'mean_log_pass_rate': 2 must be <= 0 (the mean of log pass rates); give E[log pass_rate], not its negative",
    ),
    (
        "nothing.csv",
        ["run,compute,problem,pass_rate", "a,1e18,p1,0", "b,1e19,p2,0", "a,1e18,p2,0.5", "b,1e19,p1,0.3"],
        "no problem has a nonzero pass rate on every run, so --zeros subset leaves nothing; use --zeros smooth",
    ),
    (
        "aggzero.csv",
        ["run,compute,pass_rate", "a,1e18,0", "b,1e19,0.3"],
        "run 'a' has pass rate 0 (log undefined); with one rate per run use --zeros smooth, or give per-problem rates",
    ),
]


@pytest.mark.parametrize(("name", "lines", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_pass_rate_files(runner: CliRunner, tmp_path: Path, name: str, lines: list[str], message: str) -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    args = ["fit", str(path)] + (["--k", "5"] if name == "fewsamples.csv" else [])
    assert _error(runner, args) == (2, f"error: {path}: {message}")


def test_zero_policy_error(runner: CliRunner) -> None:
    code, line = _error(runner, ["fit", PASSRATES, "--zeros", "error"])
    assert (
        code == 2
        and line.startswith(f"error: {PASSRATES}: run 'model-1', problem '")
        and line.endswith("has pass rate 0 (log undefined); use --zeros subset or --zeros smooth")
    )


def test_bad_pass_rate_options(runner: CliRunner) -> None:
    assert _error(runner, ["fit", PASSRATES, "--zeros", "drop"]) == (
        2,
        "error: --zeros 'drop': unknown policy; choose one of subset, smooth, error",
    )
    assert _error(runner, ["fit", PASSRATES, "--law", "loss"]) == (
        2,
        f"error: {PASSRATES}: no loss column; add 'loss' (or 'val_loss'), or name the column with --y",
    )
    assert _error(runner, ["fit", str(EXAMPLES / "runs.csv"), "--law", "passrate"]) == (
        2,
        f"error: {EXAMPLES / 'runs.csv'}: --law passrate needs pass rates: 'pass_rate', 'n_samples' and 'n_correct', or 'mean_log_pass_rate'",
    )
    assert _error(runner, ["fit", PASSRATES, "--buckets", "500"]) == (
        2,
        "error: --buckets 500: must be between 1 and the number of problems (90)",
    )
    assert _error(runner, ["fit", PASSRATES, "--k", "0"]) == (2, "error: --k 0: must be a whole number >= 1")


def test_saved_pass_rate_fit_predicts_pass_rates(runner: CliRunner, tmp_path: Path) -> None:
    saved = tmp_path / "fit.json"
    fitted = runner.invoke(
        app, ["fit", PASSRATES, "-t", "1e24", "-f", "json", "--bootstrap", "200", "--save", str(saved)]
    )
    predicted = runner.invoke(app, ["predict", str(saved), "-t", "1e24", "-f", "json"])
    assert json.loads(predicted.stdout) == json.loads(fitted.stdout)
