"""``--law auto``: the generating law is chosen on clear synthetic ladders, and the choice is explained."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scaling_forecast.engine.selection import select_law
from scaling_forecast.laws import get_law
from scaling_forecast.settings import FitSettings
from scaling_forecast.tasks.ladder import fit_law

COMPUTE = np.geomspace(1e17, 1e21, 9)
TRUTH = {
    "loss": 777.0 * COMPUTE**-0.155 + 1.8,
    "power": 50.0 * COMPUTE**-0.07,
    "broken": get_law("broken").predict(np.array([[300.0, -0.03, -0.2, 1e19]]), COMPUTE)[0],
}


@pytest.mark.parametrize(("law", "at_least"), [("loss", 9), ("power", 10), ("broken", 10)])
def test_auto_picks_the_generating_law(law: str, at_least: int) -> None:
    chosen = []
    for seed in range(10):
        noisy = TRUTH[law] * np.exp(np.random.default_rng(seed).normal(0.0, 0.005, COMPUTE.size))
        choice = select_law(COMPUTE, noisy)
        assert choice is not None
        selection = choice[0]
        assert selection and selection.criterion == "held-out" and selection.held_out == 2
        chosen.append(selection.chosen)
    assert chosen.count(law) >= at_least, chosen


def test_too_few_runs_fall_back_to_aicc_and_say_why() -> None:
    compute = np.geomspace(1e17, 1e20, 4)
    choice = select_law(compute, 50.0 * compute**-0.07 * np.array([1.0, 1.01, 0.99, 1.0]))
    assert choice is not None
    selection = choice[0]
    assert selection and selection.criterion == "aicc" and selection.held_out == 0
    assert "too few runs to hold any out" in selection.reason and selection.chosen == "power"
    assert {c.law for c in selection.candidates} == {"loss", "power"}  # broken needs 5 compute values
    assert next(c for c in selection.candidates if c.law == "loss").aicc is None  # n - k - 1 = 0


def test_candidates_that_cannot_be_held_out_are_left_out_and_named() -> None:
    compute = np.geomspace(1e17, 1e19, 5)
    choice = select_law(compute, (777.0 * compute**-0.155 + 1.8) * np.array([1.0, 1.002, 0.998, 1.0, 1.001]))
    assert choice is not None
    selection = choice[0]
    assert selection and selection.criterion == "held-out" and selection.held_out == 1
    assert "broken left out: too few runs below the held-out ones" in selection.reason


def test_fit_reports_the_selection_and_a_given_law_skips_it() -> None:
    auto = fit_law(COMPUTE, TRUTH["power"], FitSettings(method="delta"))
    assert auto.law == "power" and auto.law_selection is not None
    document = auto.to_dict()["law_selection"]
    assert document["chosen"] == "power" and len(document["candidates"]) == 3
    assert fit_law(COMPUTE, TRUTH["power"], FitSettings(law="loss", method="delta")).law_selection is None


def test_three_runs_leave_only_the_power_law() -> None:
    compute = np.array([1e18, 1e19, 1e20])
    result = fit_law(compute, 50.0 * compute**-0.07, FitSettings(method="delta"))
    assert result.law == "power" and result.law_selection is not None


def test_akaike_weights_are_the_closed_form() -> None:
    """Burnham & Anderson: ``w_k = exp(-d_k / 2) / sum exp(-d_j / 2)`` with ``d_k = AICc_k - min AICc``."""
    from scaling_forecast.engine.selection import akaike_weights

    weights = akaike_weights([10.0, 12.0, 20.0, None])
    expected = np.array([1.0, np.exp(-1.0), np.exp(-5.0)]) / (1.0 + np.exp(-1.0) + np.exp(-5.0))
    assert weights[:3] == pytest.approx(expected.tolist(), rel=1e-12)
    assert weights[3] == 0.0
    # the differences, not the AICc themselves: large ones (of either sign) neither underflow nor overflow
    for shift in (2000.0, -2000.0):
        assert akaike_weights([shift, shift + 2.0]) == pytest.approx([1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(1.0))])
    assert akaike_weights([None, math.nan]) == [0.0, 0.0]  # no AICc at all: no weight, the caller decides


def test_the_power_laws_aicc_is_the_closed_form_of_its_least_squares_line() -> None:
    """AICc = n log(RSS / n) + 2k + 2k(k + 1) / (n - k - 1), with the power law's RSS from numpy's polyfit of
    log loss on log compute (k = 2, n = 9): a closed form the selection code did not compute."""
    noisy = TRUTH["loss"] * np.exp(np.random.default_rng(4).normal(0.0, 0.01, COMPUTE.size))
    choice = select_law(COMPUTE, noisy)
    assert choice is not None
    power = next(c for c in choice[0].candidates if c.law == "power")
    slope, intercept = np.polyfit(np.log(COMPUTE), np.log(noisy), 1)
    rss = float(np.sum((np.log(noisy) - (intercept + slope * np.log(COMPUTE))) ** 2))
    n, k = COMPUTE.size, 2
    assert power.aicc == pytest.approx(n * np.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1), rel=1e-8)
