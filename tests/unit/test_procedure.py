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
