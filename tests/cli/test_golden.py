"""The JSON of the shipped example, pinned: a change in any number or key must be deliberate.

Regenerate after an intended change with
``forecast fit examples/runs.csv -t 1e24 -t 1000x -f json --bootstrap 500 > tests/golden/runs_fit.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "runs_fit.json"


def _close(actual: Any, expected: Any, path: str = "") -> None:
    if isinstance(expected, dict):
        assert set(actual) == set(expected), path
        for key in expected:
            _close(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _close(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        # 1e-6: far above the last digits that numpy/scipy releases move (2e-9 seen on Python 3.13),
        # far below any change a reader of the output would notice
        assert actual == pytest.approx(expected, rel=1e-6, abs=1e-12), path
    else:
        assert actual == expected, path


def test_example_json_matches_the_golden_file(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["fit", str(EXAMPLES / "runs.csv"), "-t", "1e24", "-t", "1000x", "-f", "json", "--bootstrap", "500"]
    )
    assert result.exit_code == 0
    actual = json.loads(result.stdout)
    expected = json.loads(GOLDEN.read_text())
    actual["data"]["file"] = expected["data"]["file"]
    _close(actual, expected)


def test_example_comparison_matches_the_golden_file(runner: CliRunner) -> None:
    """Regenerate with ``forecast compare examples/sweeps.csv --by sweep -t 1e24 -t 1e19 -f json
    --bootstrap 300 > tests/golden/sweeps_compare.json``."""
    args = ["compare", str(EXAMPLES / "sweeps.csv"), "--by", "sweep", "-t", "1e24", "-t", "1e19", "-f", "json"]
    result = runner.invoke(app, [*args, "--bootstrap", "300"])
    assert result.exit_code == 0
    actual = json.loads(result.stdout)
    expected = json.loads((GOLDEN.parent / "sweeps_compare.json").read_text())
    for sweep, pinned in zip(actual["sweeps"], expected["sweeps"], strict=True):
        sweep["file"] = pinned["file"]
    _close(actual, expected)


def test_a_given_law_keeps_its_own_interval(runner: CliRunner) -> None:
    """``--law loss`` is today's fixed-law fit: its JSON, pinned before the default procedure changed, stays.

    Only the misspecification check is new on every path (``fit.drift`` and the ``widen`` default);
    on this ladder it does not fire, so nothing it could widen changes. Regenerate with ``forecast fit examples/runs.csv -t 1e24 -t 1000x -f json --bootstrap 500 --law loss
    > tests/golden/runs_fit_loss.json``.
    """
    args = ["fit", str(EXAMPLES / "runs.csv"), "-t", "1e24", "-t", "1000x", "-f", "json", "--bootstrap", "500"]
    result = runner.invoke(app, [*args, "--law", "loss"])
    assert result.exit_code == 0
    actual = json.loads(result.stdout)
    expected = json.loads((GOLDEN.parent / "runs_fit_loss.json").read_text())
    actual["data"]["file"] = expected["data"]["file"]
    drift, misspecification = actual["fit"].pop("drift"), actual.pop("misspecification")
    assert drift["law"] == "loss" and drift["warned"] is False and misspecification == "widen"
    del expected["fit"]["drift"], expected["misspecification"]
    _close(actual, expected)
