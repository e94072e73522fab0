"""``forecast fit --law chinchilla`` and ``forecast optimal``: JSON contract, derived tokens, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
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
    assert set(document["exponents"]) == {"a", "b"}
    # the truth by brute force: the N that minimises L(N, C / 6N) for the printed parameters
    p = {name: document["params"][name]["estimate"] for name in ("E", "A", "B", "alpha", "beta")}
    sizes = np.geomspace(1e6, 1e14, 400_001)
    loss = p["E"] + p["A"] / sizes ** p["alpha"] + p["B"] / (5.88e23 / (6 * sizes)) ** p["beta"]
    best = int(np.argmin(loss))
    assert optimum["params"]["estimate"] == pytest.approx(sizes[best], rel=1e-3)
    assert optimum["loss"]["estimate"] == pytest.approx(loss[best], rel=1e-9)
    a = p["beta"] / (p["alpha"] + p["beta"])  # Hoffmann et al.'s closed form, eq. (4)
    assert document["exponents"]["a"]["estimate"] == pytest.approx(a, rel=1e-9)


def test_fit_predicts_at_points_and_budgets(runner: CliRunner) -> None:
    document = _json(runner, "fit", RUNS, "--law", "chinchilla", "--at", "1e9,2e10", "-t", "1e21")
    budget, point = document["predictions"]  # compute targets first, then the --at points
    assert (point["params"], point["tokens"], point["target"]) == (1e9, 2e10, 6 * 1e9 * 2e10)
    assert budget["params"] == pytest.approx(document["optima"][0]["params"]["estimate"], rel=1e-12)
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
        (["fit", str(EXAMPLES / "runs.csv"), "--at", "1e9,2e10"], "--at PARAMS,TOKENS needs a law of parameters"),
        (["fit", RUNS, "--law", "chinchilla", "--at", "1e9"], "--at '1e9': expected PARAMS,TOKENS"),
        (
            ["fit", RUNS, "--law", "chinchilla", "--method", "delta"],
            "--method delta: the chinchilla law's intervals come from a bootstrap",
        ),
        (["fit", RUNS, "--law", "chinchilla", "--exclude", "nope"], "--exclude 'nope': no such run"),
    ],
)
def test_bad_options_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_saved_fit_predicts_the_same_numbers(runner: CliRunner, tmp_path: Path) -> None:
    saved = tmp_path / "fit.json"
    fitted = _json(runner, "fit", RUNS, "--law", "chinchilla", "-t", "1e21", "-t", "100x", "--save", str(saved))
    result = runner.invoke(app, ["predict", str(saved), "-t", "1e21", "-t", "100x", "-f", "json"])
    assert result.exit_code == 0, result.output
    predicted = json.loads(result.stdout)
    for key in ("params", "predictions", "optima", "exponents"):
        assert predicted[key] == fitted[key], key
    assert predicted["predictions"][0]["params"] == pytest.approx(fitted["optima"][0]["params"]["estimate"])


def test_check_gates_the_loss_at_the_compute_optimal_allocation(runner: CliRunner) -> None:
    fitted = _json(runner, "fit", RUNS, "--law", "chinchilla", "-t", "1e21")
    high = fitted["predictions"][0]["pi"][1]
    common = ["check", RUNS, "--law", "chinchilla", "-t", "1e21", *FAST]
    passed = runner.invoke(app, [*common, "--max-loss", f"{high * 1.001:.6g}"])
    assert passed.exit_code == 0, passed.output
    failed = runner.invoke(app, [*common, "--max-loss", f"{high * 0.999:.6g}"])
    assert failed.exit_code == 1 and "check failed" in failed.stderr


def test_backtest_predicts_the_held_out_runs_at_their_own_size_and_tokens(runner: CliRunner) -> None:
    document = _json(runner, "backtest", RUNS, "--law", "chinchilla", "--holdout", "5")
    held = document["backtest"]["runs"]
    assert len(held) == 5
    lines = (EXAMPLES / "chinchilla.csv").read_text(encoding="utf-8").splitlines()[1:]
    rows = {line.split(",")[0]: line.split(",") for line in lines}
    for run in held:
        _, n, d, loss = rows[run["run"]]
        assert run["compute"] == pytest.approx(6 * float(n) * float(d))
        assert run["actual"] == pytest.approx(float(loss))
        assert abs(run["predicted"] - float(loss)) / float(loss) < 0.02  # the example law holds: a 2% forecast


def test_exclude_and_min_compute_leave_runs_out(runner: CliRunner) -> None:
    everything = _json(runner, "fit", RUNS, "--law", "chinchilla")
    fewer = _json(runner, "fit", RUNS, "--law", "chinchilla", "--min-compute", "1e17")
    assert fewer["data"]["n_runs"] < everything["data"]["n_runs"]
    assert fewer["data"]["compute_min"] >= 1e17


def test_compare_ranks_chinchilla_sweeps_by_the_loss_at_their_own_optimum(runner: CliRunner, tmp_path: Path) -> None:
    """A sweep whose every loss is 1% higher loses, by about 1% of the loss, with certainty."""
    lines = (EXAMPLES / "chinchilla.csv").read_text(encoding="utf-8").splitlines()[1:]
    rows = []
    for line in lines:
        run, n, d, loss = line.split(",")
        rows += [f"mix-a,{run},{n},{d},{loss}", f"mix-b,{run},{n},{d},{float(loss) * 1.01!r}"]
    path = write_csv(tmp_path / "sweeps.csv", "sweep,run,params,tokens,loss", rows)
    document = _json(runner, "compare", str(path), "--by", "sweep", "--law", "chinchilla", "-t", "1e22")
    first, second = document["comparisons"][0]["ranking"]
    assert (first["sweep"], second["sweep"]) == ("mix-a", "mix-b")
    assert second["delta"] == pytest.approx(0.01 * first["estimate"], rel=0.05)
    assert second["delta_ci"][0] <= second["delta"] <= second["delta_ci"][1]
    assert second["p_better"] < 0.01 and first["p_best"] > 0.99
    # each sweep's estimate is its own fit's forecast at the target
    alone = _json(runner, "fit", str(path), "--sweep", "mix-a", "--law", "chinchilla", "-t", "1e22")
    assert first["estimate"] == pytest.approx(alone["predictions"][0]["estimate"], rel=1e-12)
