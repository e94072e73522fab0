"""Shared fixtures: paths, a CLI runner and seeded synthetic ladders with known laws."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
#: The real public data beside the project; the mutation run (which tests a copy under mutants/) names it.
SHARED_DATA = Path(os.environ.get("SCALING_FORECAST_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def shared_data() -> Path:
    """The real public data beside the project; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


def shared_file(shared_data: Path, *parts: str) -> Path:
    """A file of the real public data; the test skips when it is absent (the folder may hold others)."""
    path = shared_data.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return path


def saturating_ladder(
    n: int = 8,
    *,
    a: float = 777.0,
    b: float = -0.155,
    c: float = 1.8,
    noise: float = 0.005,
    seed: int = 0,
    decades: float = 4.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` runs from 1e17 FLOP over ``decades`` decades, loss ``a C^b + c`` times log-normal noise."""
    rng = np.random.default_rng(seed)
    compute = np.geomspace(1e17, 1e17 * 10**decades, n)
    loss = (a * compute**b + c) * np.exp(rng.normal(0.0, noise, n))
    return compute, loss


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path
