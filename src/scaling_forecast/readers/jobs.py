"""YAML job files: read with ``safe_load`` within limits, every key checked against :data:`JOB_SCHEMA`."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..settings import JOB_SCHEMA, MAX_YAML_ALIASES, MAX_YAML_VALUES


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
        if key is True and "on" in schema:  # YAML 1.1 reads the key `on:` as true
            key = "on"
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
