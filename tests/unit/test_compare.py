"""``compare_sweeps``: probabilities on constructed sweeps, crossings in closed form, bad sweeps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from scaling_forecast.errors import ConfigError, DataError
from scaling_forecast.laws import get_law
from scaling_forecast.settings import FitSettings, Target, parse_target
from scaling_forecast.tasks.compare import Sweep, compare_sweeps
from scaling_forecast.tasks.ladder import fit_law

from ..conftest import saturating_ladder

SETTINGS = FitSettings(n_boot=400)
AT_1E24 = (parse_target("1e24"),)


def _sweep(name: str, seed: int, **law: float) -> Sweep:
    compute, loss = saturating_ladder(n=8, noise=0.005, seed=seed, **law)
    return Sweep(name, compute, loss)


def _row(comparison, name: str, target: int = 0):  # type: ignore[no-untyped-def]
    return next(r for r in comparison.comparisons[target].ranking if r.sweep == name)


def test_a_sweep_better_by_construction_wins() -> None:
    better, worse = _sweep("better", 1, c=1.70), _sweep("worse", 2, c=1.80)
    result = compare_sweeps([worse, better], SETTINGS, AT_1E24, baseline="worse")
    ranking = result.comparisons[0].ranking
    assert [r.sweep for r in ranking] == ["better", "worse"]
    assert ranking[0].p_better is not None and ranking[0].p_better > 0.95
    assert ranking[0].p_best > 0.95
    assert ranking[1].p_better is None and ranking[1].delta is None  # the baseline itself
    assert ranking[0].delta is not None and ranking[0].delta_ci is not None
    assert ranking[0].delta_ci[0] <= ranking[0].delta <= ranking[0].delta_ci[1] < 0
    assert ranking[0].delta == pytest.approx(ranking[0].estimate - ranking[1].estimate)


def test_identical_sweeps_are_a_coin_flip() -> None:
    compute, loss = saturating_ladder(n=8, noise=0.005, seed=4)
    twins = [Sweep("left", compute, loss), Sweep("right", compute.copy(), loss.copy())]
    result = compare_sweeps(twins, FitSettings(n_boot=2000), AT_1E24)
    first, second = result.comparisons[0].ranking
    assert first.estimate == pytest.approx(second.estimate, rel=1e-12)
    assert second.p_better == pytest.approx(0.5, abs=0.05)
    assert first.p_best + second.p_best == pytest.approx(1.0)
    assert first.p_best == pytest.approx(0.5, abs=0.05)
    assert result.crossings == ()  # equal forecasts everywhere never cross


def test_each_sweep_is_fitted_as_forecast_fit_would() -> None:
    sweeps = [_sweep("a", 5), _sweep("b", 6, a=500.0), _sweep("c", 7, b=-0.17)]
    result = compare_sweeps(sweeps, FitSettings(n_boot=1000), AT_1E24)
    for sweep, fitted in zip(sweeps, result.fits, strict=True):
        alone = fit_law(sweep.compute, sweep.y, FitSettings(n_boot=1000), (Target(1e24),))
        assert_allclose([p.estimate for p in fitted.params], [p.estimate for p in alone.params], rtol=1e-6)
        assert fitted.predictions[0].estimate == pytest.approx(alone.predictions[0].estimate, rel=1e-7)
        width = np.diff(fitted.predictions[0].ci)[0]
        assert width == pytest.approx(np.diff(alone.predictions[0].ci)[0], rel=0.15)  # other random draws


def test_crossing_is_found_where_the_closed_form_puts_it() -> None:
    # a1 C^b + c1 = a2 C^b + c2  <=>  C = ((c2 - c1) / (a1 - a2))^(1/b)
    compute = np.geomspace(1e17, 1e21, 8)
    b, (a1, c1), (a2, c2) = -0.155, (600.0, 1.95), (777.0, 1.80)
    crossing = ((c2 - c1) / (a1 - a2)) ** (1.0 / b)
    rng = np.random.default_rng(0)
    jitter = np.exp(rng.normal(0.0, 1e-5, (2, 8)))
    sweeps = [
        Sweep("cheap-early", compute, (a1 * compute**b + c1) * jitter[0]),
        Sweep("wins-late", compute, (a2 * compute**b + c2) * jitter[1]),
    ]
    result = compare_sweeps(sweeps, SETTINGS, AT_1E24)
    assert len(result.crossings) == 1
    found = result.crossings[0]
    assert (found.below, found.above, found.inside) == ("cheap-early", "wins-late", True)
    assert found.compute == pytest.approx(crossing, rel=0.02)
    assert any("cross at" in w for w in result.warnings)
    assert result.comparisons[0].ranking[0].sweep == "wins-late"


@pytest.mark.parametrize("order", [1, -1])
def test_a_crossing_is_the_root_of_the_two_fitted_laws_to_the_grids_interpolation(order: int) -> None:
    """The crossing of the two fitted laws ``a_i C^b_i + c_i``, found here by brentq on their own parameters, is
    where compare puts it, to the error of a linear interpolation on its 200-point grid (1e-4 of log C); the
    sweep lower before it is named ``below`` whichever order the sweeps come in; one beyond the runs is not inside."""
    from scipy.optimize import brentq

    compute = np.geomspace(1e17, 1e21, 8)
    jitter = np.exp(np.random.default_rng(0).normal(0.0, 1e-5, (2, 8)))
    sweeps = [
        Sweep("cheap-early", compute, (600.0 * compute**-0.155 + 1.95) * jitter[0]),
        Sweep("wins-late", compute, (777.0 * compute**-0.155 + 1.80) * jitter[1]),
    ][::order]
    result = compare_sweeps(sweeps, SETTINGS, AT_1E24)
    laws = {f.data.sweep: (f.param("a").estimate, f.param("b").estimate, f.param("c").estimate) for f in result.fits}

    def gap(log_c: float) -> float:
        (a1, b1, c1), (a2, b2, c2) = laws["cheap-early"], laws["wins-late"]
        return a1 * math.exp(b1 * log_c) + c1 - a2 * math.exp(b2 * log_c) - c2

    root = math.exp(brentq(gap, math.log(1e17), math.log(1e24), xtol=1e-12))
    (found,) = result.crossings
    assert (found.below, found.above, found.inside) == ("cheap-early", "wins-late", True)
    assert math.log(found.compute) == pytest.approx(math.log(root), abs=1e-4)
    beyond = [Sweep(s.name, s.compute[:4], s.y[:4]) for s in sweeps]  # runs up to 1e18.7: the crossing is beyond
    (outside,) = compare_sweeps(beyond, SETTINGS, AT_1E24).crossings
    assert outside.inside is False and outside.compute > beyond[0].compute.max()


def test_parallel_curves_do_not_cross() -> None:
    result = compare_sweeps([_sweep("low", 1, c=1.6), _sweep("high", 2, c=1.9)], SETTINGS, AT_1E24)
    assert result.crossings == ()


def test_a_sweep_with_too_few_runs_is_left_out_by_name() -> None:
    short = Sweep("short", np.array([1e18, 1e19, 1e20]), np.array([3.0, 2.7, 2.5]))
    sweeps = [_sweep("a", 1), short, _sweep("b", 2, c=1.7)]
    result = compare_sweeps(sweeps, SETTINGS, AT_1E24)
    assert [f.data.sweep for f in result.fits] == ["a", "b"]
    assert len(result.left_out) == 1 and "sweep 'short'" in result.left_out[0]
    assert "needs 4 or more" in result.warnings[0]
    with pytest.raises(DataError, match="sweep 'short'"):
        compare_sweeps(sweeps, SETTINGS, AT_1E24, strict=True)
    with pytest.raises(DataError, match="at least 2 sweeps"):
        compare_sweeps([_sweep("a", 1), short], SETTINGS, AT_1E24)


def test_bad_names_and_baseline() -> None:
    with pytest.raises(DataError, match="two sweeps are named 'a'"):
        compare_sweeps([_sweep("a", 1), _sweep("a", 2)], SETTINGS, AT_1E24)
    with pytest.raises(ConfigError, match="--baseline 'z': no such sweep; sweeps are a, b"):
        compare_sweeps([_sweep("a", 1), _sweep("b", 2)], SETTINGS, AT_1E24, baseline="z")


def test_same_seed_same_output_and_the_order_of_sizes_does_not_matter() -> None:
    compute, loss = saturating_ladder(n=6, noise=0.005, seed=9)
    sweeps = [_sweep("a", 1), Sweep("six", compute, loss), _sweep("b", 2, c=1.7)]
    first = compare_sweeps(sweeps, SETTINGS, AT_1E24).to_dict()
    assert compare_sweeps(sweeps, SETTINGS, AT_1E24).to_dict() == first
    assert [s["name"] for s in first["sweeps"]] == ["a", "six", "b"]
    assert {s["n_runs"] for s in first["sweeps"]} == {6, 8}


def test_relative_targets_are_multiples_of_the_largest_run_of_all_sweeps() -> None:
    result = compare_sweeps([_sweep("a", 1), _sweep("b", 2, decades=3.0)], SETTINGS, (parse_target("100x"),))
    assert result.comparisons[0].target == pytest.approx(100 * 1e21)


def test_many_sweeps_check_crossings_against_the_winner_only() -> None:
    sweeps = [_sweep(f"s{i:02d}", i, c=1.6 + 0.01 * i) for i in range(25)]
    result = compare_sweeps(sweeps, FitSettings(n_boot=100), AT_1E24)
    ranking = result.comparisons[0].ranking
    assert len(ranking) == 25
    assert sum(r.p_best for r in ranking) == pytest.approx(1.0)
    winner = ranking[0].sweep
    assert all(winner in (c.below, c.above) for c in result.crossings)


def test_swapping_the_baseline_mirrors_the_difference() -> None:
    sweeps = [_sweep("a", 1), _sweep("b", 2, c=1.78)]
    against_a = _row(compare_sweeps(sweeps, SETTINGS, AT_1E24, baseline="a"), "b")
    against_b = _row(compare_sweeps(sweeps, SETTINGS, AT_1E24, baseline="b"), "a")
    assert against_a.delta == pytest.approx(-against_b.delta)
    assert against_a.p_better + against_b.p_better == pytest.approx(1.0, abs=1e-9)
    assert against_a.delta_ci == pytest.approx((-against_b.delta_ci[1], -against_b.delta_ci[0]), rel=1e-9)


def test_sweeps_fitted_by_worker_processes_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one sweep per chunk, two forked workers fit the chunks; the answer is byte for byte the serial one, and
    the one of a single chunk."""
    import json

    import scaling_forecast.tasks.compare as compare

    sweeps = [_sweep(f"s{i}", 20 + i, c=1.7 + 0.02 * i) for i in range(4)]
    settings = FitSettings(n_boot=200)
    whole = compare_sweeps(sweeps, settings, AT_1E24, workers=1)  # one chunk of four sweeps
    monkeypatch.setattr(compare, "CHUNK_BYTES", 1)
    serial = compare_sweeps(sweeps, settings, AT_1E24, workers=1)
    assert json.dumps(serial.to_dict()) == json.dumps(whole.to_dict())  # a chunk a sweep: the same answer
    forked = compare_sweeps(sweeps, settings, AT_1E24, workers=2)
    assert json.dumps(forked.to_dict()) == json.dumps(serial.to_dict())
    assert [r.sweep for r in forked.comparisons[0].ranking] == ["s0", "s1", "s2", "s3"]


def test_each_sweep_has_n_minus_p_degrees_of_freedom() -> None:
    """8 runs of a 3-parameter law leave 5 residual degrees of freedom (the Student-t floor of every interval)."""
    result = compare_sweeps([_sweep("a", 1), _sweep("b", 2, c=1.7)], FitSettings(n_boot=200), AT_1E24)
    assert [f.fit.dof for f in result.fits] == [5, 5]
    assert [f.model.uncertainty.dof for f in result.fits] == [5, 5]


def test_a_chinchilla_sweep_better_by_construction_wins_with_the_case_bootstrap() -> None:
    """Two Chinchilla ladders that differ only in E (1.69 against 1.80): the first is better at any budget,
    and P(better) from the case bootstrap's replicates says so."""
    rng = np.random.default_rng(3)
    params = np.repeat(np.geomspace(5e7, 2e9, 6), 3)
    tokens = params * np.tile([10.0, 20.0, 40.0], 6)
    sweeps = []
    for name, floor in (("low", 1.69), ("high", 1.80)):
        loss = (floor + 406.4 / params**0.34 + 410.7 / tokens**0.28) * np.exp(rng.normal(0.0, 0.003, params.size))
        sweeps.append(Sweep(name, 6 * params * tokens, loss, columns=np.column_stack([params, tokens])))
    result = compare_sweeps(sweeps, FitSettings(law="chinchilla", n_boot=200), (Target(1e22),), baseline="high")
    low = _row(result, "low")
    assert low.p_better is not None and low.p_better > 0.95
    assert low.delta is not None and low.delta < 0


def test_sweeps_of_every_size_get_their_probability_in_one_chunk_or_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sweeps with fewer runs have fewer degrees of freedom, so the differences from the baseline are drawn in one
    group per degree of freedom: every group gets its probability and interval (the case bootstrap's too), and
    taking the sweeps one at a time instead of a thousand gives the same numbers."""
    from scaling_forecast.tasks import compare

    rng = np.random.default_rng(3)
    params = np.repeat(np.geomspace(5e7, 2e9, 6), 3)
    tokens = params * np.tile([10.0, 20.0, 40.0], 6)
    sweeps = []
    for name, floor, keep in (("high", 1.80, 18), ("low", 1.69, 18), ("short", 1.70, 15)):
        loss = (floor + 406.4 / params**0.34 + 410.7 / tokens**0.28) * np.exp(rng.normal(0.0, 0.003, params.size))
        columns = np.column_stack([params, tokens])[:keep]
        sweeps.append(Sweep(name, 6 * params[:keep] * tokens[:keep], loss[:keep], file=f"{name}.csv", columns=columns))
    result = compare_sweeps(sweeps, FitSettings(law="chinchilla", n_boot=200), (Target(1e22),), baseline="high")
    assert sorted(f.fit.dof for f in result.fits) == [10, 13, 13]
    assert [f.data.file for f in result.fits] == ["high.csv", "low.csv", "short.csv"]  # each fit names its file
    for name in ("low", "short"):
        row = _row(result, name)
        assert row.p_better is not None and row.p_better > 0.9 and row.delta_ci is not None
    losses = [_sweep("a", 1), _sweep("b", 2, c=1.7), Sweep("c", *saturating_ladder(n=6, c=1.75, seed=3))]
    whole = compare_sweeps(losses, SETTINGS, AT_1E24, baseline="a")
    monkeypatch.setattr(compare, "SWEEPS_AT_ONCE", 1)
    assert compare_sweeps(losses, SETTINGS, AT_1E24, baseline="a").to_dict() == whole.to_dict()


def test_the_case_bootstrap_delta_share_and_interval_by_hand() -> None:
    """P(true delta < 0) counts a replicate below 0 as 1, one at 0 as 1/2, and leaves out the non-finite; the
    interval is numpy's quantiles at (1 - level) / 2 of the finite replicates, widened to hold the estimate."""
    from scaling_forecast.tasks.compare import _percentile_delta

    boot = np.array([[-2.0, np.inf], [-1.0, -1.0], [0.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    share, interval = _percentile_delta(np.array([0.5, 3.0]), boot, 0.5)
    assert share == pytest.approx([(2 + 0.5 * 2) / 5, (1 + 0.5) / 4])
    low, high = np.quantile(boot[:, 0], [0.25, 0.75])
    assert interval[0] == pytest.approx([low, max(high, 0.5)]) and high < 0.5  # widened up to the estimate
    finite = np.array([-1.0, 0.0, 1.0, 1.0])
    assert interval[1] == pytest.approx([np.quantile(finite, 0.25), 3.0])  # widened up to the estimate


def test_require_best_names_each_target_where_the_gate_fails() -> None:
    from scaling_forecast.tasks.compare import require_best_failure

    sweeps = [
        Sweep("good", *saturating_ladder(n=8, c=1.7, seed=1)),
        Sweep("bad", *saturating_ladder(n=8, c=1.9, seed=2)),
    ]
    result = compare_sweeps(sweeps, FitSettings(law="loss", n_boot=200), (Target(1e22), Target(1e23)))
    assert require_best_failure(result, "good") is None
    p_best = [c.ranking[0].p_best for c in result.comparisons]
    assert [c.ranking[0].sweep for c in result.comparisons] == ["good", "good"] and min(p_best) < 1.0
    assert require_best_failure(result, "good", min(p_best)) is None  # P(best) at the threshold passes
    message = require_best_failure(result, "good", 1.0)
    assert message == "--require-best good: " + "; ".join(
        f"at {c.target:.3g} P(best) is {c.ranking[0].p_best:.3f} < 1.0"
        for c in result.comparisons
        if c.ranking[0].p_best < 1.0
    )
    assert (
        require_best_failure(result, "bad")
        == "--require-best bad: at 1e+22 the best is 'good'; at 1e+23 the best is 'good'"
    )


def _accuracy_sweep(name: str, accuracy: np.ndarray, compute: np.ndarray | None = None) -> Sweep:
    from scaling_forecast.engine.runs import Runs

    compute = np.geomspace(1e19, 1e21, accuracy.size) if compute is None else compute
    runs = Runs(
        compute,
        accuracy,
        tuple(f"{name}{i}" for i in range(compute.size)),
        "compute",
        "accuracy",
        "<data>",
        metric="accuracy",
    )
    return Sweep(name, compute, accuracy, y_column="accuracy", runs=runs)


NOISE = np.array([0.004, -0.006, 0.002, 0.005, -0.003, 0.0, -0.004])
#: Three accuracy sweeps: "steep" starts lowest and rises fastest, so it crosses "flat" inside the runs.
STEEP = np.exp(-1.0837e7 * np.geomspace(1e19, 1e21, 7) ** -0.366) + NOISE  # 0.30 to 0.80
SHALLOW = np.exp(-12.59 * np.geomspace(1e19, 1e21, 7) ** -0.0663) + NOISE[::-1]  # 0.50 to 0.60: they cross at 6e19
LOW = SHALLOW - 0.08


def test_accuracy_sweeps_are_ranked_from_their_paired_draws_by_hand() -> None:
    """Higher is better: the ranking, P(best), P(better than the best), the paired differences' interval and the
    crossing, recomputed here from each sweep fitted alone with its own seed (SeedSequence([seed, i]))."""
    from scaling_forecast.tasks.capability import fit_direct
    from scaling_forecast.tasks.compare import sweep_seed

    sweeps = [_accuracy_sweep("steep", STEEP), _accuracy_sweep("shallow", SHALLOW), _accuracy_sweep("low", LOW)]
    settings = FitSettings(law="accuracy", seed=4, level=0.8)
    target = 1e22
    result = compare_sweeps(sweeps, settings, (Target(target),))
    assert result.sense == "higher"
    seeds = [int(np.random.SeedSequence([4, i]).generate_state(1)[0]) for i in range(3)]
    assert [sweep_seed(4, i) for i in range(3)] == seeds
    fits = [
        fit_direct(s.runs, FitSettings(law="accuracy", seed=seed, level=0.8), (Target(target),))
        for s, seed in zip(sweeps, seeds, strict=True)
    ]
    estimates = np.array([f.predictions[0].estimate for f in fits])
    draws = np.stack([f.model.draws(target) for f in fits])
    order = np.argsort(-estimates)
    (comparison,) = result.comparisons
    assert [r.sweep for r in comparison.ranking] == [sweeps[i].name for i in order]
    assert comparison.baseline == sweeps[order[0]].name
    best = np.argmax(draws, axis=0)
    for rank, i in zip(comparison.ranking, order, strict=True):
        assert rank.estimate == pytest.approx(estimates[i]) and rank.p_best == pytest.approx(np.mean(best == i))
        if i == order[0]:
            assert rank.delta is None and rank.delta_ci is None and rank.p_better is None
            continue
        differences = draws[i] - draws[order[0]]
        delta = estimates[i] - estimates[order[0]]
        low, high = np.quantile(differences, [0.1, 0.9])
        assert rank.delta == pytest.approx(delta) and delta < 0
        assert rank.delta_ci == pytest.approx((min(low, delta), max(high, delta)))
        assert rank.p_better == pytest.approx(np.mean(differences > 0) + 0.5 * np.mean(differences == 0))
    # the crossing of steep and shallow: where their GPT-4 lines meet, from numpy's polyfit
    log_c = np.log(np.geomspace(1e19, 1e21, 7))
    (b1, a1), (b2, a2) = (np.polyfit(log_c, np.log(-np.log(y)), 1) for y in (STEEP, SHALLOW))
    crossing = math.exp((a2 - a1) / (b1 - b2))
    found = [c for c in result.crossings if {c.below, c.above} == {"steep", "shallow"}]
    assert len(found) == 1 and found[0].compute == pytest.approx(crossing, rel=0.01)
    assert (found[0].below, found[0].above, found[0].inside) == ("steep", "shallow", crossing <= 1e21)


def test_an_accuracy_sweep_that_cannot_be_fitted_is_left_out_by_name_or_stops_a_strict_comparison() -> None:
    few = _accuracy_sweep("few", SHALLOW[:3], np.geomspace(1e19, 1e21, 3))
    sweeps = [_accuracy_sweep("steep", STEEP), _accuracy_sweep("shallow", SHALLOW), few]
    result = compare_sweeps(sweeps, FitSettings(law="accuracy"), (Target(1e22),), baseline="shallow")
    assert result.left_out == (
        "sweep 'few': <data>: --law accuracy needs runs at 4 or more distinct compute values; it is left out",
    )
    (comparison,) = result.comparisons
    assert comparison.baseline == "shallow" and [r.sweep for r in comparison.ranking if r.p_better is None] == [
        "shallow"
    ]
    with pytest.raises(DataError, match=r"^sweep 'few': .*4 or more distinct compute values; it is left out$"):
        compare_sweeps(sweeps, FitSettings(law="accuracy"), (Target(1e22),), strict=True)
    with pytest.raises(DataError, match=r"^sweep 'few': "):
        compare_sweeps(sweeps, FitSettings(law="accuracy"), (Target(1e22),), baseline="few")
    with pytest.raises(DataError, match=r"^forecast compare needs at least 2 sweeps that can be fitted, got 1$"):
        compare_sweeps(sweeps[1:], FitSettings(law="accuracy"), (Target(1e22),))


def _rising_sweep(name: str, top: float, midpoint: float, seed: int) -> Sweep:
    from scipy.special import expit

    from scaling_forecast.engine.runs import Runs

    compute = np.geomspace(1e19, 1e22, 8)
    noise = np.random.default_rng(seed).normal(0.0, 0.005, 8)
    accuracy = 0.25 + (top - 0.25) * expit(1.5 * (np.log10(compute) - midpoint)) + noise
    runs = Runs(
        compute, accuracy, tuple(f"{name}{i}" for i in range(8)), "compute", "acc", "<data>", name, metric="accuracy"
    )
    return Sweep(name, compute, accuracy, y_column="acc", runs=runs)


def test_accuracy_sweeps_rank_higher_first_with_probabilities_from_their_paired_draws() -> None:
    """Accuracies rank in the law's sense, higher first; P(best), P(better than the baseline) and the interval of
    the difference are rebuilt here from each fit's draws of the true accuracy, paired replicate by replicate."""
    sweeps = [_rising_sweep("weak", 0.6, 20.5, 1), _rising_sweep("strong", 0.85, 20.5, 2)]
    settings = FitSettings(chance=0.25, n_boot=400)
    result = compare_sweeps(sweeps, settings, (Target(1e23),), baseline="weak")
    ranking = result.comparisons[0].ranking
    assert [r.sweep for r in ranking] == ["strong", "weak"] and result.comparisons[0].baseline == "weak"
    fits = {f.data.sweep: f for f in result.fits}
    draws = {name: np.asarray(fits[name].model.draws(1e23), dtype=float) for name in fits}
    size = min(d.size for d in draws.values())
    strong, weak = draws["strong"][:size], draws["weak"][:size]
    assert ranking[0].p_best == pytest.approx(np.mean(strong > weak) + 0.0, abs=1e-12)
    assert ranking[0].p_better == pytest.approx(np.mean(strong > weak) + 0.5 * np.mean(strong == weak), abs=1e-12)
    delta = ranking[0].estimate - ranking[1].estimate
    low, high = np.quantile(strong - weak, [0.05, 0.95])
    assert ranking[0].delta == pytest.approx(delta, rel=1e-12) and delta > 0
    assert ranking[0].delta_ci == pytest.approx((min(low, delta), max(high, delta)), rel=1e-12)
    assert ranking[0].ci == fits["strong"].predictions[0].ci and result.comparisons[0].target == 1e23


def test_accuracy_forecasts_cross_where_the_fitted_curves_do() -> None:
    """An early riser with a low ceiling against a late one with a high ceiling: the crossing of the two fitted
    forecasts, found here by brentq on their own estimates, to the error of the 200-point grid's interpolation."""
    from scipy.optimize import brentq

    sweeps = [_rising_sweep("early", 0.6, 19.8, 3), _rising_sweep("late", 0.9, 21.0, 4)]
    result = compare_sweeps(sweeps, FitSettings(chance=0.25, n_boot=200), (Target(1e23),))
    fits = {f.data.sweep: f for f in result.fits}

    def gap(log_c: float) -> float:
        at = Target(float(np.exp(log_c)))
        return fits["early"].predict(at).predictions[0].estimate - fits["late"].predict(at).predictions[0].estimate

    (found,) = result.crossings
    root = brentq(gap, np.log(1e19), np.log(1e23), xtol=1e-12)
    assert (found.below, found.above, found.inside) == ("late", "early", True)
    assert np.log(found.compute) == pytest.approx(root, abs=1e-4)  # the grid gives 2e-5 here; 50 points, 3e-4


def test_compare_refuses_and_leaves_out_with_the_exact_words() -> None:
    """Each refusal and each sweep left out, word for word, and a fit's formula and sweeps' columns kept."""
    a, b = _sweep("a", 1), _sweep("b", 2, c=1.7)
    with pytest.raises(ConfigError) as refused:
        compare_sweeps([a, b], FitSettings(method="delta"), AT_1E24)
    assert (
        str(refused.value)
        == "forecast compare needs --method bootstrap: its probabilities come from the bootstrap draws"
    )
    with pytest.raises(ConfigError) as refused:
        compare_sweeps([a, b], FitSettings(n_boot=200, chance=0.25), AT_1E24)
    assert str(refused.value) == (
        "--chance: the loss law does not use it (the laws that do: two-step, sigmoid, accuracy); leave it out"
    )
    accuracies = [_rising_sweep("weak", 0.6, 20.5, 1), _rising_sweep("strong", 0.85, 20.5, 2)]
    with pytest.raises(ConfigError) as refused:
        compare_sweeps(accuracies, FitSettings(law="loss", n_boot=200), AT_1E24)
    assert str(refused.value) == "--law loss: the sweeps hold accuracies; compare them with a law of accuracy"
    with pytest.raises(ConfigError) as refused:
        compare_sweeps([a, b], FitSettings(law="chinchilla", n_boot=200), AT_1E24)
    assert str(refused.value) == "--law chinchilla: the law reads params, tokens per run; every sweep must give them"
    bad = Sweep("bad", a.compute.copy(), a.y.copy(), file="b.csv", x_column="flops", y_column="val")
    bad.compute[2] = -1.0
    with pytest.raises(DataError) as refused:
        compare_sweeps([a, bad], SETTINGS, AT_1E24)
    assert str(refused.value).startswith("sweep 'bad' (b.csv): flops[2] is -1.0; every value must be a positive")
    bad = Sweep("bad", a.compute, -a.y, file="b.csv", x_column="flops", y_column="val")
    with pytest.raises(DataError, match=r"^sweep 'bad' \(b\.csv\): val\[0\] is "):
        compare_sweeps([a, bad], SETTINGS, AT_1E24)
    short = Sweep("short", np.array([1e18, 1e19, 1e20]), np.array([3.0, 2.7, 2.5]), file="s.csv")
    why = (
        "sweep 'short' (s.csv): runs at 3 distinct compute value(s); the loss law needs 4 or more, so it is left out; "
        "add runs to it"
    )
    with pytest.raises(DataError) as refused:
        compare_sweeps([a, short], SETTINGS, AT_1E24, baseline="short")
    assert str(refused.value) == why + " (it is the --baseline)"
    with pytest.raises(DataError) as refused:
        compare_sweeps([a, short], SETTINGS, AT_1E24, strict=True)
    assert str(refused.value) == why
    with pytest.raises(DataError) as refused:
        compare_sweeps([a, short], SETTINGS, AT_1E24)
    assert str(refused.value) == f"forecast compare needs at least 2 sweeps that can be fitted, got 1; {why}"
    four = Sweep("four", np.array([1e18, 1e19, 1e20, 1e21]), np.array([3.0, 2.7, 2.5, 2.4]), file="f.csv")
    result = compare_sweeps([a, b, four], FitSettings(law="loss", n_boot=200), AT_1E24)
    assert result.left_out == () and result.formula == get_law("loss").formula and result.n_boot == 200
    assert result.to_dict()["formula"] == get_law("loss").formula


def test_sweeps_from_loaded_files_keep_their_columns_files_and_zero_policy() -> None:
    """Loss, accuracy and pass-rate runs become sweeps with their file, columns and, for pass rates, the zero
    policy (``subset`` unless given), its note and the problem bootstrap."""
    from scaling_forecast.readers.runs import load_for_law
    from scaling_forecast.tasks.compare import sweeps_from

    from ..conftest import EXAMPLES

    losses, _ = load_for_law(str(EXAMPLES / "runs.csv"), "auto")
    rates, _ = load_for_law(str(EXAMPLES / "passrates.csv"), "auto")
    loss_sweep, rate_sweep = sweeps_from([("l", losses), ("r", rates)])
    assert (loss_sweep.name, loss_sweep.file, loss_sweep.x_column) == ("l", losses.file, losses.x_column)
    assert (rate_sweep.file, rate_sweep.x_column, rate_sweep.y_column) == (
        rates.file,
        rates.x_column,
        "-E[log pass_rate]",
    )
    assert rate_sweep.problems is not None and rate_sweep.problems["zeros"] == "subset"
    assert rate_sweep.replicates is not None and rate_sweep.problem_set is not None
    (smooth,) = sweeps_from([("r", rates)], zeros="smooth")
    assert smooth.problems is not None and smooth.problems["zeros"] == "smooth"
    accuracy = _rising_sweep("x", 0.7, 20.5, 5).runs
    assert accuracy is not None
    (sweep,) = sweeps_from([("named", accuracy)])
    assert sweep.runs is not None and sweep.runs.sweep == "named" and sweep.y.tolist() == accuracy.y.tolist()
    assert (sweep.file, sweep.x_column, sweep.y_column) == ("<data>", "compute", "acc")


def test_each_sweeps_replicates_are_forecast_at_its_own_design() -> None:
    """Sweeps over different computes have different reference computes, so the target's design differs by sweep:
    the batched values at the target are each sweep's replicates through the law at its own design, as a loop over
    the sweeps computes them."""
    from scaling_forecast.engine.forecasting import curve_model
    from scaling_forecast.tasks.compare import _at_target, _Fitted

    sweeps = [_sweep("a", 1), _sweep("b", 2, decades=3.0, c=1.7)]
    result = compare_sweeps(sweeps, SETTINGS, AT_1E24)
    law = get_law("loss")
    items = [_Fitted(s, f) for s, f in zip(sweeps, result.fits, strict=True)]
    estimate, _, boot, _ = _at_target(law, items, np.log(1e24))
    designs = []
    for i, fit in enumerate(result.fits):
        model = curve_model(fit)
        design = law.target_design(model.uncertainty.theta, np.array([np.log(1e24)]), model.log_cref)
        designs.append(float(design[0]))
        assert estimate[i] == pytest.approx(fit.predictions[0].estimate, rel=1e-12)
        by_hand = np.exp(law.log_predict(model.uncertainty.boot_theta, np.full(boot.shape[1], design[0]))[:, 0])
        assert boot[i] == pytest.approx(by_hand, rel=1e-12)
    assert abs(designs[0] - designs[1]) > 0.5  # the two sweeps' designs differ


def test_accuracy_sweeps_name_a_missing_baseline_and_report_their_formula() -> None:
    """The baseline must be one of the sweeps; the formula is the fits' own when they share it (one chance), else
    the law's as registered (each sweep with its own floor)."""
    from dataclasses import replace

    sweeps = [_rising_sweep("weak", 0.6, 20.5, 1), _rising_sweep("strong", 0.85, 20.5, 2)]
    with pytest.raises(ConfigError) as refused:
        compare_sweeps(sweeps, FitSettings(chance=0.25, n_boot=200), (Target(1e23),), baseline="nope")
    assert str(refused.value) == "--baseline 'nope': no such sweep; sweeps are weak, strong"
    shared = compare_sweeps(sweeps, FitSettings(law="sigmoid", chance=0.25, n_boot=200), (Target(1e23),))
    assert shared.formula == shared.fits[0].formula and "0.25" in shared.formula
    floors = [replace(s, runs=replace(s.runs, chance=chance)) for s, chance in zip(sweeps, (0.2, 0.25), strict=True)]
    own = compare_sweeps(floors, FitSettings(law="sigmoid", n_boot=200), (Target(1e23),))
    assert len({f.formula for f in own.fits}) == 2 and own.formula == get_law("sigmoid").formula


def _chinchilla_sweep(name: str, floor: float, seed: int) -> Sweep:
    rng = np.random.default_rng(seed)
    params = np.repeat(np.geomspace(5e7, 2e9, 6), 3)
    tokens = params * np.tile([10.0, 20.0, 40.0], 6)
    loss = (floor + 406.4 / params**0.34 + 410.7 / tokens**0.28) * np.exp(rng.normal(0.0, 0.003, params.size))
    return Sweep(name, 6 * params * tokens, loss, file=f"{name}.csv", columns=np.column_stack([params, tokens]))


def test_a_sweep_whose_own_fit_fails_is_left_out_unless_strict_or_the_baseline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chinchilla sweep is fitted on its own; when that fit fails, the sweep is left out with the fit's words,
    and a strict comparison, or one whose baseline it is, stops with them."""
    import scaling_forecast.tasks.compare as compare
    from scaling_forecast.errors import FitError

    real = compare._fit_one

    def fit_one(sweep: Sweep, *args: object) -> object:
        if sweep.name == "bad":
            raise FitError("bad.csv: the chinchilla law could not be fitted")
        return real(sweep, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(compare, "_fit_one", fit_one)
    sweeps = [_chinchilla_sweep("low", 1.69, 1), _chinchilla_sweep("bad", 1.75, 2), _chinchilla_sweep("high", 1.8, 3)]
    settings, at = FitSettings(law="chinchilla", n_boot=100), (Target(1e22),)
    why = "sweep 'bad': bad.csv: the chinchilla law could not be fitted; it is left out"
    result = compare_sweeps(sweeps, settings, at)
    assert result.left_out == (why,) and [f.data.file for f in result.fits] == ["low.csv", "high.csv"]
    for options in ({"strict": True}, {"baseline": "bad"}):
        with pytest.raises(DataError) as refused:
            compare_sweeps(sweeps, settings, at, **options)  # type: ignore[arg-type]
        assert str(refused.value) == why


def test_one_sweep_is_refused_without_a_reason_left_out() -> None:
    with pytest.raises(DataError) as refused:
        compare_sweeps([_sweep("a", 1)], SETTINGS, AT_1E24)
    assert str(refused.value) == "forecast compare needs at least 2 sweeps that can be fitted, got 1"


def test_accuracy_sweeps_with_a_task_loss_are_compared_with_the_two_step_law_by_default() -> None:
    from dataclasses import replace

    from scipy.special import expit

    compute = np.geomspace(1e18, 1e21, 8)
    sweeps = []
    for name, midpoint in (("early", 2.6), ("late", 2.3)):
        task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
        accuracy = 0.25 + 0.75 * expit(-2.0 * (task_loss - midpoint))
        accuracy = accuracy + np.random.default_rng(len(name)).normal(0.0, 0.005, 8)
        sweep = _accuracy_sweep(name, accuracy, compute)
        assert sweep.runs is not None
        runs = replace(sweep.runs, columns=task_loss[:, None], column_names=("task_loss",))
        sweeps.append(replace(sweep, runs=runs))
    result = compare_sweeps(sweeps, FitSettings(chance=0.25, n_boot=200), (Target(1e22),))
    assert result.law == "two-step" and all(f.law == "two-step" for f in result.fits)
    assert result.comparisons[0].ranking[0].sweep == "early"


def test_identical_accuracy_sweeps_do_not_cross() -> None:
    """Two sweeps of the same runs have the same forecast everywhere: their difference is 0, never a crossing."""
    same = [_accuracy_sweep("a", STEEP), _accuracy_sweep("b", STEEP)]
    result = compare_sweeps(same, FitSettings(n_boot=200), (Target(1e22),))
    assert result.crossings == ()
    assert result.comparisons[0].ranking[0].estimate == result.comparisons[0].ranking[1].estimate


def test_draws_rank_lower_first_for_a_law_of_that_sense_with_ties_counted_half() -> None:
    """Paired draws with ties, ranked by a law where lower is better: P(best) is the share of replicates in which
    a sweep's draw is the lowest (the first on a tie), P(better) the share below the baseline plus half the ties,
    by hand."""
    from types import SimpleNamespace

    from scaling_forecast.results import Prediction
    from scaling_forecast.tasks.compare import _rank_draws

    draws = {"a": np.array([1.0, 2.0, 3.0, 2.0, 1.0]), "b": np.array([2.0, 2.0, 1.0, 3.0, 3.0])}
    estimates = {"a": 1.5, "b": 2.5}
    fitted = [
        SimpleNamespace(
            sweep=SimpleNamespace(name=name),
            result=SimpleNamespace(
                predictions=(Prediction(1e22, 1.0, estimates[name], (0.0, 4.0), (0.0, 5.0)),),
                model=SimpleNamespace(draws=lambda target, d=d: d),
            ),
        )
        for name, d in draws.items()
    ]
    lower = SimpleNamespace(sense="lower")
    ranked = _rank_draws(lower, fitted, 1e22, None, 0.9)  # type: ignore[arg-type]
    assert ranked.baseline == "a" and [r.sweep for r in ranked.ranking] == ["a", "b"]
    a, b = ranked.ranking
    assert a.p_best == pytest.approx(4 / 5) and b.p_best == pytest.approx(1 / 5)  # ties go to the first sweep
    assert b.p_better == pytest.approx((1 + 0.5 * 1) / 5)  # b below a in 1 replicate, tied in 1
    higher = _rank_draws(SimpleNamespace(sense="higher"), fitted, 1e22, None, 0.9)  # type: ignore[arg-type]
    assert [r.sweep for r in higher.ranking] == ["b", "a"]
    assert higher.ranking[1].p_better == pytest.approx((1 + 0.5 * 1) / 5)  # a above b in 1, tied in 1


def test_sweeps_from_names_the_sweep_in_a_zero_refusal_and_keeps_its_compute_column() -> None:
    from dataclasses import replace

    from scaling_forecast.readers.runs import load_for_law
    from scaling_forecast.tasks.compare import sweeps_from

    from ..conftest import EXAMPLES

    rates, _ = load_for_law(str(EXAMPLES / "passrates.csv"), "auto")
    zeroed = rates.rates.copy()
    zeroed[0, 0] = 0.0
    with pytest.raises(DataError) as refused:
        sweeps_from([("r", replace(rates, rates=zeroed))], zeros="error")
    assert str(refused.value).startswith(f"{rates.file} (sweep r): ")
    losses, _ = load_for_law(str(EXAMPLES / "runs.csv"), "auto")
    (sweep,) = sweeps_from([("l", replace(losses, x_column="flops"))])
    assert sweep.x_column == "flops"
