"""Gates on a forecast: the verdict of ``forecast check``, for CI pipelines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..results import FitResult, json_number, json_pair
from ..settings import DEFAULTS

ON_CHOICES = ("pi", "ci", "estimate")
#: What ``--require-trend`` accepts, and the trends (``fit.trend``) that pass it.
TREND_REQUIREMENTS = {"improving": ("improving",), "not-worsening": ("improving", "flat")}


@dataclass(frozen=True)
class GateResult:
    """One gate at one target: the judged ``value`` against ``threshold``."""

    gate: str
    target: float | None
    value: float
    threshold: float
    passed: bool
    interval: tuple[float, float] | None = None
    #: The trend gate: the fit's trend and what it had to be (``value`` and ``threshold`` are NaN).
    observed: str | None = None
    required: str | None = None

    def to_dict(self) -> dict[str, Any]:
        document = {
            "gate": self.gate,
            "target": None if self.target is None else json_number(self.target),
            "value": json_number(self.value),
            "threshold": json_number(self.threshold),
            "passed": self.passed,
            "interval": None if self.interval is None else json_pair(self.interval),
        }
        if self.required is not None:
            document.update(observed=self.observed, required=self.required)
        return document

    def describe(self) -> str:
        if self.required is not None:
            return f"trend: {self.observed} (required: {self.required}) ({'pass' if self.passed else 'FAIL'})"
        where = f" at {self.target:.3g}" if self.target is not None else ""
        relation = {"max": "<=", "min": ">="}[self.gate[:3]]
        verdict = "pass" if self.passed else "FAIL"
        shown = relation if self.passed else _negate(relation)
        return f"{self.gate}{where}: {self.value:.4g} {shown} {self.threshold:.4g} ({verdict})"


def _negate(relation: str) -> str:
    return {"<=": ">", ">=": "<"}[relation]


@dataclass(frozen=True)
class CheckResult:
    """A fit, its gates and the overall verdict."""

    fit: FitResult
    on: str
    gates: tuple[GateResult, ...]

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def failures(self) -> tuple[GateResult, ...]:
        return tuple(g for g in self.gates if not g.passed)

    def verdict(self) -> str:
        if self.passed:
            return f"PASS: all {len(self.gates)} gates pass (judged on {self.on})"
        failed = self.failures()
        return f"FAIL: {len(failed)} of {len(self.gates)} gates fail (judged on {self.on}): " + "; ".join(
            g.describe() for g in failed
        )

    def to_dict(self) -> dict[str, Any]:
        document = self.fit.to_dict()
        document["check"] = {
            "passed": self.passed,
            "on": self.on,
            "verdict": self.verdict(),
            "gates": [g.to_dict() for g in self.gates],
        }
        return document


NO_GATE = (
    "no gate given; add --max-loss, --min-pass-rate, --min-accuracy, --max-rmse, --max-interval-width or "
    "--require-trend (or gates: in the job file)"
)
#: The gates on what a law reports, in its own sense: a loss must not exceed, a pass rate or accuracy must reach.
QUANTITY_GATES = ("max_loss", "min_pass_rate", "min_accuracy")


def validate_gates(gates: Mapping[str, float | None], on: str, require_trend: str | None = None) -> dict[str, float]:
    """The gates that are set; at least one, ``on`` one of :data:`ON_CHOICES`, a known trend requirement."""
    if on not in ON_CHOICES:
        raise ConfigError(f"--on {on!r}: choose one of {', '.join(ON_CHOICES)}")
    if require_trend is not None and require_trend not in TREND_REQUIREMENTS:
        raise ConfigError(f"--require-trend {require_trend!r}: choose one of {', '.join(TREND_REQUIREMENTS)}")
    active = {name: float(value) for name, value in gates.items() if value is not None}
    if not active and require_trend is None:
        raise ConfigError(NO_GATE)
    return active


def evaluate_gates(
    result: FitResult,
    gates: Mapping[str, float | None],
    on: str = DEFAULTS["on"],
    require_trend: str | None = None,
) -> CheckResult:
    """Judge each gate at each prediction.

    Notes
    -----
    A gate on what the law reports is judged in its own sense (the law's ``gate``): ``max_loss``
    (loss laws) on the upper end of the ``on`` interval, ``min_pass_rate`` (pass-rate law) on the
    lower end of the pass-rate interval, ``min_accuracy`` (laws of accuracy) on the lower end of the
    accuracy interval; another law's gate is refused in one line. ``max_interval_width`` is judged on
    the width of the ``on`` interval (``pi`` for ``on = estimate``) in the reported units, ``max_rmse``
    on the fit's rmse, ``require_trend`` on ``fit.trend`` (:data:`TREND_REQUIREMENTS`; a fit with no trend,
    under 3 distinct computes, fails).
    """
    active = validate_gates(gates, on, require_trend)
    law = result.model.law
    for gate in QUANTITY_GATES:
        if gate in active and gate != law.gate:
            reported = {"loss": "a loss", "pass_rate": "a pass rate", "accuracy": "an accuracy"}[law.reported]
            raise ConfigError(
                f"--{gate.replace('_', '-')} does not apply to the {law.name} law, which forecasts {reported}; "
                f"gate it with --{law.gate.replace('_', '-')}"
            )
        if gate in active and gate.startswith("min_") and not 0.0 <= active[gate] <= 1.0:
            raise ConfigError(f"--{gate.replace('_', '-')} {active[gate]:g}: must be a share in [0, 1]")
    needs_targets = {*QUANTITY_GATES, "max_interval_width"} & set(active)
    if needs_targets and not result.predictions:
        raise ConfigError("the gates need at least one --target (or targets: in the job file)")
    results: list[GateResult] = []
    for prediction in result.predictions:
        rate = prediction.pass_rate
        if law.reported == "pass_rate" and rate is not None:
            estimate, ci, pi = rate.estimate, rate.ci, rate.pi
        else:
            estimate, ci, pi = prediction.estimate, prediction.ci, prediction.pi
        interval = {"pi": pi, "ci": ci, "estimate": None}[on]
        for gate in QUANTITY_GATES:
            if gate not in active:
                continue
            threshold = active[gate]
            if gate.startswith("max_"):
                value = estimate if interval is None else interval[1]
                passed = value <= threshold
            else:
                value = estimate if interval is None else interval[0]
                passed = value >= threshold
            results.append(GateResult(gate, prediction.target, value, threshold, passed, interval))
        if "max_interval_width" in active:
            judged = pi if interval is None else interval
            width = judged[1] - judged[0]
            threshold = active["max_interval_width"]
            results.append(
                GateResult("max_interval_width", prediction.target, width, threshold, width <= threshold, judged)
            )
    if "max_rmse" in active:
        rmse = result.fit.rmse
        results.append(GateResult("max_rmse", None, rmse, active["max_rmse"], rmse <= active["max_rmse"]))
    if require_trend is not None:
        trend = result.fit.trend
        passed = trend in TREND_REQUIREMENTS[require_trend]
        nan = float("nan")
        results.append(GateResult("trend", None, nan, nan, passed, observed=str(trend), required=require_trend))
    return CheckResult(result, on, tuple(results))
