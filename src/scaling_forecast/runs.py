"""The Runs table: load CSV / TSV / JSON / YAML, resolve column aliases, validate every cell.

This is the I/O edge for data: every problem becomes a :class:`DataError` whose one line names
the file, the row (counted from 1 after the header) or the column, and what to do.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError
from .laws import Array

#: Column aliases, case-insensitive; the first name is the canonical one.
ALIASES: dict[str, tuple[str, ...]] = {
    "compute": ("compute", "flops", "c"),
    "loss": ("loss", "val_loss"),
    "run": ("run", "name"),
    "params": ("params", "n_params", "n"),
    "tokens": ("tokens", "n_tokens", "d"),
    "sweep": ("sweep", "group", "methodology"),
}
SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


@dataclass(frozen=True, eq=False)
class Runs:
    """Validated runs: ``x`` (compute by default) and ``y`` (loss by default), one entry per run."""

    x: Array
    y: Array
    names: tuple[str, ...]
    x_column: str
    y_column: str
    file: str
    sweep: str | None = None

    def __len__(self) -> int:
        return int(self.x.size)

    def to_frame(self) -> Any:
        """The runs as a ``pandas.DataFrame`` (columns ``run``, x column, y column)."""
        import pandas as pd

        return pd.DataFrame({"run": list(self.names), self.x_column: self.x, self.y_column: self.y})


def _read_records(path: Path, label: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns (in file order) and one mapping per row."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"{label}: unsupported file type '{path.suffix}'; use .csv, .tsv, .json or .yaml")
    if not path.exists():
        raise DataError(f"{label}: file not found; check the path")
    if path.is_dir():
        raise DataError(f"{label}: is a folder, not a file; give the runs file inside it")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{label}: not UTF-8 text; save it as UTF-8 CSV, TSV, JSON or YAML") from None
    except OSError as error:
        raise DataError(f"{label}: cannot be read ({error.strerror}); check its permissions") from None
    if not text.strip():
        raise DataError(f"{label}: file is empty; it needs a header row and one row per run")
    if kind in ("csv", "tsv"):
        return _read_table(text, "\t" if kind == "tsv" else ",", label)
    document = _read_json(text, label) if kind == "json" else _read_yaml(text, label)
    return _records_from_document(document, label)


def _read_table(text: str, separator: str, label: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows of a delimited file; a row with more or fewer cells than the header is an error."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text), delimiter=separator, skipinitialspace=True)
    lines = [row for row in reader if any(cell.strip() for cell in row)]
    columns = [c.strip() for c in lines[0]]
    repeated = sorted({c for c in columns if not c or columns.count(c) > 1})
    if repeated:
        raise DataError(f"{label}: header has empty or repeated column names {repeated}; name each column once")
    records = []
    for row, cells in enumerate(lines[1:], start=1):
        if len(cells) != len(columns):
            raise DataError(
                f"{label}: row {row} has {len(cells)} values but the header has {len(columns)} columns; "
                "give every row one value per column"
            )
        records.append(dict(zip(columns, cells, strict=True)))
    return columns, records


def _read_json(text: str, label: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(
            f"{label}: line {error.lineno}, column {error.colno}: invalid JSON ({error.msg}); fix the syntax"
        ) from None


def _read_yaml(text: str, label: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.constructor.ConstructorError as error:
        line = f"line {error.problem_mark.line + 1}: " if error.problem_mark else ""
        tag = (error.problem or "").replace("could not determine a constructor for the tag ", "")
        raise DataError(
            f"{label}: {line}YAML tag {tag} is not allowed (files are read with safe_load); use plain values"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or "malformed YAML"
        raise DataError(f"{label}: {where}invalid YAML ({problem}); fix the syntax") from None


def _records_from_document(document: Any, label: str) -> tuple[list[str], list[dict[str, Any]]]:
    if isinstance(document, dict) and "runs" in document:
        document = document["runs"]
    if not isinstance(document, list):
        raise DataError(f"{label}: expected a list of runs (one mapping per run), or a mapping with a 'runs' list")
    columns: list[str] = []
    for row, record in enumerate(document, start=1):
        if not isinstance(record, dict):
            raise DataError(f"{label}: row {row}: expected a mapping of column to value, got {type(record).__name__}")
        for key in record:
            if str(key) not in columns:
                columns.append(str(key))
    return columns, [{str(k): v for k, v in record.items()} for record in document]


def _find_column(columns: list[str], wanted: str, label: str) -> str | None:
    """The file's column for canonical name or alias group ``wanted`` (case-insensitive)."""
    names = ALIASES.get(wanted, (wanted,))
    found = [c for c in columns if c.strip().lower() in names]
    if len(found) > 1:
        raise DataError(f"{label}: columns {', '.join(repr(c) for c in found)} all mean {wanted}; keep one of them")
    return found[0] if found else None


def _explicit_column(columns: list[str], name: str, option: str, label: str) -> str:
    found = [c for c in columns if c.strip().lower() == name.strip().lower()]
    if not found:
        raise DataError(f"{label}: {option} {name!r}: no such column; columns are {', '.join(columns)}")
    return found[0]


def _number(value: Any, row: int, column: str, label: str) -> float:
    where = f"{label}: row {row}, column '{column}'"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DataError(f"{where}: missing value; fill it in or remove the row")
    if isinstance(value, (bool, list, dict)):
        raise DataError(f"{where}: {value!r} is not a number; give a plain number")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise DataError(f"{where}: {value!r} is not a number; give a plain number like 1.5e20") from None
    if not math.isfinite(number):
        raise DataError(f"{where}: {value!r} is not finite; give a real measured value or remove the row")
    return number


def load_runs(
    path: str | Path,
    *,
    x: str | None = None,
    y: str | None = None,
    sweep: str | None = None,
) -> Runs:
    """Load runs from ``path`` and validate them.

    Notes
    -----
    ``x`` defaults to compute (``compute|flops|c``), derived as ``6 * params * tokens`` when
    absent; ``y`` defaults to loss (``loss|val_loss``). Both must be positive and finite. Several
    runs at the same compute are replicates (seeds), not an error; duplicate run names are.
    """
    label = str(path)
    columns, records = _read_records(Path(path), label)
    if not records:
        raise DataError(f"{label}: no runs; add one row per run under the header")
    derived = False
    if x is not None:
        x_column = _explicit_column(columns, x, "--x", label)
    else:
        found = _find_column(columns, "compute", label)
        params, tokens = _find_column(columns, "params", label), _find_column(columns, "tokens", label)
        if found is None and params is not None and tokens is not None:
            derived, x_column = True, "compute"
        elif found is None:
            raise DataError(
                f"{label}: no compute column; add 'compute' (or 'flops'), or 'params' and 'tokens', "
                "or name the column with --x"
            )
        else:
            x_column = found
    if y is not None:
        y_column = _explicit_column(columns, y, "--y", label)
    else:
        found_y = _find_column(columns, "loss", label)
        if found_y is None:
            raise DataError(f"{label}: no loss column; add 'loss' (or 'val_loss'), or name the column with --y")
        y_column = found_y
    run_column = _find_column(columns, "run", label)
    sweep_column = _find_column(columns, "sweep", label)

    rows = list(enumerate(records, start=1))
    chosen_sweep = None
    if sweep_column is not None:
        sweeps = sorted({str(r.get(sweep_column, "")).strip() for _, r in rows} - {""})
        if sweep is not None:
            if sweep not in sweeps:
                raise DataError(f"{label}: --sweep {sweep!r}: no such sweep; sweeps are {', '.join(sweeps)}")
            rows = [(i, r) for i, r in rows if str(r.get(sweep_column, "")).strip() == sweep]
            chosen_sweep = sweep
        elif len(sweeps) > 1:
            raise DataError(
                f"{label}: column '{sweep_column}' holds {len(sweeps)} sweeps ({', '.join(sweeps)}); "
                "fit one with --sweep NAME or compare them with 'forecast compare --by sweep'"
            )
        elif sweeps:
            chosen_sweep = sweeps[0]
    elif sweep is not None:
        raise DataError(f"{label}: --sweep {sweep!r} given but the file has no sweep column")

    xs, ys, names = [], [], []
    seen: dict[str, int] = {}
    for row, record in rows:
        if derived:
            assert params is not None and tokens is not None
            n_params = _number(record.get(params), row, params, label)
            n_tokens = _number(record.get(tokens), row, tokens, label)
            for value, column in ((n_params, params), (n_tokens, tokens)):
                if value <= 0:
                    raise DataError(f"{label}: row {row}, column '{column}': {value:g} must be positive")
            x_value = 6.0 * n_params * n_tokens
        else:
            x_value = _number(record.get(x_column), row, x_column, label)
            if x_value <= 0:
                raise DataError(
                    f"{label}: row {row}, column '{x_column}': {x_value:g} must be positive; "
                    "remove the row or fix the value"
                )
        y_value = _number(record.get(y_column), row, y_column, label)
        if y_value <= 0:
            raise DataError(
                f"{label}: row {row}, column '{y_column}': {y_value:g} must be positive "
                "(laws are fitted in log space); remove the row or fix the value"
            )
        name = str(record.get(run_column, "")).strip() if run_column else ""
        name = name or f"row {row}"
        if name in seen:
            raise DataError(f"{label}: rows {seen[name]} and {row} both name run {name!r}; give each run a unique name")
        seen[name] = row
        xs.append(x_value)
        ys.append(y_value)
        names.append(name)
    return Runs(
        x=np.array(xs),
        y=np.array(ys),
        names=tuple(names),
        x_column=x_column,
        y_column=y_column,
        file=label,
        sweep=chosen_sweep,
    )
