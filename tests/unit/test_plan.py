"""``forecast plan``: the draws of a planned run, the choice of a set of runs, and plans of known ladders."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.special import ndtri
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.errors import ConfigError
from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.fit import fit_curve
from scaling_forecast.tasks.ladder import Ladder
from scaling_forecast.tasks.plan import (
    Expectation,
    _best_set,
    _disagreement,
    _Forecast,
    _forecast_at,
    _refit,
    _variates,
    _widths,
    exhaustive_set,
    plan_runs,
    planned_draws,
)

from ..conftest import EXAMPLES

Z90 = float(ndtri(0.95))


def test_a_planned_run_is_spread_as_its_pi_says_on_each_side() -> None:
    """4,000 stratified draws of two runs whose intervals lean up: each run's 5%, 50% and 95% draws are its pi's
    ends and about its estimate (a reflected or narrowed draw misses the ends by far more than the tolerance)."""
    forecast = _Forecast(
        np.array([2.0, 3.0]), np.array([1.9, 2.8]), np.array([2.2, 3.3]), np.array([1.7, 2.5]), np.array([2.5, 3.8])
    )
    draws = np.exp(planned_draws(forecast, np.array([0, 1]), _variates(4000, 2, 0), 0.9))
    low, middle, high = np.quantile(draws, [0.05, 0.5, 0.95], axis=0)
    assert low == pytest.approx([1.7, 2.5], rel=0.01) and high == pytest.approx([2.5, 3.8], rel=0.01)
    assert middle == pytest.approx([2.0, 3.0], rel=0.025)


def test_the_runs_of_one_draw_share_the_curve_as_the_ci_says() -> None:
    """Two runs of one draw share the law's curve: in log, their correlation is ``s_ci,1 s_ci,2 / (s_pi,1 s_pi,2)``,
    the part of each run's spread that the ``ci`` holds (0 for runs drawn alone, 1 for a curve without noise)."""
    ci_half, pi_half = np.array([0.105, 0.105]), np.array([0.223, 0.182])
    estimate = np.array([2.0, 3.0])
    forecast = _Forecast(
        estimate,
        estimate * np.exp(-ci_half),
        estimate * np.exp(ci_half),
        estimate * np.exp(-pi_half),
        estimate * np.exp(pi_half),
    )
    draws = planned_draws(forecast, np.array([0, 1]), _variates(4000, 2, 1), 0.9)
    expected = (ci_half[0] * ci_half[1]) / (pi_half[0] * pi_half[1])
    assert np.corrcoef(draws.T)[0, 1] == pytest.approx(expected, abs=0.03)
    assert np.std(draws, axis=0) == pytest.approx(pi_half / Z90, rel=0.02)


def test_the_draws_are_stratified_normal_quantiles_in_a_seeded_order() -> None:
    shared, own = _variates(5, 2, 3)
    assert shared == pytest.approx(ndtri((np.arange(5) + 0.5) / 5))
    assert sorted(own[:, 0]) == pytest.approx(shared) and sorted(own[:, 1]) == pytest.approx(shared)
    again = _variates(5, 2, 3)
    assert np.array_equal(own, again[1]) and not np.array_equal(own, _variates(5, 2, 4)[1])


def _additive(widths: dict[int, float], pairs: float = 0.0):  # type: ignore[no-untyped-def]
    """A known expected width: the width now less each run's own narrowing (and ``pairs`` per repeated run)."""

    def expected(rows: tuple[int, ...]) -> Expectation:
        width = 1.0 - sum(1.0 - widths[i] for i in rows) * (1.0 - 0.2 * (len(rows) - 1))
        width += pairs * (len(rows) - len(set(rows)))
        return Expectation(width, width, 1.0, 0, 0.0)

    return expected


@pytest.mark.parametrize(("budget", "max_runs"), [(2.0, 3), (3.0, 2), (10.0, 3), (0.5, 3)])
def test_the_greedy_set_is_the_exhaustive_one_on_small_known_cases(budget: float, max_runs: int) -> None:
    """Four candidates of known cost and narrowing: the greedy choice within the budget is the set the exhaustive
    search finds, and a budget below every run chooses none."""
    chosen = ((0.25, "grid"), (1.0, "grid"), (1.0, "repeat"), (2.0, "grid"))
    widths = {0: 0.97, 1: 0.9, 2: 0.92, 3: 0.8}
    expected = _additive(widths)
    rows, width = _best_set(chosen, widths, budget, max_runs, expected, 1.0)
    _, best_width = exhaustive_set(chosen, budget, max_runs, expected)
    if budget < 0.25:
        assert rows == () and width == 1.0
    else:
        assert width == pytest.approx(best_width) and sum(chosen[i][0] for i in rows) <= budget
        assert len(rows) <= max_runs


def test_nothing_affordable_that_narrows_recommends_no_run() -> None:
    chosen = ((1.0, "grid"), (2.0, "grid"))
    assert _best_set(chosen, {0: 1.1, 1: 0.5}, 1.5, 3, _additive({0: 1.1, 1: 0.5}), 1.0) == ((), 1.0)


def _power_ladder(seed: int = 3) -> Ladder:
    compute = np.geomspace(1e18, 1e20, 7)
    loss = 40.0 * (compute / 1e15) ** -0.08 * np.exp(np.random.default_rng(seed).normal(0.0, 0.01, 7))
    return Ladder(compute, loss, tuple(f"r{i}" for i in range(7)), FitSettings(law="power", method="delta"))


def test_a_run_further_out_narrows_the_extrapolation_more_and_the_plan_says_what_it_buys() -> None:
    """A power law known to hold (``--law power``, delta method): the further out a run, the lower the leverage of
    the target and the narrower the interval there (ordinary least squares' design), so the 10x run narrows most,
    then the repeat of the largest; the recommended set fits the budget, and every gain is on the noise (one law)."""
    ladder = _power_ladder()
    plan = plan_runs(ladder, Target(1e23), budget=1e21, max_runs=1)
    by_kind = {(c.kind, round(math.log10(c.compute), 3)): c for c in plan.candidates}
    ten = by_kind[("grid", 21.0)]
    repeat = by_kind[("repeat", 20.0)]
    assert ten.width < repeat.width < plan.width
    assert all(c.law_gain == 0.0 and c.noise_gain == pytest.approx(c.gain) for c in plan.candidates)
    assert plan.recommended.computes == (ten.compute,) and plan.recommended.cost <= plan.budget
    assert plan.recommended.width == pytest.approx(ten.width) and plan.recommended.width_se == ten.width_se
    assert ten.per_flop == pytest.approx(ten.gain / ten.compute)
    fitted = ladder.fit(targets=(Target(1e23),))
    assert plan.pi == fitted.predictions[0].pi and plan.width == pytest.approx(np.diff(plan.pi)[0])


def test_the_same_plan_twice_is_the_same_and_a_budget_below_every_run_recommends_none() -> None:
    ladder = _power_ladder()
    first = plan_runs(ladder, Target(1e23), draws=3)
    assert first.to_dict() == plan_runs(ladder, Target(1e23), draws=3).to_dict()
    none = plan_runs(ladder, Target(1e23), draws=3, budget=1e17)
    assert none.recommended.computes == () and first.max_runs == 3 and math.isnan(none.recommended.width_se)
    assert none.to_dict()["recommended"]["width_se"] is None
    assert (
        "no candidate run costs 1e+17 FLOP or less and narrows the interval; raise --budget or give --candidates"
        in none.warnings
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"draws": 1}, "--draws 1: must be 2 or more"),
        ({"max_runs": 0}, "--runs 0: must be 1 or more"),
        ({"budget": -1.0}, "--budget -1: must be a positive compute in FLOP"),
        ({"candidates": (1e20, -1.0)}, "--candidates: every compute must be a positive number of FLOP"),
    ],
)
def test_bad_plan_options_are_refused_in_one_line(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        plan_runs(_power_ladder(), Target(1e23), **options)  # type: ignore[arg-type]
    assert str(refused.value) == message


@pytest.mark.parametrize(("field", "what"), [("rates", "pass rates"), ("columns", "parameters and tokens")])
def test_a_ladder_of_pass_rates_or_of_parameters_and_tokens_is_refused_until_planning_them_is_built(
    field: str, what: str
) -> None:
    ladder = replace(_power_ladder(), **{field: object()})
    message = rf"forecast plan plans runs of a loss or an accuracy against compute; <data> holds {what} \(planning"
    with pytest.raises(ConfigError, match=message):
        plan_runs(ladder, Target(1e23))


def test_a_planned_accuracy_is_spread_as_its_pi_says_in_shares_and_its_task_loss_moves_against_it() -> None:
    """An accuracy is drawn as it is (not in log): its 5% and 95% draws are its pi's ends on each side; the
    two-step law's task loss is drawn with the opposite normals, so a run drawn above its accuracy forecast is
    drawn below its task-loss forecast (correlation -1 for runs without curve noise)."""
    accuracy = _Forecast(np.array([0.6]), np.array([0.58]), np.array([0.61]), np.array([0.5]), np.array([0.65]))
    task = _Forecast(np.array([2.0]), np.array([1.95]), np.array([2.05]), np.array([1.8]), np.array([2.3]))
    shared, own = _variates(4000, 1, 2)
    drawn = planned_draws(accuracy, np.array([0]), (shared, own), 0.9, log=False)
    assert np.quantile(drawn, [0.05, 0.95]) == pytest.approx([0.5, 0.65], abs=0.003)
    losses = planned_draws(task, np.array([0]), (-shared, -own), 0.9)
    assert np.exp(np.quantile(losses, [0.05, 0.95])) == pytest.approx([1.8, 2.3], rel=0.01)
    assert np.corrcoef(drawn[:, 0], losses[:, 0])[0, 1] < -0.95


def test_the_command_line_plans_a_task_of_accuracies_from_the_forecast_it_fits() -> None:
    """A task of the shipped Pythia evaluations: the plan starts from the very forecast ``forecast fit`` prints,
    and every candidate's expected pi is a width of shares."""
    runner = CliRunner()
    tasks = str(EXAMPLES / "pythia_tasks.csv")
    common = [tasks, "--task", "piqa", "-t", "1e23", "-f", "json"]
    planned = runner.invoke(app, ["plan", *common, "--draws", "2", "--runs", "1"])
    fitted = runner.invoke(app, ["fit", *common])
    assert planned.exit_code == 0 and fitted.exit_code == 0, planned.output + fitted.output
    plan, fit = json.loads(planned.stdout), json.loads(fitted.stdout)
    assert plan["law"] == fit["law"] == "accuracy"
    assert (
        plan["now"]["pi"] == fit["predictions"][0]["pi"]
        and plan["now"]["estimate"] == fit["predictions"][0]["estimate"]
    )
    assert len(plan["candidates"]) == 10 and all(0.0 < c["width"] < 1.0 for c in plan["candidates"])
    assert plan["candidates"][-1]["width"] < plan["now"]["width"]  # a run 10x beyond the largest narrows the forecast
    lambada = [str(EXAMPLES / "pythia_lambada.csv"), "-t", "1e23", "--draws", "2", "--candidates", "5x", "-f", "json"]
    two_step = runner.invoke(app, ["plan", *lambada, "--budget", "10x"])
    assert two_step.exit_code == 0, two_step.output
    (planned_run,) = json.loads(two_step.stdout)["candidates"]  # a run's accuracy and task loss are drawn and refitted
    assert planned_run["failed_draws"] == 0 and 0.0 < planned_run["width"] < json.loads(two_step.stdout)["now"]["width"]


def test_the_command_line_plans_the_shipped_example_in_every_format(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    runs = str(EXAMPLES / "runs.csv")
    done = runner.invoke(app, ["plan", runs, "--target", "1e24", "--draws", "2", "-f", "json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["target"] == 1e24 and len(document["candidates"]) == 10 and document["budget"] == 2e21
    plot = tmp_path / "plan.png"
    table = runner.invoke(app, ["plan", runs, "-t", "1000x", "--draws", "2", "--budget", "1x", "--plot", str(plot)])
    assert table.exit_code == 0 and "Candidate runs" in table.stdout and plot.read_bytes()[:4] == b"\x89PNG"
    csv_text = runner.invoke(app, ["plan", runs, "-t", "1e24", "--draws", "2", "--candidates", "2e21,5x", "-f", "csv"])
    assert csv_text.exit_code == 0 and csv_text.stdout.splitlines()[0].startswith("compute,kind,cost,width")
    assert len(csv_text.stdout.splitlines()) == 3
    markdown = runner.invoke(app, ["plan", runs, "-t", "1e24", "--draws", "2", "--runs", "1", "-f", "markdown"])
    assert markdown.exit_code == 0 and "| run at |" in markdown.stdout
    for args, line in (
        (["plan", runs], "forecast plan needs one --target C (the compute the forecast is for)"),
        (["plan", runs, "-t", "1e24", "--budget", "lots"], "--budget 'lots': not a compute; give FLOP (1e21) or a"),
        (["plan", str(EXAMPLES / "passrates.csv"), "-t", "1e24"], "forecast plan plans runs of a loss or an accuracy"),
    ):
        refused = runner.invoke(app, args)
        assert refused.exit_code == 2 and line in refused.output


def _spanning_ladder() -> Ladder:
    """Eight runs of a law with its floor out of view, where ``auto`` chooses the power law and its interval spans
    the loss law's too (two laws in the interval)."""
    compute = np.geomspace(1e18, 1e20, 8)
    loss = (1.5 + 30.0 * (compute / 1e15) ** -0.25) * np.exp(np.random.default_rng(2).normal(0.0, 0.01, 8))
    return Ladder(compute, loss, tuple(f"r{i}" for i in range(8)), FitSettings(n_boot=200))


def test_a_refit_keeping_the_ladders_drift_verdict_is_the_fit_that_found_it() -> None:
    """A bent ladder (its drift check warns and widens): refitted with no run added and the verdict kept, the
    forecast is the full procedure's to the last digit; without the verdict it is not widened."""
    from .test_drift import bent_ladder

    compute, loss = bent_ladder(0)
    ladder = Ladder(compute, loss, tuple(f"r{i}" for i in range(10)), FitSettings(n_boot=200))
    full = fit_curve(compute, loss, ladder.settings, (Target(1e24),))
    assert full.fit.drift is not None and full.fit.drift.warned
    kept = _refit(ladder, compute, loss, Target(1e24), full.fit.drift)
    assert kept.predictions[0].pi == full.predictions[0].pi and kept.fit.drift == full.fit.drift
    plain = _refit(ladder, compute, loss, Target(1e24), None)
    assert plain.fit.drift is None and plain.predictions[0].estimate == full.predictions[0].estimate
    assert (
        plain.predictions[0].pi[0] > full.predictions[0].pi[0]
        and plain.predictions[0].pi[1] < full.predictions[0].pi[1]
    )


def test_the_widths_are_the_reported_pi_and_the_chosen_laws_own_and_laws_apart_is_their_spread() -> None:
    """Two laws in the interval: a fit's width is its reported pi's, its own width the chosen law's own pi's
    (narrower: the interval spans the other law); "laws apart" at a run is the range of the two laws' estimates
    there over half the chosen law's own pi there. A law given alone has one width."""
    ladder = _spanning_ladder()
    result = ladder.fit(targets=(Target(1e22), Target(2e20)))
    selection = result.law_selection
    assert selection is not None
    inside = [c for c in selection.candidates if c.in_interval]
    assert len(inside) == 2
    own = selection.candidate(selection.chosen).predictions
    assert own[0].pi is not None and own[1].pi is not None
    width, own_width = _widths(result)
    assert width == result.predictions[0].pi[1] - result.predictions[0].pi[0]
    assert own_width == own[0].pi[1] - own[0].pi[0] and own_width < width
    at_run = [c.predictions[1].estimate for c in inside]
    expected = (max(at_run) - min(at_run)) / ((own[1].pi[1] - own[1].pi[0]) / 2.0)
    assert _disagreement(result, 1) == pytest.approx(expected, rel=1e-12) and expected > 0.0
    alone = _power_ladder().fit(targets=(Target(1e22),))
    assert _widths(alone) == (alone.predictions[0].pi[1] - alone.predictions[0].pi[0],) * 2
    assert _disagreement(alone, 0) == 0.0
    far = replace(
        inside[1], in_interval=False, predictions=tuple(replace(q, estimate=9.0) for q in inside[1].predictions)
    )
    lone = replace(selection, candidates=tuple(far if c is inside[1] else c for c in selection.candidates))
    assert _disagreement(replace(result, law_selection=lone), 1) == 0.0  # a law outside the interval is not weighed


def test_a_plan_reports_its_settings_and_splits_each_gain_into_noise_and_law_choice() -> None:
    """The plan's own settings (200 replicates at most, the seed, the runs, the draws, the most runs), its forecast
    now the ladder's at 200 replicates, and each candidate's gain the sum of its two parts, with a positive
    Monte Carlo error and no failed draw; the candidates given keep their order and are of kind ``given``."""
    ladder = replace(_spanning_ladder(), settings=FitSettings(n_boot=2000, seed=5))
    plan = plan_runs(ladder, Target(1e22), candidates=(2e20, 5e19), draws=3, max_runs=2, budget=3e20)
    assert (plan.n_boot, plan.seed, plan.n_runs, plan.draws, plan.max_runs) == (200, 5, 8, 3, 2)
    now = replace(ladder, settings=FitSettings(n_boot=200, seed=5)).fit(targets=(Target(1e22),))
    assert plan.pi == now.predictions[0].pi and plan.law == now.law
    assert [(c.compute, c.kind) for c in plan.candidates] == [(2e20, "given"), (5e19, "given")]
    fitted = replace(ladder, settings=FitSettings(n_boot=200, seed=5)).fit(
        targets=(Target(1e22), Target(2e20), Target(5e19))
    )
    assert [c.disagreement for c in plan.candidates] == [_disagreement(fitted, 1), _disagreement(fitted, 2)]
    for c in plan.candidates:
        assert c.noise_gain + c.law_gain == pytest.approx(c.gain, abs=1e-12)
        assert c.width_se > 0.0 and c.failed_draws == 0 and 0.0 <= c.same_law <= 1.0
    assert any(c.law_gain != 0.0 for c in plan.candidates)
    few = plan_runs(_power_ladder(), Target(1e23), candidates=(1e20,), draws=2, max_runs=4, budget=4e20)
    assert few.recommended.computes == (1e20,) * 4  # four repeats: a variate for every run of a set
    assert all(c.same_law == 1.0 for c in few.candidates)  # a law given: every refit is of it


def test_a_budget_or_a_candidate_of_no_compute_is_refused_and_half_a_flop_is_a_budget() -> None:
    with pytest.raises(ConfigError, match="--budget 0: must be a positive compute"):
        plan_runs(_power_ladder(), Target(1e23), budget=0.0, draws=2)
    with pytest.raises(ConfigError, match="--candidates: every compute must be a positive number of FLOP"):
        plan_runs(_power_ladder(), Target(1e23), candidates=(0.0,), draws=2)
    tiny = plan_runs(_power_ladder(), Target(1e23), budget=0.5, candidates=(1e20,), draws=2)
    assert tiny.budget == 0.5 and tiny.recommended.computes == ()


def _fake_refits(monkeypatch: pytest.MonkeyPatch, widths: list[float | None], law: str = "power") -> list[object]:
    """Refits that return a pi of each given width in turn (``None``: the refit fails), recording the drift verdict
    each was given."""
    from scaling_forecast.errors import FitError
    from scaling_forecast.results import Prediction
    from scaling_forecast.tasks import plan as planning

    seen: list[object] = []
    queue = list(widths)

    def refit(ladder, compute, y, target, drift):  # type: ignore[no-untyped-def]
        seen.append(drift)
        width = queue.pop(0)
        if width is None:
            raise FitError("the planned refit failed")
        prediction = Prediction(target.value, 10.0, 2.0, (2.0, 2.0), (2.0 - width / 2, 2.0 + width / 2))
        return type("Refit", (), {"predictions": (prediction,), "law_selection": None, "law": law})()

    monkeypatch.setattr(planning, "_refit", refit)
    return seen


def test_the_expected_width_is_the_median_of_the_draws_with_its_error_and_failures_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Six draws, one failing: the expectation is the median of the other five widths, its error
    ``1.2533 * 1.4826 * MAD / sqrt(5)``, the same-law share of those five; every draw failing gives no width."""
    from scaling_forecast.tasks.plan import _expected

    ladder = _power_ladder()
    forecast = _Forecast(*(np.array([v]) for v in (2.0, 1.9, 2.1, 1.8, 2.2)))
    widths = [0.3, None, 0.1, 0.5, 0.2, 0.9]
    _fake_refits(monkeypatch, widths)
    found = _expected(ladder, Target(1e23), (forecast, None), (0,), np.array([2e20]), _variates(6, 1, 0), "power", None)
    kept = np.array([w for w in widths if w is not None])
    mad = np.median(np.abs(kept - np.median(kept)))
    assert found.width == pytest.approx(0.3) and found.own == pytest.approx(0.3)
    assert found.se == pytest.approx(1.2533 * 1.4826 * mad / math.sqrt(5)) and found.failed == 1
    assert found.same_law == 1.0
    _fake_refits(monkeypatch, [0.3, 0.2], law="loss")
    other = _expected(ladder, Target(1e23), (forecast, None), (0,), np.array([2e20]), _variates(2, 1, 0), "power", None)
    assert other.same_law == 0.0 and other.se == pytest.approx(1.2533 * 1.4826 * 0.05 / math.sqrt(2))
    _fake_refits(monkeypatch, [0.3, None])
    one = _expected(ladder, Target(1e23), (forecast, None), (0,), np.array([2e20]), _variates(2, 1, 0), "power", None)
    assert one.width == pytest.approx(0.3) and math.isnan(one.se)  # one width has no spread to measure an error by
    _fake_refits(monkeypatch, [None, None])
    failed = _expected(
        ladder, Target(1e23), (forecast, None), (0,), np.array([2e20]), _variates(2, 1, 0), "power", None
    )
    assert failed.failed == 2 and all(math.isnan(v) for v in (failed.width, failed.own, failed.same_law, failed.se))


def test_a_plan_whose_refits_fail_says_how_many_and_every_refit_keeps_the_ladders_drift_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verdicts = _fake_refits(monkeypatch, [None, 0.1, 0.2, None, 0.3, 0.4])
    plan = plan_runs(_power_ladder(), Target(1e23), candidates=(1e20, 2e20), draws=3, max_runs=1)
    assert [c.failed_draws for c in plan.candidates] == [1, 1]
    drift = _power_ladder().fit(targets=(Target(1e23),)).fit.drift
    assert drift is not None and verdicts == [drift] * 6
    assert "2 of 6 planned refits could not be fitted and were left out" in plan.warnings


def test_a_planned_run_at_a_given_normal_is_the_estimate_plus_each_side_as_its_interval_says() -> None:
    """By hand, in log: ``log m + s_ci z_0 + s_new z_j`` with ``s = half-width / z_90`` on the side of each ``z``
    (``z_0 = 0.5`` above, ``-0.5`` below), ``s_new = sqrt(s_pi^2 - s_ci^2)``."""
    forecast = _Forecast(np.array([2.0]), np.array([1.9]), np.array([2.2]), np.array([1.7]), np.array([2.5]))
    shared, own = np.array([0.5, -0.5, 0.3]), np.array([[0.0], [0.0], [-0.7]])
    drawn = planned_draws(forecast, np.array([0]), (shared, own), 0.9)[:, 0]
    log = np.log
    ci_above, ci_below = (log(2.2) - log(2.0)) / Z90, (log(2.0) - log(1.9)) / Z90
    new_below = math.sqrt(((log(2.0) - log(1.7)) / Z90) ** 2 - ci_below**2)
    assert drawn[0] == pytest.approx(log(2.0) + 0.5 * ci_above, rel=1e-12)
    assert drawn[1] == pytest.approx(log(2.0) - 0.5 * ci_below, rel=1e-12)
    assert drawn[2] == pytest.approx(log(2.0) + 0.3 * ci_above - 0.7 * new_below, rel=1e-12)
    shares = planned_draws(forecast, np.array([0]), (shared, own), 0.9, log=False)[:, 0]
    assert shares[0] == pytest.approx(2.0 + 0.5 * 0.2 / Z90, rel=1e-12)


def test_the_current_forecast_at_the_candidates_is_each_ends_own() -> None:
    from scaling_forecast.results import Prediction

    found = _forecast_at((Prediction(1e20, 1.0, 2.0, (1.9, 2.1), (1.8, 2.3)),))
    assert [float(v[0]) for v in vars(found).values()] == [2.0, 1.9, 2.1, 1.8, 2.3]


@pytest.mark.parametrize("law", ["accuracy", "sigmoid"])
def test_planned_accuracies_stay_shares_and_the_task_loss_and_checkpoints_come_along(
    monkeypatch: pytest.MonkeyPatch, law: str
) -> None:
    """Accuracies drawn about 0.99 with a pi past 1: the law of accuracy gets them inside (1e-4, 1 - 1e-4) (its
    form takes log(-log accuracy)), the sigmoid inside [0, 1]; a planned run of a file of checkpoints is one row
    at the file's last step, named apart from every run; the two-step law's task loss comes with its accuracy."""
    from scaling_forecast.engine.runs import Runs
    from scaling_forecast.tasks import plan as planning
    from scaling_forecast.tasks.plan import EDGE, _expected

    runs = Runs(
        np.array([1e19, 1e19, 1e20, 1e20, 1e21]),
        np.array([0.5, 0.6, 0.7, 0.8, 0.9]),
        ("a", "a", "b", "b", "c"),
        "compute",
        "accuracy",
        "<data>",
        steps=np.array([1.0, 2.0, 1.0, 2.0, 2.0]),
        columns=np.array([[3.0], [2.9], [2.7], [2.6], [2.4]]),
        column_names=("task_loss",),
        metric="accuracy",
    )
    ladder = Ladder(runs.x, runs.y, runs.names, FitSettings(law=law), accuracy_runs=runs)
    seen = []

    def fit(grown, settings, targets):  # type: ignore[no-untyped-def]
        seen.append(grown)
        raise planning.ForecastError("recorded")

    monkeypatch.setattr(planning, "fit_accuracy_law", fit)
    accuracy = _Forecast(np.array([0.99]), np.array([0.98]), np.array([0.995]), np.array([0.9]), np.array([1.2]))
    task = _Forecast(np.array([2.0]), np.array([1.95]), np.array([2.05]), np.array([1.8]), np.array([2.2]))
    _expected(ladder, Target(1e23), (accuracy, task), (0,), np.array([1e22]), _variates(40, 1, 0), law, None)
    added = np.array([g.y[-1] for g in seen])
    edge = 0.0 if law == "sigmoid" else EDGE
    assert added.max() == 1.0 - edge and added.min() > 0.85 and np.any(added < 0.99)
    losses = np.array([g.columns[-1, 0] for g in seen])
    assert np.corrcoef(added[added < 1.0 - edge], losses[added < 1.0 - edge])[0, 1] < -0.9
    grown = seen[0]
    assert grown.names[-1] not in runs.names and grown.steps is not None and grown.steps[-1] == 2.0
    assert grown.steps.size == grown.y.size == grown.columns.shape[0] == len(grown.names)
    assert grown.x[-1] == 1e22 and grown.y.size == runs.y.size + 1


def test_planned_accuracies_near_0_stay_above_it_and_a_task_loss_moves_against_its_accuracy_curve_and_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """About 0.01 with a pi below 0: kept at 1e-4 and above. With the spread nearly all on the curve (ci close to
    pi, both forecasts), a draw's task loss and accuracy move against each other: correlation near -1."""
    from scaling_forecast.engine.runs import Runs
    from scaling_forecast.tasks import plan as planning
    from scaling_forecast.tasks.plan import EDGE, _expected

    runs = Runs(
        np.array([1e19, 1e20, 1e21]),
        np.array([0.01, 0.02, 0.03]),
        ("a", "b", "c"),
        "compute",
        "accuracy",
        "<data>",
        columns=np.array([[3.0], [2.7], [2.4]]),
        column_names=("task_loss",),
        metric="accuracy",
    )
    ladder = Ladder(runs.x, runs.y, runs.names, FitSettings(law="two-step"), accuracy_runs=runs)
    seen = []

    def fit(grown, settings, targets):  # type: ignore[no-untyped-def]
        seen.append((grown.y[-1], grown.columns[-1, 0]))
        raise planning.ForecastError("recorded")

    monkeypatch.setattr(planning, "fit_accuracy_law", fit)
    low = _Forecast(np.array([0.01]), np.array([0.005]), np.array([0.02]), np.array([-0.05]), np.array([0.05]))
    task = _Forecast(np.array([2.0]), np.array([1.9]), np.array([2.1]), np.array([1.89]), np.array([2.11]))
    _expected(ladder, Target(1e23), (low, task), (0,), np.array([1e22]), _variates(40, 1, 0), "two-step", None)
    assert min(a for a, _ in seen) == EDGE
    seen.clear()
    curve = _Forecast(np.array([0.5]), np.array([0.45]), np.array([0.55]), np.array([0.44]), np.array([0.56]))
    _expected(ladder, Target(1e23), (curve, task), (0,), np.array([1e22]), _variates(40, 1, 0), "two-step", None)
    accuracy, loss = np.array(seen).T
    assert np.corrcoef(accuracy, loss)[0, 1] < -0.95


def test_a_run_that_widens_is_not_added_to_a_set() -> None:
    chosen = ((1.0, "grid"), (1.0, "repeat"))

    def expected(rows: tuple[int, ...]) -> Expectation:
        width = 0.8 if len(rows) == 1 else 0.9  # a second run widens the interval
        return Expectation(width, width, 1.0, 0, 0.0)

    assert _best_set(chosen, {0: 0.8, 1: 0.85}, 5.0, 3, expected, 1.0) == ((0,), 0.8)


def test_an_expensive_candidate_first_does_not_stop_the_greedy_search_and_sets_stop_at_the_most_runs() -> None:
    chosen = ((5.0, "grid"), (1.0, "grid"), (1.0, "repeat"))
    widths = {0: 0.5, 1: 0.9, 2: 0.92}
    rows, _ = _best_set(chosen, widths, 2.0, 3, _additive(widths), 1.0)
    assert rows == (1, 1)  # the 5-FLOP run is skipped, not the end of the scan
    many = exhaustive_set(((1.0, "grid"),), 10.0, 2, lambda rows: Expectation(1.0 / (1 + len(rows)), 0, 1, 0, 0))
    assert many == ((0, 0), pytest.approx(1 / 3))


def test_a_candidate_a_million_times_off_is_refused_as_a_candidate_and_the_delta_method_is_named() -> None:
    runner = CliRunner()
    runs = str(EXAMPLES / "runs.csv")
    far = runner.invoke(app, ["plan", runs, "-t", "1e24", "--candidates", "1e12", "--draws", "2"])
    assert far.exit_code == 2 and "--candidates 1e+12: 1e-09x the largest run (1e+21)" in far.output
    delta = runner.invoke(app, ["plan", runs, "-t", "1e24", "--method", "delta", "--draws", "2", "--runs", "1"])
    assert delta.exit_code == 0 and "refitted (the delta method, seed 0)" in delta.output
    tasks = runner.invoke(app, ["plan", str(EXAMPLES / "pythia_tasks.csv"), "-t", "1e23"])
    assert (
        tasks.exit_code == 2 and "choose one with --task NAME (forecast fit and forecast compare also" in tasks.output
    )


def test_runs_the_draws_cannot_tell_apart_settle_on_the_one_of_most_compute_and_a_set_must_clearly_win() -> None:
    """Two single runs 0.02 apart with errors of 0.05: the one of more compute is recommended; a set of two runs
    0.03 narrower than it with an error of 0.05 is not, one 0.08 narrower is; a run outside one error of the
    narrowest is never the anchor."""
    chosen = ((1.0, "grid"), (2.0, "budget"), (0.5, "grid"))

    def known(table: dict[tuple[int, ...], tuple[float, float]]):  # type: ignore[no-untyped-def]
        def expected(rows: tuple[int, ...]) -> Expectation:
            width, se = table.get(rows, (0.99, 0.0))
            return Expectation(width, width, 1.0, 0, se)

        return expected

    widths = {(0,): (0.80, 0.05), (1,): (0.82, 0.05), (2,): (0.95, 0.01)}
    singles = {i: widths[(i,)][0] for i in range(3)}
    close = known({**widths, (0, 2): (0.79, 0.05)})
    assert _best_set(chosen, singles, 2.0, 2, close, 1.0) == ((1,), 0.82)
    clear = known({**widths, (0, 2): (0.74, 0.01)})
    assert _best_set(chosen, singles, 2.0, 2, clear, 1.0) == ((0, 2), 0.74)
    apart = known({(0,): (0.80, 0.01), (1,): (0.82, 0.01), (2,): (0.95, 0.01)})
    assert _best_set(chosen, singles, 2.0, 1, apart, 1.0) == ((0,), 0.80)


def test_the_anchor_is_the_run_of_most_compute_in_any_order_and_a_run_without_an_error_has_no_ties() -> None:
    """Candidates listed costliest first: the anchor is still the run of most compute among the ties. A narrowest
    run whose error could not be estimated (NaN) ties with no other run: it is the anchor itself."""

    def known(table: dict[tuple[int, ...], tuple[float, float]]):  # type: ignore[no-untyped-def]
        def expected(rows: tuple[int, ...]) -> Expectation:
            width, se = table.get(rows, (0.99, 0.0))
            return Expectation(width, width, 1.0, 0, se)

        return expected

    chosen = ((2.0, "budget"), (1.0, "grid"))
    widths = {(0,): (0.82, 0.05), (1,): (0.80, 0.05)}
    singles = {0: 0.82, 1: 0.80}
    assert _best_set(chosen, singles, 2.0, 1, known(widths), 1.0) == ((0,), 0.82)
    unknown = {(0,): (0.90, 0.05), (1,): (0.80, math.nan)}
    assert _best_set(chosen, {0: 0.90, 1: 0.80}, 2.0, 1, known(unknown), 1.0) == ((1,), 0.80)


@pytest.mark.parametrize("factor", [1e-6, 1e6])
def test_a_candidate_a_million_times_off_exactly_is_planned(factor: float) -> None:
    ladder = _power_ladder()
    plan = plan_runs(ladder, Target(1e23), candidates=(factor * 1e20,), draws=2, max_runs=1, budget=1e27)
    assert plan.candidates[0].compute == factor * 1e20
