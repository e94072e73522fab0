"""Labels and keys users read: the unit a target is counted in, and a gate's JSON."""

from __future__ import annotations

import math

import pytest

from scaling_forecast.engine.forecasting import _unit
from scaling_forecast.tasks.check import GateResult


@pytest.mark.parametrize(
    ("column", "unit"), [("compute", "FLOP"), (" FLOPs ", "FLOP"), ("C", "FLOP"), ("tokens", "(tokens)")]
)
def test_a_compute_column_is_counted_in_flop_and_any_other_in_its_own_name(column: str, unit: str) -> None:
    assert _unit(column) == unit


def test_a_gates_json_carries_its_target_and_interval() -> None:
    gate = GateResult("max_loss", 1e24, 2.1, 2.2, True, (2.0, 2.3))
    assert gate.to_dict() == {
        "gate": "max_loss",
        "target": 1e24,
        "value": 2.1,
        "threshold": 2.2,
        "passed": True,
        "interval": [2.0, 2.3],
    }
    trend = GateResult("min_trend", None, math.nan, math.nan, False, None, "flat", "improving").to_dict()
    assert trend["target"] is None and trend["interval"] is None
    assert (trend["observed"], trend["required"]) == ("flat", "improving")


@pytest.mark.parametrize(
    ("gate", "line"),
    [
        (GateResult("max_loss", 1e24, 2.1, 2.2, True), "max_loss at 1e+24: 2.1 <= 2.2 (pass)"),
        (GateResult("max_loss", 1e24, 2.3, 2.2, False), "max_loss at 1e+24: 2.3 > 2.2 (FAIL)"),
        (GateResult("min_pass_rate", 1e25, 0.7, 0.6, True), "min_pass_rate at 1e+25: 0.7 >= 0.6 (pass)"),
        (GateResult("min_pass_rate", 1e25, 0.5, 0.6, False), "min_pass_rate at 1e+25: 0.5 < 0.6 (FAIL)"),
        (GateResult("max_rmse", None, 0.004763, 0.001, False), "max_rmse: 0.004763 > 0.001 (FAIL)"),
        (
            GateResult("min_trend", None, math.nan, math.nan, True, None, "improving", "improving"),
            "trend: improving (required: improving) (pass)",
        ),
        (
            GateResult("min_trend", None, math.nan, math.nan, False, None, "flat", "improving"),
            "trend: flat (required: improving) (FAIL)",
        ),
    ],
)
def test_a_gates_line_says_what_it_compared_and_how_it_came_out(gate: GateResult, line: str) -> None:
    assert gate.describe() == line


@pytest.mark.parametrize(
    ("file", "law", "options"),
    [
        ("runs.csv", "auto", {}),
        ("runs.csv", "power", {"method": "delta", "loss_fn": "huber"}),
        ("chinchilla.csv", "chinchilla", {"n_boot": 200}),
        ("passrates.csv", "passrate", {"method": "delta"}),
        ("pythia_tasks.csv", "accuracy", {}),
        ("pythia_lambada.csv", "two-step", {"n_boot": 200}),
    ],
)
def test_a_saved_fit_loaded_writes_the_same_json(file: str, law: str, options: dict) -> None:
    """What `fit --save` writes and `predict` reads: reloaded, every law's fit writes the same document (formula,
    data, fit quality, warnings, runs, parameters, predictions); an older file without the model's kind is a curve."""
    import json

    import scaling_forecast as sf
    from scaling_forecast.engine.models import load_fit
    from scaling_forecast.readers.runs import load_for_law

    from ..conftest import EXAMPLES

    path = str(EXAMPLES / file)
    runs, _ = load_for_law(path, law, task="piqa" if file == "pythia_tasks.csv" else None)
    settings = sf.FitSettings(law=law, **options)
    result = sf.fit_runs(runs, settings, (sf.Target(10.0, True),))
    saved = json.loads(json.dumps(result.to_saved_dict()))
    reloaded = load_fit(saved, "fit.json").predict(sf.Target(10.0, True))
    assert reloaded.to_dict() == result.to_dict()
    if saved["state"].get("kind", "curve") == "curve":
        older = {**saved, "state": {k: v for k, v in saved["state"].items() if k != "kind"}}
        assert load_fit(older, "fit.json").predict(sf.Target(10.0, True)).to_dict() == result.to_dict()
