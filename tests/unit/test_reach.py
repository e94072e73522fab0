"""``--reach``: where a forecast band crosses a value, against closed forms and a known simulated truth."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.engine.reach import crossings, reach_grid, with_reach
from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.ladder import fit_law

from ..conftest import ROOT


def test_crossings_of_lines_in_log_compute_are_exact() -> None:
    """``y = 5 - log10(C) / 10`` reaches 3 at C = 1e20; the band +-0.1 at 1e19 and 1e21 (falling)."""
    grid = reach_grid(1e17, 1e20)
    level = 5.0 - np.log10(grid) / 10.0
    (reach,) = crossings((3.0,), grid, level, level - 0.1, level + 0.1, falling=True)
    assert reach.status == "reached"
    assert math.log10(reach.compute) == pytest.approx(20.0, abs=1e-9)
    assert math.log10(reach.ci[0]) == pytest.approx(19.0, abs=1e-9)  # the lower edge gets there first
    assert math.log10(reach.ci[1]) == pytest.approx(21.0, abs=1e-9)


def test_a_rising_metric_reaches_the_other_way_and_ends_can_be_open() -> None:
    grid = reach_grid(1e17, 1e20)
    accuracy = 0.2 + 0.05 * (np.log10(grid) - 16.0)  # rising: 0.5 at 1e22
    low, high = accuracy - 0.02, accuracy + 0.1
    (mid, beyond, before) = crossings((0.5, 0.75, 0.1), grid, accuracy, low, high, falling=False)
    assert math.log10(mid.compute) == pytest.approx(22.0, abs=1e-9)
    assert mid.ci[0] is not None and mid.ci[1] is not None
    assert math.log10(mid.ci[0]) == pytest.approx(20.0, abs=1e-9)  # the upper edge gets there first
    assert math.log10(mid.ci[1]) == pytest.approx(22.4, abs=1e-9)
    assert beyond.status == "not reached" and beyond.compute is None and beyond.ci[1] is None  # 1e27 > horizon
    assert beyond.ci[0] is not None and math.log10(beyond.ci[0]) == pytest.approx(25.0, abs=1e-9)
    assert before.status == "already reached" and before.compute is None


def test_a_flat_accuracy_below_the_value_has_not_reached_it() -> None:
    """The sense is the law's, not the forecast's shape: a flat accuracy of 0.4 does not reach 0.6."""
    grid = reach_grid(1e17, 1e20)
    flat = np.full(grid.size, 0.4)
    (above, below) = crossings((0.6, 0.3), grid, flat, flat - 0.05, flat + 0.05, falling=False)
    assert above.status == "not reached" and above.compute is None and above.ci == (None, None)
    assert below.status == "already reached"


def test_flat_accuracy_reach_from_the_command_line(runner: CliRunner) -> None:
    args = ["fit", str(ROOT / "examples" / "pythia_tasks.csv"), "--task", "wsc", "--reach", "0.6", "-f", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["fit"]["trend"] == "flat" and document["reach"][0]["status"] == "not reached"


def test_the_grid_stays_inside_the_refused_range() -> None:
    grid = reach_grid(1e10, 1e20)  # ten decades of runs: the grid starts at 1e6 times below the largest
    assert grid[0] > 1e14 and grid[-1] < 1e26
    assert np.all(np.diff(np.log(grid)) > 0)


def test_the_reach_interval_covers_a_known_truth_about_nine_times_in_ten() -> None:
    """Ladders of ``1.8 + 777 C^-0.155`` with 1% noise; the value is the true loss at 10x the largest run.

    ``benchmarks/reach_coverage.py`` runs 100 ladders (0.92 at 100x); here 20 with 500 replicates.
    """
    compute = np.geomspace(1e17, 1e20, 8)
    truth = compute[-1] * 10.0
    value = 1.8 + 777.0 * truth**-0.155
    covered, closed = 0, 0
    narrower = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        loss = (1.8 + 777.0 * compute**-0.155) * np.exp(rng.normal(0.0, 0.01, 8))
        fitted = fit_law(compute, loss, FitSettings(n_boot=500, seed=seed), ())
        (reach,) = with_reach(fitted, (value,)).reach
        low, high = reach.ci
        # the same inversion of the pi (a new run's interval, wider): the reach interval is the ci's, so narrower
        grid = reach_grid(fitted.data.compute_min, fitted.data.compute_max)
        band = fitted.model.forecast(fitted, tuple(Target(float(c)) for c in grid), fitted.level).predictions
        pi = np.array([p.pi for p in band])
        (by_pi,) = crossings((value,), grid, np.array([p.estimate for p in band]), pi[:, 0], pi[:, 1], True)
        if None not in (low, high, *by_pi.ci):
            narrower += (high - low) < (by_pi.ci[1] - by_pi.ci[0])
        covered += (low is None or low <= truth) and (high is None or truth <= high)
        closed += low is not None and high is not None
        assert reach.compute is not None and (low is None or low <= reach.compute)
    assert 13 <= covered <= 19  # Binomial(20, 0.9): P(<= 12) = 0.4%; all 20 would say too wide; these seeds give 15
    assert closed >= 10  # not an interval that is always open (too wide to mean anything)
    assert narrower >= 10  # the interval inverts the ci, not the pi


def test_the_cli_gives_reach_in_json() -> None:
    result = CliRunner().invoke(app, ["fit", str(ROOT / "examples" / "runs.csv"), "--reach", "2.3", "-f", "json"])
    assert result.exit_code == 0, result.output
    (reach,) = json.loads(result.stdout)["reach"]
    assert set(reach) == {"value", "compute", "ci", "status"}
    assert reach["ci"][0] <= reach["compute"] <= reach["ci"][1]


@pytest.mark.parametrize("value", ["-1", "0", "nan"])
def test_a_bad_reach_value_is_one_line(value: str) -> None:
    result = CliRunner().invoke(app, ["fit", str(ROOT / "examples" / "runs.csv"), "--reach", value])
    assert result.exit_code == 2
    shown = f"{float(value):g}"
    assert result.stderr.strip() == f"error: --reach {shown}: must be a positive loss or share"


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_reach_of_every_task_is_written(runner: CliRunner, fmt: str) -> None:
    args = ["fit", str(ROOT / "examples" / "pythia_tasks.csv"), "--by", "task", "--reach", "0.6", "-f", fmt]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    section = result.stdout.split("Compute to reach")[1]
    assert all(task in section for task in ("arc_easy", "piqa", "sciq", "wsc"))
    assert "not reached" in section.split("wsc")[1].splitlines()[0]


@pytest.mark.parametrize(("low", "high"), [(1e18, 1e20), (1e15, 1e22), (3e17, 3e17)])
def test_the_grid_has_25_points_a_decade_from_a_tenth_of_the_smallest_run_inside_the_limits(
    low: float, high: float
) -> None:
    start = max(low / 10.0, high / 1e6)  # no lower than the refusal limit a millionth of the largest run
    grid = reach_grid(low, high)
    decades = math.log10(high * 1e6) - math.log10(start)
    assert grid.size == int(decades * 25 - 1e-6) + 1
    assert grid[0] == pytest.approx(start, rel=1e-8) and grid[-1] == pytest.approx(high * 1e6, rel=1e-8)
    assert grid[0] > high / 1e6 and grid[-1] < high * 1e6  # strictly inside: never refused
    assert np.diff(np.log10(grid)) == pytest.approx(np.full(grid.size - 1, decades / (grid.size - 1)), rel=1e-6)


@pytest.mark.parametrize("falling", [True, False])
def test_a_value_met_exactly_at_the_grids_start_is_already_reached(falling: bool) -> None:
    grid = reach_grid(1e17, 1e20)
    sign = -1.0 if falling else 1.0
    curve = 3.0 + sign * 0.1 * (np.log10(grid) - np.log10(grid[0]))
    (reach,) = crossings((3.0,), grid, curve, curve - 0.01, curve + 0.01, falling=falling)
    assert reach.status == "already reached" and reach.compute is None


def test_a_value_the_forecast_reaches_below_the_smallest_run_is_already_reached() -> None:
    """The grid starts a decade below the runs: a crossing there is reported as reached, not as a compute."""
    compute = np.geomspace(1e18, 1e21, 8)
    loss = 2.0 + 400.0 * compute**-0.12
    result = fit_law(compute, loss, FitSettings(law="loss", method="delta"))
    at_smallest = 2.0 + 400.0 * 1e18**-0.12
    reached, ahead = with_reach(result, (at_smallest * 1.01, 2.0 + 400.0 * 1e22**-0.12)).reach
    assert (reached.status, reached.compute, reached.ci) == ("already reached", None, (None, None))
    assert ahead.status == "reached" and ahead.compute == pytest.approx(1e22, rel=0.02)


def test_a_pass_rate_fit_reaches_a_pass_rate_where_its_forecast_does() -> None:
    """The reach of a pass rate, re-forecast at the compute reported, gives back the pass rate asked for."""
    runner = CliRunner()
    args = ["fit", str(ROOT / "examples" / "passrates.csv"), "--reach", "0.5", "-f", "json", "--bootstrap", "200"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    (reach,) = json.loads(result.stdout)["reach"]
    assert reach["status"] == "reached"
    again = runner.invoke(app, [*args[:2], "--target", f"{reach['compute']:.6e}", "-f", "json", "--bootstrap", "200"])
    (prediction,) = json.loads(again.stdout)["predictions"]
    assert prediction["pass_rate"]["estimate"] == pytest.approx(0.5, rel=2e-3)


def test_a_share_above_one_is_refused_for_a_law_of_shares_and_one_is_not() -> None:
    passrates = str(ROOT / "examples" / "passrates.csv")
    refused = CliRunner().invoke(app, ["fit", passrates, "--reach", "0.5", "--reach", "1.5", "--reach", "3"])
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "error: --reach 1.5: the passrate law reports pass rate, a share between 0 and 1; give a value of at most 1"
    )
    assert CliRunner().invoke(app, ["fit", passrates, "--reach", "1", "--bootstrap", "200"]).exit_code == 0
