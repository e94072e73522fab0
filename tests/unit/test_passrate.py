from __future__ import annotations

import itertools
from dataclasses import replace
from math import comb
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from scaling_forecast.engine.passrates import (
    PassRateRuns,
    PassRates,
    handle_zeros,
    pass_at_k,
    smoothed_pass_at_k,
)
from scaling_forecast.errors import DataError, FitError
from scaling_forecast.readers.runs import load_pass_rates
from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.fit import fit_pass_rates

from ..conftest import EXAMPLES


@pytest.mark.parametrize(("n", "c", "k"), [(5, 0, 1), (5, 2, 1), (5, 2, 2), (6, 3, 3), (4, 4, 2), (7, 1, 4), (6, 5, 2)])
def test_pass_at_k_matches_enumeration(n: int, c: int, k: int) -> None:
    """The chance that some of k samples drawn without replacement from n (c correct) is correct."""
    samples = [True] * c + [False] * (n - c)
    draws = list(itertools.combinations(range(n), k))
    exact = sum(any(samples[i] for i in draw) for draw in draws) / len(draws)
    assert_allclose(pass_at_k(np.array([n]), np.array([c]), k)[0], exact, rtol=1e-12)
    assert_allclose(exact, 1 - comb(n - c, k) / comb(n, k), rtol=1e-12)


def test_pass_at_1_is_the_fraction_correct() -> None:
    n, c = np.array([10, 200, 7]), np.array([3, 0, 7])
    assert_allclose(pass_at_k(n, c, 1), c / n, rtol=1e-12, atol=1e-15)


def test_smoothed_rate_is_the_pseudo_count() -> None:
    assert_allclose(smoothed_pass_at_k(np.array([10.0]), np.array([0.0]), 1), [0.5 / 11], rtol=1e-12)
    assert_allclose(smoothed_pass_at_k(np.array([10.0]), np.array([0.0]), 3), [1 - (1 - 0.5 / 11) ** 3], rtol=1e-12)


RATES = np.array([[0.0, 0.2, 0.5], [0.1, 0.3, 0.6], [0.2, 0.0, 0.8]])
PROBLEMS, RUNS = ("p1", "p2", "p3"), ("m1", "m2", "m3")


def test_zero_policy_subset_keeps_problems_nonzero_on_every_run() -> None:
    kept = handle_zeros(RATES, PROBLEMS, RUNS, "subset", per_problem=True)
    assert kept.problems == ("p3",) and kept.n_problems_total == 3
    assert kept.note == "1 of 3 problems kept (nonzero pass rate on every run)"


def test_zero_policy_smooth_with_and_without_counts() -> None:
    smoothed = np.full_like(RATES, 0.01)
    with_counts = handle_zeros(RATES, PROBLEMS, RUNS, "smooth", per_problem=True, smoothed=smoothed)
    assert with_counts.rates[0, 0] == 0.01 and with_counts.rates[2, 1] == 0.01 and with_counts.rates[1, 1] == 0.3
    assert with_counts.note == "2 zero pass rates smoothed to (c + 0.5) / (n + 1)"
    without = handle_zeros(RATES, PROBLEMS, RUNS, "smooth", per_problem=True)
    assert without.rates[0, 0] == 0.05  # half the smallest nonzero rate
    assert without.note == "2 zero pass rates smoothed to half the smallest nonzero rate (0.05)"


def test_zero_policy_error_and_nothing_left() -> None:
    with pytest.raises(DataError) as caught:
        handle_zeros(RATES, PROBLEMS, RUNS, "error", per_problem=True, label="f.csv")
    assert (
        str(caught.value)
        == "f.csv: run 'm1', problem 'p1' has pass rate 0 (log undefined); use --zeros subset or --zeros smooth"
    )
    with pytest.raises(DataError, match="--zeros subset leaves nothing; use --zeros smooth"):
        handle_zeros(np.array([[0.0, 0.5], [0.5, 0.0]]), ("a", "b"), ("m1", "m2"), "subset", per_problem=True)


def _law_runs(alpha: np.ndarray, k: float, compute: np.ndarray) -> PassRateRuns:
    rates = np.exp(-np.outer(compute**-k, alpha))
    return PassRateRuns(
        compute=compute,
        names=tuple(f"m{i}" for i in range(compute.size)),
        rates=rates,
        problems=tuple(f"p{j}" for j in range(alpha.size)),
        per_problem=True,
        smoothed=None,
        x_column="compute",
        file="<synthetic>",
        k=1,
    )


def test_problems_drawn_from_a_known_law_recover_alpha_and_k() -> None:
    rng = np.random.default_rng(11)
    alpha = 5000.0 * np.exp(rng.normal(0, 0.8, 60))
    compute = np.geomspace(1e18, 1e21, 6)
    result = fit_pass_rates(_law_runs(alpha, 0.2, compute), FitSettings(n_boot=300), (parse_target("1000x"),))
    assert_allclose(result.param("k").estimate, 0.2, rtol=1e-8)
    assert_allclose(result.param("alpha").estimate, alpha.mean(), rtol=1e-6)
    prediction = result.predictions[0]
    assert_allclose(prediction.estimate, alpha.mean() * 1e24**-0.2, rtol=1e-6)
    assert prediction.pass_rate is not None
    assert_allclose(prediction.pass_rate.estimate, np.exp(-prediction.estimate), rtol=1e-12)


def test_sampled_problems_recover_the_law_within_noise() -> None:
    rng = np.random.default_rng(12)
    alpha = 5000.0 * np.exp(rng.normal(0, 0.5, 200))
    compute = np.geomspace(1e18, 1e21, 7)
    runs = _law_runs(alpha, 0.2, compute)
    sampled = rng.binomial(400, runs.rates) / 400
    noisy = PassRateRuns(**{**runs.__dict__, "rates": sampled})
    result = fit_pass_rates(noisy, FitSettings(n_boot=400), (parse_target("100x"),))
    # the subset of problems solved by every model follows the same k; sampling noise biases -log p slightly
    assert_allclose(result.param("k").estimate, 0.2, rtol=0.03)
    kept = noisy.rates.min(axis=0) > 0
    truth = alpha[kept].mean() * 1e23**-0.2
    assert_allclose(result.predictions[0].estimate, truth, rtol=0.05)


def test_pass_rates_never_leave_the_unit_interval() -> None:
    rng = np.random.default_rng(13)
    alpha = 300.0 * np.exp(rng.normal(0, 1.0, 30))
    runs = _law_runs(alpha, 0.15, np.geomspace(1e18, 1e20, 5))
    result = fit_pass_rates(runs, FitSettings(n_boot=200), (parse_target("1e26"),))  # 1e6x: the farthest allowed
    rate = result.predictions[0].pass_rate
    assert rate is not None
    assert 0.0 <= rate.pi[0] <= rate.ci[0] <= rate.estimate <= rate.ci[1] <= rate.pi[1] <= 1.0


def test_three_runs_use_student_t_on_one_degree_of_freedom() -> None:
    """With 3 models the delta interval is OLS inference in log space with t on n - p = 1 df."""
    rng = np.random.default_rng(14)
    alpha = 800.0 * np.exp(rng.normal(0, 0.5, 40))
    compute = np.array([1e19, 1e20, 1e21])
    runs = _law_runs(alpha, 0.18, compute)
    runs = PassRateRuns(
        **{**runs.__dict__, "rates": np.clip(runs.rates * np.exp(rng.normal(0, 0.02, runs.rates.shape)), 0, 1)}
    )
    result = fit_pass_rates(runs, FitSettings(method="delta"), (parse_target(1e23),))
    x, y = np.log(compute), np.log(-np.log(runs.rates).mean(axis=1))
    fit = stats.linregress(x, y)
    t = stats.t.ppf(0.95, 1)
    assert_allclose(result.param("k").ci, [-fit.slope - t * fit.stderr, -fit.slope + t * fit.stderr], rtol=1e-8)
    assert any("only 3 runs (fewer than 4)" in w for w in result.fit.warnings)


def test_buckets_split_problems_by_difficulty() -> None:
    rng = np.random.default_rng(15)
    alpha = 2000.0 * np.exp(rng.normal(0, 1.0, 40))
    runs = _law_runs(alpha, 0.2, np.geomspace(1e18, 1e21, 6))
    result = fit_pass_rates(runs, FitSettings(method="delta"), (parse_target("10x"),), buckets=4)
    assert [b.n_problems for b in result.buckets] == [10, 10, 10, 10]
    rates = [b.predictions[0].pass_rate.estimate for b in result.buckets if b.predictions[0].pass_rate]
    assert rates == sorted(rates)  # hardest bucket first
    for b in result.buckets:
        assert_allclose(b.params[1].estimate, 0.2, rtol=1e-6)


def test_few_problems_and_saturation_warnings() -> None:
    alpha = np.array([0.1, 0.2, 0.4, 0.6])
    result = fit_pass_rates(_law_runs(alpha, 0.05, np.geomspace(1e18, 1e21, 5)), FitSettings(method="delta"))
    text = " ".join(result.fit.warnings)
    assert "only 4 problems after zero handling (fewer than 10)" in text
    assert "pass rates saturate near 1" in text


def test_example_files_load(tmp_path: Path) -> None:
    long = load_pass_rates(EXAMPLES / "passrates.csv")
    assert long.rates.shape == (7, 100) and long.per_problem and long.smoothed is not None
    aggregate = load_pass_rates(EXAMPLES / "passrates_aggregate.csv")
    assert aggregate.rates.shape == (7, 1) and not aggregate.per_problem
    (tmp_path / "m.yaml").write_text(
        "runs:\n"
        + "".join(
            f"  - {{run: m{i}, compute: 1.0e+{18 + i}, problem: p{j}, pass_rate: 0.{i + 2}{j}}}\n"
            for i in range(4)
            for j in range(3)
        )
    )
    from_yaml = load_pass_rates(tmp_path / "m.yaml")
    assert from_yaml.rates.shape == (4, 3)
    mean_log = tmp_path / "q.csv"
    mean_log.write_text("run,compute,mean_log_pass_rate\na,1e18,-2.0\nb,1e19,-1.0\n")
    assert_allclose(load_pass_rates(mean_log).rates[:, 0], np.exp([-2.0, -1.0]))


def test_a_non_monotone_ladder_is_flagged() -> None:
    alpha = 1000.0 * np.exp(np.random.default_rng(16).normal(0, 0.5, 20))
    runs = _law_runs(alpha, 0.2, np.geomspace(1e18, 1e21, 5))
    rates = runs.rates.copy()
    rates[3] = rates[1]  # the fourth model is no better than the second
    result = fit_pass_rates(PassRateRuns(**{**runs.__dict__, "rates": rates}), FitSettings(method="delta"))
    assert any(w.startswith("-E[log pass_rate] does not decrease with compute") for w in result.fit.warnings)


def test_pass_at_k_defaults_to_pass_at_1_and_is_certain_when_fewer_than_k_samples_fail() -> None:
    """Counts as integers, k = 1 by default; with n - c < k every draw of k samples holds a correct one."""
    assert pass_at_k(np.array([10]), np.array([3]))[0] == pytest.approx(0.3)
    rates = pass_at_k(np.array([5, 10]), np.array([4, 3]), k=2)
    assert rates == pytest.approx([1.0, 1 - comb(7, 2) / comb(10, 2)])
    assert smoothed_pass_at_k(np.array([10]), np.array([3]))[0] == pytest.approx(3.5 / 11)
    assert smoothed_pass_at_k(np.array([10]), np.array([3]), k=2)[0] == pytest.approx(1 - (1 - 3.5 / 11) ** 2)


def _rates(n_runs: int, n_problems: int, seed: int = 0) -> PassRates:
    rates = np.random.default_rng(seed).uniform(0.05, 1.0, (n_runs, n_problems))
    problems = tuple(f"p{j}" for j in range(n_problems))
    return PassRates(rates, problems, True, n_problems, "subset", f"{n_problems} problems")


def test_the_problem_bootstrap_is_each_drawn_problem_sets_mean_by_brute_force() -> None:
    """3000 problems on 6 runs: the draws are taken in chunks of ~930 (memory); each replicate is still the log of
    the mean -log p over the same drawn problems for every run, recomputed here one replicate at a time."""
    data = _rates(6, 3000)
    boot = data.problem_bootstrap(np.random.default_rng(5), 2000)
    draws = np.random.default_rng(5).integers(0, 3000, size=(2000, 3000))
    neg_log = -np.log(data.rates)
    expected = np.array([np.log(neg_log[:, row].mean(axis=1)) for row in draws])
    assert boot.shape == (2000, 6)
    assert_allclose(boot, expected, rtol=1e-12)


def test_a_subset_of_runs_or_problems_keeps_what_the_rates_are() -> None:
    data = _rates(4, 10)
    runs = data.runs(np.array([0, 2]))
    assert runs.rates.shape == (2, 10) and runs.zeros == "subset" and runs.per_problem and runs.n_problems_total == 10
    assert runs.note == data.note and runs.problems == data.problems
    subset = data.subset(np.array([1, 3, 5]))
    assert subset.problems == ("p1", "p3", "p5") and subset.per_problem and subset.zeros == "subset"
    assert subset.n_problems_total == 3 and subset.note == "3 problems"
    assert_allclose(subset.rates, data.rates[:, [1, 3, 5]])


def test_buckets_take_one_to_as_many_as_there_are_problems() -> None:
    data = _rates(4, 6)
    assert len(data.buckets(1)) == 1 and len(data.buckets(6)) == 6
    for bad in (0, 7):
        with pytest.raises(DataError):
            data.buckets(bad)
    aggregate = PassRates(data.rates[:, :1], ("all",), False, 1, "subset", "")
    with pytest.raises(DataError, match=r"^--buckets needs per-problem pass rates \(a 'problem' column\), not one"):
        aggregate.buckets(1)


def test_fit_runs_fits_buckets_and_names_the_file_column_and_quantity() -> None:
    """The library's fit_runs, as fit_pass_rates: buckets when asked, the file, x column and quantity recorded,
    the zero policy passed on (smooth keeps every problem, subset drops the ones some run never passed)."""
    from scaling_forecast.tasks.ladder import fit_runs

    path = str(EXAMPLES / "passrates.csv")
    runs = load_pass_rates(path)
    bucketed = fit_runs(runs, FitSettings(method="delta"), (parse_target("10x"),), buckets=2)
    direct = fit_pass_rates(runs, FitSettings(method="delta"), (parse_target("10x"),), buckets=2)
    assert [b.n_problems for b in bucketed.buckets] == [b.n_problems for b in direct.buckets] and len(
        direct.buckets
    ) == 2
    assert bucketed.predictions == direct.predictions
    whole = fit_runs(runs, FitSettings(method="delta"), (parse_target("10x"),))
    assert whole.buckets == () and whole.data.file == path and whole.data.x_column == "compute"
    assert whole.data.y_column == "-E[log pass_rate]" and whole.data.sweep is None
    smooth = fit_runs(runs, FitSettings(method="delta"), (parse_target("10x"),), zeros="smooth")
    subset = fit_runs(runs, FitSettings(method="delta"), (parse_target("10x"),), zeros="subset")
    assert smooth.predictions != subset.predictions


def test_the_problem_set_warnings_name_their_numbers_and_edges() -> None:
    """Fewer than 10 problems (10 are enough), a run whose geometric-mean pass rate is above 90% (named, with its
    rate), the record of the problem set; an aggregate file has no problem count to warn about."""
    from scaling_forecast.tasks.fit import rate_inputs

    compute = np.geomspace(1e18, 1e21, 5)
    nine = _law_runs(np.full(9, 1.0), 0.05, compute)
    inputs = rate_inputs(nine, nine.apply_zeros("subset"))
    geometric = float(np.exp(-1.0 * compute[-1] ** -0.05))
    assert inputs.warnings == (
        "only 9 problems after zero handling (fewer than 10): the mean log pass rate is noisy; add problems or use "
        "--zeros smooth",
        f"pass rates saturate near 1 (run 'm4': {geometric:.0%} geometric mean): the law has no ceiling, so "
        "forecasts near 100% are unreliable",
    )
    assert 0.9 < geometric < 0.92 and inputs.quantity == pytest.approx(compute**-0.05)
    assert inputs.problems == {
        "n_problems": 9,
        "n_problems_total": 9,
        "zeros": "subset",
        "k": 1,
        "note": inputs.problems["note"],
    }
    ten = _law_runs(np.full(10, 20.0), 0.05, compute)  # 10 problems, best run at exp(-20 * 1e21^-0.05) = 17%
    assert rate_inputs(ten, ten.apply_zeros("subset")).warnings == ()
    assert inputs.replicates is not None and inputs.problem_set == tuple(f"p{j}" for j in range(9))
    aggregate = replace(nine, rates=nine.rates[:, :1], problems=("all",), per_problem=False)
    inputs = rate_inputs(aggregate, aggregate.apply_zeros("subset"))
    assert not any("problems after zero handling" in w for w in inputs.warnings)
    assert inputs.problems["n_problems"] is None and inputs.problems["n_problems_total"] is None
    assert inputs.replicates is None and inputs.problem_set is None
    assert inputs.quantity == pytest.approx(compute**-0.05)
    # a best run at exactly 90% is not above 90%: no saturation warning
    edge = replace(ten, rates=np.where(np.arange(5)[:, None] == 4, 0.9, ten.rates))
    assert np.exp(-rate_inputs(edge, edge.apply_zeros("subset")).quantity[4]) == 0.9
    assert rate_inputs(edge, edge.apply_zeros("subset")).warnings == ()
    solved = _law_runs(np.full(12, 2.0), 0.05, compute)
    solved = replace(solved, rates=np.where(np.arange(5)[:, None] == 4, 1.0, solved.rates))
    with pytest.raises(FitError, match=r"^<synthetic>: every pass rate is 1 on some run, so -E\[log pass_rate\] is 0"):
        rate_inputs(solved, solved.apply_zeros("subset"))


def test_every_zero_policy_records_itself_the_total_and_a_note() -> None:
    """The policy and the problem count before it are kept whatever it did, with a note in words; smoothing a
    file of rates that are all 0 but one keeps that one's half; all zero is refused, named by the default label."""
    clean = handle_zeros(np.array([[0.2, 0.4], [0.3, 0.5]]), ("a", "b"), RUNS[:2], "error", per_problem=True)
    assert (clean.zeros, clean.n_problems_total, clean.note) == ("error", 2, "all 2 problems have nonzero pass rates")
    aggregate = handle_zeros(np.array([[0.2], [0.3]]), ("all",), RUNS[:2], "subset", per_problem=False)
    assert (aggregate.zeros, aggregate.note, aggregate.per_problem) == ("subset", "one pass rate per run", False)
    for policy in ("subset", "smooth"):
        applied = handle_zeros(RATES, PROBLEMS, RUNS, policy, per_problem=True)
        assert applied.zeros == policy and applied.n_problems_total == 3 and applied.per_problem
    one = handle_zeros(np.array([[0.0, 0.0], [0.0, 0.4]]), ("a", "b"), RUNS[:2], "smooth", per_problem=True)
    assert one.rates.tolist() == [[0.2, 0.2], [0.2, 0.4]] and one.note.startswith("3 zero pass rates smoothed")
    with pytest.raises(DataError, match=r"^<data>: every pass rate is 0; nothing can be fitted$"):
        handle_zeros(np.zeros((2, 2)), ("a", "b"), RUNS[:2], "smooth", per_problem=True)
    with pytest.raises(
        DataError,
        match=r"^<data>: run 'm1' has pass rate 0 \(log undefined\); with one rate per run use --zeros smooth, or give per-problem rates$",
    ):
        handle_zeros(np.array([[0.0], [0.3]]), ("all",), RUNS[:2], "subset", per_problem=False)


def test_loaded_runs_apply_their_zero_policy_with_their_counts_and_their_file_in_errors() -> None:
    """``PassRateRuns.apply_zeros`` hands its pseudo-count rates to ``smooth`` and its file to every error."""
    from scaling_forecast.engine.passrates import PassRateRuns

    rates = np.array([[0.0, 0.5], [0.25, 0.75]])
    smoothed = np.array([[0.1, 0.5], [0.25, 0.75]])
    runs = PassRateRuns(np.array([1e18, 1e19]), ("a", "b"), rates, ("p1", "p2"), True, smoothed, "compute", "r.csv", 1)
    assert runs.apply_zeros("smooth").rates[0, 0] == 0.1  # the pseudo-count rate, not a default
    with pytest.raises(DataError, match=r"^r\.csv: "):
        runs.apply_zeros("error")
    with pytest.raises(DataError, match=r"^other\.csv: "):
        runs.apply_zeros("error", label="other.csv")


def test_buckets_are_named_in_order_and_ties_keep_the_problems_order() -> None:
    """Four problems of which the middle two tie: the stable order puts the first of them in the easier half."""
    from scaling_forecast.engine.passrates import handle_zeros

    rates = handle_zeros(np.array([[0.1, 0.5, 0.5, 0.9]]), ("p1", "p2", "p3", "p4"), ("a",), "subset", per_problem=True)
    buckets = rates.buckets(2)
    assert [name for name, _, _ in buckets] == ["bucket 1 of 2", "bucket 2 of 2"]
    assert [members.tolist() for _, members, _ in buckets] == [[0, 1], [2, 3]]
    assert buckets[0][2] == (0.1, 0.5) and buckets[1][2] == (0.5, 0.9)
    with pytest.raises(DataError, match=r"^--buckets 5: must be between 1 and the number of problems \(4\)$"):
        rates.buckets(5)


def test_buckets_of_many_tied_problems_follow_a_stable_order() -> None:
    from scaling_forecast.engine.passrates import handle_zeros

    rng = np.random.default_rng(3)
    values = rng.choice([0.2, 0.5, 0.8], size=200)
    rates = handle_zeros(values[None, :], tuple(f"p{i}" for i in range(200)), ("a",), "subset", per_problem=True)
    order = sorted(range(200), key=lambda j: (values[j], j))  # Python's sort is stable
    expected = [sorted(part.tolist()) for part in np.array_split(np.array(order), 3)]
    assert [members.tolist() for _, members, _ in rates.buckets(3)] == expected
