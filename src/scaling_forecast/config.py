"""Option defaults and YAML job files; precedence: command line > job file > defaults.

``configs/default.yaml`` mirrors :data:`DEFAULTS` (a test keeps the two equal).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

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
}

#: Laws of accuracy, fitted by :mod:`scaling_forecast.capability` (``forecast fit`` only).
CAPABILITY_LAWS = ("two-step", "accuracy")

GATES = ("max_loss", "min_pass_rate", "max_rmse", "max_interval_width")

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


def _check(value: Any, kind: Any, path: str, problems: list[str]) -> Any:
    """``value`` converted to ``kind``, or ``None`` with a problem recorded."""
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a mapping, got {value!r}")
            return None
        return _check_mapping(value, kind, path + ".", problems)
    if kind == "text":
        if isinstance(value, str) and value.strip():
            return value.strip()
        problems.append(f"{path}: expected text, got {value!r}")
    elif kind == "flag":
        if isinstance(value, bool):
            return value
        problems.append(f"{path}: expected true or false, got {value!r}")
    elif kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        problems.append(f"{path}: expected a whole number, got {value!r}")
    elif kind == "number":
        if not isinstance(value, bool) and isinstance(value, (int, float, str)):
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                return number
        problems.append(f"{path}: expected a number, got {value!r}")
    elif kind == "texts":
        items = value if isinstance(value, list) else [value]
        if items and all(isinstance(v, str) and v.strip() for v in items):
            return [v.strip() for v in items]
        problems.append(f"{path}: expected a list of run names, got {value!r}")
    elif kind == "targets":
        items = value if isinstance(value, list) else [value]
        good = [v for v in items if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
        if items and len(good) == len(items):
            return [str(v) if isinstance(v, str) else v for v in items]
        problems.append(f"{path}: expected a list of computes like 1e24 or multiples like 1000x, got {value!r}")
    return None


def _check_mapping(
    document: dict[Any, Any], schema: dict[str, Any], prefix: str, problems: list[str]
) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, value in document.items():
        path = f"{prefix}{key}"
        if key not in schema:
            problems.append(f"{path}: unknown key (known: {', '.join(schema)})")
            continue
        if value is None:
            continue
        converted = _check(value, schema[key], path, problems)
        if converted is not None:
            checked[str(key)] = converted
    return checked


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


def bounded_yaml(text: str) -> Any:
    """``yaml.safe_load`` with at most :data:`MAX_YAML_ALIASES` aliases, and :data:`MAX_YAML_VALUES` values
    once they are expanded, counted on the composed graph before anything is built (an alias bomb is refused).

    Raises ``ValueError`` with the reason; ``yaml.YAMLError`` as usual.
    """
    import yaml

    class Bounded(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_YAML_ALIASES:
                    raise ValueError(f"more than {MAX_YAML_ALIASES} YAML aliases (*name); write the values out")
            return super().compose_node(parent, index)

    loader = Bounded(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        sizes: dict[int, int] = {}
        stack = [(node, False)]
        while stack:  # the expanded size of every node, children first, each shared node once
            current, ready = stack.pop()
            if id(current) in sizes:
                continue
            children = _children(current)
            if not ready:
                stack.append((current, True))
                stack.extend((child, False) for child in children if id(child) not in sizes)
                continue
            sizes[id(current)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(current)] > MAX_YAML_VALUES:
                raise ValueError(
                    f"expands to more than {MAX_YAML_VALUES:,} values through its aliases; write the values out"
                )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _children(node: Any) -> list[Any]:
    """A YAML node's child nodes: a sequence's items, a mapping's keys and values."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_job(path: str | Path) -> dict[str, Any]:
    """Read and validate a job file; ``data`` and ``output`` become paths relative to the job file.

    Returns a flat mapping of option names (``columns.x`` becomes ``x``) to values. Every bad field
    is reported at once, with its path: ``gates.max_loss: expected a number, got 'abc'``.
    """
    import yaml

    label = str(path)
    job_path = Path(path)
    if not job_path.is_file():
        raise ConfigError(f"{label}: job file not found; check the path")
    try:
        document = bounded_yaml(job_path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:
        reason = str(error) if isinstance(error, ValueError) else "nested too deeply"
        raise ConfigError(f"{label}: {reason}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not UTF-8 text; save the job file as UTF-8 YAML") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or "malformed YAML"
        raise ConfigError(f"{label}: {where}invalid YAML ({problem}); fix the syntax") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{label}: a job file is a YAML mapping with at least 'data: RUNS.csv'")
    problems: list[str] = []
    job = _check_mapping(document, JOB_SCHEMA, "", problems)
    if "data" not in document:
        problems.append("data: required (the runs file, relative to the job file)")
    if problems:
        raise ConfigError(f"{label}: invalid job file: {'; '.join(problems)}")
    flat = {k: v for k, v in job.items() if k not in ("columns", "gates")}
    flat.update(job.get("columns", {}))
    flat.update(job.get("gates", {}))
    for key in ("data", "output"):
        if key in flat:
            flat[key] = os.path.normpath(job_path.parent / flat[key])
    return flat


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
    on: str = "pi"
    require_trend: str | None = None
    gates: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(GATES))
    explicit: frozenset[str] = frozenset()
    inputs: tuple[str, ...] = ()

    def checked(self) -> CommandSettings:
        """Every number checked as its meaning needs (finite, sign, range), with one line for the first bad one."""
        given = self.explicit
        rules: list[tuple[str, Any, bool, str]] = [
            ("--level", self.level, 0.0 < self.level < 1.0, "must be between 0 and 1 (exclusive), e.g. 0.9"),
            ("--bootstrap", self.bootstrap, 100 <= self.bootstrap <= MAX_BOOTSTRAP, BOOTSTRAP_RANGE),
            ("--seed", self.seed, self.seed >= 0, "must be a non-negative integer"),
            ("--huber-delta", self.huber_delta, _positive(self.huber_delta), "must be a positive number, e.g. 1e-3"),
            ("--k", self.k, self.k >= 1, "must be a whole number >= 1"),
            ("--buckets", self.buckets, "buckets" not in given or self.buckets >= 1, "must be 1 or more"),
            ("--drop-highest", self.drop_highest, self.drop_highest >= 0, "must be 0 or more"),
        ]
        for wanted in self.reach:
            rules.append(("--reach", f"{wanted:g}", _finite(wanted) and wanted > 0, "must be a positive loss or share"))
        if self.chance is not None:
            chance_ok = _finite(self.chance) and 0.0 <= self.chance < 1.0
            rules.append(("--chance", f"{self.chance:g}", chance_ok, "must be at least 0 and below 1, e.g. 0.25"))
        if self.min_compute is not None:
            rules.append(("--min-compute", self.min_compute, _positive(self.min_compute), MIN_COMPUTE_RULE))
        gates = self.gates
        for name, rule, text in (
            ("max_loss", _positive, "must be a positive loss"),
            ("min_pass_rate", lambda v: 0.0 <= v <= 1.0, "must be a pass rate in [0, 1]"),
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
