"""``forecast fit --law chinchilla`` and ``forecast optimal``: JSON contract, derived tokens, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES, write_csv

RUNS = str(EXAMPLES / "chinchilla.csv")
FAST = ["--bootstrap", "100"]


def _json(runner: CliRunner, *args: str) -> dict:
    result = runner.invoke(app, [*args, *FAST, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_optimal_json_contract(runner: CliRunner) -> None:
    document = _json(runner, "optimal", RUNS, "--budget", "5.88e23", "--budget", "1e21")
    assert document["law"] == "chinchilla" and set(document["params"]) == {"E", "A", "B", "alpha", "beta"}
    optimum = document["optima"][0]
    assert optimum["budget"] == 5.88e23
    for key in ("params", "tokens", "tokens_per_param", "loss"):
        assert set(optimum[key]) == {"estimate", "ci"}
        assert optimum[key]["ci"][0] <= optimum[key]["estimate"] <= optimum[key]["ci"][1]
    assert optimum["tokens_per_param"]["estimate"] == pytest.approx(
        optimum["tokens"]["estimate"] / optimum["params"]["estimate"]
    )
    exponents = document["exponents"]
    assert exponents["a"]["estimate"] + exponents["b"]["estimate"] == pytest.approx(1.0)


def test_fit_predicts_at_points_and_budgets(runner: CliRunner) -> None:
    document = _json(runner, "fit", RUNS, "--law", "chinchilla", "--at", "1e9,2e10", "-t", "1e21")
    point = document["predictions"][0]
    assert (point["params"], point["tokens"], point["compute"]) == (1e9, 2e10, 6 * 1e9 * 2e10)
    assert point["pi"][0] <= point["ci"][0] <= point["estimate"] <= point["ci"][1] <= point["pi"][1]
    assert document["optima"][0]["budget"] == 1e21
    assert document["loss_fn"] == "huber" and document["huber_delta"] == 1e-3
    lsq = _json(runner, "fit", RUNS, "--law", "chinchilla", "--loss-fn", "lsq")
    assert lsq["loss_fn"] == "lsq" and lsq["params"]["E"]["estimate"] != document["params"]["E"]["estimate"]


def test_tokens_derive_from_compute(runner: CliRunner, tmp_path: Path) -> None:
    lines = (EXAMPLES / "chinchilla.csv").read_text(encoding="utf-8").splitlines()[1:]
    rows = []
    for line in lines:
        run, n, d, loss = line.split(",")
        rows.append(f"{run},{n},{6 * float(n) * float(d):.17g},{loss}")
    derived = write_csv(tmp_path / "c.csv", "run,params,compute,loss", rows)
    first = _json(runner, "optimal", RUNS, "--budget", "1e21")
    second = _json(runner, "optimal", str(derived), "--budget", "1e21")
    assert second["params"]["alpha"]["estimate"] == pytest.approx(first["params"]["alpha"]["estimate"], rel=1e-6)


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ("params,tokens,loss", ["0,1e9,3.1"], "row 1, column 'params': 0 must be positive; fix the value"),
        ("params,tokens,loss", ["1e7,-5,3.1"], "row 1, column 'tokens': -5 must be positive; fix the value"),
        ("params,loss", ["1e7,3.1"], "--law chinchilla needs tokens; add 'tokens' (or 'n_tokens'), or 'compute'"),
        ("tokens,loss", ["1e9,3.1"], "--law chinchilla needs a parameters column"),
    ],
)
def test_bad_input_is_one_line(runner: CliRunner, tmp_path: Path, header: str, rows: list[str], message: str) -> None:
    path = write_csv(tmp_path / "bad.csv", header, rows)
    result = runner.invoke(app, ["optimal", str(path), "--budget", "1e21"])
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["optimal", RUNS], "forecast optimal needs --budget C"),
        (["fit", RUNS, "--law", "chinchilla", "--save", "x.json"], "--save is not available for --law chinchilla"),
        (["fit", str(EXAMPLES / "runs.csv"), "--at", "1e9,2e10"], "--at PARAMS,TOKENS needs --law chinchilla"),
        (["fit", RUNS, "--law", "chinchilla", "--at", "1e9"], "--at '1e9': expected PARAMS,TOKENS"),
        (
            ["check", RUNS, "--law", "chinchilla", "-t", "1e21", "--max-loss", "3"],
            "works with 'forecast fit' and 'forecast optimal'",
        ),
        (["fit", RUNS, "--law", "chinchilla", "--method", "delta"], "--method delta is not available"),
    ],
)
def test_bad_options_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1
