"""Published results on real public training runs (../shared/data); skipped when that folder is absent."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.ladder import fit_law

from ..conftest import shared_file


def _redpajama_compute_optimal(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    with open(shared_file(shared_data, "gadre-overtrain", "gadre_models.csv"), encoding="utf-8") as stream:
        rows = [r for r in csv.DictReader(stream) if r["dataset"] == "rpj" and float(r["tokens_per_param"]) == 20.0]
    rows.sort(key=lambda r: float(r["flops_6ND"]))
    return np.array([float(r["flops_6ND"]) for r in rows]), np.array([float(r["loss_c4_val"]) for r in rows])


def test_gadre_redpajama_ladder_predicts_the_7b_run(shared_data: Path) -> None:
    """Gadre et al. 2024 predict the 6.9B RedPajama model (M = 20) within 0.73% from smaller runs.

    From the five smaller compute-optimal runs alone (1.3e16 to 2.5e20 FLOP, 23x short of the
    7B run's 5.7e21), the loss law lands within 1% and its prediction interval covers the run.
    """
    compute, loss = _redpajama_compute_optimal(shared_data)
    assert compute.size == 6
    result = fit_law(compute[:-1], loss[:-1], FitSettings(), (parse_target(compute[-1]),))
    prediction = result.predictions[0]
    relative_error = abs(prediction.estimate - loss[-1]) / loss[-1]
    assert relative_error < 0.012
    assert prediction.pi[0] <= loss[-1] <= prediction.pi[1]
    # five runs are too few for the misspecification check, and the forecast says so
    assert result.fit.drift is not None and result.fit.drift.too_few
    assert len(result.fit.warnings) == 1 and "too few for the ladder to test" in result.fit.warnings[0]
