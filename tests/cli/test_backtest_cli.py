"""``forecast backtest`` from the command line: JSON contract, modes, gate, exclusions."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES

RUNS = str(EXAMPLES / "runs.csv")
FAST = ["--method", "delta", "-f", "json"]


def _backtest(runner: CliRunner, *args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["backtest", *args, *FAST])
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}, result.stderr


def test_json_contract(runner: CliRunner) -> None:
    code, document, _ = _backtest(runner, RUNS, "--max-compute-fraction", "0.01")
    assert code == 0
    backtest = document["backtest"]
    assert backtest["mode"] == "fraction"
    assert [r["run"] for r in backtest["runs"]] == ["ladder-06", "ladder-07", "ladder-08", "ladder-09"]
    assert set(backtest["runs"][0]) >= {"actual", "predicted", "ci", "pi", "are", "covered"}
    summary = backtest["summary"]
    assert set(summary) >= {"mean_are", "max_are", "coverage", "verdict"}
    assert summary["max_are"] == max(r["are"] for r in backtest["runs"])
    assert summary["verdict"].startswith("scales predictably")


def test_require_predictable_gate_and_tolerance(runner: CliRunner) -> None:
    code, document, error = _backtest(runner, RUNS, "--holdout", "3", "--require-predictable")
    assert code == 1 and not document["backtest"]["summary"]["passed"]
    assert error.startswith("check failed: does not scale predictably (tolerance 2.0%): ladder-08")
    code, document, _ = _backtest(runner, RUNS, "--holdout", "3", "--tolerance", "0.03", "--require-predictable")
    assert code == 0 and document["backtest"]["summary"]["passed"]


def test_table_markdown_and_csv(runner: CliRunner) -> None:
    table = runner.invoke(app, ["backtest", RUNS, "--rolling", "--method", "delta"]).stdout
    assert "Held-out runs" in table and "mean error" in table
    markdown = runner.invoke(app, ["backtest", RUNS, "--method", "delta", "-f", "markdown"]).stdout
    assert markdown.startswith("**PASS**: scales predictably")
    csv_text = runner.invoke(app, ["backtest", RUNS, "--holdout", "2", "--method", "delta", "-f", "csv"]).stdout
    assert csv_text.splitlines()[0].startswith("run,compute,n_fitted") and len(csv_text.splitlines()) == 3
    header = csv_text.splitlines()[0].split(",")
    assert len(set(header)) == len(header) == len(csv_text.splitlines()[1].split(","))


def test_exclusions_are_recorded(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["fit", RUNS, "--exclude", "ladder-01", "--min-compute", "1e18", "--method", "delta", "-f", "json"]
    )
    data = json.loads(result.stdout)["data"]
    assert data["n_runs"] == 7 and data["excluded"] == ["ladder-01", "ladder-02"] and data["min_compute"] == 1e18
    code, document, _ = _backtest(runner, RUNS, "--exclude", "ladder-09")
    assert code == 0 and document["backtest"]["runs"][0]["run"] == "ladder-08"
    result = runner.invoke(app, ["fit", RUNS, "--exclude", "ladder-99"])
    assert result.exit_code == 2 and "--exclude 'ladder-99': no such run" in result.stderr


def test_pass_rate_backtest(runner: CliRunner) -> None:
    code, document, _ = _backtest(runner, str(EXAMPLES / "passrates.csv"), "--holdout", "2")
    assert code == 0 and document["law"] == "passrate"
    assert len(document["backtest"]["runs"]) == 2


def test_bad_options(runner: CliRunner) -> None:
    code, _, error = _backtest(runner, RUNS, "--holdout", "2", "--rolling")
    assert code == 2 and error == "error: give only one of --holdout K, --max-compute-fraction F and --rolling\n"


def test_backtest_forecasts_with_the_default_procedure(runner: CliRunner, tmp_path: Path) -> None:
    """Each window is fitted as ``forecast fit`` would: the power law is chosen, its interval spans the loss law's."""
    import numpy as np

    compute = np.geomspace(1e13, 1e15, 10)
    loss = (777.0 * compute**-0.155 + 1.8) * np.exp(np.random.default_rng(1).normal(0.0, 0.01, compute.size))
    runs = tmp_path / "early.csv"
    runs.write_text("compute,loss\n" + "".join(f"{c:.6g},{v:.6f}\n" for c, v in zip(compute, loss, strict=True)))
    args = ["backtest", str(runs), "--holdout", "2", "--bootstrap", "200", "-f", "json"]
    default = json.loads(runner.invoke(app, args).stdout)["backtest"]
    fixed = json.loads(runner.invoke(app, [*args, "--law", default["windows"][0]["law"]]).stdout)["backtest"]
    assert default["windows"][0]["law"] == "power"
    for spanned, own in zip(default["runs"], fixed["runs"], strict=True):
        assert spanned["predicted"] == own["predicted"]
        assert spanned["pi"][0] == own["pi"][0] and spanned["pi"][1] > own["pi"][1]
