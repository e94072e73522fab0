"""A new law is one class and one registry entry: every command then serves it."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.laws import LAWS, Array, Law, Link, RowObjective, TwoStepLaw

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


class ExponentialLink(Link):
    """A link of another shape, defined here: ``acc = floor + (1 - floor) * exp(-(L / L0)^k)``, ``k, L0 > 0``.

    ``theta = (log k, log L0)``; accuracy falls from 1 at ``L = 0`` towards the floor as the task loss grows.
    """

    name = "exponential-link"
    formula = "acc = chance + (1 - chance) * exp(-(L / L0)^k)"
    param_names = ("k", "L0")
    log_scale: ClassVar[tuple[bool, ...]] = (True, True)
    lower = (-6.0, -6.0)
    upper = (6.0, 6.0)
    param_bounds = ((0.0, np.inf), (0.0, np.inf))

    def _power(self, theta: Array, log_x: Array) -> Array:
        return np.asarray(np.exp(np.exp(theta[:, :1]) * (np.log(log_x) - theta[:, 1:2])), dtype=float)

    def log_predict(self, theta: Array, log_x: Array) -> Array:
        return np.asarray(self.floor + (1.0 - self.floor) * np.exp(-self._power(theta, log_x)), dtype=float)

    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        power = self._power(theta, log_x)
        scale = -(1.0 - self.floor) * np.exp(-power) * power
        k = np.exp(theta[:, :1])
        return np.stack([scale * k * (np.log(log_x) - theta[:, 1:2]), -scale * k], axis=-1)

    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        grid = np.stack(np.meshgrid(np.linspace(-2, 2, 21), np.linspace(-2, 3, 26)), axis=-1).reshape(-1, 2)
        x = log_x if log_x.ndim == 2 else np.broadcast_to(log_x, log_y.shape)
        fitted = self.log_predict(np.repeat(grid, x.shape[0], axis=0), np.tile(x, (grid.shape[0], 1)))
        scores = objective(np.tile(log_y, (grid.shape[0], 1)) - fitted).reshape(grid.shape[0], x.shape[0])
        best = np.argmin(np.where(np.isfinite(scores), scores, np.inf), axis=0)
        return np.repeat(grid[best][:, None, :], n_starts, axis=1)

    def reporting_matrix(self, log_cref: float) -> Array:
        return np.eye(2)


class ExponentialTwoStep(TwoStepLaw):
    """The two-step law with the exponential link: one class, and one registry line in the fixture."""

    name = "two-step-exp"
    link = ExponentialLink


LAMBADA = str(EXAMPLES / "pythia_lambada.csv")


@pytest.fixture
def exponential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LAWS, ExponentialTwoStep.name, ExponentialTwoStep)


@pytest.mark.usefixtures("exponential")
def test_every_command_serves_an_accuracy_law_registered_in_a_test(runner: CliRunner, tmp_path: Path) -> None:
    """A law of two input columns (compute, task loss) and a link to accuracy, defined in this file: fit,
    --save and predict, check, backtest, --reach and --plot all work through the command line."""
    base = ["--law", "two-step-exp", "--chance", "0", "-t", "2.13e22"]
    saved = tmp_path / "fit.json"
    fitted = _json(runner, "fit", LAMBADA, *base, "--save", str(saved), "--reach", "0.6")
    assert fitted["law"] == "two-step-exp" and set(fitted["params"]) >= {"step2.k", "step2.L0"}
    p = fitted["predictions"][0]
    assert p["ci"][0] <= p["estimate"] <= p["ci"][1] and p["pi"][0] <= p["ci"][0] and p["ci"][1] <= p["pi"][1]
    assert "exp(-(L / L0)^k)" in fitted["formula"]
    # the link's estimate is the link written out at step 1's forecast of the task loss
    k, l0 = fitted["params"]["step2.k"]["estimate"], fitted["params"]["step2.L0"]["estimate"]
    loss = p["task_loss"]["estimate"]
    assert p["estimate"] == pytest.approx(np.exp(-((loss / l0) ** k)), rel=1e-9)
    assert fitted["reach"][0]["status"] == "reached"
    again = runner.invoke(app, ["predict", str(saved), "-t", "2.13e22", "-f", "json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["predictions"] == fitted["predictions"]
    low = p["pi"][0]
    gate = ["check", LAMBADA, *base, "--bootstrap", "200"]
    assert runner.invoke(app, [*gate, "--min-accuracy", f"{low - 1e-6}"]).exit_code == 0
    assert runner.invoke(app, [*gate, "--min-accuracy", f"{low + 1e-6}"]).exit_code == 1
    backtest = _json(runner, "backtest", LAMBADA, "--law", "two-step-exp", "--chance", "0", "--holdout", "1")
    assert backtest["law"] == "two-step-exp" and len(backtest["backtest"]["runs"]) == 1
    pytest.importorskip("matplotlib")
    image = tmp_path / "fit.png"
    drawn = runner.invoke(app, ["fit", LAMBADA, *base, "--bootstrap", "200", "--plot", str(image), "-f", "json"])
    assert drawn.exit_code == 0, drawn.output
    assert image.read_bytes().startswith(b"\x89PNG")
