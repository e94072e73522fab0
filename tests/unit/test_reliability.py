"""Each reliability warning at its threshold, on both sides, with its numbers written out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scaling_forecast.engine.reliability import (
    data_warnings,
    drift_warnings,
    extrapolation_warnings,
    identification_warnings,
)
from scaling_forecast.engine.uncertainty import Uncertainty
from scaling_forecast.laws import get_law
from scaling_forecast.results import DataSummary, Drift, ParameterEstimate, Prediction


def summary(compute: np.ndarray, points: int | None = None) -> DataSummary:
    return DataSummary(
        "runs.csv", compute.size, float(compute.min()), float(compute.max()), "compute", "loss", points=points
    )


def delta(sigma: float = 0.01, dof: int = 5) -> Uncertainty:
    return Uncertainty("delta", np.zeros(3), np.eye(3), sigma, dof)


def test_too_few_runs_for_the_drift_check_names_the_count_and_what_the_check_needs() -> None:
    drift = Drift("loss", 0, None, None, None, None, None, too_few=True)
    compute = np.array([1e18, 1e18, 2e18, 4e18])
    (warning,) = drift_warnings(drift, compute, "warn")
    assert warning.startswith("only 3 runs at distinct compute values: too few for the ladder to test the loss law")
    assert warning.endswith(
        "(the misspecification check needs 6); the intervals assume the law holds beyond the runs"
    )  # the loss law's 3 parameters + 3
    (named,) = drift_warnings(Drift("passrate", 0, None, None, None, None, None, too_few=True), compute, "warn", "gpt4")
    assert "test the gpt4 law" in named and "needs 5" in named


def test_a_drifting_ladder_is_warned_with_its_figures_and_the_action_of_the_policy() -> None:
    drift = Drift("power", 6, 2.0, 0.012, 0.0314, 0.0871, 31.6, warned=True)
    (warning,) = drift_warnings(drift, np.geomspace(1e18, 1e21, 8), "warn")
    assert "the power law fitted to its smaller runs misses the larger ones by 3.1% per decade" in warning
    assert "(p = 0.012; worst 8.7% off at 32x)" in warning
    assert warning.endswith("probably too narrow (--misspecification widen widens them)")
    (widened,) = drift_warnings(drift, np.geomspace(1e18, 1e21, 8), "widen")
    assert widened.endswith("widened by that rate times the decades beyond the largest run")
    quiet = Drift("power", 6, 0.1, 0.6, 0.001, 0.002, 10.0)
    assert drift_warnings(quiet, np.geomspace(1e18, 1e21, 8), "warn") == ()


def test_too_few_runs_for_the_law_are_warned_with_the_degrees_of_freedom() -> None:
    law = get_law("loss")
    compute = np.geomspace(1e18, 1e21, law.min_runs)
    y = 2.0 + compute**-0.1
    assert data_warnings(law, compute, y, summary(compute), delta(), True) == ()
    short = compute[1:]
    (warning,) = data_warnings(law, short, y[1:], summary(short), delta(dof=2), True)
    assert warning == (
        f"only {law.min_runs - 1} runs (fewer than {law.min_runs}): the intervals rest on 2 degree(s) of freedom; "
        "add runs for a reliable forecast"
    )


@pytest.mark.parametrize(("decades", "warned"), [(1.4985, True), (1.4995, False), (1.6, False)])
def test_a_narrow_span_of_compute_is_warned_below_one_and_a_half_decades(decades: float, warned: bool) -> None:
    law = get_law("power")
    compute = 1e18 * 10 ** np.linspace(0.0, decades, 6)
    messages = data_warnings(law, compute, 3.0 * compute**-0.05, summary(compute), delta(), True)
    expected = (
        f"compute spans only {decades:.2f} decades (less than 1.5): the exponent is poorly constrained; "
        "spread the runs over more compute"
    )
    assert (expected in messages) == warned
    assert len(messages) == int(warned)


def test_a_rise_between_computes_is_warned_at_the_first_pair_and_a_tie_counts() -> None:
    law = get_law("power")
    compute = np.array([1e18, 1e18, 1e19, 1e20, 1e21, 1e22])
    y = np.array([3.0, 3.2, 2.9, 2.9, 2.5, 2.6])  # means 3.1, 2.9, 2.9 (a tie), 2.5, 2.6
    (warning,) = data_warnings(law, compute, y, summary(compute), delta(), True)
    assert warning == "loss does not decrease with compute: it is 2.9 at 1e+19 and 2.9 at 1e+20; check those runs"
    falling = np.array([3.0, 3.2, 2.9, 2.8, 2.5, 2.4])
    assert data_warnings(law, compute, falling, summary(compute), delta(), True) == ()
    tied = np.array([1e18, 1e19, 1e19, 1e20, 1e21])  # the mean of the two at 1e19 (2.9), not their sum, is compared
    assert data_warnings(law, tied, np.array([3.0, 2.8, 3.0, 2.5, 2.4]), summary(tied), delta(), True) == ()


def test_a_rise_between_binned_points_is_warned_only_beyond_three_of_their_standard_errors() -> None:
    law = get_law("power")
    compute = np.geomspace(1e18, 1e22, 5)
    sigma, n_runs, points = 0.01, 80, 5
    noise = 3.0 * math.sqrt(2.0) * sigma / math.sqrt(n_runs / points)  # the log rise their noise explains
    data = DataSummary("runs.csv", n_runs, 1e18, 1e22, "compute", "loss", points=points)
    for factor, warned in ((0.99, False), (1.01, True)):
        y = np.array([3.0, 2.8, 2.8 * math.exp(factor * noise), 2.5, 2.4])
        messages = data_warnings(law, compute, y, data, delta(sigma), True)
        assert any("does not decrease" in m for m in messages) == warned


def test_a_law_of_several_columns_is_not_judged_by_compute_alone() -> None:
    law = get_law("chinchilla")
    compute = np.array([1e18, 1e18, 1e18, 1e18])  # one compute, a rise: neither is warned for chinchilla
    y = np.array([3.0, 3.1, 3.2, 3.3])
    messages = data_warnings(law, compute, y, summary(compute), delta(), True)
    assert messages == (
        "only 4 runs (fewer than 30): the intervals rest on 5 degree(s) of freedom; add runs for a reliable forecast",
    )


def test_a_fit_short_of_its_tolerance_and_dropped_replicates_are_warned_above_one_percent() -> None:
    law = get_law("power")
    compute = np.geomspace(1e18, 1e21, 6)
    y = 3.0 * compute**-0.05
    (warning,) = data_warnings(law, compute, y, summary(compute), delta(), False)
    assert warning == "the fit did not converge to its tolerance; the parameters may be inaccurate"
    for failed, warned in ((10, False), (11, True)):
        boot = np.zeros((1000, 3))
        boot[:failed] = np.nan
        boot_uncertainty = Uncertainty("bootstrap", np.zeros(3), np.eye(3), 0.01, 3, boot, np.zeros((1000, 3, 3)))
        messages = data_warnings(law, compute, y, summary(compute), boot_uncertainty, True)
        expected = f"{failed} of 1000 bootstrap replicates could not be fitted and were dropped"
        assert (messages == (expected,)) == warned and (messages == ()) != warned


def test_an_unidentified_parameter_is_named_at_a_thousand_times_its_estimate() -> None:
    law = get_law("loss")
    for width, warned in ((1999.0, False), (2001.0, True)):  # over 1000 times an estimate of 2
        params = (ParameterEstimate("a", 2.0, 1.0, (10.0, 10.0 + width)),)
        messages = identification_warnings(law, params, 0.9)
        expected = (
            f"parameter a is not identified by these runs: its 90% interval [10, {10 + width:.3g}] is over 1,000x its "
            "estimate 2, so every interval that leans on it is not physical; add runs that vary what it governs, or "
            "fit a law with fewer parameters"
        )
        assert messages == ((expected,) if warned else ())
    (unknown,) = identification_warnings(law, (ParameterEstimate("a", 2.0, 1.0, (np.nan, 3.0)),), 0.9)
    assert unknown.startswith("parameter a is not identified")
    (infinite,) = identification_warnings(law, (ParameterEstimate("b", 0.1, np.inf, (-np.inf, 0.3)),), 0.9)
    assert infinite.startswith("parameter b is not identified") and "weakly" not in infinite


def test_a_weakly_identified_exponent_spans_more_than_a_factor_ten() -> None:
    law = get_law("loss")
    cases = (((0.125, 1.25), False), ((0.01, 0.101), True), ((-0.02, 0.03), False), ((0.0, 0.03), True))
    for ci, warned in cases:  # 1.25 / 0.125 is exactly 10: not more than an order of magnitude
        messages = identification_warnings(law, (ParameterEstimate("b", 0.05, 0.01, ci),), 0.8)
        assert (messages != ()) == warned, ci
    (weak,) = identification_warnings(law, (ParameterEstimate("b", 0.05, 0.01, (0.01, 0.101)),), 0.8)
    assert weak == (
        "exponent b is weakly identified: its 80% interval [0.01, 0.101] spans more than an order of magnitude; "
        "runs over more compute would pin it down"
    )
    both = (
        ParameterEstimate("a", 2.0, 1.0, (0.5, 1e5)),  # not identified ...
        ParameterEstimate("c", 1.8, 0.1, (1.7, 1.9)),  # ... described but well identified ...
        ParameterEstimate("b", 0.05, 0.01, (0.01, 0.101)),  # ... and weakly identified: each judged on its own
    )
    found = identification_warnings(law, both, 0.8)
    assert len(found) == 2 and found[0].startswith("parameter a") and found[1] == weak
    plain = (ParameterEstimate("a", 2.0, 0.1, (1.8, 2.2)), ParameterEstimate("b", 0.05, 0.01, (0.01, 0.101)))
    assert identification_warnings(law, plain, 0.8) == (weak,)  # a is not described: b is still judged
    assert identification_warnings(law, (ParameterEstimate("a", 5.0, 1.0, (0.1, 50.0)),), 0.9) == ()  # not described


def prediction(target: float, factor: float) -> Prediction:
    return Prediction(target, factor, 2.0, (1.9, 2.1), (1.8, 2.2))


def test_targets_far_beyond_or_below_the_runs_are_warned_at_their_edges() -> None:
    runs_max, runs_min = 1e21, 1e18
    at_edge = prediction(runs_max * 1000, 1000.0)
    beyond = prediction(runs_max * 1001, 1001.0)
    (far,) = extrapolation_warnings((at_edge, beyond), runs_min)
    assert far == "target 1e+24 is 1,001x beyond the largest run (more than 1,000x): treat the forecast with caution"
    (below,) = extrapolation_warnings((prediction(0.99e18, 0.00099), prediction(1e18, 0.001)), runs_min)
    assert below.startswith("target 9.9e+17 is below the smallest run (1e+18): that is a backcast outside the runs")
