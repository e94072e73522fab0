"""The notebook API: DataFrames and records in, validated arrays, frames and forecasts out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scaling_forecast as sf
from scaling_forecast.errors import DataError

from ..conftest import EXAMPLES


def test_a_dataframe_and_records_load_as_the_file_does() -> None:
    from_file = sf.load_runs(EXAMPLES / "runs.csv")
    frame = pd.read_csv(EXAMPLES / "runs.csv")
    for data in (frame, frame.to_dict("records"), frame.set_index("run")):
        runs = sf.load_runs(data)
        assert list(runs.x) == list(from_file.x) and list(runs.y) == list(from_file.y)
        assert runs.names == from_file.names


def test_a_dataframe_gets_the_same_one_line_errors() -> None:
    frame = pd.DataFrame({"compute": [1e18, 1e19, -1.0], "loss": [3.0, 2.8, 2.6]})
    with pytest.raises(DataError, match=r"<DataFrame>: row 3, column 'compute': -1 must be positive"):
        sf.load_runs(frame)
    with pytest.raises(DataError, match="a pandas DataFrame or a list of records, not int"):
        sf.load_runs(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf, 0.0])
def test_fit_law_refuses_bad_arrays_by_index(bad: float) -> None:
    compute = np.array([1e18, bad, 1e20, 1e21, 1e22])
    with pytest.raises(DataError, match=r"<data>: compute\[1\] is .*; every value must be a positive finite number"):
        sf.fit_law(compute, [3.0, 2.8, 2.6, 2.5, 2.4], sf.FitSettings())
    with pytest.raises(DataError, match="5 compute values but 4 loss values"):
        sf.fit_law(np.geomspace(1e18, 1e22, 5), [3.0, 2.8, 2.6, 2.5], sf.FitSettings())


def test_summary_frame_and_predict_are_the_fit_s_own_forecasts() -> None:
    runs = sf.load_runs(EXAMPLES / "runs.csv")
    targets = (sf.parse_target(1e23), sf.parse_target(1e24))
    result = sf.fit_law(runs.x, runs.y, sf.FitSettings(n_boot=200), targets)
    frame = result.summary_frame()
    assert list(frame.columns) == [
        "target",
        "extrapolation_factor",
        "mean",
        "ci_lower",
        "ci_upper",
        "pi_lower",
        "pi_upper",
    ]
    for row, p in zip(frame.itertuples(), result.predictions, strict=True):
        assert (row.mean, row.ci_lower, row.ci_upper, row.pi_lower, row.pi_upper) == (p.estimate, *p.ci, *p.pi)
    again = result.predict([1e23, 1e24])
    assert again.predictions == result.predictions  # the same state, the same numbers
    assert result.predict(1e24, level=0.5).predictions[0].ci[1] < result.predictions[1].ci[1]
    assert "loss law" in repr(result) and "<table>" in result._repr_html_()


def test_load_runs_reads_chinchilla_runs_and_points_pass_rates_to_load_for_law() -> None:
    runs = sf.load_runs(EXAMPLES / "chinchilla.csv", law="chinchilla")
    assert runs.columns is not None and runs.columns.shape == (len(runs), 2)
    cli_runs, _ = sf.load_for_law(str(EXAMPLES / "chinchilla.csv"), "chinchilla")
    assert np.array_equal(runs.columns, cli_runs.columns) and np.array_equal(runs.y, cli_runs.y)
    with pytest.raises(sf.ConfigError, match=r"load_for_law\(path, 'passrate'\)"):
        sf.load_runs(EXAMPLES / "passrates_aggregate.csv", law="passrate")


@pytest.mark.parametrize(
    ("compute", "y", "message"),
    [
        ("abc", [1.0, 2.0], "f.csv: flops must be numbers; got str"),
        ([[1e18, 1e19]], [3.0, 2.0], "f.csv: flops must be one value per run (a 1-d array); got shape (1, 2)"),
        (
            [1e18, 1e19, 1e20],
            [3.0, 0.0, -1.0],
            "f.csv: val_loss[1] is 0.0; every value must be a positive finite number (laws are fitted in log space)",
        ),
        (
            [1e18, np.nan, 1e20],
            [3.0, 2.5, 2.0],
            "f.csv: flops[1] is nan; every value must be a positive finite number (laws are fitted in log space)",
        ),
        ([1e18, 1e19, 1e20], [3.0, 2.5], "f.csv: 3 flops values but 2 val_loss values"),
    ],
)
def test_bad_arrays_are_named_with_their_file_column_and_row(compute: object, y: object, message: str) -> None:
    import scaling_forecast as sf
    from scaling_forecast.errors import DataError

    with pytest.raises(DataError) as caught:
        sf.fit_law(
            compute, y, sf.FitSettings(law="power", method="delta"), file="f.csv", x_column="flops", y_column="val_loss"
        )  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_settings_a_law_cannot_take_are_refused_in_one_line() -> None:
    import scaling_forecast as sf
    from scaling_forecast.errors import ConfigError, DataError
    from scaling_forecast.tasks.fit import objective_of, pass_rate_settings

    compute = np.geomspace(1e18, 1e21, 6)
    with pytest.raises(ConfigError) as caught:
        sf.fit_law(compute, 2.0 + compute**-0.1, sf.FitSettings(law="chinchilla", n_boot=100))
    assert str(caught.value) == "--law chinchilla: the law reads params, tokens per run; give the runs' params, tokens"
    with pytest.raises(DataError) as few:
        sf.fit_law(compute[:3], 2.0 + compute[:3] ** -0.1, sf.FitSettings(law="loss", method="delta"), file="f.csv")
    assert str(few.value) == (
        "f.csv: the loss law has 3 parameters and needs runs at 4 or more distinct compute values, got 3; add runs "
        "or use --law power"
    )
    with pytest.raises(DataError) as two:
        sf.fit_law(compute[:2], 2.0 + compute[:2] ** -0.1, sf.FitSettings(law="power", method="delta"), file="f.csv")
    assert str(two.value).endswith("needs runs at 3 or more distinct compute values, got 2; add runs")
    with pytest.raises(ConfigError) as zeros:
        pass_rate_settings(sf.FitSettings(), "drop")
    assert str(zeros.value) == "--zeros 'drop': unknown policy; choose one of subset, smooth, error"
    with pytest.raises(ConfigError) as law:
        pass_rate_settings(sf.FitSettings(law="loss"), "subset")
    assert str(law.value) == "--law loss: this file holds pass rates; use --law passrate (or auto)"
    assert objective_of(sf.FitSettings(loss_fn="huber", huber_delta=0.02)).delta == 0.02


def test_a_fits_summary_is_the_runs_and_residuals_by_hand() -> None:
    """The power law in logs is a straight line: the summary's rmse is numpy's least-squares residuals', the data
    block the runs' own extent, and what the caller said (file, sweep, problems, level) is reported as said."""
    from scaling_forecast.settings import FitSettings, Target
    from scaling_forecast.tasks.ladder import fit_law

    compute = np.geomspace(1e18, 1e21, 7)
    loss = 40.0 * compute**-0.08 * np.exp(np.random.default_rng(4).normal(0.0, 0.01, 7))
    problems = {"n_problems": 3, "zeros": "subset"}
    result = fit_law(
        compute[::-1],
        loss[::-1],
        FitSettings(law="power", method="delta", level=0.8),
        (Target(1e23),),
        file="f.csv",
        sweep="s",
        problems=problems,
    )
    slope, intercept = np.polyfit(np.log(compute), np.log(loss), 1)
    residuals = np.log(loss) - (intercept + slope * np.log(compute))
    assert result.fit.rmse == pytest.approx(float(np.sqrt(np.mean(residuals**2))), rel=1e-9)
    assert result.fit.converged is True and result.fit.dof == 5 and result.level == 0.8
    data = result.data
    assert (data.compute_min, data.compute_max, data.n_runs, data.points) == (1e18, 1e21, 7, None)
    assert (data.file, data.sweep, data.problems) == ("f.csv", "s", problems)
    assert result.params[1].estimate == pytest.approx(slope, rel=1e-9)


def test_a_binned_fits_new_run_noise_is_every_runs_own_scatter() -> None:
    """Fitted to bins, a new run's noise comes from every run: ``s^2 = sum r_i^2 / (n - p)`` of the runs' residuals
    from the law, each replicate's noise a centred residual drawn with the run-noise stream, each replicate's scale
    ``s``; without replicates only ``s`` changes. Of the candidates, the chosen law takes the fit's state, a spanned
    law its own with the runs' noise, and the others are left as they were."""
    from dataclasses import replace

    from scaling_forecast.engine.forecasting import CandidateState
    from scaling_forecast.engine.streams import Stream, stream
    from scaling_forecast.engine.uncertainty import delta_uncertainty, estimate_uncertainty
    from scaling_forecast.laws import get_law
    from scaling_forecast.tasks.fit import _candidates_run_noise, _run_noise

    law = get_law("power")
    compute = np.geomspace(1e18, 1e21, 9)
    log_x = np.log(compute) - np.log(compute).mean()
    log_y = np.log(40.0 * compute**-0.08) + np.random.default_rng(5).normal(0.0, 0.02, 9)
    theta = np.polyfit(log_x, log_y, 1)[::-1] + np.array([0.01, 0.0])  # not the runs' own optimum: r is not centred
    residuals = log_y - (theta[0] + theta[1] * log_x)
    s = float(np.sqrt(residuals @ residuals / 7))
    plain = _run_noise(law, delta_uncertainty(law, log_x, log_y, theta), log_x, log_y, 3)
    assert plain.sigma == pytest.approx(s, rel=1e-12) and plain.boot_noise is None
    boot = estimate_uncertainty(law, log_x, log_y, theta, method="bootstrap", n_boot=300, seed=1)
    noisy = _run_noise(law, boot, log_x, log_y, 3)
    drawn = stream(3, Stream.RUN_NOISE).integers(0, 9, size=300)
    assert noisy.boot_noise is not None and noisy.boot_sigma is not None
    assert noisy.boot_noise == pytest.approx((residuals - residuals.mean())[drawn], rel=1e-12)
    assert noisy.sigma == pytest.approx(s, rel=1e-12) and (noisy.boot_sigma == noisy.sigma).all()
    assert np.array_equal(noisy.boot_theta, boot.boot_theta)
    candidates = (
        CandidateState("loss", None, True),
        CandidateState("power", boot, True),
        CandidateState("broken", boot, False),
        CandidateState("sigmoid", None, True),
    )
    fitted = replace(boot, sigma=0.5)
    chosen, spanned, left, missing = _candidates_run_noise(get_law("loss"), candidates, fitted, log_x, log_y, 3)
    assert chosen.state is fitted and left.state is boot and missing.state is None
    assert spanned.state is not None and spanned.state.sigma == pytest.approx(s, rel=1e-12)
    assert spanned.state.boot_noise == pytest.approx(noisy.boot_noise, rel=1e-12)


def test_fits_that_cannot_stand_say_why_word_for_word() -> None:
    """A rising loss, a flat loss, chinchilla by the delta method, and a
    chinchilla fit whose data term vanished: each refused with its own line."""
    from scaling_forecast.errors import ConfigError, FitError
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import fit_law

    compute = np.array([1e18, 1e19, 1e20, 1e21])
    rising = np.array([2.0, 2.2, 2.42, 2.662])
    with pytest.raises(FitError) as refused:
        fit_law(compute, rising, FitSettings(law="power", method="delta"), file="f.csv", x_column="flops", y_column="v")
    assert str(refused.value) == (
        "f.csv: v rises with flops (from 2 at 1e+18 to 2.662 at 1e+21), and the power law can only fall; fit a "
        "quantity that falls with scale (a loss, --y COL), an accuracy with --law accuracy, or check that larger "
        "runs really have more compute"
    )
    with pytest.raises(FitError) as refused:
        fit_law(compute, np.full(4, 2.5), FitSettings(law="power", method="delta"), file="f.csv")
    assert str(refused.value) == (
        "f.csv: the fitted power law is flat (loss does not change with compute); check that the runs differ in compute"
    )
    params = np.repeat([1e8, 1e9, 1e10], 3)
    tokens = params * np.tile([10.0, 20.0, 40.0], 3)
    columns = np.column_stack([params, tokens])
    with pytest.raises(ConfigError) as refused:
        fit_law(
            6 * params * tokens,
            2.0 + 400 / params**0.34,
            FitSettings(law="chinchilla", method="delta"),
            columns=columns,
        )
    assert str(refused.value) == (
        "--law chinchilla uses a case bootstrap over runs, as its reference protocol; --method delta is not available"
    )
    with pytest.raises(FitError, match=r"^f\.csv: the chinchilla fit has no tokens term "):
        fit_law(
            6 * params * tokens,
            2.0 + 400 / params**0.34,
            FitSettings(law="chinchilla", n_boot=100),
            file="f.csv",
            columns=columns,
        )


def test_a_huber_fit_is_scipys_huber_least_squares_in_logs() -> None:
    """``--loss-fn huber`` fits ``min sum huber_delta(log y - log f)``: the power law's optimum against scipy's
    ``least_squares(loss='huber', f_scale=delta)`` on the log residuals, with one run far off the line."""
    from scipy.optimize import least_squares

    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import fit_law

    compute = np.geomspace(1e18, 1e21, 9)
    loss = 40.0 * compute**-0.08 * np.exp(np.random.default_rng(6).normal(0.0, 0.01, 9))
    loss[4] *= 1.3
    x, y = np.log(compute), np.log(loss)
    reference = least_squares(lambda t: y - (t[0] + t[1] * x), np.polyfit(x, y, 1)[::-1], loss="huber", f_scale=0.01)
    result = fit_law(compute, loss, FitSettings(law="power", method="delta", loss_fn="huber", huber_delta=0.01))
    plain = fit_law(compute, loss, FitSettings(law="power", method="delta"))
    assert result.param("b").estimate == pytest.approx(reference.x[1], rel=1e-6)
    assert abs(plain.param("b").estimate - reference.x[1]) > 1e-3 * abs(reference.x[1])  # least squares differs


def test_pass_rates_are_fitted_with_their_column_sweep_problems_and_problem_bootstrap() -> None:
    """``fit_rates`` is ``fit_curve`` of ``Q = -mean log p`` with the runs' column and sweep, the problem notes, and
    the problem bootstrap as its replicates (a residual-only bootstrap gives another interval)."""
    from scaling_forecast.engine.passrates import PassRateRuns
    from scaling_forecast.settings import FitSettings, Target
    from scaling_forecast.tasks.fit import fit_curve, fit_rates, rate_inputs

    rng = np.random.default_rng(7)
    compute = np.geomspace(1e19, 1e22, 6)
    rates = np.clip(np.exp(-2.0 * (compute[:, None] / 1e19) ** -0.2 * rng.lognormal(0.0, 0.5, 40)), 1e-4, 0.999)
    data = PassRateRuns(
        compute,
        tuple(f"m{i}" for i in range(6)),
        rates,
        tuple(f"p{j}" for j in range(40)),
        True,
        None,
        "flops",
        "r.csv",
        1,
        sweep="s2",
    )
    settings, targets = FitSettings(law="passrate", n_boot=200), (Target(1e23),)
    applied = data.apply_zeros("subset")
    result = fit_rates(data, applied, settings, targets)
    inputs = rate_inputs(data, applied)
    assert (result.data.x_column, result.data.sweep, result.data.problems) == ("flops", "s2", inputs.problems)
    direct = fit_curve(
        compute,
        inputs.quantity,
        settings,
        targets,
        file="r.csv",
        x_column="flops",
        y_column="-E[log pass_rate]",
        sweep="s2",
        replicates=inputs.replicates,
        extra_warnings=inputs.warnings,
        problems=inputs.problems,
    )
    assert result.predictions == direct.predictions
    residual_only = fit_curve(compute, inputs.quantity, settings, targets)
    assert result.predictions[0].ci != residual_only.predictions[0].ci
