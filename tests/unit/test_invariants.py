"""Invariants of every law's intervals, as property tests over seeds, levels and targets.

For any fit: the ``ci`` contains the estimate, the ``pi`` (a new run: the law's uncertainty plus a
run's scatter) contains the ``ci``, an interval at a target does not depend on which other targets
were asked, and a higher ``level`` gives an interval that contains the lower level's.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaling_forecast import FitSettings, Target, fit_runs, load_for_law
from scaling_forecast.laws import LAWS

from ..conftest import EXAMPLES

#: The shipped example each law is fitted to, and the options it is read with.
SOURCES: dict[str, tuple[str, dict[str, Any]]] = {
    "auto": ("runs.csv", {}),
    "loss": ("runs.csv", {}),
    "power": ("runs.csv", {}),
    "broken": ("runs.csv", {}),
    "passrate": ("passrates_aggregate.csv", {}),
    "chinchilla": ("chinchilla.csv", {}),
    "two-step": ("pythia_lambada.csv", {}),
    "gpt4": ("pythia_tasks.csv", {"task": "arc_easy"}),
    "sigmoid": ("pythia_tasks.csv", {"task": "arc_easy"}),
    "accuracy": ("pythia_tasks.csv", {"task": "arc_easy"}),
}
TOLERANCE = 1e-12


def test_every_law_is_checked() -> None:
    assert set(SOURCES) == {*LAWS, "auto"}


@cache
def _runs(law: str) -> Any:
    name, options = SOURCES[law]
    return load_for_law(str(EXAMPLES / name), law, **options)[0]


def _targets(law: str, multiples: tuple[float, ...]) -> tuple[Target, ...]:
    largest = 1e22 if law == "chinchilla" else None
    if largest is not None:  # chinchilla forecasts at absolute computes beyond its runs
        return tuple(Target(largest * m) for m in multiples)
    return tuple(Target(m, relative=True) for m in multiples)


def _intervals(result: Any) -> list[tuple[float, tuple[float, float], tuple[float, float]]]:
    """(estimate, ci, pi) per target, on the scale the law reports (a pass rate's own, for pass rates)."""
    rows = []
    for p in result.predictions:
        for q in (p, p.pass_rate) if p.pass_rate is not None else (p,):
            rows.append((q.estimate, tuple(q.ci), tuple(q.pi)))
    return rows


def _inside(inner: tuple[float, float], outer: tuple[float, float]) -> bool:
    scale = max(1.0, abs(outer[0]), abs(outer[1]))
    return outer[0] - TOLERANCE * scale <= inner[0] and inner[1] <= outer[1] + TOLERANCE * scale


@pytest.mark.parametrize("law", sorted(SOURCES))
@settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**31 - 1),
    level=st.sampled_from([0.5, 0.8, 0.9]),
    others=st.lists(st.sampled_from([2.0, 30.0, 300.0]), min_size=1, max_size=2, unique=True),
)
def test_intervals_are_nested_and_do_not_depend_on_other_targets(
    law: str, seed: int, level: float, others: list[float]
) -> None:
    runs = _runs(law)
    chosen = FitSettings(law=law, n_boot=100, seed=seed, level=level)
    alone = fit_runs(runs, chosen, _targets(law, (10.0,)))
    together = fit_runs(runs, chosen, _targets(law, (*others, 10.0)))
    wider = alone.predict(alone.predictions[0].target, level=min(0.99, level + 0.09))
    for estimate, ci, pi in _intervals(together):
        assert ci[0] <= estimate <= ci[1], (law, estimate, ci)
        assert _inside(ci, pi), (law, ci, pi)
    first = _intervals(alone)
    last = _intervals(together)[-len(first) :]
    flat = [v for e, ci, pi in first for v in (e, *ci, *pi)]  # the same up to rounding in batched arithmetic
    assert flat == pytest.approx([v for e, ci, pi in last for v in (e, *ci, *pi)], rel=1e-12, abs=0.0), (law, last)
    for (_, ci, pi), (_, wide_ci, wide_pi) in zip(first, _intervals(wider), strict=True):
        assert _inside(ci, wide_ci) and _inside(pi, wide_pi), (law, ci, wide_ci, pi, wide_pi)
