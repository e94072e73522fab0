"""Files as tables: CSV / TSV / JSON / JSONL / YAML (optionally gzipped, or on standard input), DataFrames and
records, with case-insensitive column aliases and tracker prefixes.

This is the I/O edge for data: every problem becomes a :class:`DataError` whose one line names
the file, the row (counted from 1 after the header) or the column, and what to do.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..settings import MAX_INPUT_BYTES, MAX_ROWS
from .harnesses import HarnessOptions, harness_kind, harness_records, json_lines, result_files

#: Column aliases, case-insensitive; the first name is the canonical one.
ALIASES: dict[str, tuple[str, ...]] = {
    "compute": ("compute", "flops", "c", "training flop", "training_flop"),
    "loss": ("loss", "val_loss"),
    "run": ("run", "name", "run_name", "mlflow.runname", "model", "model_name"),
    "params": ("params", "n_params", "n", "model size", "model_size"),
    "tokens": ("tokens", "n_tokens", "d"),
    "sweep": ("sweep", "group", "methodology"),
    "problem": ("problem", "task", "task_id"),
    "state": ("state", "status"),
    "task_loss": ("task_loss", "bpb", "task_bpb", "bits_per_byte", "nll", "correct_nll", "ppl", "perplexity"),
    "accuracy": ("accuracy", "acc", "acc_norm", "rc_acc"),
    "step": ("step", "global_step", "iteration"),
    "chance": ("chance",),
}


SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
}


INPUT_FORMATS = ("csv", "tsv", "json", "jsonl", "yaml")


#: Prefixes that experiment trackers put before a metric's or parameter's name (MLflow, W&B exports).
TRACKER_PREFIXES = ("metrics.", "params.", "summary.", "config.", "tags.")


#: Columns of a W&B ``project.csv`` that hold a whole dict per run, written as Python literals.
DICT_COLUMNS = ("summary", "config")


def _read_bytes(path: Path, label: str) -> bytes:
    """The file's bytes (standard input for ``-``), gunzipped when it ends in ``.gz``."""
    if str(path) == "-":
        import sys

        data = sys.stdin.buffer.read()
        if data[:2] == b"\x1f\x8b":  # gzip on standard input: its magic number, as there is no name to go by
            import gzip

            try:
                return gzip.decompress(data)
            except (OSError, EOFError):
                raise DataError(f"{label}: not a valid gzip stream; decompress it or fix it") from None
        return data
    if not path.exists():
        raise DataError(f"{label}: file not found; check the path")
    if path.is_dir():
        raise DataError(f"{label}: is a folder, not a file; give the runs file inside it")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"{label}: cannot be read ({error.strerror}); check its permissions") from None
    if path.suffix.lower() == ".gz":
        import gzip

        try:
            return gzip.decompress(data)
        except (OSError, EOFError):
            raise DataError(f"{label}: not a valid gzip file; decompress it or fix it") from None
    return data


def _sniff(text: str) -> str:
    """The format of text without a file name (standard input): JSON, JSON lines, TSV or CSV."""
    start = text.lstrip()[:1]
    if start == "[":
        return "json"
    if start == "{":
        lines = [line for line in text.splitlines() if line.strip()]
        return "jsonl" if len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines) else "json"
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    if "\t" in first:
        return "tsv"
    if first.startswith(("---", "- ")) or re.match(r"^[A-Za-z_][\w .-]*:(\s|$)", first):
        return "yaml"
    return "csv"


def _read_records(path: Path, label: str, input_format: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns (in file order) and one mapping per row."""
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise DataError(f"--input-format {input_format!r}: choose one of {', '.join(INPUT_FORMATS)}")
    if str(path) != "-" and path.is_dir():
        raise DataError(
            f"{label}: is a folder with no harness results (results_*.json, evaluation_results.json, "
            "*_results.jsonl); give the runs file inside it"
        )
    if str(path) != "-" and not path.exists():
        raise DataError(f"{label}: file not found; check the path")
    inner = path.with_suffix("") if path.suffix.lower() == ".gz" else path
    kind = input_format or SUFFIXES.get(inner.suffix.lower())
    if kind is None and str(path) != "-":
        raise DataError(
            f"{label}: unsupported file type '{inner.suffix}'; use .csv, .tsv, .json, .jsonl or .yaml "
            "(optionally .gz), or --input-format"
        )
    try:
        data = _read_bytes(path, label)
        _check_size(len(data), label)  # after gunzip, and for standard input
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{label}: not UTF-8 text; save it as UTF-8 CSV, TSV, JSON or YAML") from None
    if not text.strip():
        raise DataError(f"{label}: file is empty; it needs a header row and one row per run")
    kind = kind or _sniff(text)
    if kind in ("csv", "tsv"):
        return _read_table(text, "\t" if kind == "tsv" else _delimiter(text), label)
    if kind == "jsonl":
        return records_from_document(_read_json_lines(text, label), label)
    document = _read_json(text, label) if kind == "json" else _read_yaml(text, label)
    return records_from_document(document, label)


def _read_json_lines(text: str, label: str) -> list[Any]:
    """One JSON value per non-empty line."""
    return [value for _, value in json_lines(text, label)]


def _delimiter(text: str) -> str:
    """A CSV's delimiter: ``,``, or ``;`` when the header has more semicolons than commas (spreadsheets in locales
    that write decimal commas export so)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


#: A number written with a decimal comma (``2,5`` or ``1,5e20``), read only where ``,`` is not the delimiter.
DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+([eE][+-]?\d+)?\s*$")


def _read_table(text: str, separator: str, label: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows of a delimited file; a row with more or fewer cells than the header is an error. With ``;`` as the
    delimiter, a decimal comma in a number is read as a decimal point."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, skipinitialspace=True)
    try:
        lines = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        where = f"line {reader.line_num}"
        raise DataError(f"{label}: {where}: not a readable table ({error}); save it as plain CSV") from None
    if not lines:
        raise DataError(f"{label}: no values, only separators; it needs a header row and one row per run")
    if lines[0] and lines[0][0].strip() in ("", "Unnamed: 0"):  # the index column pandas writes: not data
        lines = [row[1:] for row in lines]
    columns = [c.strip() for c in lines[0]]
    repeated = sorted({c for c in columns if not c or columns.count(c) > 1})
    if repeated:
        raise DataError(f"{label}: header has empty or repeated column names {repeated}; name each column once")
    records = []
    for row, cells in enumerate(lines[1:], start=1):
        if len(cells) != len(columns):
            seen = {",": "','", ";": "';'", "\t": "tab"}.get(separator, repr(separator))
            raise DataError(
                f"{label}: row {row} has {len(cells)} values but the header has {len(columns)} columns (delimiter "
                f"{seen}); give every row one value per column, and write decimals with a point (or use ';' "
                "between values)"
            )
        if separator == ";":
            cells = [c.replace(",", ".") if DECIMAL_COMMA.match(c) else c for c in cells]
        records.append(dict(zip(columns, cells, strict=True)))
    return columns, records


def _read_json(text: str, label: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise DataError(f"{label}: nested too deeply to be runs; give one flat object per run") from None
    except json.JSONDecodeError as error:
        raise DataError(
            f"{label}: line {error.lineno}, column {error.colno}: invalid JSON ({error.msg}); fix the syntax"
        ) from None


def _read_yaml(text: str, label: str) -> Any:
    import yaml

    from .jobs import bounded_yaml

    try:
        return bounded_yaml(text)
    except ValueError as error:
        raise DataError(f"{label}: {error}") from None
    except RecursionError:
        raise DataError(f"{label}: nested too deeply to be runs; give one flat mapping per run") from None
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


def records_from_document(document: Any, label: str) -> tuple[list[str], list[dict[str, Any]]]:
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


@functools.lru_cache(maxsize=4096)
def bare_name(column: str) -> str:
    """A column's name without a tracker's prefix (``metrics.val_loss`` -> ``val_loss``), lower case."""
    name = column.strip().lower()
    for prefix in TRACKER_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def find_column(columns: list[str], wanted: str, label: str) -> str | None:
    """The file's column for canonical name or alias group ``wanted`` (case-insensitive; tracker prefixes ignored)."""
    names = ALIASES.get(wanted, (wanted,))
    found = [c for c in columns if bare_name(c) in names]
    if len(found) > 1:
        raise DataError(f"{label}: columns {', '.join(repr(c) for c in found)} all mean {wanted}; keep one of them")
    return found[0] if found else None


def explicit_column(columns: list[str], name: str, option: str, label: str) -> str:
    found = [c for c in columns if c.strip().lower() == name.strip().lower()]
    if not found:
        found = [c for c in columns if bare_name(c) == name.strip().lower()]
    if not found:
        raise DataError(f"{label}: {option} {name!r}: no such column; columns are {', '.join(columns)}")
    return found[0]


def cell_number(value: Any, row: int, column: str, label: str) -> float:
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


@dataclass(frozen=True)
class Table:
    """A file's columns and one mapping per row, as read."""

    label: str
    columns: list[str]
    records: list[dict[str, Any]]
    #: The column to fit when none is named (an evaluation metric where lower is better).
    default_y: str | None = None
    #: Read from an evaluation harness's results (its task and metric were chosen as they were read).
    harness: bool = False
    _groups: dict[str, dict[str, list[tuple[int, dict[str, Any]]]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def rows_by(self, column: str) -> dict[str, list[tuple[int, dict[str, Any]]]]:
        """The numbered rows (from 1) of each value of ``column``, stripped; grouped once per column."""
        if column not in self._groups:
            groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
            for row, record in enumerate(self.records, start=1):
                groups.setdefault(str(record.get(column, "")).strip(), []).append((row, record))
            self._groups[column] = groups
        return self._groups[column]

    def column(self, wanted: str) -> str | None:
        return find_column(self.columns, wanted, self.label)

    def has_pass_rates(self) -> bool:
        """Whether the table holds pass rates (a rate, counts or a mean log rate) rather than losses or accuracies."""
        counted = self.column("n_correct") is not None and self.column("n_samples") is not None
        return counted or any(self.column(name) for name in ("pass_rate", "mean_log_pass_rate"))

    def require_pass_rates(self) -> None:
        """A one-line error unless the table holds pass rates (for ``--law passrate``)."""
        if not self.has_pass_rates():
            raise DataError(
                f"{self.label}: --law passrate needs pass rates: 'pass_rate', 'n_samples' and 'n_correct', "
                "or 'mean_log_pass_rate'"
            )


def read_table(path: str | Path, input_format: str | None = None, harness: HarnessOptions | None = None) -> Table:
    """Read any supported file (``-``: standard input) into a :class:`Table`; no runs is an error.

    A W&B ``project.csv`` column of dicts (``summary``, ``config``) is spread into one column per key.
    An evaluation harness's results file, or a folder of them, is one run per model
    (:mod:`scaling_forecast.harnesses`, read with ``harness``).
    """
    label = "<stdin>" if str(path) == "-" else str(path)
    if str(path) != "-" and Path(path).is_file():
        _check_size(Path(path).stat().st_size, label)  # before anything is read
    if _is_harness_output(Path(path)):
        options = harness or HarnessOptions()
        models = models_table(options.models) if options.models else None
        columns, records = harness_records(Path(path), label, options, models)
        fitted = [c for c in columns if c not in ("run", "benchmark", "metric", "params", "tokens", "compute", "step")]
        shares = {"pass_rate", "accuracy", "problem"} & set(columns)
        default_y = fitted[0] if fitted and not shares else None
        if not records:
            raise DataError(f"{label}: no runs; add one row per run under the header")
        return Table(label, columns, records, default_y, harness=True)
    else:
        columns, records = _read_records(Path(path), label, input_format)
    if not records:
        raise DataError(f"{label}: no runs; add one row per run under the header")
    if len(records) > MAX_ROWS:
        raise DataError(f"{label}: {len(records):,} rows is more than the {MAX_ROWS:,} a runs file may hold")
    return Table(label, *_spread_dicts(columns, records))


def _check_size(size: int, label: str) -> None:
    """A runs file holds final values, one row per run: more than :data:`MAX_INPUT_BYTES` is refused."""
    if size > MAX_INPUT_BYTES:
        raise DataError(
            f"{label}: {size / 2**20:,.0f} MB is more than the {MAX_INPUT_BYTES // 2**20} MB a runs file may hold; "
            "keep one row per run (final values), not every logged step"
        )


def _is_harness_output(path: Path) -> bool:
    """A folder of harness results, or a file that an evaluation harness wrote."""
    if str(path) == "-" or not path.exists():
        return False
    if path.is_dir():
        return bool(result_files(path))
    name = path.name.lower()
    if name.endswith("_results.jsonl"):
        return True
    if path.suffix.lower() != ".json":
        return False
    try:
        return harness_kind(json.loads(path.read_text(encoding="utf-8-sig"))) is not None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False  # the ordinary reader reports what is wrong


def _spread_dicts(columns: list[str], records: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns of :data:`DICT_COLUMNS` whose cells are dicts (or their Python literals) become one column per key."""
    import ast

    for column in [c for c in columns if c.strip().lower() in DICT_COLUMNS]:
        parsed = []
        for record in records:
            cell = record.get(column)
            if isinstance(cell, str) and cell.strip().startswith("{"):
                try:
                    cell = ast.literal_eval(cell.strip())
                except (ValueError, SyntaxError, MemoryError, RecursionError):
                    cell = None
            parsed.append(cell if isinstance(cell, dict) else None)
        if not any(parsed):
            continue
        for record, cell in zip(records, parsed, strict=True):
            record.pop(column, None)
            for key, value in (cell or {}).items():
                if str(key) not in record and not isinstance(value, (dict, list)):
                    record[str(key)] = value
        keys = [str(k) for cell in parsed if cell for k, v in cell.items() if not isinstance(v, (dict, list))]
        columns = [c for c in columns if c != column] + [k for k in dict.fromkeys(keys) if k not in columns]
    return columns, records


def as_table(data: Any, label: str | None = None) -> Table:
    """A file path, a :class:`Table`, a pandas ``DataFrame`` or a list of records, as a :class:`Table`.

    A DataFrame's index is ignored unless it is named (then it is a column, e.g. ``run``).
    """
    if isinstance(data, Table):
        return data
    if isinstance(data, (str, Path)):
        return read_table(data)
    if hasattr(data, "to_dict") and hasattr(data, "columns"):  # a pandas DataFrame
        frame = data.reset_index() if any(name is not None for name in data.index.names) else data
        columns = [str(c) for c in frame.columns]
        records = [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
        name = label or "<DataFrame>"
    elif isinstance(data, list):
        name = label or "<records>"
        columns, records = records_from_document(data, name)
    else:
        raise DataError(f"runs must be a file path, a pandas DataFrame or a list of records, not {type(data).__name__}")
    if not records:
        raise DataError(f"{name}: no runs; give one row per run")
    return Table(name, *_spread_dicts(columns, [_plain(record) for record in records]))


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars and NaN (pandas' missing value) as plain values and ``None``."""
    plain = {}
    for key, value in record.items():
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        plain[key] = value
    return plain


def models_table(path: str) -> dict[str, dict[str, Any]]:
    """``--models FILE``: model name -> its params, tokens and compute (any of them)."""
    table = read_table(path)
    model = table.column("run")
    if model is None:
        raise DataError(f"{path}: --models needs a 'model' (or 'run', 'name') column naming each model")
    found = {key: table.column(key) for key in ("params", "tokens", "compute")}
    if all(column is None for column in found.values()):
        raise DataError(f"{path}: --models needs 'params' and 'tokens', or 'compute', per model")
    return {
        str(record[model]).strip(): {key: record.get(column) for key, column in found.items() if column}
        for record in table.records
    }
