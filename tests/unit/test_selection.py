"""``--law auto``: the generating law is chosen on clear synthetic ladders, and the choice is explained."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scaling_forecast.engine.rolling import rolling_origins
from scaling_forecast.engine.selection import _lower_aicc, choose_held_out, select_law
from scaling_forecast.laws import get_law
from scaling_forecast.results import Candidate
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


def one_step_rms(compute: np.ndarray, y: np.ndarray, held: int) -> float:
    """The power law's held-out error by hand: each of the ``held`` largest runs forecast by numpy's least-squares
    line through the log of every run of smaller compute. Runs at one compute are taken in order of ``y``."""
    order = np.lexsort((y, compute))
    compute, y = compute[order], y[order]
    errors = []
    for j in range(compute.size - held, compute.size):
        below = compute < compute[j]
        slope, intercept = np.polyfit(np.log(compute[below]), np.log(y[below]), 1)
        errors.append(np.log(y[j]) - (intercept + slope * np.log(compute[j])))
    return float(np.sqrt(np.mean(np.square(errors))))


def test_the_held_out_error_is_the_rms_of_forecasts_from_all_smaller_runs() -> None:
    compute = np.repeat(np.geomspace(1e17, 1e21, 6), 2)  # 12 runs, 3 held out: the two at 1e21 and one at 1.6e20
    noisy = (777.0 * compute**-0.155 + 1.8) * np.exp(np.random.default_rng(2).normal(0.0, 0.01, compute.size))
    choice = select_law(compute, noisy)
    assert choice is not None
    selection = choice[0]
    assert selection.criterion == "held-out" and selection.held_out == 3
    power = next(c for c in selection.candidates if c.law == "power")
    assert power.held_out_error == pytest.approx(one_step_rms(compute, noisy, 3), rel=1e-6)


@pytest.mark.parametrize(("n", "held"), [(5, 1), (6, 2), (9, 2), (12, 3), (40, 8)])
def test_a_quarter_of_the_runs_are_held_out_and_at_most_eight(n: int, held: int) -> None:
    compute = np.geomspace(1e17, 1e21, n)
    noisy = 50.0 * compute**-0.07 * np.exp(np.random.default_rng(n).normal(0.0, 0.005, n))
    choice = select_law(compute, noisy)
    assert choice is not None and choice[0].held_out == held


def test_each_candidates_state_is_its_delta_method_fit_to_all_runs_in_centred_log_compute() -> None:
    """The power law's state against numpy's least-squares line and its textbook covariance ``s^2 (X'X)^-1``."""
    noisy = TRUTH["power"] * np.exp(np.random.default_rng(5).normal(0.0, 0.01, COMPUTE.size))
    choice = select_law(COMPUTE, noisy)
    assert choice is not None
    state = choice[1]["power"]
    assert state is not None and state.method == "delta" and state.n_boot == 0
    x = np.log(COMPUTE) - np.log(COMPUTE).mean()
    slope, intercept = np.polyfit(x, np.log(noisy), 1)
    assert state.theta == pytest.approx([intercept, slope], rel=1e-7)
    design = np.column_stack([np.ones_like(x), x])
    rss = float(np.sum((np.log(noisy) - design @ [intercept, slope]) ** 2))
    assert state.sigma == pytest.approx(math.sqrt(rss / (COMPUTE.size - 2)), rel=1e-6)
    assert state.covariance == pytest.approx(rss / (COMPUTE.size - 2) * np.linalg.inv(design.T @ design), rel=1e-5)
    assert set(choice[1]) == {"loss", "power", "broken"} and all(s is not None for s in choice[1].values())


def test_the_huber_objective_scores_the_candidates_by_its_own_fit() -> None:
    """The power law's AICc under Huber's loss, with the RSS of scipy's Huber fit (an outlier makes it differ)."""
    from scipy.optimize import least_squares

    from scaling_forecast.engine.fitting import Objective

    noisy = TRUTH["power"] * np.exp(np.random.default_rng(6).normal(0.0, 0.0005, COMPUTE.size))
    noisy[4] *= 1.05
    huber = Objective("huber", 1e-3)
    choice = select_law(COMPUTE, noisy, objective=huber)
    assert choice is not None
    power = next(c for c in choice[0].candidates if c.law == "power")
    x = np.log(COMPUTE) - np.log(COMPUTE).mean()
    fit = least_squares(lambda t: np.log(noisy) - t[0] - t[1] * x, [0.0, 0.0], loss="huber", f_scale=1e-3, xtol=1e-14)
    rss = float(np.sum(fit.fun**2))
    n, k = COMPUTE.size, 2
    assert power.aicc == pytest.approx(n * math.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1), rel=1e-4)
    lsq = next(c for c in select_law(COMPUTE, noisy)[0].candidates if c.law == "power")  # type: ignore[index]
    assert lsq.aicc == pytest.approx(-69.089, abs=1e-3) and power.aicc == pytest.approx(-68.108, abs=1e-3)
    assert power.held_out_error is not None and lsq.held_out_error is not None
    assert power.held_out_error < lsq.held_out_error / 10  # the outlier pulls the least-squares line only


def candidate(law: str, k: int, error: float, aicc: float | None) -> tuple[Candidate, float]:
    return Candidate(law, k, error, aicc), error


@pytest.mark.parametrize(
    ("rival_error", "rival_aicc", "takes"),
    [
        (1.0 / 2.5, 20.0, False),  # exactly 2.5 times better with a higher AICc: not clearly
        (1.0 / 2.5 * (1 - 1e-9), 20.0, True),  # a hair beyond: clearly better, whatever the AICc
        (1.0 / 1.1, 5.0, False),  # exactly 1.1 times better with a lower AICc: not enough
        (1.0 / 1.1 * (1 - 1e-9), 5.0, True),
        (1.0 / 2.0, 20.0, False),  # twice better, higher AICc
        (1.0 / 2.0, 10.0, False),  # twice better, equal AICc: not lower
        (1.0 / 2.0, None, True),  # twice better, AICc unknown: taken
    ],
)
def test_a_law_with_more_parameters_must_earn_its_place(
    rival_error: float, rival_aicc: float | None, takes: bool
) -> None:
    simple = candidate("power", 2, 1.0, 10.0)
    rival = candidate("loss", 3, rival_error, rival_aicc)
    chosen, error = choose_held_out([simple, rival])
    assert (chosen.law == "loss") == takes and error == (rival_error if takes else 1.0)


def test_each_rival_is_weighed_against_the_current_choice_not_the_first() -> None:
    power, loss, broken = (
        candidate("power", 2, 1.0, 10.0),
        candidate("loss", 3, 0.3, 9.0),
        candidate("broken", 4, 0.2, 8.0),
    )
    assert choose_held_out([power, loss, broken])[0].law == "broken"  # 0.3 / 0.2 = 1.5 > 1.1 with lower AICc ...
    broken_worse = candidate("broken", 4, 0.2, 9.5)  # ... but not with a higher one, though 5x better than power
    assert choose_held_out([power, loss, broken_worse])[0].law == "loss"


def test_an_unknown_aicc_on_either_side_counts_as_lower() -> None:
    known, unknown = Candidate("power", 2, 0.1, 10.0), Candidate("loss", 3, 0.1, None)
    assert _lower_aicc(unknown, known) and _lower_aicc(known, unknown)
    assert _lower_aicc(Candidate("loss", 3, 0.1, 9.0), known)
    assert not _lower_aicc(Candidate("loss", 3, 0.1, 10.0), known)


def test_the_reason_names_the_scores_and_what_was_beaten() -> None:
    noisy = TRUTH["loss"] * np.exp(np.random.default_rng(1).normal(0.0, 0.005, COMPUTE.size))
    choice = select_law(COMPUTE, noisy)
    assert choice is not None
    selection = choice[0]
    assert selection.chosen == "loss"
    loss = next(c for c in selection.candidates if c.law == "loss")
    assert selection.reason == (
        f"loss forecasts each of the 2 largest run(s) from the smaller runs with RMS log error "
        f"{loss.held_out_error:.2%}, clearly better than power; no law with more parameters did clearly better"
    )
    points = select_law(COMPUTE, noisy, unit="point(s)")
    assert points is not None and "each of the 2 largest point(s) from" in points[0].reason
    power_truth = TRUTH["power"] * np.exp(np.random.default_rng(1).normal(0.0, 0.005, COMPUTE.size))
    power = select_law(COMPUTE, power_truth)
    assert power is not None and power[0].chosen == "power"
    assert (
        power[0].reason.endswith("%; no law with more parameters did clearly better")
        and "left out" not in power[0].reason
    )


def test_ties_below_the_held_out_runs_count_once_toward_a_law_being_held_out() -> None:
    """8 runs hold out the 2 at the largest compute; below them 5 runs at 3 computes: enough for the power law
    (3 > 2) but not the saturating law (needs 4), so there is one holdable candidate and AICc decides."""
    compute = np.array([1e17, 1e17, 1e18, 1e18, 1e19, 1e20, 1e20, 1e20])
    noisy = 50.0 * compute**-0.07 * np.exp(np.random.default_rng(3).normal(0.0, 0.003, compute.size))
    choice = select_law(compute, noisy)
    assert choice is not None and choice[0].criterion == "aicc" and choice[0].held_out == 0


def test_without_held_out_runs_the_lowest_aicc_wins_with_closed_form_weights() -> None:
    """6 runs at 4 computes: nothing can be held out; power and loss both have an AICc."""
    compute = np.array([1e17, 1e17, 1e18, 1e18, 1e19, 1e20])
    noisy = 50.0 * compute**-0.07 * np.exp(np.random.default_rng(3).normal(0.0, 0.003, compute.size))
    choice = select_law(compute, noisy)
    assert choice is not None
    selection = choice[0]
    aicc = {c.law: c.aicc for c in selection.candidates}
    assert set(aicc) == {"loss", "power"} and None not in aicc.values()
    best = min(aicc, key=lambda name: aicc[name])  # type: ignore[arg-type, return-value]
    assert selection.chosen == best and selection.criterion == "aicc"
    assert selection.reason == f"too few runs to hold any out; {best} has the lowest AICc ({aicc[best]:.2f})"
    d = np.array([aicc["loss"], aicc["power"]]) - min(aicc.values())  # type: ignore[type-var]
    weights = {c.law: c.weight for c in selection.candidates}
    assert [weights["loss"], weights["power"]] == pytest.approx(list(np.exp(-d / 2) / np.exp(-d / 2).sum()))


def test_with_no_aicc_at_all_the_fewest_parameters_win_and_hold_all_the_weight() -> None:
    compute = np.array([1e18, 1e19, 1e20])
    choice = select_law(compute, 50.0 * compute**-0.07 * np.array([1.0, 1.01, 0.99]))
    assert choice is not None
    selection = choice[0]
    assert (selection.chosen, selection.criterion, selection.held_out) == ("power", "fewest parameters", 0)
    assert selection.reason == "too few runs to score any candidate; power has the fewest parameters"
    assert [(c.law, c.weight) for c in selection.candidates] == [("power", 1.0)]


def test_rolling_origins_refuses_an_unknown_horizon() -> None:
    with pytest.raises(ValueError, match="horizon must be 'all' or 'next'"):
        rolling_origins(np.array([1.0, 2.0, 3.0]), horizon="last")


def origins_by_hand(compute: np.ndarray, min_distinct: int, start: int, horizon: str) -> list[tuple[int, list[int]]]:
    """Every window of the k smallest runs that lie strictly below run k, from its definition."""
    found = []
    for k in range(1, compute.size):
        if k < start or compute[k - 1] == compute[k] or len(set(compute[:k].tolist())) < min_distinct:
            continue
        ahead = [j for j in range(k, compute.size) if horizon == "all" or compute[j] == compute[k]]
        found.append((k, ahead))
    return found


@pytest.mark.parametrize("horizon", ["all", "next"])
def test_rolling_origins_are_the_windows_strictly_below_each_run(horizon: str) -> None:
    rng = np.random.default_rng(9)
    for _ in range(50):
        compute = np.sort(rng.choice([1.0, 2.0, 3.0, 5.0, 8.0, 13.0], size=int(rng.integers(2, 12))))
        for min_distinct, start in ((1, 1), (2, 1), (1, 3), (3, 2), (1, 0)):
            got = rolling_origins(compute, min_distinct=min_distinct, start=start, horizon=horizon)
            assert [(k, a.tolist()) for k, a in got] == origins_by_hand(compute, min_distinct, start, horizon)
    ties = np.array([1.0, 1.0, 2.0, 2.0, 3.0])
    assert [k for k, _ in rolling_origins(ties)] == [2, 4]  # the defaults: from the first run, one distinct compute
    assert [k for k, _ in rolling_origins(np.array([1.0, 2.0, 3.0]))] == [1, 2]


def test_rolling_origins_keep_evenly_spaced_windows_with_the_first_and_the_last() -> None:
    compute = np.arange(1.0, 12.0)  # windows k = 1 .. 10
    assert [k for k, _ in rolling_origins(compute, max_windows=4)] == [1, 4, 7, 10]
    assert [k for k, _ in rolling_origins(compute, max_windows=10)] == list(range(1, 11))
    assert [k for k, _ in rolling_origins(compute, max_windows=20)] == list(range(1, 11))


def test_a_law_with_the_most_parameters_names_every_simpler_law_it_beat() -> None:
    noisy = TRUTH["broken"] * np.exp(np.random.default_rng(0).normal(0.0, 0.005, COMPUTE.size))
    choice = select_law(COMPUTE, noisy)
    assert choice is not None and choice[0].chosen == "broken"
    reason = choice[0].reason
    assert ", clearly better than power and loss" in reason and "no law with more parameters" not in reason


def test_the_reason_names_the_simpler_laws_beaten_and_says_when_no_larger_law_did_better() -> None:
    """A saturating ladder: the loss law wins, beats the power law and no law with more parameters beats it. A
    ladder that bends down: the broken law wins over both simpler laws, and none has more parameters."""
    from ..conftest import saturating_ladder

    compute, loss = saturating_ladder(n=10, noise=0.003, seed=2)
    chosen = select_law(compute, loss)
    assert chosen is not None and chosen[0].chosen == "loss"
    assert ", clearly better than power; no law with more parameters did clearly better" in chosen[0].reason
    bent = np.geomspace(1e18, 1e22, 12)
    decades = np.log10(bent) - 18.0
    bent_loss = 5.0 * (bent / 1e18) ** -0.05 * np.where(decades > 2.0, 10.0 ** (-0.2 * (decades - 2.0)), 1.0)
    broken = select_law(bent, bent_loss * np.exp(np.random.default_rng(0).normal(0.0, 0.003, 12)))
    assert broken is not None and broken[0].chosen == "broken"
    assert broken[0].reason.endswith(", clearly better than power and loss")
