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
