"""Settings: every default in one table, typed settings per command, targets; command line > job file > defaults.

``configs/default.yaml`` mirrors :data:`DEFAULTS` (a test keeps the two equal).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .errors import ConfigError
from .laws import LAWS, get_law

DEFAULTS: dict[str, Any] = {
    "law": "auto",
    "targets": ["10x", "100x", "1000x"],
    "level": 0.9,
    "method": "bootstrap",
    "bootstrap": 2000,
    "seed": 0,
    "loss_fn": "auto",
    "huber_delta": 1e-3,
    "format": "table",
    "zeros": "subset",
    "k": 1,
    "misspecification": "widen",
    "on": "pi",
    "compare_bootstrap": 1000,
    "tolerance": 0.02,
}

GATES = ("max_loss", "min_pass_rate", "min_accuracy", "max_rmse", "max_interval_width")

#: Job-file keys and their types: ``number``, ``integer``, ``text``, ``flag``, ``targets``, or a
#: nested mapping of the same.
JOB_SCHEMA: dict[str, Any] = {
    "data": "text",
    "law": "text",
    "columns": {"x": "text", "y": "text", "params": "text", "tokens": "text"},
    "input_format": "text",
    "task": "text",
    "metric": "text",
    "models": "text",
    "sweep": "text",
    "targets": "targets",
    "level": "number",
    "method": "text",
    "bootstrap": "integer",
    "seed": "integer",
    "loss_fn": "text",
    "huber_delta": "number",
    "zeros": "text",
    "k": "integer",
    "buckets": "integer",
    "min_compute": "number",
    "exclude": "texts",
    "misspecification": "text",
    "drop_highest": "integer",
    "chance": "number",
    "format": "text",
    "output": "text",
    "on": "text",
    "require_trend": "text",
    "strict": "flag",
    "gates": dict.fromkeys(GATES, "number"),
}


#: Limits on what is read, checked before or while parsing (the README's "Limits" says why).
MAX_INPUT_BYTES = 256 * 2**20
MAX_ROWS = 2_000_000
MAX_YAML_ALIASES = 100


#: The most bootstrap replicates: memory grows with replicates x runs (100,000 x 1,000 runs is about 4 GB).
MAX_BOOTSTRAP = 100_000
BOOTSTRAP_RANGE = (
    f"use 100 to {MAX_BOOTSTRAP:,} replicates (memory grows with replicates x runs; "
    "100,000 replicates of 1,000 runs take about 4 GB)"
)


MIN_COMPUTE_RULE = "must be a positive compute in FLOP, e.g. 1e18"


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value: Any) -> bool:
    return _finite(value) and value > 0


#: Values a YAML document may hold once its aliases are expanded.
MAX_YAML_VALUES = 1_000_000


def resolve(command_line: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """Each option from the command line if given (not ``None``), else the job file, else the default."""
    keys = set(command_line) | set(job) | set(DEFAULTS)
    return {
        key: command_line[key] if command_line.get(key) is not None else job.get(key, DEFAULTS.get(key)) for key in keys
    }


@dataclass(frozen=True, eq=False)
class CommandSettings:
    """One command's options, resolved once: command line > job file > :data:`DEFAULTS`.

    ``explicit`` names the options the user gave (on the command line or in the job file);
    ``inputs`` are more files of theirs that no output may overwrite.
    """

    data: str
    config: str | None = None
    format: str = DEFAULTS["format"]
    output: str | None = None
    strict: bool = False
    targets: tuple[Any, ...] = tuple(DEFAULTS["targets"])
    law: str = DEFAULTS["law"]
    x: str | None = None
    y: str | None = None
    params: str | None = None
    tokens: str | None = None
    input_format: str | None = None
    task: str | None = None
    metric: str | None = None
    models: str | None = None
    sweep: str | None = None
    level: float = DEFAULTS["level"]
    method: str = DEFAULTS["method"]
    bootstrap: int = DEFAULTS["bootstrap"]
    seed: int = DEFAULTS["seed"]
    loss_fn: str = DEFAULTS["loss_fn"]
    huber_delta: float = DEFAULTS["huber_delta"]
    zeros: str = DEFAULTS["zeros"]
    k: int = DEFAULTS["k"]
    misspecification: str = DEFAULTS["misspecification"]
    buckets: int = 0
    min_compute: float | None = None
    exclude: tuple[str, ...] = ()
    drop_highest: int = 0
    at: tuple[str, ...] = ()
    chance: float | None = None
    reach: tuple[float, ...] = ()
    on: str = DEFAULTS["on"]
    require_trend: str | None = None
    gates: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(GATES))
    explicit: frozenset[str] = frozenset()
    inputs: tuple[str, ...] = ()

    def fit_settings(self) -> FitSettings:
        """The settings of the fit these options ask for (checked as they are made)."""
        return FitSettings(
            law=self.law,
            level=self.level,
            method=self.method,
            n_boot=self.bootstrap,
            seed=self.seed,
            loss_fn=self.loss_fn,
            huber_delta=self.huber_delta,
            misspecification=self.misspecification,
            chance=self.chance,
        )

    def checked(self) -> CommandSettings:
        """Every number checked as its meaning needs (finite, sign, range), with one line for the first bad one:
        the fit's settings by :class:`FitSettings`, the others here."""
        given = self.explicit
        self.fit_settings()
        rules: list[tuple[str, Any, bool, str]] = [
            ("--k", self.k, self.k >= 1, "must be a whole number >= 1"),
            ("--buckets", self.buckets, "buckets" not in given or self.buckets >= 1, "must be 1 or more"),
            ("--drop-highest", self.drop_highest, self.drop_highest >= 0, "must be 0 or more"),
        ]
        for wanted in self.reach:
            rules.append(("--reach", f"{wanted:g}", _finite(wanted) and wanted > 0, "must be a positive loss or share"))
        if self.min_compute is not None:
            rules.append(("--min-compute", self.min_compute, _positive(self.min_compute), MIN_COMPUTE_RULE))
        gates = self.gates
        for name, rule, text in (
            ("max_loss", _positive, "must be a positive loss"),
            ("min_pass_rate", lambda v: 0.0 <= v <= 1.0, "must be a pass rate in [0, 1]"),
            ("min_accuracy", lambda v: 0.0 <= v <= 1.0, "must be an accuracy in [0, 1]"),
            ("max_rmse", _positive, "must be a positive number"),
            ("max_interval_width", _positive, "must be a positive width"),
        ):
            value = gates.get(name)
            if value is not None:
                shown = f"{value:g}" if isinstance(value, float) else value
                rules.append((f"--{name.replace('_', '-')}", shown, _finite(value) and bool(rule(value)), text))
        for option, value, ok, text in rules:
            if not ok:
                raise ConfigError(f"{option} {value}: {text}")
        return self

    @classmethod
    def resolved(cls, command_line: dict[str, Any], job: dict[str, Any], **extra: Any) -> CommandSettings:
        """The settings of :func:`resolve`; ``None`` leaves a field at its default."""
        merged = resolve(command_line, job)
        names = {f.name for f in fields(cls)}
        values = {key: value for key, value in merged.items() if key in names and value is not None}
        for key in ("targets", "exclude", "at", "reach"):
            if key in values:
                values[key] = tuple(values[key])
        values["gates"] = {gate: merged.get(gate) for gate in GATES}
        explicit = {key for key, value in command_line.items() if value is not None} | set(job)
        return cls(**values, explicit=frozenset(explicit), **extra)


#: Interval methods, objectives and what a drifting ladder does to the prediction interval.
METHODS = ("bootstrap", "delta")
LOSS_FUNCTIONS = ("lsq", "huber")
MISSPECIFICATION = ("warn", "widen")

_TARGET = re.compile(r"^\s*([0-9.eE+-]+)\s*([xX×])?\s*$")


@dataclass(frozen=True)
class Target:
    """A target compute: absolute FLOP, or a multiple of the largest fitted run (``1000x``).

    A law of several design columns can also be forecast at an explicit ``point`` of its design
    (``N, D`` for chinchilla), whose compute is ``value``; a compute target alone is forecast where
    the law puts it (for chinchilla: the fit's compute-optimal allocation).
    """

    value: float
    relative: bool = False
    point: tuple[float, ...] | None = None

    def resolve(self, compute_max: float) -> float:
        return self.value * compute_max if self.relative else self.value

    def __str__(self) -> str:
        if self.point is not None:
            return ",".join(f"{v:g}" for v in self.point)
        return f"{self.value:g}x" if self.relative else f"{self.value:g}"


def parse_target(text: str | float | int) -> Target:
    """Parse ``1e24``, ``"3.2e23"`` or ``"1000x"``; a target must be a positive finite number."""
    if isinstance(text, bool):
        raise ConfigError(f"target {text!r}: expected a compute like 1e24 or a multiple like 1000x")
    if isinstance(text, (int, float)):
        value, relative = float(text), False
    else:
        match = _TARGET.match(str(text))
        if match is None:
            raise ConfigError(
                f"target {text!r}: expected a compute like 1e24 or a multiple of the largest run like 1000x"
            )
        try:
            value = float(match.group(1))
        except ValueError:
            raise ConfigError(
                f"target {text!r}: expected a compute like 1e24 or a multiple of the largest run like 1000x"
            ) from None
        relative = match.group(2) is not None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"target {text!r}: target compute must be a positive finite number")
    return Target(value, relative)


def parse_point(text: str) -> Target:
    """``"7e10,1.4e12"`` -> the target at ``N = 7e10`` parameters and ``D = 1.4e12`` tokens (``C = 6 N D``)."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        n_value, d_value = float(parts[0]), float(parts[1])
    except ValueError:
        raise ConfigError(f"--at {text!r}: expected PARAMS,TOKENS like 7e10,1.4e12") from None
    if not (math.isfinite(n_value) and math.isfinite(d_value) and n_value > 0 and d_value > 0):
        raise ConfigError(f"--at {text}: parameters and tokens must be positive numbers")
    return Target(6.0 * n_value * d_value, point=(n_value, d_value))


@dataclass(frozen=True)
class FitSettings:
    """How to fit: law, objective, uncertainty method, and the chance accuracy of the accuracy laws.

    Every value is checked when the settings are made, so settings are valid wherever they travel.
    ``loss_fn`` ``auto`` is the law's own (``huber`` for chinchilla, as its reference protocol; ``lsq``
    otherwise); :meth:`resolved` resolves it and law ``auto``.
    """

    law: str = DEFAULTS["law"]
    level: float = DEFAULTS["level"]
    method: str = DEFAULTS["method"]
    n_boot: int = DEFAULTS["bootstrap"]
    seed: int = DEFAULTS["seed"]
    loss_fn: str = DEFAULTS["loss_fn"]
    huber_delta: float = DEFAULTS["huber_delta"]
    misspecification: str = DEFAULTS["misspecification"]
    #: The accuracy of random guessing (the accuracy laws' floor); ``None``: from the runs, else 0 with a warning.
    chance: float | None = None

    def __post_init__(self) -> None:
        if self.law != "auto" and self.law not in LAWS:  # the registry as it is now: laws can be added
            raise ConfigError(f"--law {self.law!r}: unknown law; choose one of {', '.join(('auto', *LAWS))}")
        if self.method not in METHODS:
            raise ConfigError(f"--method {self.method!r}: unknown method; choose one of {', '.join(METHODS)}")
        if self.loss_fn not in ("auto", *LOSS_FUNCTIONS):
            raise ConfigError(
                f"--loss-fn {self.loss_fn!r}: unknown loss function; choose one of auto, {', '.join(LOSS_FUNCTIONS)}"
            )
        check_level(self.level)
        if self.method == "bootstrap" and not 100 <= self.n_boot <= MAX_BOOTSTRAP:
            raise ConfigError(f"--bootstrap {self.n_boot}: {BOOTSTRAP_RANGE}")
        if not (math.isfinite(self.huber_delta) and self.huber_delta > 0):
            raise ConfigError(f"--huber-delta {self.huber_delta}: must be a positive number, e.g. 1e-3")
        if self.seed < 0:
            raise ConfigError(f"--seed {self.seed}: must be a non-negative integer")
        if self.misspecification not in MISSPECIFICATION:
            raise ConfigError(
                f"--misspecification {self.misspecification!r}: choose one of {', '.join(MISSPECIFICATION)}"
            )
        if self.chance is not None and not (math.isfinite(self.chance) and 0.0 <= self.chance < 1.0):
            raise ConfigError(f"--chance {self.chance:g}: must be at least 0 and below 1, e.g. 0.25")
        if self.chance is not None and self.law != "auto" and not getattr(LAWS[self.law](), "uses_chance", False):
            floored = ", ".join(name for name, law in LAWS.items() if getattr(law, "uses_chance", False))
            raise ConfigError(
                f"--chance: the {self.law} law does not use it (the laws that do: {floored}); leave it out"
            )

    def resolved(self) -> FitSettings:
        """Law ``auto`` resolved to ``loss`` (the loss procedure chooses among the loss laws), and loss function
        ``auto`` to the law's own."""
        law = "loss" if self.law == "auto" else self.law
        loss_fn = get_law(law).default_loss_fn if self.loss_fn == "auto" else self.loss_fn
        return replace(self, law=law, loss_fn=loss_fn)


def check_level(level: float) -> None:
    if not (0.0 < level < 1.0):
        raise ConfigError(f"--level {level}: must be between 0 and 1 (exclusive), e.g. 0.9")
