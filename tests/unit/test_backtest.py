"""Backtests: windows, scores checked against textbook regression by hand, and the verdict."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from scaling_forecast.errors import ConfigError, DataError
from scaling_forecast.results import HeldOutRun
from scaling_forecast.settings import FitSettings
from scaling_forecast.tasks.backtest import backtest, summarise, windows
from scaling_forecast.tasks.ladder import Ladder

COMPUTE = np.geomspace(1e18, 1e21, 7)
NAMES = tuple(f"r{i}" for i in range(7))


def _power_ladder(noise: float = 0.01, seed: int = 1) -> Ladder:
    rng = np.random.default_rng(seed)
    loss = 40.0 * COMPUTE**-0.08 * np.exp(rng.normal(0.0, noise, COMPUTE.size))
    return Ladder(COMPUTE, loss, NAMES, FitSettings(law="power", method="delta").resolved())


def test_holdout_matches_ordinary_least_squares_by_hand() -> None:
    ladder = _power_ladder()
    result = backtest(ladder, holdout=2)
    x, y = np.log(COMPUTE[:5]), np.log(ladder.y[:5])
    fit = stats.linregress(x, y)
    residual = y - (fit.intercept + fit.slope * x)
    s = np.sqrt(residual @ residual / 3)
    t = stats.t.ppf(0.95, 3)
    assert [r.run for r in result.runs] == ["r5", "r6"]
    covered_by_hand = []
    for r, c, actual in zip(result.runs, COMPUTE[5:], ladder.y[5:], strict=True):
        x0 = np.log(c)
        centre = fit.intercept + fit.slope * x0
        half_pi = t * s * np.sqrt(1 + 1 / 5 + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
        half_ci = t * s * np.sqrt(1 / 5 + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
        assert r.predicted == pytest.approx(np.exp(centre), rel=1e-9)
        assert r.pi == pytest.approx((np.exp(centre - half_pi), np.exp(centre + half_pi)), rel=1e-9)
        assert r.ci == pytest.approx((np.exp(centre - half_ci), np.exp(centre + half_ci)), rel=1e-9)
        assert r.are == pytest.approx(abs(np.exp(centre) - actual) / actual, rel=1e-9)
        assert r.n_fitted == 5 and r.extrapolation_factor == pytest.approx(c / COMPUTE[4])
        covered_by_hand.append(np.exp(centre - half_pi) <= actual <= np.exp(centre + half_pi))
    held_out = zip(COMPUTE[5:], ladder.y[5:], strict=True)
    errors = [abs(np.exp(fit.intercept + fit.slope * np.log(c)) - a) / a for c, a in held_out]  # by hand, as above
    assert result.summary.mean_are == pytest.approx(np.mean(errors), rel=1e-9)
    assert result.summary.max_are == pytest.approx(max(errors), rel=1e-9)
    assert result.summary.coverage == pytest.approx(np.mean(covered_by_hand))


def test_verdict_names_the_runs_that_broke_it() -> None:
    ladder = _power_ladder()
    broken = Ladder(ladder.compute, ladder.y * np.r_[np.ones(6), 1.2], NAMES, ladder.settings)
    result = backtest(broken, holdout=2, tolerance=0.05)
    assert not result.summary.passed
    assert result.summary.verdict.startswith("does not scale predictably (tolerance 5.0%): r6 from 5 runs (off by")
    assert "outside its 90% PI" in result.summary.verdict and "r5" not in result.summary.verdict
    assert backtest(ladder, holdout=2, tolerance=0.05).summary.verdict.startswith("scales predictably")


def test_windows_of_each_mode() -> None:
    mode, split = windows(COMPUTE, NAMES, holdout=3, min_fitted=3)
    assert mode == "holdout" and [list(s) for s in split[0]] == [[0, 1, 2, 3], [4, 5, 6]]
    mode, split = windows(COMPUTE, NAMES, max_fraction=0.01, min_fitted=3)
    assert mode == "fraction" and list(split[0][0]) == [0, 1, 2] and list(split[0][1]) == [3, 4, 5, 6]
    mode, split = windows(COMPUTE, NAMES, rolling=True, min_fitted=3)
    assert mode == "rolling" and [len(f) for f, _ in split] == [3, 4, 5, 6]
    assert all(len(f) + len(h) == 7 for f, h in split)
    assert windows(COMPUTE, NAMES, min_fitted=3)[1][0][1].tolist() == [6]  # default: the largest run
    with pytest.raises(DataError, match=r"^<data>: --max-compute-fraction 1e-09 leaves runs at"):
        windows(COMPUTE, NAMES, max_fraction=1e-9, min_fitted=3)  # runs from arrays are named as <data>


def test_rolling_forecasts_every_larger_run_from_every_window() -> None:
    result = backtest(_power_ladder(), rolling=True)
    assert result.mode == "rolling" and len(result.fits) == 4  # fits of 3, 4, 5 and 6 runs
    assert result.summary.n_forecasts == 4 + 3 + 2 + 1


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"holdout": 1, "rolling": True}, ConfigError, "only one of"),
        ({"holdout": 6}, ConfigError, "--holdout 6: must leave 3 or more runs to fit, out of 7"),
        ({"max_fraction": 1.5}, ConfigError, "between 0 and 1"),
        ({"max_fraction": 1e-3}, DataError, "leaves runs at 1 distinct compute values"),
        ({"tolerance": -1.0}, ConfigError, "--tolerance -1.0"),
        ({"tolerance": 0.0}, ConfigError, r"^--tolerance 0.0: must be a positive fraction, e.g. 0.02 for 2%$"),
    ],
)
def test_bad_backtest_options(options: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        backtest(_power_ladder(), **options)


def test_a_rolling_backtest_of_many_runs_fits_twenty_evenly_spaced_windows() -> None:
    from scaling_forecast.tasks.backtest import MAX_ROLLING_WINDOWS, windows

    compute = np.geomspace(1e17, 1e21, 60)
    names = tuple(f"r{i}" for i in range(60))
    mode, splits = windows(compute, names, rolling=True, min_fitted=4)
    sizes = [fitted.size for fitted, _ in splits]
    assert mode == "rolling" and len(splits) == MAX_ROLLING_WINDOWS
    assert sizes[0] == 4 and sizes[-1] == 59 and sizes == sorted(set(sizes))
    _, few = windows(compute[:20], names[:20], rolling=True, min_fitted=4)
    assert [fitted.size for fitted, _ in few] == list(range(4, 20))  # small ladders keep every window


def test_the_mean_error_is_a_mean_over_three_held_out_runs_with_known_errors() -> None:
    """A noise-free power law on the 4 smallest runs; the 3 held out sit at 1.0, 1.3 and 1.02 times the law, so
    their absolute relative errors are 0, 0.3/1.3 and 0.02/1.02 by construction (a median would be 0.0196)."""
    compute = np.geomspace(1e18, 1e21, 7)
    factors = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.3, 1.02])
    loss = 40.0 * compute**-0.08 * factors
    ladder = Ladder(compute, loss, NAMES, FitSettings(law="power", method="delta").resolved())
    result = backtest(ladder, holdout=3)
    expected = [0.0, 0.3 / 1.3, 0.02 / 1.02]
    assert [r.are for r in result.runs] == pytest.approx(expected, abs=1e-9)
    assert result.summary.mean_are == pytest.approx(sum(expected) / 3, abs=1e-9)
    assert result.summary.max_are == pytest.approx(0.3 / 1.3, abs=1e-9)


def test_ci_coverage_and_coverage_count_each_run_in_its_own_interval() -> None:
    """A noisy rolling backtest: ``coverage`` is the share of held-out runs inside their pi, ``ci_coverage`` inside
    their ci, recounted here from each run's intervals; on this ladder the two differ (a swap would fail)."""
    compute = np.geomspace(1e18, 1e21, 7)
    loss = 40.0 * compute**-0.08 * np.exp(np.random.default_rng(4).normal(0.0, 0.01, compute.size))
    ladder = Ladder(compute, loss, NAMES, FitSettings(law="power", method="delta").resolved())
    result = backtest(ladder, holdout=3)
    in_pi = [r.pi[0] <= r.actual <= r.pi[1] for r in result.runs]
    in_ci = [r.ci[0] <= r.actual <= r.ci[1] for r in result.runs]
    assert result.summary.coverage == pytest.approx(sum(in_pi) / len(in_pi))
    assert result.summary.ci_coverage == pytest.approx(sum(in_ci) / len(in_ci))
    assert sum(in_ci) < sum(in_pi)


def _held_out(run: str, actual: float, predicted: float, pi: tuple[float, float], n_fitted: int = 4) -> HeldOutRun:
    return HeldOutRun(run, 1e20, n_fitted, 10.0, actual, predicted, (predicted, predicted), pi)


def test_the_verdict_spells_out_each_broken_run_and_its_reasons() -> None:
    """The summary's verdict, written by hand: a run off by more than the tolerance, one outside its pi, one both;
    an error exactly at the tolerance passes; beyond five broken runs the rest are counted."""
    exact = _held_out("a", 4.0, 4.5, (1.0, 5.0))  # off by exactly the tolerance, 12.5%: within
    summary = summarise((exact,), 0.125, 0.9)
    assert summary.passed and summary.n_forecasts == 1 and summary.max_are == 0.125
    assert summary.verdict == "scales predictably: every held-out run within 12.5% and inside its 90% PI"
    runs = (
        exact,
        _held_out("b", 2.0, 2.5, (1.0, 3.0), 5),
        _held_out("c", 2.0, 2.0, (2.5, 3.0), 6),
        _held_out("d", 2.0, 1.0, (0.5, 1.5), 7),
    )
    summary = summarise(runs, 0.125, 0.8)
    assert not summary.passed and summary.coverage == 0.5 and summary.ci_coverage == 0.25 and summary.tolerance == 0.125
    assert summary.mean_are == pytest.approx((0.125 + 0.25 + 0.0 + 0.5) / 4) and summary.max_are == 0.5
    assert summary.verdict == (
        "does not scale predictably (tolerance 12.5%): b from 5 runs (off by 25.00%); c from 6 runs (outside its 80% "
        "PI); d from 7 runs (off by 50.00%, outside its 80% PI)"
    )
    many = tuple(_held_out(f"r{i}", 2.0, 3.0, (1.0, 4.0)) for i in range(7))
    verdict = summarise(many, 0.05, 0.9).verdict
    assert verdict.endswith("r4 from 4 runs (off by 50.00%); and 2 more") and "r5" not in verdict
    assert summarise(many[:5], 0.05, 0.9).verdict.endswith("r4 from 4 runs (off by 50.00%)")
    assert summarise(many[:6], 0.05, 0.9).verdict.endswith("r4 from 4 runs (off by 50.00%); and 1 more")


def test_runs_at_one_compute_are_ordered_by_name_and_the_holdout_may_leave_exactly_enough() -> None:
    compute = np.array([1e18, 1e19, 1e20, 1e20, 1e21])
    names = ("a", "b", "z", "y", "c")
    _, split = windows(compute, names, holdout=3, min_fitted=2)  # 5 - 3 = 2 left: exactly enough
    assert [names[i] for i in split[0][0]] == ["a", "b"] and [names[i] for i in split[0][1]] == ["y", "z", "c"]
    with pytest.raises(ConfigError, match=r"^--holdout 4: must leave 2 or more runs to fit, out of 5$"):
        windows(compute, names, holdout=4, min_fitted=2)
    with pytest.raises(ConfigError, match=r"^give only one of --holdout K, --max-compute-fraction F and --rolling$"):
        windows(compute, names, max_fraction=0.1, rolling=True)


@pytest.mark.parametrize("fraction", [0.0, 1.0])
def test_a_compute_fraction_must_lie_strictly_between_0_and_1(fraction: float) -> None:
    with pytest.raises(ConfigError, match=rf"^--max-compute-fraction {fraction}: must be between 0 and 1, e.g. 0.001$"):
        windows(COMPUTE, NAMES, max_fraction=fraction)


def test_too_small_a_fraction_names_the_file_the_count_and_the_threshold() -> None:
    ladder = _power_ladder()
    short = Ladder(ladder.compute, ladder.y, NAMES, ladder.settings, file="runs.csv")
    message = (
        "runs.csv: --max-compute-fraction 0.004 leaves runs at 2 distinct compute values to fit (below 4e+18 FLOP); "
        "the law needs 3; raise the fraction"
    )
    with pytest.raises(DataError) as caught:
        backtest(short, max_fraction=0.004)
    assert str(caught.value) == message


def test_rolling_windows_start_at_the_laws_distinct_computes() -> None:
    _, split = windows(COMPUTE[:4], NAMES[:4], rolling=True)  # min_fitted 2: windows of 2 and 3 runs
    assert [(f.tolist(), h.tolist()) for f, h in split] == [([0, 1], [2, 3]), ([0, 1, 2], [3])]
    with pytest.raises(DataError, match=r"^<data>: --rolling needs"):
        windows(COMPUTE[:3], NAMES[:3], rolling=True, min_fitted=3)  # the label of data given without a file
    with pytest.raises(DataError) as caught:
        windows(COMPUTE[:3], NAMES[:3], rolling=True, min_fitted=3, label="runs.csv")
    assert str(caught.value) == (
        "runs.csv: --rolling needs runs at more than the law's 3 distinct compute values; add runs or use --holdout K"
    )


def test_a_chinchilla_backtest_forecasts_each_held_out_run_at_its_own_shape() -> None:
    """Runs at one compute but different shapes: each held-out run is forecast at its params and tokens."""
    rng = np.random.default_rng(0)
    n = np.repeat(np.geomspace(1e7, 3e9, 8), 6)
    d = n * np.tile([4.0, 8.0, 16.0, 32.0, 64.0, 128.0], 8)
    loss = (1.8 + 400.0 / n**0.34 + 2000.0 / d**0.37) * np.exp(rng.normal(0.0, 0.005, n.size))
    names = tuple(f"r{i:02d}" for i in range(n.size))
    settings = FitSettings(law="chinchilla", n_boot=100).resolved()
    ladder = Ladder(6 * n * d, loss, names, settings, columns=np.column_stack([n, d]))
    result = backtest(ladder, holdout=6)
    p = {q.name: q.estimate for q in result.fits[0].params}
    for run in result.runs:
        i = names.index(run.run)
        by_hand = p["E"] + p["A"] / n[i] ** p["alpha"] + p["B"] / d[i] ** p["beta"]
        assert run.predicted == pytest.approx(by_hand, rel=1e-9)
    assert len({round(r.predicted, 9) for r in result.runs}) == 6


class FailingLadder(Ladder):
    """A ladder whose fits of ``failing`` runs raise, as a fit that cannot converge does."""

    def fit(self, rows=None, targets=()):  # type: ignore[no-untyped-def]
        from scaling_forecast.errors import FitError

        if rows is not None and len(rows) in FAILING:
            raise FitError(f"window of {len(rows)} failed")
        return super().fit(rows, targets)


FAILING: set[int] = set()


def test_a_window_that_cannot_be_fitted_is_skipped_in_a_rolling_backtest_and_fails_a_holdout() -> None:
    from scaling_forecast.errors import FitError

    ladder = _power_ladder()
    failing = FailingLadder(ladder.compute, ladder.y, NAMES, ladder.settings, file="runs.csv")
    FAILING.clear()
    FAILING.update({3, 4})
    result = backtest(failing, rolling=True)
    assert [f.data.n_runs for f in result.fits] == [5, 6]  # windows of 3 and 4 skipped, the later ones kept
    assert result.summary.n_forecasts == 2 + 1
    assert result.warnings[:2] == (
        "the window of the 3 smallest runs could not be fitted: window of 3 failed",
        "the window of the 4 smallest runs could not be fitted: window of 4 failed",
    )
    FAILING.update({5})
    with pytest.raises(FitError, match="window of 5 failed"):
        backtest(failing, holdout=2)
    FAILING.update({6})
    with pytest.raises(FitError, match=r"^runs.csv: no window of the backtest could be fitted$"):
        backtest(failing, rolling=True)
    FAILING.clear()


def test_each_fits_warnings_are_kept_once_with_the_size_of_its_fit() -> None:
    """A narrow ladder (1.2 decades): every window warns of its span; each warning is kept once, prefixed."""
    compute = np.geomspace(1e18, 1.6e19, 7)
    ladder = Ladder(compute, 40.0 * compute**-0.08, NAMES, FitSettings(law="power", method="delta").resolved())
    result = backtest(ladder, rolling=True)
    spans = [w for w in result.warnings if "compute spans only" in w]
    assert spans[0].startswith("fit of 3 runs: compute spans only 0.40 decades")
    assert spans[-1].startswith("fit of 6 runs: compute spans only 1.00 decades")
    assert len(spans) == len(set(spans)) == 4


def test_windows_called_without_a_file_name_the_data_as_the_library_does() -> None:
    compute = np.geomspace(1e18, 1e20, 4)
    with pytest.raises(DataError) as refused:
        windows(compute, tuple("abcd"), rolling=True, min_fitted=4)
    assert str(refused.value).startswith("<data>: --rolling needs runs at more than the law's 4 distinct compute")
