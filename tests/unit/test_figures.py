"""What figures draw is the result's own numbers, evaluated without refitting."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_forecast.plot.curves import allocation_surface, fit_curves
from scaling_forecast.readers.runs import load_runs, load_two_variable
from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.ladder import loss_ladder

from ..conftest import EXAMPLES


def test_the_fit_curve_passes_through_the_forecasts_and_spans_the_targets() -> None:
    runs = load_runs(EXAMPLES / "runs.csv")
    result = loss_ladder(runs, FitSettings(law="loss", n_boot=200)).fit(targets=(parse_target("1e23"),))
    line, buckets = fit_curves(result)
    assert buckets == ()
    assert line.compute[0] < runs.x.min() and line.compute[-1] > 1e23
    prediction = result.predictions[0]
    # the curve's bands at the target, interpolated in log compute, are the prediction's own
    at = np.log(prediction.target)
    assert np.interp(at, np.log(line.compute), line.estimate) == pytest.approx(prediction.estimate, rel=2e-3)
    for column, bound in enumerate(prediction.ci):
        assert np.interp(at, np.log(line.compute), line.ci[:, column]) == pytest.approx(bound, rel=5e-3)
    assert np.all(line.ci[:, 0] <= line.estimate) and np.all(line.estimate <= line.ci[:, 1])
    assert np.all(line.pi[:, 0] <= line.ci[:, 0]) and np.all(line.ci[:, 1] <= line.pi[:, 1])


def test_the_allocation_surface_is_the_law_written_out_and_its_frontier_the_minimum() -> None:
    runs, _ = load_two_variable(EXAMPLES / "chinchilla.csv")
    ladder = loss_ladder(runs, FitSettings(law="chinchilla", n_boot=100))
    result = ladder.fit(targets=(parse_target(1e21),))
    n, d, loss, frontier = allocation_surface(result)
    p = {q.name: q.estimate for q in result.params}
    written = p["E"] + p["A"] / n[None, :] ** p["alpha"] + p["B"] / d[:, None] ** p["beta"]
    assert loss == pytest.approx(written, rel=1e-10)
    # along the budget line C = 6 N D, no N on a fine grid beats the frontier's N_opt
    budget = float(frontier.compute[100])
    along = np.geomspace(frontier.estimate[100] / 30, frontier.estimate[100] * 30, 4001)
    values = p["E"] + p["A"] / along ** p["alpha"] + p["B"] / (budget / (6 * along)) ** p["beta"]
    assert along[np.argmin(values)] == pytest.approx(frontier.estimate[100], rel=2e-3)
