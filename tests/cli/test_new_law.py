"""A new law is one class and one registry entry: every command then serves it."""

from __future__ import annotations

import csv
import json
from typing import ClassVar

import numpy as np
import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.laws import LAWS, Array, Law, RowObjective

from ..conftest import EXAMPLES


class CurvedPowerLaw(Law):
    """A power law whose exponent drifts with compute: ``log L = log a + b log C + q (log C)^2``.

    Linear in ``theta = (log a', b', q)`` over ``u = log C - log C_ref``; the user's parameters
    follow from expanding ``(u + log C_ref)``.
    """

    name = "curved"
    formula = "log L(C) = log a + b log C + q (log C)^2"
    param_names = ("a", "b", "q")
    log_scale: ClassVar[tuple[bool, ...]] = (True, False, False)
    lower = (-np.inf, -np.inf, -np.inf)
    upper = (np.inf, np.inf, np.inf)
    param_bounds = ((0.0, np.inf), (-np.inf, np.inf), (-np.inf, np.inf))

    def log_predict(self, theta: Array, log_x: Array) -> Array:
        return theta[:, :1] + theta[:, 1:2] * log_x + theta[:, 2:3] * log_x**2

    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        ones = np.ones((theta.shape[0], log_x.shape[-1]))
        return np.stack([ones, ones * log_x, ones * log_x**2], axis=-1)

    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        design = np.stack([np.ones_like(log_x), log_x, log_x**2], axis=-1)
        solution = np.linalg.lstsq(design, log_y.T, rcond=None)[0].T
        return np.repeat(solution[:, None, :], n_starts, axis=1)

    def reporting_matrix(self, log_cref: float) -> Array:
        r = log_cref
        return np.array([[1.0, -r, r * r], [0.0, 1.0, -2.0 * r], [0.0, 0.0, 1.0]])


RUNS = str(EXAMPLES / "runs.csv")


@pytest.fixture
def curved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LAWS, "curved", CurvedPowerLaw)


def _json(runner: CliRunner, *args: str) -> dict:
    result = runner.invoke(app, [*args, "--bootstrap", "200", "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.usefixtures("curved")
def test_fit_backtest_and_check_serve_a_law_registered_in_a_test(runner: CliRunner) -> None:
    fitted = _json(runner, "fit", RUNS, "--law", "curved", "-t", "10x")
    assert fitted["law"] == "curved" and set(fitted["params"]) == {"a", "b", "q"}
    # the reported parameters are the law in the user's units: evaluate it at the runs by hand
    with open(EXAMPLES / "runs.csv", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    compute = np.array([float(row["compute"]) for row in rows])
    loss = np.array([float(row["loss"]) for row in rows])
    p = {k: v["estimate"] for k, v in fitted["params"].items()}
    by_hand = np.exp(np.log(p["a"]) + p["b"] * np.log(compute) + p["q"] * np.log(compute) ** 2)
    ols = np.polyfit(np.log(compute), np.log(loss), 2)  # least squares in log space, the same fit
    assert np.log(by_hand) == pytest.approx(np.polyval(ols, np.log(compute)), abs=1e-9)
    assert (
        fitted["predictions"][0]["ci"][0] <= fitted["predictions"][0]["estimate"] <= fitted["predictions"][0]["ci"][1]
    )

    backtest = _json(runner, "backtest", RUNS, "--law", "curved", "--holdout", "2")
    assert backtest["law"] == "curved" and len(backtest["backtest"]["runs"]) == 2

    high = fitted["predictions"][0]["pi"][1]
    common = ["check", RUNS, "--law", "curved", "-t", "10x", "--bootstrap", "200"]
    assert runner.invoke(app, [*common, "--max-loss", f"{high * 1.001:.6g}"]).exit_code == 0
    assert runner.invoke(app, [*common, "--max-loss", f"{high * 0.999:.6g}"]).exit_code == 1


def test_an_unregistered_law_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["fit", RUNS, "--law", "curved"])
    assert result.exit_code == 2 and "--law 'curved': unknown law" in result.stderr
