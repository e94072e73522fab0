"""The ``forecast`` command: parse options, call the core, render, map errors to exit codes.

Heavy libraries (numpy, scipy, pandas, rich) are imported inside the commands, so that
``forecast --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .errors import INTERNAL_ERROR, ConfigError, FitError, ForecastError
from .settings import DEFAULTS, CommandSettings


def _default(key: str) -> str:
    """`` [default: VALUE]`` from the one table of defaults, for an option's help."""
    return f" [default: {DEFAULTS[key]}]"


class OneLineErrors(TyperGroup):
    """Every error, ours or the option parser's, is one line on stderr and a documented exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not (sys.argv[1:] if args is None else list(args)):  # a bare `forecast`: the help, exit 0
            args = ["--help"]
        given = sys.argv[1:] if args is None else list(args)
        try:
            with working(given, sys.stderr):
                code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except KeyboardInterrupt:  # files are written whole or not at all (output.write_atomic)
            _fail("interrupted: stopped before anything was written", INTERRUPTED)
        except ForecastError as error:
            _fail(f"error: {error}", error.exit_code)
        except typer.TyperException as error:  # usage errors from the option parser
            message = " ".join(error.format_message().split())
            _fail(f"error: {message} (see 'forecast --help')", 2)
        except typer.Abort:
            _fail("error: aborted", INTERNAL_ERROR)
        except SystemExit:
            raise
        except RecursionError:
            _fail("error: the input is nested too deeply to read; flatten it (one record per run)", 2)
        except MemoryError:
            _fail("error: out of memory; use fewer runs or --bootstrap replicates", INTERNAL_ERROR)
        except Exception as error:  # a bug of ours: one line, its own exit code, never a traceback
            command = " ".join(["forecast", *(sys.argv[1:] if args is None else list(args))])
            detail = " ".join(f"{type(error).__name__}: {error}".split())[:300]
            _fail(f"internal error: {detail}; please report it with this command: {command}", INTERNAL_ERROR)
        code = code if isinstance(code, int) else 0
        if code == INTERRUPTED:  # the option parser turns Ctrl-C into a silent exit 130
            _fail("interrupted: stopped before anything was written", INTERRUPTED)
        if standalone_mode:
            sys.exit(code)
        return code


#: The exit code of a run stopped with Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130
#: A command still running after this many seconds shows that it is working (on a terminal only).
PROGRESS_DELAY = 2.0


@contextlib.contextmanager
def working(args: Sequence[str], stream: Any, delay: float = PROGRESS_DELAY) -> Iterator[None]:
    """After ``delay`` seconds, a spinner with the elapsed time on ``stream`` until the command ends.

    Silent when ``stream`` is not a terminal, under ``--quiet`` (``-q``), and for ``--help``; the
    spinner is transient, so nothing of it stays on screen or in a captured log.
    """
    if not (hasattr(stream, "isatty") and stream.isatty()) or {"--quiet", "-q", "--help"} & set(args):
        yield
        return
    import threading

    lock = threading.Lock()
    state: dict[str, Any] = {"stopped": False, "progress": None}

    def start() -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with lock:
            if state["stopped"]:
                return
            columns = (SpinnerColumn(), TextColumn(f"forecast {args[0]}: fitting"), TimeElapsedColumn())
            progress = Progress(*columns, console=Console(file=stream), transient=True)
            progress.add_task("work", total=None)
            progress.start()
            state["progress"] = progress

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["stopped"] = True
            if state["progress"] is not None:
                state["progress"].stop()


def _fail(message: str, code: int) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)


app = typer.Typer(
    cls=OneLineErrors,
    help="Forecast a large training run from small runs by fitting scaling laws.",
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"forecast (scaling-forecast) {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Forecast a large training run from small runs by fitting scaling laws."""


RunsArgument = Annotated[
    str | None,
    typer.Argument(
        help="Runs file: CSV, TSV, JSON or YAML, one row per run (or 'data:' in the --config job file).",
        show_default=False,
        metavar="RUNS",
    ),
]
TARGET_HELP = "Compute to forecast, e.g. 1e24, or a multiple of the largest run, e.g. 1000x. Repeatable. "
TargetOption = Annotated[
    list[str] | None,
    typer.Option("--target", "-t", metavar="C", help=TARGET_HELP + "[default: 10x, 100x, 1000x]", show_default=False),
]
CheckTargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        "-t",
        metavar="C",
        help="Compute to forecast and gate, e.g. 1e24, or a multiple of the largest run, e.g. 1000x. Repeatable. "
        "Required (here or as targets: in the job file) by --max-loss, --min-pass-rate, --min-accuracy and "
        "--max-interval-width.",
        show_default=False,
    ),
]
LevelOption = Annotated[
    float | None,
    typer.Option(help="Level of the intervals, between 0 and 1." + _default("level"), show_default=False),
]


class OutputFormat(str, Enum):
    """The output formats, offered as choices (in the help and to shell completion)."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="Output." + _default("format"), show_default=False),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        help="YAML job file; its keys are defaults that the command line overrides.",
        show_default=False,
        metavar="JOB.yaml",
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(help="Write the output to this file (atomically) instead of stdout.", show_default=False),
]
StrictOption = Annotated[
    bool | None,
    typer.Option("--strict/--no-strict", help="Fail with exit code 3 on any reliability warning.", show_default=False),
]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour, even on a terminal.")]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress spinner (shown on a terminal's stderr after 2 s of work)."),
]
XOption = Annotated[
    str | None, typer.Option("--x", help="Column to use as compute (default: compute|flops|c, or 6*params*tokens).")
]
YOption = Annotated[
    str | None,
    typer.Option("--y", help="Column to fit (default: loss|val_loss); it wins over pass-rate columns."),
]
ParamsOption = Annotated[
    str | None,
    typer.Option("--params", help="Column of parameter counts: compute = 6 * params * tokens.", metavar="COL"),
]
TokensOption = Annotated[
    str | None,
    typer.Option(
        "--tokens",
        help="Column of training tokens, or one count for every run (e.g. 3e11): compute = 6 * params * tokens.",
        metavar="COL|N",
    ),
]
TaskOption = Annotated[
    str | None, typer.Option(help="Evaluation results: the task to read (default: the one task present).")
]
MetricOption = Annotated[
    str | None,
    typer.Option(help="Evaluation results: the metric to read (default: pass@1 or accuracy).", show_default=False),
]
ModelsOption = Annotated[
    str | None,
    typer.Option(help="Evaluation results: a table of models (model, and params, tokens or compute).", metavar="FILE"),
]
InputFormatOption = Annotated[
    str | None,
    typer.Option(
        help="Format of RUNS when its name does not say (standard input '-'): csv, tsv, json, jsonl or yaml.",
        show_default=False,
    ),
]
SweepOption = Annotated[str | None, typer.Option(help="Use only this sweep of a file with a sweep column.")]
MethodOption = Annotated[
    str | None,
    typer.Option(
        help="Intervals: bootstrap (studentised bootstrap) or delta." + _default("method"),
        show_default=False,
    ),
]
BootstrapOption = Annotated[
    int | None,
    typer.Option(help="Number of bootstrap replicates." + _default("bootstrap"), show_default=False),
]
SeedOption = Annotated[int | None, typer.Option(help="Seed of the bootstrap." + _default("seed"), show_default=False)]
LossFnOption = Annotated[
    str | None,
    typer.Option(
        help="Objective on log residuals: lsq, huber, or auto (huber for chinchilla as its reference protocol, "
        "lsq otherwise). [default: auto]",
        show_default=False,
    ),
]
HuberDeltaOption = Annotated[
    float | None,
    typer.Option(help="Huber threshold on log residuals." + _default("huber_delta"), show_default=False),
]
ZerosOption = Annotated[
    str | None,
    typer.Option(
        help="Pass rates of 0: subset (drop those problems), smooth (pseudo-count) or error. [default: subset]",
        show_default=False,
    ),
]
KOption = Annotated[
    int | None,
    typer.Option("--k", help="k of pass@k, from n_samples and n_correct." + _default("k"), show_default=False),
]
MisspecificationOption = Annotated[
    str | None,
    typer.Option(
        help="When the ladder's own rolling forecasts drift: widen the PI by the drift per decade beyond the "
        "largest run, or warn only (shows the unwidened PI). [default: widen]",
        show_default=False,
    ),
]
PlotOption = Annotated[
    str | None,
    typer.Option(
        help="Also draw the result to this image (.png, .svg or .pdf); needs the 'plot' extra.", metavar="FILE"
    ),
]
DropHighestOption = Annotated[
    int | None,
    typer.Option(
        help="Chinchilla law: leave out the K runs with the highest loss (the replication protocol drops 5).",
        metavar="K",
    ),
]
MinComputeOption = Annotated[
    float | None,
    typer.Option(help="Leave out runs below this compute (e.g. warm-up-dominated small runs).", metavar="C"),
]
ChanceOption = Annotated[
    float | None,
    typer.Option(
        help="Laws of accuracy: the accuracy of random guessing, the floor of the sigmoid (e.g. 0.25 for four "
        "choices; default: a 'chance' column, else 0 with a warning).",
        metavar="P",
    ),
]
ExcludeOption = Annotated[
    list[str] | None, typer.Option(help="Leave out the run with this name. Repeatable.", metavar="RUN")
]


def _targets(values: list[str] | None) -> tuple[Any, ...]:
    from .settings import parse_target

    return tuple(parse_target(v) for v in (values or DEFAULTS["targets"]))


def _check_format(fmt: str | Enum) -> str:
    """A format name (a choice of the command line, or a job file's text), checked."""
    from .writers import FORMATS

    fmt = fmt.value if isinstance(fmt, Enum) else fmt
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: unknown format; choose one of {', '.join(FORMATS)}")
    return fmt


def _options(runs: str | None, given: dict[str, Any], command_line: dict[str, Any]) -> CommandSettings:
    """The command's settings, built once: command line > job file > defaults; RUNS or the job's ``data``.

    ``given`` holds the shared options (:data:`LADDER_OPTIONS`, :data:`OUTPUT_OPTIONS`) as parsed.
    """
    from .readers.jobs import load_job

    config = given.get("config")
    parsed = {key: value for key, value in given.items() if key not in ("fmt", "config", "no_color", "plot", "quiet")}
    chosen = given.get("fmt")
    command_line = {**parsed, "format": None if chosen is None else _check_format(chosen), **command_line, "data": runs}
    job = load_job(config) if config is not None else {}
    if command_line["data"] is None and job.get("data") is None:
        raise ConfigError("no runs file: give RUNS, or --config JOB.yaml with 'data: RUNS.csv'")
    options = CommandSettings.resolved(command_line, job, config=config).checked()
    _check_format(options.format)
    return options


def _table(options: CommandSettings, by: str | None = None) -> Any:
    """The runs file's table, read as the options ask (a harness's task and metric, a plain file's task)."""
    from .readers.runs import runs_table

    return runs_table(
        options.data,
        input_format=options.input_format,
        task=options.task,
        metric=options.metric,
        tokens=options.tokens,
        models=options.models,
        by=by,
    )


def _ladder(options: CommandSettings, table: Any = None) -> Any:
    """Load the runs the options ask for (any law), drop the excluded ones, and make them a ladder to fit."""
    from .readers.runs import runs_of
    from .tasks.ladder import ladder

    settings = options.fit_settings()
    data, dropped = runs_of(
        _table(options) if table is None else table,
        options.law,
        x=options.x,
        y=options.y,
        sweep=options.sweep,
        k=options.k,
        drop_highest=options.drop_highest,
        min_compute=options.min_compute,
        exclude=list(options.exclude),
        params=options.params,
        tokens=options.tokens,
    )
    fitted = ladder(data, settings, options.zeros, excluded=dropped, min_compute=options.min_compute)
    _refuse_unused(options, fitted)
    return fitted


def _refuse_unused(options: CommandSettings, fitted: Any) -> None:
    """One line for an option the runs and law at hand would not use: nothing given is silently ignored."""
    from .laws import get_law

    law = fitted.settings.law
    spec = get_law(fitted.settings.resolved().law)
    if options.chance is not None and fitted.accuracy_runs is None:
        raise ConfigError(
            f"--chance applies to accuracies (the laws of accuracy), not to {fitted.y_column} under --law {law}; "
            "leave it out"
        )
    if options.chance is not None and not getattr(spec, "uses_chance", False):
        raise ConfigError(
            f"--chance: the {law} law does not use it (-log(acc) = alpha * C^(-k) has no floor); leave it out"
        )
    for option, name in (("zeros", "--zeros"), ("k", "--k")):
        if option in options.explicit and fitted.rate_runs is None:
            raise ConfigError(f"{name} applies to pass rates, not to {fitted.y_column} under --law {law}; leave it out")
    if "huber_delta" in options.explicit and settings_loss_fn(options, law) != "huber":
        raise ConfigError("--huber-delta applies to the Huber objective; add --loss-fn huber, or leave it out")
    if options.loss_fn == "huber" and not spec.takes_objective:
        raise ConfigError(f"--loss-fn huber: the {law} law is fitted by least squares on accuracy; leave it out")
    if "method" in options.explicit and options.method not in spec.methods:
        raise ConfigError(
            f"--method {options.method}: the {law} law's intervals come from {spec.intervals}; leave it out"
        )
    if {"n_boot", "bootstrap"} & options.explicit and not spec.methods:
        raise ConfigError(
            f"--bootstrap: the {law} law's intervals come from {spec.intervals}, not a bootstrap; leave it out"
        )
    if "misspecification" in options.explicit and not spec.checks_misspecification:
        raise ConfigError(
            f"--misspecification: the {law} law has no misspecification check (its intervals come from "
            f"{spec.intervals}); leave it out"
        )


def settings_loss_fn(options: CommandSettings, law: str) -> str:
    """The objective a fit of ``law`` under the options uses (``auto``: the law's own)."""
    if options.loss_fn != "auto":
        return options.loss_fn
    from .laws import get_law

    return str(get_law("loss" if law == "auto" else law).default_loss_fn)


def _plot_format(plot: str | None) -> str | None:
    """Check ``--plot`` before any fitting: a known suffix, and matplotlib installed."""
    if plot is None:
        return None
    from pathlib import Path

    from .plot.figures import plot_format

    fmt = plot_format(plot)
    folder = Path(plot).parent
    if not folder.is_dir():
        raise ConfigError(f"{plot}: folder {str(folder)!r} does not exist; create it first")
    return fmt


def _write_plot(plot: str | None, result: Any, fmt: str | None, options: CommandSettings) -> None:
    """The result's figure (:func:`scaling_forecast.plot.figures`, from the result alone) to ``--plot``."""
    if plot is None:
        return
    from .plot import draw
    from .writers import write_atomic

    write_atomic(plot, draw(result, fmt), protected=_inputs(options))


def _fit_ladder(options: CommandSettings, table: Any = None) -> tuple[Any, Any]:
    """The fit and the ladder of runs it was fitted to: every law; ``--at`` points follow the targets."""
    from dataclasses import replace

    from .engine.reach import with_reach
    from .settings import parse_point
    from .tasks.fit import fit_pass_rates

    ladder = _ladder(options, table)
    points = tuple(parse_point(text) for text in options.at)
    accuracy = ladder.accuracy_runs
    grid = accuracy is not None and accuracy.columns is not None and accuracy.columns.shape[1] == 3
    if points and ladder.columns is None and not grid:
        raise ConfigError(
            "--at PARAMS,TOKENS needs a law of parameters and tokens: --law chinchilla, or the two-step law on "
            "runs of params and tokens where some size was trained on several token counts"
        )
    targets = _targets(list(options.targets)) + points
    if options.buckets and ladder.rate_runs is None:
        raise ConfigError(
            f"--buckets splits a problem set by difficulty: it applies to per-problem pass rates, not to "
            f"{ladder.y_column} under --law {ladder.settings.law}; leave it out"
        )
    if options.buckets:
        result = fit_pass_rates(
            ladder.rate_runs, ladder.settings, targets, zeros=options.zeros, buckets=options.buckets
        )
        result = replace(result, data=replace(result.data, excluded=ladder.excluded, min_compute=ladder.min_compute))
    else:
        result = ladder.fit(targets=targets)
    return with_reach(result, options.reach), ladder


def _fit_by(options: CommandSettings, by: str) -> Any:
    """``fit --by COLUMN``: each value of the column fitted on its own (any law), reported together."""
    from .readers.runs import split_table
    from .readers.tables import explicit_column
    from .results import TaskFits

    table = _table(options, by)
    column = explicit_column(table.columns, by, "--by", table.label)
    fits = tuple((value, _fit_ladder(options, part)[0]) for value, part in split_table(table, column))
    return TaskFits(column, table.label, fits)


def _inputs(options: CommandSettings) -> tuple[str, ...]:
    """The files the user gave us, which ``--output`` must never overwrite."""
    return tuple(str(path) for path in (options.data, options.config) if path) + options.inputs


def _emit(text_for: Any, warnings: tuple[str, ...], options: CommandSettings, no_color: bool) -> None:
    """The requested output to stdout or ``--output``; for anything but a table on stdout, warnings to stderr."""
    output = options.output
    fmt = options.format
    on_terminal = sys.stdout.isatty() and output is None
    forced = bool(os.environ.get("FORCE_COLOR")) and output is None
    color = (on_terminal or forced) and not no_color and "NO_COLOR" not in os.environ
    width = max(80, os.get_terminal_size().columns) if on_terminal else 160
    text = text_for(fmt, color, width)
    if output is not None:
        from .writers import write_atomic

        write_atomic(output, text, protected=_inputs(options))
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if fmt != "table" or output is not None:
        from .writers import shown_warnings

        for warning in shown_warnings(warnings):
            print(f"warning: {warning}", file=sys.stderr)


def _strict(warnings: tuple[str, ...], enabled: bool | None) -> None:
    """Under ``--strict``, any reliability warning fails the command (exit 3)."""
    if enabled and warnings:
        raise FitError(f"--strict: {len(warnings)} reliability warning(s), the first: {warnings[0]}")


def _gate(failure: str | None) -> None:
    """A gate that failed: one line on stderr and exit 1."""
    if failure is not None:
        print(f"check failed: {failure}", file=sys.stderr)
        raise typer.Exit(1)


LawOption = Annotated[
    str | None,
    typer.Option(
        help="Law to fit: auto, loss (a*C^b + c), power (a*C^b), broken (a*C^b1*(1 + C/C_b)^(b2 - b1)), "
        "passrate (-E[log pass_rate] = alpha*C^-k), chinchilla (E + A/N^alpha + B/D^beta, from params "
        "and tokens), two-step (accuracy through a task loss; --chance), gpt4 (-log acc = alpha*C^-k), sigmoid "
        "(accuracy rising from chance in log compute) or accuracy (the better of gpt4 and sigmoid). auto picks "
        "passrate for pass-rate data, two-step or accuracy for accuracy files, else the law that best forecasts "
        "the largest runs." + _default("law"),
        show_default=False,
    ),
]

#: How the runs are read and the law fitted: the options of every command that fits one ladder.
LADDER_OPTIONS: dict[str, tuple[Any, Any]] = {
    "x": (XOption, None),
    "y": (YOption, None),
    "params": (ParamsOption, None),
    "tokens": (TokensOption, None),
    "input_format": (InputFormatOption, None),
    "task": (TaskOption, None),
    "metric": (MetricOption, None),
    "models": (ModelsOption, None),
    "sweep": (SweepOption, None),
    "level": (LevelOption, None),
    "method": (MethodOption, None),
    "bootstrap": (BootstrapOption, None),
    "seed": (SeedOption, None),
    "loss_fn": (LossFnOption, None),
    "huber_delta": (HuberDeltaOption, None),
    "zeros": (ZerosOption, None),
    "k": (KOption, None),
    "min_compute": (MinComputeOption, None),
    "exclude": (ExcludeOption, None),
    "drop_highest": (DropHighestOption, None),
    "misspecification": (MisspecificationOption, None),
    "chance": (ChanceOption, None),
}
#: Where and how the result is written: the options of every command that reads a runs file.
OUTPUT_OPTIONS: dict[str, tuple[Any, Any]] = {
    "fmt": (FormatOption, None),
    "config": (ConfigOption, None),
    "output": (OutputOption, None),
    "strict": (StrictOption, None),
    "no_color": (NoColorOption, False),
    "quiet": (QuietOption, False),
}
PLOT_OPTIONS: dict[str, tuple[Any, Any]] = {"plot": (PlotOption, None)}


def _shared(*groups: dict[str, tuple[Any, Any]]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Declare the options of ``groups`` once: the command receives their values as one dict, ``given``."""
    import functools
    import inspect

    shared = {name: spec for group in groups for name, spec in group.items()}

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "given"]
        extra = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
            for name, (annotation, default) in shared.items()
        ]

        @functools.wraps(command)
        def wrapper(**values: Any) -> None:
            given = {name: values.pop(name) for name in shared}
            command(**values, given=given)

        wrapper.__signature__ = signature.replace(parameters=own + extra)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in own + extra}
        return wrapper

    return decorate


@app.command()
@_shared(LADDER_OPTIONS, PLOT_OPTIONS, OUTPUT_OPTIONS)
def fit(
    runs: RunsArgument = None,
    target: TargetOption = None,
    law: LawOption = None,
    save: Annotated[
        str | None, typer.Option(help="Also save the fit to this JSON file for 'forecast predict'.")
    ] = None,
    buckets: Annotated[
        int | None, typer.Option(help="Also fit K difficulty buckets of problems (by mean pass rate).", metavar="K")
    ] = None,
    at: Annotated[
        list[str] | None,
        typer.Option(help="Chinchilla law: also predict the loss at PARAMS,TOKENS, e.g. 7e10,1.4e12. Repeatable."),
    ] = None,
    reach: Annotated[
        list[float] | None,
        typer.Option(
            help="Also give the compute at which the forecast reaches this loss, pass rate or accuracy, with its "
            "interval. Repeatable.",
            metavar="VALUE",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            help="Fit each value of this column on its own (e.g. --by task) and report them together.",
            metavar="COLUMN",
        ),
    ] = None,
    *,
    given: dict[str, Any],
) -> None:
    """Fit a scaling law to RUNS (losses, pass rates or accuracies) and forecast each target compute.

    With --law chinchilla, fits L(N, D) to runs with params and tokens; each target is a compute
    budget, forecast at its compute-optimal allocation. A file of accuracies is fitted with the
    two-step law when it has a task loss, else with the direct laws (--law accuracy).
    """
    from .writers import render

    command_line = {"targets": target, "law": law, "buckets": buckets, "at": at, "reach": reach}
    options = _options(runs, given, command_line)
    image = _plot_format(given["plot"])
    if by is not None:
        for option, value in (("--save", save), ("--plot", given["plot"])):
            if value is not None:
                raise ConfigError(f"{option} takes one fit, and --by gives one per value of {by}; fit one with --task")
        tasks = _fit_by(options, by)
        _emit(lambda f, c, w: render(tasks, f, color=c, width=w), tasks.warnings, options, given["no_color"])
        _strict(tasks.warnings, options.strict)
        return
    result, _ = _fit_ladder(options)
    if save is not None:
        from .writers import json_text, write_atomic

        given_targets = tuple(str(t) for t in (*options.targets, *options.at))
        write_atomic(save, json_text(result.to_saved_dict(given_targets)), protected=_inputs(options))
    _emit(lambda f, c, w: render(result, f, color=c, width=w), result.fit.warnings, options, given["no_color"])
    _write_plot(given["plot"], result, image, options)
    _strict(result.fit.warnings, options.strict)


@app.command()
@_shared(LADDER_OPTIONS, OUTPUT_OPTIONS)
def check(
    runs: RunsArgument = None,
    target: CheckTargetOption = None,
    max_loss: Annotated[
        float | None, typer.Option(help="Gate: the loss at each target must not exceed this (loss laws).")
    ] = None,
    min_pass_rate: Annotated[
        float | None, typer.Option(help="Gate: the pass rate at each target must reach this (passrate law).")
    ] = None,
    min_accuracy: Annotated[
        float | None,
        typer.Option(
            help="Gate: the accuracy at each target must reach this (laws of accuracy: two-step, gpt4, sigmoid, "
            "accuracy)."
        ),
    ] = None,
    max_rmse: Annotated[
        float | None,
        typer.Option(
            help="Gate: the fit's rmse must not exceed this, as its Fit line gives it: of log residuals for a curve "
            "law and the two-step law's step 1, of accuracy for gpt4, sigmoid and accuracy."
        ),
    ] = None,
    max_interval_width: Annotated[
        float | None,
        typer.Option(help="Gate: the judged interval at each target must be no wider than this (forecast units)."),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            help="Judge gates on the pessimistic end of pi (a new run), ci (the law), or the estimate. [default: pi]",
            show_default=False,
        ),
    ] = None,
    require_trend: Annotated[
        str | None,
        typer.Option(
            help="Gate: the runs' trend (fit.trend) must be improving, or not-worsening (improving or flat).",
            metavar="improving|not-worsening",
        ),
    ] = None,
    law: LawOption = None,
    *,
    given: dict[str, Any],
) -> None:
    """Gate a large run in CI: fit RUNS, forecast the targets, exit 1 if any gate fails.

    Exit codes: 0 every gate passes, 1 a gate fails, 2 bad input, 3 the fit failed (or, with
    --strict, is unreliable).
    """
    from .tasks.check import QUANTITY_GATES, evaluate_gates, validate_gates
    from .writers import render

    gates = {"max_loss": max_loss, "min_pass_rate": min_pass_rate, "min_accuracy": min_accuracy, "max_rmse": max_rmse}
    command_line = {"targets": target, "law": law, "on": on, **gates, "max_interval_width": max_interval_width}
    options = _options(runs, given, {**command_line, "require_trend": require_trend})
    gates = options.gates
    needs_target = any(gates[name] is not None for name in (*QUANTITY_GATES, "max_interval_width"))
    if needs_target and "targets" not in options.explicit:
        raise ConfigError("forecast check needs --target C (or targets: in the job file)")
    on_value = options.on
    validate_gates(gates, on_value, options.require_trend)  # before the fit: a bad gate should not cost a bootstrap
    result, _ = _fit_ladder(options)
    verdict = evaluate_gates(result, gates, on_value, options.require_trend)
    _emit(lambda f, c, w: render(verdict, f, color=c, width=w), result.fit.warnings, options, given["no_color"])
    _strict(result.fit.warnings, options.strict)
    _gate(None if verdict.passed else verdict.verdict())


@app.command()
@_shared(LADDER_OPTIONS, PLOT_OPTIONS, OUTPUT_OPTIONS)
def backtest(
    runs: RunsArgument = None,
    holdout: Annotated[
        int | None, typer.Option(help="Hold out the K largest-compute runs. [default: 1]", metavar="K")
    ] = None,
    max_compute_fraction: Annotated[
        float | None,
        typer.Option(help="Fit only runs with C <= F * C_max and predict the rest (e.g. 0.001).", metavar="F"),
    ] = None,
    rolling: Annotated[
        bool, typer.Option("--rolling", help="Expanding window: fit the first k runs, predict the rest, every k.")
    ] = False,
    tolerance: Annotated[
        float | None,
        typer.Option(help="Largest absolute relative error that still scales predictably." + _default("tolerance")),
    ] = None,
    require_predictable: Annotated[
        bool, typer.Option("--require-predictable", help="Exit 1 unless the verdict is 'scales predictably'.")
    ] = False,
    law: LawOption = None,
    *,
    given: dict[str, Any],
) -> None:
    """Backtest RUNS: fit the smaller runs, predict the larger ones, and score the forecasts.

    Exit codes: 0 done, 1 with --require-predictable the ladder does not scale predictably, 2 bad
    input, 3 a fit failed (or, with --strict, is unreliable).
    """
    from .tasks.backtest import DEFAULT_TOLERANCE
    from .tasks.backtest import backtest as run_backtest
    from .writers import render

    options = _options(runs, given, {"law": law})
    image = _plot_format(given["plot"])
    ladder = _ladder(options)
    result = run_backtest(
        ladder,
        holdout=holdout,
        max_fraction=max_compute_fraction,
        rolling=rolling,
        tolerance=DEFAULT_TOLERANCE if tolerance is None else tolerance,
    )
    _emit(lambda f, c, w: render(result, f, color=c, width=w), result.warnings, options, given["no_color"])
    _write_plot(given["plot"], result, image, options)
    _strict(result.warnings, options.strict)
    _gate(result.summary.verdict if require_predictable and not result.summary.passed else None)


@app.command()
@_shared(LADDER_OPTIONS, PLOT_OPTIONS, OUTPUT_OPTIONS)
def optimal(
    runs: RunsArgument = None,
    budget: Annotated[
        list[str] | None,
        typer.Option(
            "--budget",
            "-b",
            metavar="C",
            help="Compute budget in FLOP, e.g. 5.88e23, or a multiple of the largest run, e.g. 100x. Repeatable.",
        ),
    ] = None,
    *,
    given: dict[str, Any],
) -> None:
    """Compute-optimal allocation from the Chinchilla law L(N, D) fitted to RUNS (params, tokens, loss).

    For each --budget: N_opt, D_opt, tokens per parameter and the loss at the optimum, with
    intervals; and the allocation exponents a = beta/(alpha+beta), b = alpha/(alpha+beta).
    The same as 'forecast fit RUNS --law chinchilla --target C'.
    """
    from .writers import render

    options = _options(runs, given, {"law": "chinchilla", "targets": budget})
    if "targets" not in options.explicit:
        raise ConfigError("forecast optimal needs --budget C (or targets: in the job file)")
    image = _plot_format(given["plot"])
    result, _ = _fit_ladder(options)
    _emit(lambda f, c, w: render(result, f, color=c, width=w), result.fit.warnings, options, given["no_color"])
    _write_plot(given["plot"], result, image, options)
    _strict(result.fit.warnings, options.strict)


@app.command()
@_shared(LADDER_OPTIONS, PLOT_OPTIONS, OUTPUT_OPTIONS)
def plan(
    runs: RunsArgument = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            metavar="C",
            help="The compute the forecast is for, e.g. 1e24, or a multiple of the largest run, e.g. 1000x. Required.",
            show_default=False,
        ),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(
            help="Compute to spend on new runs, in FLOP or a multiple of the largest run (2x). [default: 2x]",
            metavar="FLOP",
            show_default=False,
        ),
    ] = None,
    candidates: Annotated[
        str | None,
        typer.Option(
            help="The runs to weigh, as computes C1,C2,... (FLOP, or multiples such as 0.5x,2x). [default: 8 "
            "computes from the smallest run to 10x the largest, a repeat of the largest and one run of the whole "
            "budget]",
            metavar="C1,C2,...",
            show_default=False,
        ),
    ] = None,
    n_runs: Annotated[
        int | None,
        typer.Option("--runs", help="Recommend at most K runs. [default: 3]", metavar="K", show_default=False),
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(help="Draws of each candidate run, each refitted. [default: 8]", metavar="N", show_default=False),
    ] = None,
    law: LawOption = None,
    *,
    given: dict[str, Any],
) -> None:
    """Which runs to train next: each candidate run's expected interval at the target once it is added.

    Each candidate is drawn from the current forecast at its compute (its pi), added to the runs and
    the whole default procedure refitted; the table gives the expected width of the pi at the target,
    what the run costs, and what it buys per FLOP. Under --budget, the set of runs that leaves the
    narrowest interval. Exit codes: 0 done, 2 bad input, 3 the fit failed.
    """
    from .settings import parse_target
    from .tasks.plan import DRAWS, plan_runs
    from .writers import render

    options = _options(runs, given, {"law": law, "targets": target})
    if "targets" not in options.explicit or len(options.targets) != 1:
        raise ConfigError("forecast plan needs one --target C (the compute the forecast is for)")
    image = _plot_format(given["plot"])
    ladder = _ladder(options)
    largest = float(max(ladder.compute))
    spent = None if budget is None else _compute_option("--budget", budget).resolve(largest)
    weighed = (
        ()
        if candidates is None
        else tuple(_compute_option("--candidates", text).resolve(largest) for text in candidates.split(","))
    )
    result = plan_runs(
        ladder,
        parse_target(options.targets[0]),
        candidates=weighed,
        budget=spent,
        max_runs=n_runs,
        draws=DRAWS if draws is None else draws,
    )
    _emit(lambda f, c, w: render(result, f, color=c, width=w), result.warnings, options, given["no_color"])
    _write_plot(given["plot"], result, image, options)
    _strict(result.warnings, options.strict)


def _compute_option(option: str, text: str) -> Any:
    """A compute given as FLOP or as a multiple of the largest run (``2x``), or one line naming the option."""
    from .settings import parse_target

    try:
        return parse_target(text.strip())
    except ConfigError:
        raise ConfigError(f"{option} {text.strip()!r}: not a compute; give FLOP (1e21) or a multiple (2x)") from None


@app.command()
def predict(
    saved: Annotated[
        str,
        typer.Argument(
            help="A fit saved with 'forecast fit RUNS --save FIT.json'.", show_default=False, metavar="FIT.json"
        ),
    ],
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            metavar="C",
            help=TARGET_HELP + "[default: the targets the fit was saved with]",
            show_default=False,
        ),
    ] = None,
    level: Annotated[
        float | None, typer.Option(help="Level of the intervals (default: the saved fit's).", show_default=False)
    ] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Forecast from a saved fit, without refitting: at the targets it was fitted with, or at new ones (-t)."""

    from .readers.saved import read_fit, saved_targets
    from .settings import parse_point, parse_target
    from .writers import render

    options = CommandSettings(saved, format=_check_format(fmt or DEFAULTS["format"]), output=output)
    saved_fit = read_fit(saved)
    kept = () if target else saved_targets(saved)
    targets = tuple(parse_point(t) if "," in t else parse_target(t) for t in kept) if kept else _targets(target)
    result = saved_fit.model.forecast(saved_fit, targets, saved_fit.level if level is None else level)
    _emit(lambda f, c, w: render(result, f, color=c, width=w), result.fit.warnings, options, no_color)


@app.command()
def compare(
    runs: Annotated[
        list[str],
        typer.Argument(
            help="One runs file with a sweep column (--by), or one file per sweep.",
            show_default=False,
            metavar="RUNS...",
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            help="Column naming each run's sweep ('sweep' also finds 'group' or 'methodology').", metavar="COL"
        ),
    ] = None,
    name: Annotated[
        list[str] | None,
        typer.Option(help="Name of each file's sweep, in file order (default: the file name). Repeatable."),
    ] = None,
    target: TargetOption = None,
    baseline: Annotated[
        str | None, typer.Option(help="Sweep to measure the others against (default: the best at each target).")
    ] = None,
    require_best: Annotated[
        str | None,
        typer.Option(help="Gate: exit 1 unless this sweep ranks first at every target.", metavar="SWEEP"),
    ] = None,
    min_p_best: Annotated[
        float | None,
        typer.Option(help="With --require-best: also require this probability of being best. [default: 0]"),
    ] = None,
    law: Annotated[
        str | None,
        typer.Option(
            help="Law to fit, as for fit: any registered law (auto: loss, passrate, two-step or accuracy, by what the "
            "files hold)." + _default("law"),
            show_default=False,
        ),
    ] = None,
    x: XOption = None,
    y: YOption = None,
    params: ParamsOption = None,
    tokens: TokensOption = None,
    task: TaskOption = None,
    metric: MetricOption = None,
    models: ModelsOption = None,
    level: LevelOption = None,
    bootstrap: Annotated[
        int | None,
        typer.Option(help="Bootstrap replicates per sweep." + _default("compare_bootstrap"), show_default=False),
    ] = None,
    seed: SeedOption = None,
    loss_fn: LossFnOption = None,
    huber_delta: HuberDeltaOption = None,
    zeros: ZerosOption = None,
    k: KOption = None,
    chance: ChanceOption = None,
    plot: PlotOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail with exit code 2 if any sweep is left out, 3 on any reliability warning."),
    ] = False,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Compare methodology sweeps: which wins at each target compute, by how much, and how sure we are.

    Exit codes: 0 done (or the --require-best gate passes), 1 the gate fails, 2 bad input, 3 a fit
    failed (or, with --strict, is unreliable).
    """

    from .engine.passrates import ZERO_POLICIES
    from .readers.runs import read_sweeps
    from .settings import FitSettings
    from .tasks.compare import compare_sweeps, require_best_failure, sweeps_from
    from .writers import render

    chosen_zeros = zeros or DEFAULTS["zeros"]
    if chosen_zeros not in ZERO_POLICIES:
        raise ConfigError(f"--zeros {chosen_zeros!r}: unknown policy; choose one of {', '.join(ZERO_POLICIES)}")
    if min_p_best is not None and not (0.0 <= min_p_best <= 1.0):
        raise ConfigError(f"--min-p-best {min_p_best}: must be a probability between 0 and 1")
    options = CommandSettings(
        runs[0] if runs else "", format=_check_format(fmt or DEFAULTS["format"]), output=output, inputs=tuple(runs)
    )
    settings = FitSettings(
        law=law or DEFAULTS["law"],
        level=DEFAULTS["level"] if level is None else level,
        n_boot=DEFAULTS["compare_bootstrap"] if bootstrap is None else bootstrap,
        seed=DEFAULTS["seed"] if seed is None else seed,
        loss_fn=loss_fn or DEFAULTS["loss_fn"],
        huber_delta=DEFAULTS["huber_delta"] if huber_delta is None else huber_delta,
        chance=chance,
    )
    targets = _targets(target)
    image = _plot_format(plot)
    loaded = read_sweeps(
        runs,
        by=by,
        names=name,
        law=settings.law,
        x=x,
        y=y,
        k=DEFAULTS["k"] if k is None else k,
        params=params,
        tokens=tokens,
        task=task,
        metric=metric,
        models=models,
    )
    sweeps = sweeps_from(loaded, chosen_zeros)
    if require_best is not None and require_best not in [s.name for s in sweeps]:
        names = ", ".join(s.name for s in sweeps)
        raise ConfigError(f"--require-best {require_best!r}: no such sweep; sweeps are {names}")
    comparison = compare_sweeps(sweeps, settings, targets, baseline=baseline, strict=strict)
    _emit(lambda f, c, w: render(comparison, f, color=c, width=w), comparison.warnings, options, no_color)
    _write_plot(plot, comparison, image, options)
    _strict(comparison.warnings, strict)
    if require_best is not None:
        _gate(require_best_failure(comparison, require_best, min_p_best or 0.0))


def main() -> None:
    """Console-script entry point."""
    app()
