"""Runs from tables: compute and the fitted metric per run (losses, pass rates, parameters and tokens), validated.

Every problem becomes a :class:`DataError` whose one line names the file, the row (counted from 1
after the header) or the column, and what to do.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.passrates import PassRateRuns, pass_at_k, smoothed_pass_at_k
from ..engine.runs import Runs
from ..errors import ConfigError, DataError
from ..laws import LAWS
from .harnesses import HarnessOptions
from .tables import ALIASES, Table, as_table, bare_name, cell_number, explicit_column, read_table

#: A run whose ``state``/``status`` is not one of these did not finish: its metrics are not final.
FINISHED_STATES = ("finished", "completed", "succeeded", "success", "done")


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

    def parts(self, record: dict[str, Any], row: int) -> tuple[float, float] | None:
        """``(N, D)`` when compute is ``6 N D`` from the file's columns, else ``None``."""
        if self.params is None or self.tokens is None:
            return None
        given = {} if self.tokens_value is None else {self.tokens: self.tokens_value}
        merged = {**record, **given}
        return (
            cell_number(merged.get(self.params), row, self.params, self.label),
            cell_number(merged.get(self.tokens), row, self.tokens, self.label),
        )

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
    law: str = "auto",
    task: str | None = None,
) -> Runs:
    """Load runs from ``path``, a :class:`Table`, a pandas ``DataFrame`` or a list of records, and validate them.

    Notes
    -----
    ``x`` defaults to compute (``compute|flops|c``), derived as ``6 * params * tokens`` when
    absent (``params``/``tokens`` name those columns); ``y`` defaults to loss (``loss|val_loss``).
    Both must be positive and finite. Several runs at the same compute are replicates (seeds), not
    an error; duplicate run names are. Runs whose ``state``/``status`` says they did not finish,
    and runs with no ``y`` value, are left out with a warning that names them. A file of accuracies
    (an accuracy column and no loss), or any file under a law of accuracy, is read as the command
    line reads it (:func:`load_accuracy`), and under ``chinchilla`` the runs' parameters and tokens
    (:func:`load_two_variable`); of several tasks in a ``task`` column, ``task`` names the one.
    """
    table = as_table(path)
    chosen = law if law != "auto" else (accuracy_law(table, y) or "auto")
    if chosen in LAWS and LAWS[chosen].design == ("params", "tokens"):
        runs: Runs = load_two_variable(table, y=y, sweep=sweep, by=by, params=params, tokens=tokens)[0]
        return runs
    if chosen == "passrate":
        raise ConfigError(
            f"{table.label}: load_runs reads losses and accuracies; pass rates load with "
            "load_for_law(path, 'passrate'), which fit_runs fits"
        )
    if chosen in LAWS and LAWS[chosen].reads == "accuracy":
        if by is None:
            table = one_task(table, task)
        return load_accuracy(table, chosen, x=x, y=y, sweep=sweep, by=by, params=params, tokens=tokens)
    label = table.label
    compute = _ComputeColumn(table, x, params, tokens)
    if y is not None or table.default_y is not None:
        y_column = explicit_column(table.columns, y or str(table.default_y), "--y", label)
    else:
        found_y = table.column("loss") or next((c for c in table.columns if is_perplexity(c)), None)
        accuracy = table.column("accuracy")
        if found_y is None and accuracy is not None:
            laws = ", ".join(name for name, spec in LAWS.items() if spec.reads == "accuracy")
            raise DataError(
                f"{label}: holds accuracies ('{accuracy}') and no loss: fit them with a law of accuracy "
                f"({laws}, or --law auto), or name a loss column with --y"
            )
        if found_y is None:
            raise DataError(f"{label}: no loss column; add 'loss' (or 'val_loss'), or name the column with --y")
        y_column = found_y
    run_column = table.column("run")
    rows, chosen_sweep = _select_sweep(table, sweep, by)
    rows, warnings = _finished(table, rows, y_column, run_column)
    perplexity = is_perplexity(y_column)
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
        if perplexity:
            y_value = _perplexity_log(y_value, row, y_column, label)
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
        y_column=_fitted_name(y_column),
        file=label,
        sweep=chosen_sweep,
        warnings=warnings,
    )


def _overtraining_grid(sizes: list[tuple[float, float]]) -> bool:
    """Whether runs of parameters and tokens form an over-training grid: some model size trained on several token
    counts, so that compute alone does not set the loss (the two-step law's step 1 is then the chinchilla law)."""
    if not sizes:
        return False
    tokens: dict[float, set[float]] = {}
    for params, count in sizes:
        tokens.setdefault(params, set()).add(count)
    return any(len(counts) > 1 for counts in tokens.values())


def _perplexity_log(value: float, row: int, column: str, label: str) -> float:
    """A perplexity's log (the mean negative log-likelihood in nats); a perplexity of 1 or less is refused."""
    if value <= 1.0:
        raise DataError(
            f"{label}: row {row}, column '{column}': {value:g} is a perplexity, which is above 1; "
            "fix the value, or name the column for what it holds"
        )
    return math.log(value)


def _fitted_name(column: str) -> str:
    """The name of what is fitted from ``column``: ``log ppl`` for a perplexity, else the column."""
    return f"log {column}" if is_perplexity(column) else column


def _harness_k(table: Table, k: int) -> int:
    """The ``k`` of pass rates a harness already aggregated (its ``metric`` column, ``pass@10``): that pass@k is
    what is fitted, whatever ``--k`` says."""
    metrics = {str(r.get("metric", "")) for r in table.records} if table.harness else set()
    if len(metrics) == 1 and (metric := metrics.pop()).startswith("pass@") and metric[5:].isdigit():
        return int(metric[5:])
    return k


def is_perplexity(column: str) -> bool:
    """Whether a loss column holds a perplexity (``ppl``, ``perplexity``, ``word_perplexity``, ...): it is fitted as
    its log, the mean negative log-likelihood, which the laws keep above 0 as a perplexity stays above 1."""
    name = column.strip().lower()
    return name in ("ppl", "perplexity") or name.endswith(("_ppl", "perplexity"))


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


def accuracy_law(table: Table, y: str | None = None) -> str | None:
    """The law ``--law auto`` fits to a file of accuracies: ``two-step`` with a task loss, else ``accuracy``;
    ``None`` for any other file. With ``--y COL``, a file of accuracies is one whose ``COL`` is an accuracy."""
    if y is not None:
        named = explicit_column(table.columns, y, "--y", table.label)
        if bare_name(named) not in ALIASES["accuracy"]:
            return None
    elif table.column("accuracy") is None or table.column("loss") is not None or table.has_pass_rates():
        return None
    return "two-step" if table.column("task_loss") is not None else "accuracy"


def load_accuracy(
    table: Table,
    law: str = "accuracy",
    *,
    x: str | None = None,
    y: str | None = None,
    sweep: str | None = None,
    by: str | None = None,
    params: str | None = None,
    tokens: str | None = None,
) -> Runs:
    """Runs of accuracies for ``law``: compute (or ``6 N D``), an accuracy (``y`` or its aliases), and the task
    loss when the law reads one; ``run`` and ``step`` for checkpoints, and a ``chance`` column."""
    label = table.label
    reads_loss = "task_loss" in LAWS[law].design
    compute = _ComputeColumn(table, x, params, tokens)
    accuracy_column = explicit_column(table.columns, y, "--y", label) if y is not None else table.column("accuracy")
    loss_column = table.column("task_loss") if reads_loss else None
    if accuracy_column is None or (reads_loss and loss_column is None):
        missing = (
            "a task loss ('task_loss', 'bpb', 'nll' or 'correct_nll')"
            if accuracy_column is not None
            else "an accuracy ('accuracy', 'acc', 'acc_norm' or 'rc_acc'), or name it with --y"
        )
        raise DataError(f"{label}: --law {law} reads {missing} column; add it to the file")
    run_column, step_column, chance_name = table.column("run"), table.column("step"), table.column("chance")
    rows, chosen_sweep = _select_sweep(table, sweep, by)
    xs, losses, accuracies, names, steps, chances = [], [], [], [], [], []
    sizes: list[tuple[float, float]] = []
    for row, record in rows:
        x_value = compute.value(record, row)
        parts = compute.parts(record, row) if loss_column is not None else None
        if parts is not None:
            sizes.append(parts)
        accuracy = cell_number(record.get(accuracy_column), row, accuracy_column, label)
        if not 0.0 <= accuracy <= 1.0:
            raise DataError(
                f"{label}: row {row}, column '{accuracy_column}': {accuracy:g} is not a share between 0 and 1 "
                "(write 71.5% as 0.715)"
            )
        if loss_column is not None:
            loss = cell_number(record.get(loss_column), row, loss_column, label)
            if loss <= 0:
                raise DataError(f"{label}: row {row}, column '{loss_column}': {loss:g} must be positive; fix the value")
            losses.append(_perplexity_log(loss, row, loss_column, label) if is_perplexity(loss_column) else loss)
        xs.append(x_value)
        accuracies.append(accuracy)
        names.append((str(record.get(run_column, "")).strip() if run_column else "") or f"row {row}")
        if step_column is not None:
            steps.append(cell_number(record.get(step_column), row, step_column, label))
        if chance_name is not None:
            chances.append(cell_number(record.get(chance_name), row, chance_name, label))
    if len(set(chances)) > 1:
        raise DataError(f"{label}: column '{chance_name}' holds several values; one file is one task with one chance")
    chance = chances[0] if chances else None
    if chance is not None and not 0.0 <= chance < 1.0:
        raise DataError(f"{label}: column '{chance_name}': {chance:g} must be at least 0 and below 1")
    use_steps = step_column is not None and run_column is not None
    if not use_steps and len(set(names)) < len(names):
        first = next(n for n in names if names.count(n) > 1)
        raise DataError(
            f"{label}: run {first!r} appears in several rows; give each run a unique name, or a 'step' column"
        )
    columns = np.array(losses)[:, None] if loss_column is not None else None
    column_names = (_fitted_name(loss_column),) if loss_column is not None else ()
    runs = Runs(
        x=np.array(xs),
        y=np.array(accuracies),
        names=tuple(names),
        x_column=compute.name,
        y_column=accuracy_column,
        file=label,
        sweep=chosen_sweep,
        columns=columns,
        column_names=column_names,
        metric="accuracy",
        steps=np.array(steps) if use_steps else None,
        chance=chance,
    )
    if columns is None or not sizes or not _overtraining_grid([sizes[i] for i in runs.final_rows()]):
        return runs
    return replace(
        runs,
        columns=np.column_stack([columns, np.array(sizes)]),
        column_names=(*column_names, str(compute.params), str(compute.tokens)),
    )


#: Columns that name a table's task (a plain file's ``task``; an evaluation harness's ``benchmark``).
TASK_COLUMNS = ("task", "benchmark")


def task_column(table: Table) -> str | None:
    """The column that names each row's task, in a file that is not per-problem pass rates."""
    if table.has_pass_rates():
        return None  # there 'task' and 'task_id' name problems
    return next((c for c in table.columns if c.strip().lower() in TASK_COLUMNS), None)


def one_task(table: Table, task: str | None) -> Table:
    """The rows of ``--task NAME`` (a file with a task column), or the table when it holds one task.

    A table of several tasks with no ``--task`` is an error that says how to fit one or each.
    """
    column = task_column(table)
    if column is None:
        if task is not None and not table.default_y and "benchmark" not in table.columns:
            raise DataError(
                f"{table.label}: --task {task!r}: the file has no 'task' column; --task picks a task of an evaluation "
                "harness's results, or of a file with a 'task' column"
            )
        return table
    groups = table.rows_by(column)
    tasks = sorted(name for name in groups if name)
    if task is not None:
        if task not in groups:
            raise DataError(f"{table.label}: --task {task!r}: no such task; {_some(tasks)}")
        return Table(
            f"{table.label} (task {task!r}; rows counted within it)", table.columns, [r for _, r in groups[task]]
        )
    if len(tasks) > 1:
        raise DataError(
            f"{table.label}: holds {len(tasks)} tasks in column '{column}' ({_some(tasks)}); "
            f"choose one with --task NAME (forecast fit and forecast compare also take --by {column}: each task on "
            "its own)"
        )
    return table


def _some(names: list[str], shown: int = 5) -> str:
    """``tasks are a, b, c`` for a few names, or ``7 tasks, among them a, b, c, ...`` for many."""
    if len(names) <= shown:
        return f"tasks are {', '.join(names)}"
    return f"{len(names)} tasks, among them {', '.join(names[:shown])}, ..."


def _integer(value: Any, row: int, column: str, label: str) -> int:
    number = cell_number(value, row, column, label)
    if number < 0 or number != int(number):
        raise DataError(f"{label}: row {row}, column '{column}': {value!r} must be a whole number >= 0")
    return int(number)


def load_pass_rates(
    path: str | Path | Table,
    *,
    x: str | None = None,
    y: str | None = None,
    sweep: str | None = None,
    k: int = 1,
    by: str | None = None,
    params: str | None = None,
    tokens: str | None = None,
) -> PassRateRuns:
    """Load pass rates: long per-problem rows, or one aggregate row per run.

    Notes
    -----
    Long rows have ``problem`` and either ``pass_rate`` in [0, 1] or ``n_samples`` and
    ``n_correct`` (pass@k by the unbiased estimator); runs are identified by ``run`` or, without
    it, by compute. Every run must have every problem exactly once. Aggregate rows have
    ``pass_rate`` (a run's geometric-mean pass rate) or ``mean_log_pass_rate`` (``E[log p] <= 0``).
    ``y`` names the pass-rate column when it has another name.
    """
    table = path if isinstance(path, Table) else read_table(path)
    label = table.label
    if k < 1:
        raise DataError(f"--k {k}: must be a whole number >= 1")
    compute = _ComputeColumn(table, x, params, tokens)
    run_column, problem_column = table.column("run"), table.column("problem")
    rate_column, mean_log_column = table.column("pass_rate"), table.column("mean_log_pass_rate")
    if y is not None:
        rate_column, mean_log_column = explicit_column(table.columns, y, "--y", label), None
    samples_column, correct_column = table.column("n_samples"), table.column("n_correct")
    counted = samples_column is not None and correct_column is not None and y is None  # --y names a rate
    k = k if counted else _harness_k(table, k)
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
    params: str | None = None,
    tokens: str | None = None,
    task: str | None = None,
    metric: str | None = None,
    models: str | None = None,
) -> list[tuple[str, Any]]:
    """The runs of each sweep: one per file or harness folder (named after it or ``names``), or one per value of
    ``by``; ``params``, ``tokens``, ``task``, ``metric`` and ``models`` are read as ``forecast fit`` reads them.

    Returns ``(name, runs)`` pairs: pass-rate runs when ``law`` is ``passrate``, or ``auto`` and
    every file has pass-rate columns; runs of accuracies for a law of accuracy, or ``auto`` on files of
    accuracies; :class:`Runs` of losses otherwise. :func:`scaling_forecast.compare.sweeps_from`
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
    tables = [runs_table(p, task=task, metric=metric, tokens=tokens, models=models, by=by) for p in paths]
    tokens = None if count(tokens) is not None else tokens  # a count was given to the harness reader
    chosen = law
    if law == "auto":  # what the files hold, when they all hold the same
        kinds = {resolve_law(t, "auto", y) for t in tables}
        chosen = kinds.pop() if len(kinds) == 1 else "auto"
    jobs: list[tuple[str, Table, str | None]] = []
    if by is not None:
        jobs = [(name, tables[0], name) for name in sweep_names(tables[0], by)]
    else:
        labels = names or [Path(p).stem or Path(p).name for p in paths]
        jobs = [(label, table, None) for label, table in zip(labels, tables, strict=True)]
    spec = LAWS.get(chosen)
    loaded: list[tuple[str, Any]] = []
    columns = {"params": params, "tokens": tokens}
    for name, table, group in jobs:
        if spec is not None and spec.design == ("params", "tokens"):
            sized = load_two_variable(table, y=y, sweep=group, by=by, params=params, tokens=tokens)
            loaded.append((name, sized[0]))
        elif chosen == "passrate":
            table.require_pass_rates()
            loaded.append((name, load_pass_rates(table, x=x, y=y, k=k, sweep=group, by=by)))
        elif spec is not None and spec.reads == "accuracy":
            loaded.append((name, load_accuracy(table, chosen, x=x, y=y, sweep=group, by=by, **columns)))
        else:
            loaded.append((name, load_runs(table, x=x, y=y, sweep=group, by=by, law=chosen, **columns)))
    return loaded


def drop_runs(
    data: Any, *, min_compute: float | None = None, exclude: list[str] | None = None
) -> tuple[Any, tuple[str, ...]]:
    """``data`` (:class:`Runs` or pass-rate runs) without the runs named in ``exclude`` or below ``min_compute``.

    Returns the kept runs and the names of the dropped ones. An unknown name is an error, so a
    typo cannot silently keep a run in.
    """
    from dataclasses import replace

    if isinstance(data, Runs) and data.steps is not None:  # checkpoints: a run is kept or left out whole
        final = data.final_rows()
        runs, dropped = drop_runs(replace(data, steps=None).take(final), min_compute=min_compute, exclude=exclude)
        kept = set(runs.names)
        return data.take(np.array([i for i in final if data.names[i] in kept], dtype=np.intp)), dropped
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
        return data.take(np.flatnonzero(keep)), tuple(dict.fromkeys(dropped))
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
    params: str | None = None,
    tokens: str | None = None,
) -> tuple[Any, tuple[str, ...]]:
    """Runs with parameters ``N`` and tokens ``D`` (or compute, with ``D = C / 6N``) for the Chinchilla law.

    ``drop_highest`` leaves out that many runs with the highest loss (the replication protocol
    drops 5 of the 245 Chinchilla points). Returns the runs (``x = 6 N D``, ``columns = (N, D)``)
    and the names of the dropped ones. ``params`` and ``tokens`` name those columns when they have other names.
    """
    table = path if isinstance(path, Table) else read_table(path)
    label = table.label
    params_column = explicit_column(table.columns, params, "--params", label) if params else table.column("params")
    if params_column is None:
        raise DataError(f"{label}: --law chinchilla needs a parameters column; add 'params' (or 'n_params')")
    tokens_column = explicit_column(table.columns, tokens, "--tokens", label) if tokens else table.column("tokens")
    compute_column = table.column("compute")
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
    input_format: str | None = None,
    task: str | None = None,
    metric: str | None = None,
    models: str | None = None,
    **options: Any,
) -> tuple[Any, tuple[str, ...]]:
    """The runs of ``path`` as ``law`` reads them, without the runs left out, and the names of those.

    :func:`runs_table` reads the file (an evaluation harness's results with ``task``, ``metric``,
    ``models`` and a ``tokens`` count; a plain file's rows of that task and metric), and
    :func:`runs_of` reads its runs with ``options`` (``x``, ``y``, ``sweep``, ``k``, ``drop_highest``,
    ``min_compute``, ``exclude``, ``params``, ``tokens``): every option is used or refused in one line.
    """
    tokens = options.get("tokens")
    table = runs_table(path, input_format=input_format, task=task, metric=metric, tokens=tokens, models=models)
    return runs_of(table, law, **options)


def runs_table(
    path: str | Path,
    *,
    input_format: str | None = None,
    task: str | None = None,
    metric: str | None = None,
    tokens: str | None = None,
    models: str | None = None,
    by: str | None = None,
) -> Table:
    """The table of ``path``: a harness's results read for ``task`` and ``metric``, or a file's rows of that task
    and metric (a file with several tasks and none picked is refused, unless it is split ``by`` its task column)."""
    table = read_table(path, input_format, HarnessOptions(task, metric, count(tokens), models))
    if table.harness:
        return table
    if models is not None:
        raise DataError(
            f"{table.label}: --models applies to evaluation harness outputs; a runs file gives each run's "
            "params and tokens (or compute) in its own columns"
        )
    table = one_metric(table, metric)
    split = (
        by is not None
        and task_column(table) is not None
        and task_column(table) == explicit_column(table.columns, by, "--by", table.label)
    )
    return table if split and task is None else one_task(table, task)


def runs_of(
    table: Table,
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
) -> tuple[Any, tuple[str, ...]]:
    """A table's runs as ``law`` reads them, and the names of the runs left out.

    A law of parameters and tokens (chinchilla) reads :func:`load_two_variable` (``--params``/``--tokens``
    name its columns; ``--x`` is refused); a law of accuracy, or ``auto`` on a file of accuracies, reads
    :func:`load_accuracy`; ``passrate``, or ``auto`` on a file with pass-rate columns and no ``y``
    named, reads pass rates (:func:`load_pass_rates`); any other law reads compute and ``y``
    (:func:`load_runs`). ``drop_highest`` is the chinchilla law's alone.
    """
    chosen = resolve_law(table, law, y)
    spec = LAWS.get(chosen)
    two_variable = spec is not None and spec.design == ("params", "tokens")
    if drop_highest and not two_variable:
        raise DataError(f"--drop-highest applies to the chinchilla law's runs, not to --law {chosen}; leave it out")
    dropped: tuple[str, ...] = ()
    if two_variable:
        if x is not None:
            raise DataError(
                f"--x does not apply to --law {chosen}: it reads parameters and tokens (name them with --params "
                "and --tokens)"
            )
        data, dropped = load_two_variable(
            table, y=y, drop_highest=drop_highest, sweep=sweep, params=params, tokens=tokens
        )
    elif chosen == "passrate":
        table.require_pass_rates()
        data = load_pass_rates(table, x=x, y=y, sweep=sweep, k=k, params=params, tokens=tokens)
    elif spec is not None and spec.reads == "accuracy":
        data = load_accuracy(table, chosen, x=x, y=y, sweep=sweep, params=params, tokens=tokens)
    else:
        data = load_runs(table, x=x, y=y, sweep=sweep, params=params, tokens=tokens, law=chosen)
    data, left_out = drop_runs(data, min_compute=min_compute, exclude=exclude)
    return data, dropped + left_out


def split_table(table: Table, by: str) -> list[tuple[str, Table]]:
    """The table's rows of each value of column ``by`` (a task, a data mix), each a table of its own."""
    column = explicit_column(table.columns, by, "--by", table.label)
    groups = table.rows_by(column)
    return [
        (
            value,
            Table(f"{table.label} ({column} {value!r}; rows counted within it)", table.columns, [r for _, r in rows]),
        )
        for value, rows in groups.items()
    ]


def resolve_law(table: Table, law: str, y: str | None) -> str:
    """The law a table is read for: ``law``, or under ``auto`` what the file holds (accuracies, pass rates, a loss)."""
    if law != "auto":
        return law
    accuracy = accuracy_law(table, y)
    if accuracy is not None:
        return accuracy
    both = (table.column("loss"), table.column("accuracy"))
    if y is None and both[0] is not None and both[1] is not None:
        raise DataError(
            f"{table.label}: holds both a loss column ('{both[0]}') and an accuracy column ('{both[1]}'); "
            f"say which to fit: --y {both[0]} (a loss law) or --y {both[1]} (a law of accuracy)"
        )
    if y is None and table.has_pass_rates():
        loss = table.column("loss")
        if loss is not None:
            raise DataError(
                f"{table.label}: holds both a loss column ('{loss}') and pass rates; "
                f"say which to fit: --y {loss} (a loss law) or --law passrate"
            )
        return "passrate"
    return "auto"


def one_metric(table: Table, metric: str | None) -> Table:
    """The rows of ``--metric NAME`` in a plain file with a ``metric`` column (a long table of evaluations)."""
    if metric is None:
        return table
    column = next((c for c in table.columns if c.strip().lower() == "metric"), None)
    if column is None:
        raise DataError(
            f"{table.label}: --metric {metric!r}: the file has no 'metric' column; --metric picks a metric of an "
            "evaluation harness's results, or of a file with a 'metric' column"
        )
    groups = table.rows_by(column)
    if metric not in groups:
        raise DataError(f"{table.label}: --metric {metric!r}: no such metric; metrics are {', '.join(sorted(groups))}")
    return Table(f"{table.label} (metric {metric!r})", table.columns, [r for _, r in groups[metric]])
