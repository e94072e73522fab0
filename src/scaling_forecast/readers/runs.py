"""Runs from tables: compute and the fitted metric per run (losses, pass rates, parameters and tokens), validated.

Every problem becomes a :class:`DataError` whose one line names the file, the row (counted from 1
after the header) or the column, and what to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.passrates import PassRateRuns, pass_at_k, smoothed_pass_at_k
from ..errors import DataError
from ..laws import Array
from .harnesses import HarnessOptions
from .tables import Table, as_table, cell_number, explicit_column, read_table

#: A run whose ``state``/``status`` is not one of these did not finish: its metrics are not final.
FINISHED_STATES = ("finished", "completed", "succeeded", "success", "done")


@dataclass(frozen=True, eq=False)
class Runs:
    """Validated runs: ``x`` (compute by default) and ``y`` (loss by default), one entry per run.

    A law of several design columns reads them from ``columns`` ``(n, k)``, named ``column_names``
    (for chinchilla: ``params`` and ``tokens``, with ``x = 6 N D``).
    """

    x: Array
    y: Array
    names: tuple[str, ...]
    x_column: str
    y_column: str
    file: str
    sweep: str | None = None
    columns: Array | None = None
    column_names: tuple[str, ...] = ()
    #: What reading left out and why (runs that did not finish, or have no value to fit).
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.x.size)

    def to_frame(self) -> Any:
        """The runs as a ``pandas.DataFrame`` (columns ``run``, the design columns, x column, y column)."""
        import pandas as pd

        design = {} if self.columns is None else dict(zip(self.column_names, self.columns.T, strict=True))
        return pd.DataFrame({"run": list(self.names), **design, self.x_column: self.x, self.y_column: self.y})


def count(text: str | None) -> float | None:
    """``3e11`` as a positive number, or ``None`` when ``text`` is not one (it names a column)."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


class _ComputeColumn:
    """How compute is read: a column, or ``6 * params * tokens``."""

    def __init__(self, table: Table, x: str | None, params: str | None = None, tokens: str | None = None) -> None:
        self.label = table.label
        self.params = self.tokens = None
        self.tokens_value = count(tokens)  # one count for every run
        if x is not None:
            self.name = explicit_column(table.columns, x, "--x", table.label)
            return
        if self.tokens_value is not None:
            tokens = None
        if params is not None or tokens is not None or self.tokens_value is not None:
            self.name = "compute"
            self.params = explicit_column(table.columns, params, "--params", table.label) if params else None
            self.tokens = explicit_column(table.columns, tokens, "--tokens", table.label) if tokens else None
            if self.tokens_value is not None:
                self.tokens = "tokens"
            self.params = self.params or table.column("params")
            self.tokens = self.tokens or table.column("tokens")
            if self.params is None or self.tokens is None:
                missing = "--params COL" if self.params is None else "--tokens COL"
                raise DataError(f"{table.label}: compute = 6 * params * tokens needs both columns; add {missing}")
            return
        found = table.column("compute")
        params, tokens = table.column("params"), table.column("tokens")
        if found is None and params is not None and tokens is not None:
            self.name, self.params, self.tokens = "compute", params, tokens
        elif found is None:
            raise DataError(
                f"{table.label}: no compute column; add 'compute' (or 'flops'), or 'params' and 'tokens', "
                "or name the column with --x"
            )
        else:
            self.name = found

    def value(self, record: dict[str, Any], row: int) -> float:
        if self.params is not None and self.tokens is not None:
            product = 6.0
            given = {} if self.tokens_value is None else {self.tokens: self.tokens_value}
            for column in (self.params, self.tokens):
                value = cell_number({**record, **given}.get(column), row, column, self.label)
                if value <= 0:
                    raise DataError(f"{self.label}: row {row}, column '{column}': {value:g} must be positive")
                product *= value
            return product
        value = cell_number(record.get(self.name), row, self.name, self.label)
        if value <= 0:
            raise DataError(
                f"{self.label}: row {row}, column '{self.name}': {value:g} must be positive; "
                "remove the row or fix the value"
            )
        return value


def _group_column(table: Table, by: str | None) -> str | None:
    """The column that names sweeps: ``--by COL`` (``sweep`` means any of its aliases), else the sweep column."""
    if by is None or by.strip().lower() == "sweep":
        found = table.column("sweep")
        if found is None and by is not None:
            return explicit_column(table.columns, by, "--by", table.label)
        return found
    return explicit_column(table.columns, by, "--by", table.label)


def sweep_names(table: Table, by: str) -> list[str]:
    """The sweeps named in column ``by``, in order of first appearance; every row must name one."""
    column = _group_column(table, by)
    assert column is not None
    names: dict[str, None] = {}
    for row, record in enumerate(table.records, start=1):
        name = str(record.get(column, "") if record.get(column) is not None else "").strip()
        if not name:
            raise DataError(f"{table.label}: row {row}, column '{column}': empty; name the sweep of every run")
        names.setdefault(name)
    return list(names)


def _select_sweep(
    table: Table, sweep: str | None, by: str | None = None
) -> tuple[list[tuple[int, dict[str, Any]]], str | None]:
    """The numbered rows of the chosen sweep, and its name."""
    label = table.label
    sweep_column = _group_column(table, by)
    if sweep_column is None:
        if sweep is not None:
            raise DataError(f"{label}: --sweep {sweep!r} given but the file has no sweep column")
        return list(enumerate(table.records, start=1)), None
    groups = table.rows_by(sweep_column)
    if sweep is not None and sweep and sweep in groups:
        return groups[sweep], sweep
    sweeps = sorted(set(groups) - {""})
    if sweep is not None:
        raise DataError(f"{label}: --sweep {sweep!r}: no such sweep; sweeps are {', '.join(sweeps)}")
    if len(sweeps) > 1:
        raise DataError(
            f"{label}: column '{sweep_column}' holds {len(sweeps)} sweeps ({', '.join(sweeps)}); "
            "fit one with --sweep NAME or compare them with 'forecast compare --by sweep'"
        )
    return list(enumerate(table.records, start=1)), (sweeps[0] if sweeps else None)


def load_runs(
    path: str | Path | Table | Any,
    *,
    x: str | None = None,
    y: str | None = None,
    sweep: str | None = None,
    by: str | None = None,
    params: str | None = None,
    tokens: str | None = None,
) -> Runs:
    """Load runs from ``path``, a :class:`Table`, a pandas ``DataFrame`` or a list of records, and validate them.

    Notes
    -----
    ``x`` defaults to compute (``compute|flops|c``), derived as ``6 * params * tokens`` when
    absent (``params``/``tokens`` name those columns); ``y`` defaults to loss (``loss|val_loss``).
    Both must be positive and finite. Several runs at the same compute are replicates (seeds), not
    an error; duplicate run names are. Runs whose ``state``/``status`` says they did not finish,
    and runs with no ``y`` value, are left out with a warning that names them.
    """
    table = as_table(path)
    label = table.label
    compute = _ComputeColumn(table, x, params, tokens)
    if y is not None or table.default_y is not None:
        y_column = explicit_column(table.columns, y or str(table.default_y), "--y", label)
    else:
        found_y = table.column("loss")
        if found_y is None:
            raise DataError(f"{label}: no loss column; add 'loss' (or 'val_loss'), or name the column with --y")
        y_column = found_y
    run_column = table.column("run")
    rows, chosen_sweep = _select_sweep(table, sweep, by)
    rows, warnings = _finished(table, rows, y_column, run_column)
    xs, ys, names = [], [], []
    seen: dict[str, int] = {}
    for row, record in rows:
        x_value = compute.value(record, row)
        y_value = cell_number(record.get(y_column), row, y_column, label)
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
        x_column=compute.name,
        y_column=y_column,
        file=label,
        sweep=chosen_sweep,
        warnings=warnings,
    )


def _finished(
    table: Table, rows: list[tuple[int, dict[str, Any]]], y_column: str, run_column: str | None
) -> tuple[list[tuple[int, dict[str, Any]]], tuple[str, ...]]:
    """The rows of runs that finished and have a ``y`` value, and a warning naming the others."""
    state_column = table.column("state")
    kept, unfinished, empty = [], [], []
    for row, record in rows:
        name = (str(record.get(run_column, "")).strip() if run_column else "") or f"row {row}"
        state = str(record.get(state_column, "") or "").strip().lower() if state_column else ""
        value = record.get(y_column)
        if state and state not in FINISHED_STATES:
            unfinished.append(f"{name} ({state})")
        elif value is None or (isinstance(value, str) and not value.strip()):
            empty.append(name)
        else:
            kept.append((row, record))
    if not kept:
        raise DataError(f"{table.label}: no run has a '{y_column}' value from a finished run; nothing to fit")
    warnings = []
    if unfinished:
        warnings.append(
            f"left out {len(unfinished)} run(s) that did not finish ({state_column}): {', '.join(unfinished)}"
        )
    if empty:
        warnings.append(f"left out {len(empty)} run(s) with no '{y_column}' value: {', '.join(empty)}")
    return kept, tuple(warnings)


def _integer(value: Any, row: int, column: str, label: str) -> int:
    number = cell_number(value, row, column, label)
    if number < 0 or number != int(number):
        raise DataError(f"{label}: row {row}, column '{column}': {value!r} must be a whole number >= 0")
    return int(number)


def load_pass_rates(
    path: str | Path | Table,
    *,
    x: str | None = None,
    sweep: str | None = None,
    k: int = 1,
    by: str | None = None,
) -> PassRateRuns:
    """Load pass rates: long per-problem rows, or one aggregate row per run.

    Notes
    -----
    Long rows have ``problem`` and either ``pass_rate`` in [0, 1] or ``n_samples`` and
    ``n_correct`` (pass@k by the unbiased estimator); runs are identified by ``run`` or, without
    it, by compute. Every run must have every problem exactly once. Aggregate rows have
    ``pass_rate`` (a run's geometric-mean pass rate) or ``mean_log_pass_rate`` (``E[log p] <= 0``).
    """
    table = path if isinstance(path, Table) else read_table(path)
    label = table.label
    if k < 1:
        raise DataError(f"--k {k}: must be a whole number >= 1")
    compute = _ComputeColumn(table, x)
    run_column, problem_column = table.column("run"), table.column("problem")
    rate_column, mean_log_column = table.column("pass_rate"), table.column("mean_log_pass_rate")
    samples_column, correct_column = table.column("n_samples"), table.column("n_correct")
    counted = samples_column is not None and correct_column is not None
    if rate_column is None and mean_log_column is None and not counted:
        raise DataError(
            f"{label}: no pass-rate column; add 'pass_rate', or 'n_samples' and 'n_correct', or 'mean_log_pass_rate'"
        )
    rows, chosen_sweep = _select_sweep(table, sweep, by)
    run_compute: dict[str, tuple[float, int]] = {}
    cells: dict[tuple[str, str], tuple[float, float | None, int]] = {}
    for row, record in rows:
        c_value = compute.value(record, row)
        run = str(record.get(run_column, "")).strip() if run_column else ""
        run = run or f"{c_value:g}"
        if run in run_compute and run_compute[run][0] != c_value:
            raise DataError(
                f"{label}: rows {run_compute[run][1]} and {row} give run {run!r} different compute; "
                "one run has one compute value"
            )
        run_compute.setdefault(run, (c_value, row))
        problem = "" if problem_column is None else str(record.get(problem_column, "")).strip()
        if problem_column is not None and not problem:
            raise DataError(f"{label}: row {row}, column '{problem_column}': missing problem id; fill it in")
        if (run, problem) in cells:
            what = f"problem {problem!r} twice for run {run!r}" if problem_column else f"run {run!r} twice"
            raise DataError(f"{label}: rows {cells[(run, problem)][2]} and {row} give {what}; keep one")
        smooth: float | None = None
        if counted:  # counts, when given, win over a rate column
            assert samples_column is not None and correct_column is not None
            n = _integer(record.get(samples_column), row, samples_column, label)
            c = _integer(record.get(correct_column), row, correct_column, label)
            if n < k:
                raise DataError(
                    f"{label}: row {row}, column '{samples_column}': {n} samples cannot give pass@{k}; "
                    f"need at least {k}"
                )
            if c > n:
                raise DataError(f"{label}: row {row}: n_correct {c} exceeds n_samples {n}; fix the counts")
            rate, smooth = float(n), float(c)  # counts for now: pass@k of every cell at once, below
        elif rate_column is not None:
            rate = cell_number(record.get(rate_column), row, rate_column, label)
            if not 0.0 <= rate <= 1.0:
                raise DataError(f"{label}: row {row}, column '{rate_column}': {rate:g} is not a pass rate in [0, 1]")
        else:
            assert mean_log_column is not None
            mean_log = cell_number(record.get(mean_log_column), row, mean_log_column, label)
            if mean_log > 0:
                raise DataError(
                    f"{label}: row {row}, column '{mean_log_column}': {mean_log:g} must be <= 0 "
                    "(the mean of log pass rates); give E[log pass_rate], not its negative"
                )
            rate = float(np.exp(mean_log))
        cells[(run, problem)] = (rate, smooth, row)
    runs = sorted(run_compute, key=lambda r: (run_compute[r][0], r))
    problems = tuple(sorted({p for _, p in cells}))
    rates = np.full((len(runs), len(problems)), np.nan)
    smoothed = np.full_like(rates, np.nan) if counted else None
    column_of = {p: j for j, p in enumerate(problems)}
    for i, run in enumerate(runs):
        for problem in problems:
            cell = cells.get((run, problem))
            if cell is None:
                raise DataError(
                    f"{label}: problem {problem!r} has no row for run {run!r}; every run needs every problem "
                    "(add the row or remove the problem)"
                )
            rates[i, column_of[problem]] = cell[0]
            if smoothed is not None and cell[1] is not None:
                smoothed[i, column_of[problem]] = cell[1]
    if smoothed is not None:  # the cells hold (n_samples, n_correct)
        rates, smoothed = pass_at_k(rates, smoothed, k), smoothed_pass_at_k(rates, smoothed, k)
    return PassRateRuns(
        compute=np.array([run_compute[r][0] for r in runs]),
        names=tuple(runs),
        rates=rates,
        problems=problems if problem_column else ("all",),
        per_problem=problem_column is not None,
        smoothed=smoothed if smoothed is not None and np.isfinite(smoothed).all() else None,
        x_column=compute.name,
        file=label,
        k=k,
        sweep=chosen_sweep,
    )


def read_sweeps(
    paths: list[str],
    *,
    by: str | None = None,
    names: list[str] | None = None,
    law: str = "auto",
    x: str | None = None,
    y: str | None = None,
    k: int = 1,
) -> list[tuple[str, Any]]:
    """The runs of each sweep: one per file (named after the file or ``names``), or one per value of ``by``.

    Returns ``(name, runs)`` pairs: pass-rate runs when ``law`` is ``passrate``, or ``auto`` and
    every file has pass-rate columns; :class:`Runs` otherwise. :func:`scaling_forecast.compare.sweeps_from`
    makes them sweeps to compare.
    """
    if not paths:
        raise DataError("no runs files: give one file with --by COLUMN, or one file per sweep")
    if by is not None and len(paths) != 1:
        raise DataError(f"--by {by!r} splits one file into sweeps; got {len(paths)} files (give one, or drop --by)")
    if by is None and len(paths) < 2:
        raise DataError(f"{paths[0]}: one file is one sweep; give 2 or more files, or --by COLUMN to split this one")
    if names and (by is not None or len(names) != len(paths)):
        raise DataError(f"--name given {len(names)} time(s) for {len(paths)} file(s): give one --name per file")
    tables = [read_table(p) for p in paths]
    rates = law == "passrate" or (law == "auto" and y is None and all(t.has_pass_rates() for t in tables))
    jobs: list[tuple[str, Table, str | None]] = []
    if by is not None:
        jobs = [(name, tables[0], name) for name in sweep_names(tables[0], by)]
    else:
        labels = names or [Path(p).stem for p in paths]
        jobs = [(label, table, None) for label, table in zip(labels, tables, strict=True)]
    from ..laws import LAWS

    loaded: list[tuple[str, Any]] = []
    for name, table, group in jobs:
        select = {"sweep": group, "by": by}
        if law in LAWS and LAWS[law].design != ("compute",):
            loaded.append((name, load_two_variable(table, y=y, sweep=group, by=by)[0]))
        elif rates:
            table.require_pass_rates()
            loaded.append((name, load_pass_rates(table, x=x, k=k, **select)))
        else:
            loaded.append((name, load_runs(table, x=x, y=y, **select)))
    return loaded


def drop_runs(
    data: Any, *, min_compute: float | None = None, exclude: list[str] | None = None
) -> tuple[Any, tuple[str, ...]]:
    """``data`` (:class:`Runs` or pass-rate runs) without the runs named in ``exclude`` or below ``min_compute``.

    Returns the kept runs and the names of the dropped ones. An unknown name is an error, so a
    typo cannot silently keep a run in.
    """
    from dataclasses import replace

    names = tuple(data.names)
    compute = data.x if isinstance(data, Runs) else data.compute
    label = data.file
    if min_compute is not None and not (math.isfinite(min_compute) and min_compute > 0):
        raise DataError(f"--min-compute {min_compute}: must be a positive compute in FLOP, e.g. 1e18")
    unknown = [name for name in exclude or [] if name not in names]
    if unknown:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise DataError(f"{label}: --exclude {unknown[0]!r}: no such run; runs are {shown}")
    keep = np.array([name not in (exclude or []) for name in names], dtype=bool)
    if min_compute is not None:
        keep &= compute >= min_compute
    dropped = tuple(name for name, kept in zip(names, keep, strict=True) if not kept)
    if not dropped:
        return data, ()
    if not keep.any():
        raise DataError(f"{label}: --exclude and --min-compute leave no runs; keep some")
    kept_names = tuple(name for name, kept in zip(names, keep, strict=True) if kept)
    if isinstance(data, Runs):
        columns = None if data.columns is None else data.columns[keep]
        return replace(data, x=data.x[keep], y=data.y[keep], names=kept_names, columns=columns), dropped
    smoothed = None if data.smoothed is None else data.smoothed[keep]
    return replace(
        data, compute=data.compute[keep], names=kept_names, rates=data.rates[keep], smoothed=smoothed
    ), dropped


def load_two_variable(
    path: str | Path | Table,
    *,
    y: str | None = None,
    drop_highest: int = 0,
    sweep: str | None = None,
    by: str | None = None,
) -> tuple[Any, tuple[str, ...]]:
    """Runs with parameters ``N`` and tokens ``D`` (or compute, with ``D = C / 6N``) for the Chinchilla law.

    ``drop_highest`` leaves out that many runs with the highest loss (the replication protocol
    drops 5 of the 245 Chinchilla points). Returns the runs (``x = 6 N D``, ``columns = (N, D)``)
    and the names of the dropped ones.
    """
    table = path if isinstance(path, Table) else read_table(path)
    label = table.label
    params_column = table.column("params")
    if params_column is None:
        raise DataError(f"{label}: --law chinchilla needs a parameters column; add 'params' (or 'n_params')")
    tokens_column, compute_column = table.column("tokens"), table.column("compute")
    if tokens_column is None and compute_column is None:
        raise DataError(
            f"{label}: --law chinchilla needs tokens; add 'tokens' (or 'n_tokens'), or 'compute' to derive "
            "tokens = compute / (6 * params)"
        )
    y_column = explicit_column(table.columns, y, "--y", label) if y is not None else table.column("loss")
    if y_column is None:
        raise DataError(f"{label}: no loss column; add 'loss' (or 'val_loss'), or name the column with --y")
    run_column = table.column("run")
    rows, sweep = _select_sweep(table, sweep, by)
    n_values, d_values, losses, names = [], [], [], []
    for row, record in rows:
        n_value = cell_number(record.get(params_column), row, params_column, label)
        if tokens_column is not None:
            d_value, d_column = cell_number(record.get(tokens_column), row, tokens_column, label), tokens_column
        else:
            assert compute_column is not None
            c_value = cell_number(record.get(compute_column), row, compute_column, label)
            d_value, d_column = (c_value / (6.0 * n_value) if n_value > 0 else c_value), compute_column
        for value, column in ((n_value, params_column), (d_value, d_column)):
            if value <= 0:
                raise DataError(f"{label}: row {row}, column '{column}': {value:g} must be positive; fix the value")
        loss = cell_number(record.get(y_column), row, y_column, label)
        if loss <= 0:
            raise DataError(f"{label}: row {row}, column '{y_column}': {loss:g} must be positive; fix the value")
        n_values.append(n_value)
        d_values.append(d_value)
        losses.append(loss)
        names.append((str(record.get(run_column, "")).strip() if run_column else "") or f"row {row}")
    loss_array = np.array(losses)
    if not 0 <= drop_highest < loss_array.size:
        raise DataError(f"--drop-highest {drop_highest}: must be between 0 and the number of runs minus 1")
    keep = np.ones(loss_array.size, dtype=bool)
    if drop_highest:
        keep[np.argsort(-loss_array, kind="stable")[:drop_highest]] = False
    dropped = tuple(name for name, kept in zip(names, keep, strict=True) if not kept)
    columns = np.column_stack([n_values, d_values])[keep]
    runs = Runs(
        6.0 * columns[:, 0] * columns[:, 1],
        loss_array[keep],
        tuple(name for name, kept in zip(names, keep, strict=True) if kept),
        "compute",
        y_column,
        label,
        sweep,
        columns=columns,
        column_names=("params", "tokens"),
    )
    return runs, dropped


def load_for_law(
    path: str | Path,
    law: str = "auto",
    *,
    x: str | None = None,
    y: str | None = None,
    sweep: str | None = None,
    k: int = 1,
    drop_highest: int = 0,
    min_compute: float | None = None,
    exclude: list[str] | None = None,
    params: str | None = None,
    tokens: str | None = None,
    input_format: str | None = None,
    task: str | None = None,
    metric: str | None = None,
    models: str | None = None,
) -> tuple[Any, tuple[str, ...]]:
    """The runs of ``path`` as ``law`` reads them, without the runs left out, and the names of those.

    A law of parameters and tokens (chinchilla) reads :func:`load_two_variable`; ``passrate``, or
    ``auto`` on a file with pass-rate columns and no ``y`` named, reads pass rates
    (:func:`load_pass_rates`); any other law reads compute and ``y`` (:func:`load_runs`). An
    evaluation harness's results are read with ``task``, ``metric``, ``models`` and a ``tokens`` count.
    """
    from ..laws import LAWS

    table = read_table(path, input_format, HarnessOptions(task, metric, count(tokens), models))
    dropped: tuple[str, ...] = ()
    if law in LAWS and LAWS[law].design != ("compute",):
        data, dropped = load_two_variable(table, y=y, drop_highest=drop_highest, sweep=sweep)
    elif law == "passrate" or (law == "auto" and y is None and table.has_pass_rates()):
        loss = table.column("loss")
        if law == "auto" and loss is not None:
            raise DataError(
                f"{table.label}: holds both a loss column ('{loss}') and pass rates; "
                f"say which to fit: --y {loss} (a loss law) or --law passrate"
            )
        table.require_pass_rates()
        data = load_pass_rates(table, x=x, sweep=sweep, k=k)
    else:
        data = load_runs(table, x=x, y=y, sweep=sweep, params=params, tokens=tokens)
    data, left_out = drop_runs(data, min_compute=min_compute, exclude=exclude)
    return data, dropped + left_out
