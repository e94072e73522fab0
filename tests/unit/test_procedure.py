"""The default procedure (``--law auto`` for losses): the law choice is inside the interval."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from scaling_forecast.engine.forecasting import forecast
from scaling_forecast.engine.models import load_fit
from scaling_forecast.laws import get_law
from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.ladder import fit_law

#: A floor that the runs barely show: 8 runs from 1e13 to 1e15 FLOP of 777 C^-0.155 + 1.8, 1% noise.
COMPUTE = np.geomspace(1e13, 1e15, 8)
TARGET = 1e18


def truth(compute: float | np.ndarray) -> float | np.ndarray:
    return 777.0 * compute**-0.155 + 1.8


def floor_not_in_view(seed: int) -> np.ndarray:
    return truth(COMPUTE) * np.exp(np.random.default_rng(seed).normal(0.0, 0.01, COMPUTE.size))


def test_a_seeded_case_where_the_chosen_law_alone_misses_and_the_default_covers() -> None:
    loss = floor_not_in_view(1)
    default = fit_law(COMPUTE, loss, FitSettings(n_boot=500), (Target(TARGET),))
    fixed = fit_law(COMPUTE, loss, FitSettings(law="power", n_boot=500), (Target(TARGET),))
    assert default.law == "power"  # the power law forecasts the largest runs best ...
    true_value = truth(TARGET)
    low, high = fixed.predictions[0].ci
    assert high < true_value  # ... but its own interval misses the floor beyond the runs
    low, high = default.predictions[0].ci
    assert low <= true_value <= high
    assert default.predictions[0].estimate == fixed.predictions[0].estimate  # the estimate is the chosen law's


@pytest.mark.parametrize("seed", [1, 4])
def test_the_interval_spans_the_chosen_and_the_nesting_law_as_each_alone_would_give(seed: int) -> None:
    """From the power law's own lower end (a floor only raises the forecast) to the higher of the two upper ends."""
    loss = floor_not_in_view(seed)
    targets = (Target(TARGET), Target(10.0, True))
    default = fit_law(COMPUTE, loss, FitSettings(n_boot=500), targets)
    selection = default.law_selection
    assert selection is not None
    assert math.isclose(sum(c.weight for c in selection.candidates), 1.0, rel_tol=1e-12)
    assert [c.law for c in selection.candidates if c.in_interval] == ["loss", "power"]
    alone = {law: fit_law(COMPUTE, loss, FitSettings(law=law, n_boot=500), targets) for law in ("loss", "power")}
    for i, prediction in enumerate(default.predictions):
        for law, result in alone.items():
            own = selection.candidate(law).predictions[i]
            assert own.estimate == result.predictions[i].estimate
            assert own.ci == result.predictions[i].ci and own.pi == result.predictions[i].pi
        power, nesting = alone["power"].predictions[i], alone["loss"].predictions[i]
        assert prediction.ci == (power.ci[0], max(power.ci[1], nesting.ci[1]))
        assert prediction.pi == (power.pi[0], max(power.pi[1], nesting.pi[1]))
        assert prediction.pi[0] <= prediction.ci[0] and prediction.pi[1] >= prediction.ci[1]
    broken = selection.candidate("broken")
    assert not broken.in_interval and broken.predictions[0].ci is None and broken.predictions[0].estimate > 0
    # saved and loaded, the spanned laws come back: from the state, or (older files) from the saved law_selection
    saved = default.to_saved_dict()
    assert saved["state"]["in_interval"] == ["loss", "power"]
    older = {**saved, "state": {k: v for k, v in saved["state"].items() if k != "in_interval"}}
    for document in (saved, older):
        reloaded = forecast(load_fit(json.loads(json.dumps(document)), "fit.json"), targets, 0.9)
        assert reloaded.predictions == default.predictions
        assert [c.in_interval for c in reloaded.model.candidates] == [c.in_interval for c in selection.candidates]
    # the Akaike weights, by hand from the candidates' AICc
    aicc = np.array([c.aicc for c in selection.candidates], dtype=float)
    expected = np.exp(-(aicc - aicc.min()) / 2)
    assert [c.weight for c in selection.candidates] == pytest.approx(list(expected / expected.sum()), rel=1e-12)


def test_a_saved_default_fit_predicts_the_same_intervals() -> None:
    loss = floor_not_in_view(2)
    result = fit_law(COMPUTE, loss, FitSettings(n_boot=300), (Target(TARGET),))
    reloaded = forecast(load_fit(result.to_saved_dict(), "fit.json"), (Target(TARGET),), 0.9)
    assert reloaded.predictions == result.predictions
    assert reloaded.law_selection is not None and result.law_selection is not None
    assert [c.predictions for c in reloaded.law_selection.candidates] == [
        c.predictions for c in result.law_selection.candidates
    ]


def nested_best_half_width(noise: float, level: float = 0.9) -> float:
    """The loss law's delta-method half-width at the true parameters and noise (what no forecaster beats)."""
    from scipy.stats import norm

    law = get_law("loss")
    log_cref = float(np.log(COMPUTE).mean())
    theta = law.from_user(np.array([[777.0, -0.155, 1.8]]), log_cref)
    jacobian = law.log_jacobian(theta, np.log(COMPUTE) - log_cref)[0]
    gradient = law.log_jacobian(theta, np.array([math.log(TARGET) - log_cref]))[0, 0]
    variance = noise**2 * gradient @ np.linalg.inv(jacobian.T @ jacobian) @ gradient
    return float(norm.ppf(0.5 + level / 2) * math.sqrt(variance))


def test_coverage_and_width_of_the_default_interval_in_a_small_simulation() -> None:
    """60 seeded ladders whose floor is barely in view: the 90% ci holds the true law about 90% of the time,
    and is neither much wider nor narrower than the best possible for a forecaster who knows the noise."""
    covered, widths = 0, []
    for seed in range(60):
        loss = floor_not_in_view(100 + seed)
        result = fit_law(COMPUTE, loss, FitSettings(n_boot=300, seed=seed), (Target(TARGET),))
        low, high = result.predictions[0].ci
        covered += low <= truth(TARGET) <= high
        widths.append(math.log(high / low) / 2)
    assert 48 <= covered <= 59  # these seeds: 58; all 60 would say too wide (an exact 90% ci: probability 0.2%)
    ratio = float(np.median(widths)) / nested_best_half_width(0.01)
    assert 0.8 <= ratio <= 1.8


def test_a_fit_saved_before_the_procedure_still_predicts_with_its_own_law() -> None:
    """Saved fits of the previous version have no candidate states and the old drift block."""
    result = fit_law(COMPUTE, floor_not_in_view(1), FitSettings(n_boot=200), (Target(TARGET),))
    saved = result.to_saved_dict()
    for candidate in saved["law_selection"]["candidates"]:
        for key in ("weight", "in_interval", "predictions"):
            del candidate[key]
    del saved["state"]["candidates"]
    saved["fit"]["drift"] = {"ratio": 1.2, "n_forecasts": 6, "worst_error": 0.01, "worst_factor": 10.0}
    old = forecast(load_fit(saved, "old.json"), (Target(TARGET),), 0.9)
    own = result.law_selection.candidate("power").predictions[0]  # type: ignore[union-attr]
    assert old.law_selection is None and old.fit.drift is None
    assert old.predictions[0].ci == own.ci and old.predictions[0].estimate == own.estimate


def test_a_percentile_interval_is_numpys_quantiles_widened_to_hold_the_estimate() -> None:
    from scaling_forecast.engine.forecasting import _percentile

    draws = np.random.default_rng(0).lognormal(0.0, 0.5, 4001)
    found = _percentile(1.0, draws, 0.8)
    assert found.estimate == 1.0 and found.ci == pytest.approx(tuple(np.quantile(draws, [0.1, 0.9])), rel=1e-12)
    assert _percentile(0.1, draws, 0.8).ci[0] == 0.1  # an estimate below the draws' interval widens it
    assert _percentile(9.0, np.r_[draws, np.nan, np.inf], 0.8).ci == (found.ci[0], 9.0)  # non-finite draws left out
    empty = _percentile(2.0, np.array([np.nan]), 0.8)
    assert empty.estimate == 2.0 and all(math.isnan(v) for v in empty.ci)


def test_the_power_laws_coefficient_has_the_delta_method_standard_error_of_its_ols_intercept() -> None:
    """``a = exp(intercept)``: its standard error is ``a`` times the intercept's, ``s sqrt(1/n + xbar^2 / Sxx)``,
    with ``x = ln C`` in the user's units (numpy's least squares, not the fit)."""
    compute = np.geomspace(1e18, 1e21, 8)
    loss = 40.0 * compute**-0.08 * np.exp(np.random.default_rng(2).normal(0.0, 0.01, 8))
    result = fit_law(compute, loss, FitSettings(law="power", method="delta"))
    x, y = np.log(compute), np.log(loss)
    slope, intercept = np.polyfit(x, y, 1)
    s = math.sqrt(float(np.sum((y - intercept - slope * x) ** 2)) / 6)
    sxx = float(np.sum((x - x.mean()) ** 2))
    a, b = result.params
    assert (a.name, b.name) == ("a", "b")
    assert a.estimate == pytest.approx(math.exp(intercept), rel=1e-6)
    assert a.stderr == pytest.approx(a.estimate * s * math.sqrt(1 / 8 + x.mean() ** 2 / sxx), rel=1e-5)
    assert b.stderr == pytest.approx(s / math.sqrt(sxx), rel=1e-5)


def test_the_broken_laws_break_is_reported_in_compute_with_its_bootstrap_interval_around_it() -> None:
    """``C_b`` carries an offset (``log C_ref``) into the user's units: the estimate and every replicate."""
    law = get_law("broken")
    compute = np.geomspace(1e17, 1e22, 12)
    truth = law.predict(np.array([[300.0, -0.03, -0.2, 1e19]]), compute)[0]
    noisy = truth * np.exp(np.random.default_rng(0).normal(0.0, 0.003, 12))
    result = fit_law(compute, noisy, FitSettings(law="broken", n_boot=200))
    model = result.model
    user = law.to_user(model.theta[None, :], model.log_cref)[0]
    c_b = next(p for p in result.params if p.name == "C_b")
    assert c_b.estimate == pytest.approx(user[3], rel=1e-9) and 1e18 < c_b.estimate < 1e20
    assert c_b.ci[0] <= c_b.estimate <= c_b.ci[1] and c_b.ci[1] / c_b.ci[0] < 100


def test_a_law_of_compute_has_no_design_point_and_chinchilla_forecasts_at_the_point_given() -> None:
    from ..unit.test_chinchilla import _synthetic

    compute = np.geomspace(1e18, 1e21, 8)
    loss = 2.0 + 300.0 * compute**-0.15
    (p,) = fit_law(compute, loss, FitSettings(law="loss", method="delta"), (Target(1e22),)).predictions
    assert p.design == () and "params" not in p.to_dict()
    runs = _synthetic(0.01)
    point = Target(6 * 2e9 * 4e10, point=(2e9, 4e10))
    result = fit_law(runs.x, runs.y, FitSettings(law="chinchilla", n_boot=100), (point,), columns=runs.columns)
    (q,) = result.predictions
    e, a, b, alpha, beta = (
        next(p.estimate for p in result.params if p.name == n) for n in ("E", "A", "B", "alpha", "beta")
    )
    assert dict(q.design) == pytest.approx({"params": 2e9, "tokens": 4e10})
    assert q.estimate == pytest.approx(e + a / 2e9**alpha + b / 4e10**beta, rel=1e-9)


def test_targets_up_to_a_million_times_either_way_are_forecast_and_beyond_are_refused() -> None:
    from scaling_forecast.errors import ConfigError

    compute = np.geomspace(1e18, 1e21, 8)
    result = fit_law(compute, 2.0 + 300.0 * compute**-0.15, FitSettings(law="loss", method="delta"))
    for factor in (1e6, 1e-6, 1.5e-6):
        assert forecast(result, (Target(factor, True),), 0.9).predictions[0].extrapolation_factor == factor
    with pytest.raises(ConfigError) as caught:
        forecast(result, (Target(1.001e6, True),), 0.9)
    assert str(caught.value) == (
        "target 1.001e+06x: 1e+27 FLOP is 1e+06x the largest run (1e+21); no law holds that far, so targets "
        "beyond 1e+06x either way are refused"
    )
    with pytest.raises(ConfigError, match=r"^target 1e-07x: 1e\+14 FLOP is 1e-07x the largest run"):
        forecast(result, (Target(1e-7, True),), 0.9)


def test_only_a_curve_law_has_a_curve_model() -> None:
    from scaling_forecast.engine.forecasting import curve_model

    compute = np.geomspace(1e19, 1e22, 8)
    accuracy = 0.25 + 0.6 / (1 + np.exp(-1.5 * (np.log10(compute) - 20.5)))
    with pytest.raises(TypeError, match=r"^the accuracy law is not a curve law$"):
        curve_model(fit_law(compute, accuracy, FitSettings(law="accuracy")))


def test_each_candidates_own_forecast_has_a_pi_only_when_the_interval_spans_it() -> None:
    compute = np.geomspace(1e17, 1e21, 9)
    loss = (777.0 * compute**-0.155 + 1.8) * np.exp(np.random.default_rng(5).normal(0.0, 0.005, 9))
    result = fit_law(compute, loss, FitSettings(n_boot=200), (Target(10.0, True),))
    assert result.law_selection is not None
    candidates = result.law_selection.candidates
    assert any(c.in_interval for c in candidates) and not all(c.in_interval for c in candidates)
    for c in candidates:
        (own,) = c.predictions
        assert (own.pi is not None) == c.in_interval and (own.ci is not None) == c.in_interval
        assert own.estimate > 0 and own.target == pytest.approx(compute[-1] * 10)


def test_when_the_broken_law_is_chosen_the_interval_spans_it_and_the_loss_law_at_both_ends() -> None:
    """Only a chosen power law keeps its own lower end (the loss law nests it); a chosen broken law's interval is
    the hull of its own and the loss law's, end by end."""
    compute = np.geomspace(1e17, 1e21, 9)
    broken_truth = get_law("broken").predict(np.array([[300.0, -0.03, -0.2, 1e19]]), compute)[0]
    loss = broken_truth * np.exp(np.random.default_rng(0).normal(0.0, 0.005, compute.size))
    targets = (Target(1e23),)
    default = fit_law(compute, loss, FitSettings(n_boot=300), targets)
    selection = default.law_selection
    assert default.law == "broken" and selection is not None
    assert [c.law for c in selection.candidates if c.in_interval] == ["loss", "broken"]
    own = {law: selection.candidate(law).predictions[0] for law in ("loss", "broken")}
    prediction = default.predictions[0]
    for name in ("ci", "pi"):
        ends = [getattr(p, name) for p in own.values()]
        assert getattr(prediction, name) == (min(e[0] for e in ends), max(e[1] for e in ends))
    assert own["loss"].ci[0] < own["broken"].ci[0]  # the loss law sets the lower end here


def _bent(n: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A power law that bends down after two decades (a known break): a ladder the pure laws drift on."""
    compute = np.geomspace(1e18, 1e22, n)
    decades = np.log10(compute) - 18.0
    bend = np.where(decades > 2.0, 10.0 ** (-0.2 * (decades - 2.0)), 1.0)
    noise = np.exp(np.random.default_rng(seed).normal(0.0, 0.003, n))
    return compute, 5.0 * (compute / 1e18) ** -0.05 * bend * noise


def test_three_runs_are_too_few_to_test_the_power_law_the_default_chose() -> None:
    """Three runs: the default can fit only the power law, and its drift check says the ladder is too short to
    test that law, counting the runs at distinct computes and the 2 + 3 the power law needs."""
    from scaling_forecast.tasks.fit import fit_curve

    compute = np.array([1e18, 1e19, 1e19, 1e20])
    result = fit_curve(compute, 5.0 * (compute / 1e18) ** -0.1, FitSettings(), (Target(1e22),))
    assert result.law == "power" and result.fit.drift is not None and result.fit.drift.law == "power"
    assert (
        "only 3 runs at distinct compute values: too few for the ladder to test the power law on its own larger runs "
        "(the misspecification check needs 5); the intervals assume the law holds beyond the runs"
    ) in result.fit.warnings
    assert not any("did not converge" in w for w in result.fit.warnings)


@pytest.mark.parametrize(
    ("misspecification", "action"),
    [
        ("widen", "the prediction intervals are widened by that rate times the decades beyond the largest run"),
        ("warn", "the prediction intervals are probably too narrow (--misspecification widen widens them)"),
    ],
)
def test_a_drifting_ladders_warning_says_what_the_misspecification_option_does(
    misspecification: str, action: str
) -> None:
    from scaling_forecast.tasks.fit import fit_curve

    compute, loss = _bent()
    result = fit_curve(compute, loss, FitSettings(law="power", misspecification=misspecification), (Target(1e23),))
    drifting = [w for w in result.fit.warnings if w.startswith("the ladder's own rolling forecasts drift: the power")]
    assert len(drifting) == 1 and drifting[0].endswith(f"the law is probably misspecified; {action}")
    named = fit_curve(compute, loss, FitSettings(law="passrate"), (Target(1e23),), law_name="gpt4")
    assert any(w.startswith("the ladder's own rolling forecasts drift: the gpt4 law") for w in named.fit.warnings)


def test_the_default_procedure_chooses_and_checks_drift_with_the_users_loss_and_seed() -> None:
    """Under --loss huber and a seed, the law choice and the drift check are Huber's and that seed's: the same as
    select_law and rolling_drift called with them, and not the least-squares or seed-0 ones (which differ here)."""
    from scaling_forecast.engine.drift import rolling_drift
    from scaling_forecast.engine.fitting import Objective
    from scaling_forecast.engine.selection import select_law
    from scaling_forecast.laws import curve_law
    from scaling_forecast.tasks.fit import fit_curve

    compute, loss = _bent(n=10, seed=3)
    loss[6] *= 1.08  # an outlier, which Huber's loss discounts
    settings = FitSettings(loss_fn="huber", seed=7)
    result = fit_curve(compute, loss, settings, (Target(1e23),))
    huber = Objective("huber", settings.resolved().huber_delta)
    chosen = select_law(compute, loss, objective=huber)
    least = select_law(compute, loss)
    assert chosen is not None and least is not None and chosen[0].reason != least[0].reason
    assert result.law_selection is not None and result.law_selection.reason == chosen[0].reason
    drift_law = curve_law("loss")
    own = rolling_drift(drift_law, compute, loss, objective=huber, seed=7)
    assert result.fit.drift is not None and result.fit.drift.law == "loss"
    assert result.fit.drift.statistic == own.statistic and result.fit.drift.p_value == own.p_value
    assert rolling_drift(drift_law, compute, loss, seed=7).statistic != own.statistic
    assert rolling_drift(drift_law, compute, loss, objective=huber).p_value != own.p_value


def test_many_runs_are_fitted_as_one_point_per_compute_or_as_equal_bins_counted_by_hand() -> None:
    """More than 48 runs: at 24 distinct computes or fewer, one point per compute (the runs' geometric mean), the
    same fit as those points given alone; at 100 distinct computes, bins of ceil(100 / 24) = 5 runs, so 20 points.
    The default's law choice says it held out the largest points, not runs."""
    from scaling_forecast.tasks.fit import fit_curve

    rng = np.random.default_rng(5)
    levels = np.geomspace(1e18, 1e21, 24)
    counts = np.where(np.arange(24) % 2 == 0, 2, 4)  # unequal counts: bins of equal count would mix computes
    compute = np.repeat(levels, counts)
    loss = (1.8 + 40.0 * (compute / 1e18) ** -0.2) * np.exp(rng.normal(0.0, 0.01, compute.size))
    settings = FitSettings(law="loss", method="delta")
    result = fit_curve(compute, loss, settings, (Target(1e23),))
    means = np.exp(np.array([np.log(loss[compute == c]).mean() for c in levels]))
    alone = fit_curve(levels, means, settings, (Target(1e23),))
    assert result.data.points == 24 and result.data.n_runs == compute.size
    assert [p.estimate for p in result.params] == pytest.approx([p.estimate for p in alone.params], rel=1e-9)
    spread = np.geomspace(1e18, 1e21, 100)
    spread_loss = (1.8 + 40.0 * (spread / 1e18) ** -0.2) * np.exp(rng.normal(0.0, 0.01, 100))
    binned = fit_curve(spread, spread_loss, FitSettings(), (Target(1e23),))
    assert binned.data.points == 20
    assert binned.law_selection is not None and " largest " in binned.law_selection.reason
    assert "points from the smaller runs" in binned.law_selection.reason
    few = fit_curve(spread[::10], spread_loss[::10], FitSettings(), (Target(1e23),))
    assert few.law_selection is not None and "run(s) from the smaller runs" in few.law_selection.reason


def test_a_delta_fit_of_bins_takes_a_new_runs_noise_from_every_run() -> None:
    """Fitted to bins by the delta method, the noise of a new run is every run's scatter about the fitted law,
    ``sqrt(sum r_i^2 / (n - p))`` over the runs (not the bins), by hand."""
    from scaling_forecast.engine.forecasting import curve_model
    from scaling_forecast.tasks.fit import fit_curve

    compute = np.geomspace(1e18, 1e21, 100)
    loss = (1.8 + 40.0 * (compute / 1e18) ** -0.2) * np.exp(np.random.default_rng(6).normal(0.0, 0.02, 100))
    result = fit_curve(compute, loss, FitSettings(law="loss", method="delta"), (Target(1e23),))
    a, b, c = (p.estimate for p in result.params)
    residuals = np.log(loss) - np.log(a * compute**b + c)
    model = curve_model(result)
    assert model.uncertainty.sigma == pytest.approx(math.sqrt(residuals @ residuals / (100 - 3)), rel=1e-6)


def test_a_saved_fit_without_its_runs_loads_and_a_broken_gpt4_fit_inside_one_names_the_file() -> None:
    """Fits saved before they kept their runs still load (with no runs) and predict the same; a saved gpt4 fit whose
    inner fit of -log acc is broken is refused in one line naming the saved file."""
    import copy

    from scaling_forecast.errors import DataError
    from scaling_forecast.tasks.capability import fit_direct

    from .test_capability import _ladder, _runs

    result = fit_law(COMPUTE, truth(COMPUTE) * 1.01, FitSettings(), (Target(TARGET),))
    saved = result.to_saved_dict()
    del saved["state"]["runs"]
    reloaded = forecast(load_fit(saved, "fit.json"), (Target(TARGET),), 0.9)
    assert reloaded.runs is None and reloaded.predictions == result.predictions
    compute, _, accuracy = _ladder(8, seed=6)
    gpt4 = fit_direct(_runs(compute, None, np.clip(accuracy, 0.3, 0.99)), FitSettings(law="gpt4", n_boot=200), ())
    broken = copy.deepcopy(gpt4.to_saved_dict())
    del broken["state"]["gpt4"]["level"]
    with pytest.raises(DataError) as refused:
        load_fit(broken, "fit.json")
    assert str(refused.value).startswith("fit.json: not a saved fit (missing or bad 'level')")
