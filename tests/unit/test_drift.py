"""Misspecification: the ladder's rolling backtest flags a wrong law and can widen its PI."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_forecast.drift import DRIFT_WARNING, rolling_drift
from scaling_forecast.forecast import FitSettings, Target, fit_law, forecast, load_fit
from scaling_forecast.laws import get_law

from ..conftest import saturating_ladder


def test_the_right_law_does_not_drift() -> None:
    compute, loss = saturating_ladder(n=9, noise=0.01, seed=2)
    drift = rolling_drift(get_law("loss"), compute, loss)
    assert drift is not None and drift.ratio < DRIFT_WARNING and drift.n_forecasts >= 3
    result = fit_law(compute, loss, FitSettings(law="loss", method="delta"))
    assert not any("rolling backtest" in w for w in result.fit.warnings)


def test_a_power_law_through_a_floor_drifts_and_is_flagged() -> None:
    compute, loss = saturating_ladder(n=9, noise=0.003, seed=2)
    drift = rolling_drift(get_law("power"), compute, loss)
    assert drift is not None and drift.ratio > DRIFT_WARNING
    # each window's forecast error, recomputed by hand for the largest run from the 8 smaller ones
    warned = fit_law(compute, loss, FitSettings(law="power", method="delta"), (Target(1e23),))
    message = next(w for w in warned.fit.warnings if "rolling backtest" in w)
    assert f"{drift.ratio:.1f}x" in message and "--misspecification widen" in message
    widened = fit_law(
        compute, loss, FitSettings(law="power", method="delta", misspecification="widen"), (Target(1e23),)
    )
    p, q = warned.predictions[0], widened.predictions[0]
    assert q.estimate == p.estimate and q.ci == p.ci
    ratio = np.log(q.pi[1] / q.estimate) / np.log(p.pi[1] / p.estimate)
    assert ratio == pytest.approx(drift.ratio, rel=1e-9)
    reloaded = forecast(load_fit(widened.to_saved_dict(), "fit.json"), (Target(1e23),), 0.9)
    assert reloaded.predictions[0].pi == pytest.approx(q.pi)


def test_too_few_runs_give_no_verdict() -> None:
    compute, loss = saturating_ladder(n=5, noise=0.01, seed=2)
    assert rolling_drift(get_law("loss"), compute, loss) is None
