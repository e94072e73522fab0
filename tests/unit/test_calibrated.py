"""The default accuracy law: the GPT-4 form with intervals calibrated on the ladder's rolling-origin errors.

Checked against a reference written here with numpy's ``polyfit`` and scipy's Student t, against
coverage on ladders of a known law (two-sided bands that tell the ``ci`` from the ``pi``), and on the
published Pythia numbers of the tasks that do not scale (winogrande near chance, wsc flat) and one
that worsens.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.engine.runs import Runs
from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.capability import fit_direct

#: Pythia 70M-1.4B (standard Pile, 0-shot): compute 6 N D (total parameters, 299.9B tokens) and winogrande
#: accuracy; then 2.8B, 6.9B and 12B (EleutherAI's published evaluations).
PYTHIA_COMPUTE = np.array([1.26723e20, 2.92077e20, 7.2934e20, 1.82056e21, 2.54546e21, 5.0e21, 1.23e22, 2.13e22])
WINOGRANDE = np.array([0.528, 0.531, 0.537, 0.537, 0.573, 0.594, 0.609, 0.639])


def _runs(compute: np.ndarray, accuracy: np.ndarray) -> Runs:
    names = tuple(f"r{i}" for i in range(compute.size))
    return Runs(compute, accuracy, names, "compute", "accuracy", "<data>", metric="accuracy")


def _reference(compute: np.ndarray, accuracy: np.ndarray, target: float, level: float) -> tuple[float, float, float]:
    """The estimate and the ci and pi half-widths, computed from the module's formulas with polyfit and scipy."""
    log_c, z = np.log(compute), np.log(-np.log(accuracy))
    slope, intercept = np.polyfit(log_c, z, 1)
    fitted = np.exp(-np.exp(intercept + slope * log_c))
    sigma2 = float(np.sum((accuracy - fitted) ** 2) / (compute.size - 2))
    ratios = []
    for k in range(3, compute.size):
        b, a = np.polyfit(log_c[:k], z[:k], 1)
        errors = np.exp(-np.exp(a + b * log_c[k:])) - accuracy[k:]
        distances = (log_c[k:] - log_c[:k].mean()) / math.log(10)
        ratios += list((errors**2 - sigma2) / distances**2)
    s2 = max(float(np.mean(ratios)), 0.0)
    t = stats.t.ppf(0.5 + level / 2, len(ratios))
    decades = (math.log(target) - log_c.mean()) / math.log(10)
    n = compute.size
    estimate = float(np.exp(-np.exp(intercept + slope * math.log(target))))
    return estimate, t * math.sqrt(sigma2 / n + s2 * decades**2), t * math.sqrt(sigma2 * (1 + 1 / n) + s2 * decades**2)


@pytest.mark.parametrize(("target", "level"), [(2.5e22, 0.9), (2.5e21, 0.8), (1e23, 0.95)])
def test_the_interval_is_the_closed_form_of_the_rolling_origin_errors(target: float, level: float) -> None:
    compute = np.geomspace(1e19, 1e21, 7)
    noise = np.array([0.012, -0.008, 0.004, -0.011, 0.009, -0.002, 0.006])
    accuracy = np.exp(-300.0 * compute**-0.15) + noise
    result = fit_direct(_runs(compute, accuracy), FitSettings(law="accuracy", level=level), (Target(target),))
    p = result.predictions[0]
    estimate, ci_half, pi_half = _reference(compute, accuracy, target, level)
    assert p.estimate == pytest.approx(estimate, rel=1e-10)
    assert p.ci == pytest.approx((max(estimate - ci_half, 0.0), min(estimate + ci_half, 1.0)), rel=1e-9)
    assert p.pi == pytest.approx((max(estimate - pi_half, 0.0), min(estimate + pi_half, 1.0)), rel=1e-9)
    assert ci_half < pi_half


def test_coverage_on_ladders_of_a_known_law_tells_the_ci_from_the_pi() -> None:
    """200 ladders of -log(acc) = 300 C^-0.15 with noise 0.01, forecast 10x beyond: the pi holds a new run and the
    ci the true curve about 90% of the time (measured 0.96 and 0.95: the rolling errors of six runs are few), and
    the ci does not hold a new run as often as the pi does."""
    rng = np.random.default_rng(11)
    compute = np.geomspace(1e19, 1e21, 6)
    truth = float(np.exp(-300.0 * 1e22**-0.15))
    pi_holds = ci_holds = ci_holds_run = 0
    for _ in range(200):
        accuracy = np.exp(-300.0 * compute**-0.15) + rng.normal(0.0, 0.01, compute.size)
        p = fit_direct(_runs(compute, accuracy), FitSettings(law="accuracy"), (Target(1e22),)).predictions[0]
        run = truth + rng.normal(0.0, 0.01)
        pi_holds += p.pi[0] <= run <= p.pi[1]
        ci_holds += p.ci[0] <= truth <= p.ci[1]
        ci_holds_run += p.ci[0] <= run <= p.ci[1]
    assert 170 <= pi_holds <= 198
    assert 166 <= ci_holds <= 198
    assert ci_holds_run < pi_holds


def test_a_task_near_chance_is_forecast_along_its_trend_with_a_widening_interval() -> None:
    """winogrande from Pythia 70M-1.4B (flat near chance): not the runs' flat 0.54 with a 9-point interval; the
    warning says it has not started to scale; the interval grows with distance and holds 2.8B, 6.9B and 12B."""
    result = fit_direct(
        _runs(PYTHIA_COMPUTE[:5], WINOGRANDE[:5]),
        FitSettings(law="accuracy", chance=0.5),
        tuple(Target(c) for c in PYTHIA_COMPUTE[5:]),
    )
    assert result.fit.trend == "flat"
    assert any("sits near chance (0.5)" in w and "not started to scale" in w for w in result.fit.warnings)
    widths = [p.pi[1] - p.pi[0] for p in result.predictions]
    assert widths == sorted(widths) and widths[-1] > 0.2
    assert all(p.estimate > WINOGRANDE[:5].mean() + 0.02 for p in result.predictions)
    assert all(p.pi[0] <= actual <= p.pi[1] for p, actual in zip(result.predictions, WINOGRANDE[5:], strict=True))


def test_a_task_flat_well_above_chance_stays_flat_without_the_chance_warning() -> None:
    accuracy = np.array([0.812, 0.805, 0.815, 0.809, 0.811, 0.807])
    compute = np.geomspace(1e19, 1e21, 6)
    result = fit_direct(_runs(compute, accuracy), FitSettings(law="accuracy", chance=0.25), (Target(1e22),))
    p = result.predictions[0]
    assert result.fit.trend == "flat" and not any("near chance" in w for w in result.fit.warnings)
    assert p.estimate == pytest.approx(accuracy.mean(), abs=0.01)
    assert any("is flat across these runs" in w for w in result.fit.warnings)


def _write(path: Path, compute: np.ndarray, accuracy: np.ndarray) -> Path:
    path.write_text(
        "compute,accuracy\n" + "".join(f"{c:.6g},{a:.4f}\n" for c, a in zip(compute, accuracy, strict=True))
    )
    return path


@pytest.mark.parametrize("law", ["accuracy", "gpt4", "sigmoid"])
def test_a_falling_accuracy_is_worsening_warned_and_exit_0(tmp_path: Path, law: str) -> None:
    """A stereotype rate that worsens with scale (inverse scaling, as crows_pairs): fitted by the GPT-4 forms,
    reported worsening with the warning, and forecast still falling; the sigmoid, which only rises from chance,
    refuses it in one line that names the laws that follow it."""
    compute = np.geomspace(1e19, 1e21, 6)
    accuracy = 0.6 - 0.03 * np.log10(compute / 1e19) + np.array([0.004, -0.003, 0.002, -0.004, 0.003, -0.001])
    path = _write(tmp_path / "falling.csv", compute, accuracy)
    result = CliRunner().invoke(app, ["fit", str(path), "-t", "10x", "--law", law, "-f", "json"])
    if law == "sigmoid":
        assert result.exit_code == 3 and result.stderr.count("\n") == 1 and "--law accuracy" in result.stderr
        return
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["fit"]["trend"] == "worsening"
    assert any("gets worse with compute" in w for w in document["fit"]["warnings"])
    assert document["predictions"][0]["estimate"] < accuracy[-1]
    if law == "accuracy":
        assert document["predictions"][0]["pi"][1] < accuracy[-1]


def _reach(tmp_path: Path, accuracy: np.ndarray, values: str, *law: str) -> dict[str, str]:
    compute = np.geomspace(1e19, 1e21, accuracy.size)
    path = _write(tmp_path / "runs.csv", compute, accuracy)
    reach = [arg for value in values.split(",") for arg in ("--reach", value)]
    result = CliRunner().invoke(app, ["fit", str(path), *reach, *law, "-f", "json"])
    assert result.exit_code == 0, result.output
    return {f"{r['value']:g}": r["status"] for r in json.loads(result.stdout)["reach"]}


def test_reach_statuses_are_right_on_rising_falling_and_flat_tasks(tmp_path: Path) -> None:
    """A value below every run is already reached and one no forecast approaches is not, whatever the trend; a
    rising task reaches a value above its runs at some compute, a falling one never does."""
    steps = np.arange(6)
    rising = _reach(tmp_path, 0.40 + 0.04 * steps, "0.3,0.7,0.99")
    assert rising == {"0.3": "already reached", "0.7": "reached", "0.99": "not reached"}
    falling = _reach(tmp_path, 0.60 - 0.03 * steps, "0.2,0.7")
    assert falling == {"0.2": "already reached", "0.7": "not reached"}
    wobble = np.array([0.004, -0.003, 0.002, -0.004, 0.003, -0.001])
    flat = _reach(tmp_path, 0.365 + wobble, "0.3,0.7", "--law", "sigmoid", "--chance", "0.5")
    assert flat == {"0.3": "already reached", "0.7": "not reached"}


def test_a_perplexity_is_fitted_as_its_log_and_cannot_be_forecast_below_1(tmp_path: Path) -> None:
    """lambada perplexity of Pythia 70M-1.4B (published): as a loss the power law would take it toward 0 (an
    impossible perplexity below 1 far out); as its log (nats) the forecast stays above 0 at every target, and a
    perplexity of 1 or less is refused in one line."""
    compute = PYTHIA_COMPUTE[:5]
    perplexity = np.array([142.43, 38.065, 10.828, 7.9157, 6.0857])
    path = tmp_path / "ppl.csv"
    path.write_text("compute,ppl\n" + "".join(f"{c:.6g},{p}\n" for c, p in zip(compute, perplexity, strict=True)))
    result = CliRunner().invoke(app, ["fit", str(path), "--y", "ppl", "-t", "1000x", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["data"]["y_column"] == "log ppl"
    assert document["fit"]["rmse"] < 0.2 and all(p["pi"][0] > 0.0 for p in document["predictions"])
    broken = [*perplexity[:4], 0.9]
    path.write_text("compute,ppl\n" + "".join(f"{c:.6g},{p}\n" for c, p in zip(compute, broken, strict=True)))
    refused = CliRunner().invoke(app, ["fit", str(path), "--y", "ppl"])
    assert (
        refused.exit_code == 2
        and refused.stderr.count("\n") == 1
        and "is a perplexity, which is above 1" in refused.stderr
    )


def test_the_two_step_pi_is_at_least_as_wide_as_its_rolling_origin_errors_say() -> None:
    """Pythia's lambada (the shipped example): the pi at 12B holds estimate +- t_m sqrt(sigma^2 (1 + 1/n) + s^2 D^2)
    from the procedure's own rolling-origin errors, computed here from the stored errors with scipy."""
    import scaling_forecast as sf

    root = Path(__file__).resolve().parents[2]
    runs = sf.load_runs(str(root / "examples" / "pythia_lambada.csv"))
    result = sf.fit_runs(runs, sf.FitSettings(chance=0.0), (sf.Target(2.13e22),))
    calibration = result.model.calibration
    assert calibration is not None and calibration.errors.size == 3  # origins of 3 and 4 runs forecast 2 + 1 runs
    e, d, sigma, n = calibration.errors, calibration.distances, calibration.sigma, calibration.n
    s2 = max(float(np.mean((e**2 - sigma**2) / d**2)), 0.0)
    decades = math.log10(2.13e22) - calibration.centre
    half = stats.t.ppf(0.95, e.size) * math.sqrt(sigma**2 * (1 + 1 / n) + s2 * decades**2)
    p = result.predictions[0]
    assert p.pi[0] <= max(p.estimate - half, 0.0) + 1e-12 and p.pi[1] >= min(p.estimate + half, 1.0) - 1e-12
    assert p.pi[0] <= p.ci[0] <= p.estimate <= p.ci[1] <= p.pi[1]


def test_on_an_overtraining_grid_step_1_is_the_chinchilla_law(tmp_path: Path) -> None:
    """Runs of params and tokens where each size is trained on three token counts: compute alone does not set the
    loss, so step 1 is L(N, D); at a larger (N, D) the task loss and the accuracy of the known law fall inside
    their intervals. A file whose sizes each have one token count keeps step 1 on compute."""
    rng = np.random.default_rng(3)
    rows = []
    for n in (2e7, 6e7, 2e8, 6e8):
        for ratio in (10, 40, 160):
            loss = 1.7 + 400.0 / n**0.34 + 800.0 / (ratio * n) ** 0.28 + rng.normal(0.0, 0.005)
            accuracy = 0.25 + 0.75 / (1.0 + math.exp(3.0 * (loss - 3.2))) + rng.normal(0.0, 0.004)
            rows.append(f"{n:.6g},{ratio * n:.6g},{loss:.6f},{accuracy:.6f}")
    path = tmp_path / "grid.csv"
    path.write_text("params,tokens,task_loss,accuracy\n" + "\n".join(rows) + "\n")
    n, d = 3e9, 6e10
    true_loss = 1.7 + 400.0 / n**0.34 + 800.0 / d**0.28
    true_accuracy = 0.25 + 0.75 / (1.0 + math.exp(3.0 * (true_loss - 3.2)))
    result = CliRunner().invoke(app, ["fit", str(path), "--at", f"{n:g},{d:g}", "--chance", "0.25", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["law"] == "two-step" and "E + A / N^alpha" in document["formula"]
    p = document["predictions"][-1]
    assert p["task_loss"]["pi"][0] <= true_loss <= p["task_loss"]["pi"][1]
    assert p["pi"][0] <= true_accuracy <= p["pi"][1] and abs(p["estimate"] - true_accuracy) < 0.05
    single = tmp_path / "ladder.csv"
    single.write_text("params,tokens,task_loss,accuracy\n" + "\n".join(rows[1::3]) + "\n")
    ladder = CliRunner().invoke(app, ["fit", str(single), "-t", "10x", "--chance", "0.25", "-f", "json"])
    assert ladder.exit_code == 0 and "E + A / N^alpha" not in json.loads(ladder.stdout)["formula"], ladder.output


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (
            {"method": "delta"},
            "method 'delta': the accuracy law's intervals come from the ladder's own rolling-origin errors",
        ),
        ({"loss_fn": "huber"}, "loss_fn 'huber': the accuracy law is fitted by least squares on accuracy"),
    ],
)
def test_the_library_refuses_what_the_accuracy_law_does_not_use(options: dict, line: str) -> None:
    from scaling_forecast.errors import ConfigError
    from scaling_forecast.tasks.capability import fit_accuracy_law

    compute = np.geomspace(1e19, 1e21, 6)
    runs = _runs(compute, np.exp(-300.0 * compute**-0.15))
    with pytest.raises(ConfigError) as raised:
        fit_accuracy_law(runs, FitSettings(law="accuracy", **options), (Target(1e22),))
    assert str(raised.value) == line


def _ladder(compute: np.ndarray) -> np.ndarray:
    noise = np.array([0.012, -0.008, 0.004, -0.011, 0.009, -0.002, 0.006])[: compute.size]
    return np.exp(-300.0 * compute**-0.15) + noise


@pytest.mark.parametrize(
    "compute",
    [np.geomspace(1e19, 1e21, 7), np.geomspace(1e19, 1e21, 5), np.array([1.0e20, 1.15e20, 1.3e20, 1.5e20])],
    ids=["7 runs", "5 runs", "4 within a factor 1.5"],
)
@pytest.mark.parametrize("level", [0.9, 0.8])
def test_alpha_and_k_are_scipys_least_squares_line_with_its_t_intervals(compute: np.ndarray, level: float) -> None:
    """alpha = exp(intercept) and k = -slope of log(-log acc) on ln C, with scipy's standard errors, t intervals on
    n - 2 degrees of freedom, and alpha's standard error through exp (the delta method)."""
    accuracy = _ladder(compute)
    line = stats.linregress(np.log(compute), np.log(-np.log(accuracy)))
    t = stats.t.ppf(0.5 + level / 2, compute.size - 2)
    result = fit_direct(_runs(compute, accuracy), FitSettings(law="accuracy", level=level), (Target(1e22),))
    alpha, k = result.params
    assert (alpha.name, k.name) == ("alpha", "k")
    assert k.estimate == pytest.approx(-line.slope, rel=1e-9)
    assert k.stderr == pytest.approx(line.stderr, rel=1e-9)
    assert k.ci == pytest.approx((-line.slope - t * line.stderr, -line.slope + t * line.stderr), rel=1e-9)
    assert alpha.estimate == pytest.approx(math.exp(line.intercept), rel=1e-9)
    assert alpha.stderr == pytest.approx(math.exp(line.intercept) * line.intercept_stderr, rel=1e-9)
    low, high = (
        math.exp(line.intercept - t * line.intercept_stderr),
        math.exp(line.intercept + t * line.intercept_stderr),
    )
    assert alpha.ci == pytest.approx((low, high), rel=1e-9)
    assert result.level == level


def test_the_line_of_runs_at_one_compute_is_flat_at_their_mean() -> None:
    from scaling_forecast.engine.calibrated import gpt4_line

    z_mean = float(np.mean(np.log(-np.log([0.5, 0.6, 0.7]))))
    assert gpt4_line(np.full(3, 46.0), np.array([0.5, 0.6, 0.7])) == pytest.approx([z_mean, 0.0], abs=1e-12)


def test_three_runs_leave_no_rolling_origin_and_an_infinite_calibration() -> None:
    from scaling_forecast.engine.calibrated import Calibration, rolling_errors

    errors, distances = rolling_errors(np.log(np.geomspace(1e19, 1e21, 3)), np.array([0.3, 0.4, 0.5]))
    assert errors.shape == (0,) and distances.shape == (0,)
    calibration = Calibration(errors, distances, 0.01, 3, 20.0)
    assert calibration.scale == math.inf and calibration.dof == 1
    ci, pi = calibration.halves(np.array([1e21, 1e20]), 0.9)  # 1 decade from the centre, and at it
    assert ci.tolist() == [math.inf, math.inf] and pi.tolist() == [math.inf, math.inf]


def test_a_far_forecast_near_1_stays_in_the_unit_interval_without_numpy_warnings() -> None:
    """An accuracy close to 1 forecast 1000x beyond: the ci and pi are clipped at 1, the draws too, and the GPT-4
    form's exp overflowing far below the runs says nothing."""
    import warnings

    from scaling_forecast.engine.calibrated import gpt4_accuracy

    compute = np.geomspace(1e19, 1e21, 7)
    accuracy = np.array([0.90, 0.93, 0.935, 0.96, 0.955, 0.975, 0.98])
    result = fit_direct(_runs(compute, accuracy), FitSettings(law="accuracy"), (Target(1e24),))
    (far,) = result.predictions
    assert far.ci[1] == 1.0 and far.pi[1] == 1.0 and 0.0 < far.pi[0] <= far.ci[0] < far.estimate < 1.0
    draws = result.model.draws(1e24)
    assert draws.max() == 1.0 and draws.min() >= 0.0 and 0.0 < np.mean(draws == 1.0) < 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gpt4_accuracy(np.array([5.0, -0.5]), np.array([-2000.0]))[0] == 0.0


def test_compares_draws_are_student_t_scaled_to_the_ci() -> None:
    """The draws of the true accuracy (compare's P(better)) are estimate + ci_half / t_0.95 * T: their 5% and 95%
    quantiles are the 90% ci, at every level the fit was made at."""
    from dataclasses import replace

    compute = np.geomspace(1e19, 1e21, 7)
    for level in (0.9, 0.5):
        result = fit_direct(_runs(compute, _ladder(compute)), FitSettings(law="accuracy", level=level), ())
        model = replace(result.model, n_draws=200_000)
        estimate, ci_half, _ = _reference(compute, _ladder(compute), 3e21, 0.9)
        draws = model.draws(3e21)
        assert estimate - ci_half > 0.05 and estimate + ci_half < 0.95  # the clip does not bind
        assert np.quantile(draws, [0.05, 0.5, 0.95]) == pytest.approx(
            [estimate - ci_half, estimate, estimate + ci_half], abs=0.01 * ci_half
        )


def test_a_saved_calibrated_model_forecasts_and_draws_the_same() -> None:
    from scaling_forecast.engine.calibrated import CalibratedModel, Calibration

    compute = np.geomspace(1e19, 1e21, 7)
    result = fit_direct(_runs(compute, _ladder(compute)), FitSettings(law="accuracy", seed=7), (Target(1e22),))
    model = result.model
    assert isinstance(model, CalibratedModel)
    model = __import__("dataclasses").replace(model, before=("first",), after=("last",), n_draws=321)
    again = CalibratedModel.from_state(model.law, json.loads(json.dumps(model.to_state())))
    assert again.law is model.law and again.seed == 7 and again.n_draws == 321
    assert (again.before, again.after) == (("first",), ("last",))
    for name in ("theta", "log_c", "accuracy", "errors", "distances"):
        assert np.array_equal(getattr(again, name), getattr(model, name))
    assert np.array_equal(again.draws(1e22), model.draws(1e22)) and again.draws(1e22).size == 321
    calibration = Calibration.from_state(json.loads(json.dumps(model.calibration.to_state())))
    assert calibration.scale == model.calibration.scale and calibration.centre == model.calibration.centre
    assert calibration.n == model.calibration.n and calibration.sigma == model.calibration.sigma


def test_a_falling_accuracy_near_0_draws_and_intervals_stay_at_or_above_0() -> None:
    compute = np.geomspace(1e19, 1e21, 7)
    accuracy = np.array([0.05, 0.045, 0.041, 0.036, 0.031, 0.029, 0.022])
    result = fit_direct(_runs(compute, accuracy), FitSettings(law="accuracy"), (Target(1e24),))
    (far,) = result.predictions
    assert far.pi[0] == 0.0 and far.ci[0] == 0.0 and far.estimate < 0.02
    draws = result.model.draws(1e24)
    assert draws.min() == 0.0 and 0.0 < np.mean(draws == 0.0) < 0.5


def test_a_steep_ladder_has_an_alpha_beyond_a_float_without_failing_or_warning() -> None:
    """Accuracy from 0.3 to 0.99 within a factor 1.2 of compute: k is about 26 and alpha = exp(~1200) is infinite."""
    import warnings

    compute = np.geomspace(1.0e20, 1.2e20, 5)
    accuracy = np.array([0.3, 0.6, 0.85, 0.95, 0.99])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alpha, k = fit_direct(_runs(compute, accuracy), FitSettings(law="accuracy"), ()).params
    assert k.estimate > 20 and alpha.estimate == math.inf and alpha.ci[1] == math.inf


def test_four_runs_warn_that_the_intervals_rest_on_few_forecasts_and_five_do_not() -> None:
    """4 runs leave 1 rolling-origin forecast (origin of 3, forecasting the 4th); 5 runs are enough."""
    compute = np.geomspace(1e19, 1e21, 5)
    accuracy = _ladder(compute)
    four = fit_direct(_runs(compute[:4], accuracy[:4]), FitSettings(law="accuracy"), ())
    assert four.fit.warnings[0] == (
        "only 4 runs (fewer than 5): the intervals rest on 1 rolling-origin forecast(s) of a larger run; add runs for "
        "a reliable forecast"
    )
    five = fit_direct(_runs(compute, accuracy), FitSettings(law="accuracy"), ())
    assert not any(w.startswith("only ") for w in five.fit.warnings)


def test_a_forecast_at_another_level_reports_that_level() -> None:
    from scaling_forecast.tasks.ladder import fit_law

    compute = np.geomspace(1e19, 1e22, 8)
    accuracy = 0.25 + 0.6 / (1 + np.exp(-1.5 * (np.log10(compute) - 20.5)))
    result = fit_law(compute, accuracy, FitSettings(law="accuracy"), (Target(1e23),))
    again = result.model.forecast(result, (Target(1e23),), 0.5)
    assert result.level == 0.9 and again.level == 0.5
    (p,) = again.predictions
    (q,) = result.predictions
    assert p.pi[1] - p.pi[0] < q.pi[1] - q.pi[0]
