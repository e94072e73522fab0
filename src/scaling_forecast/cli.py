"""The ``forecast`` command: parse options, call the core, render, map errors to exit codes.

Heavy libraries (numpy, scipy, pandas, rich) are imported inside the commands, so that
``forecast --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .config import DEFAULTS
from .errors import ConfigError, DataError, ForecastError


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
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except ForecastError as error:
            _fail(f"error: {error}", error.exit_code)
        except typer.TyperException as error:  # usage errors from the option parser
            message = " ".join(error.format_message().split())
            _fail(f"error: {message} (see 'forecast --help')", 2)
        except typer.Abort:
            _fail("error: aborted", 1)
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str, code: int) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)


app = typer.Typer(
    cls=OneLineErrors,
    help="Forecast a large training run from small runs by fitting scaling laws.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

RunsArgument = Annotated[
    str, typer.Argument(help="Runs file: CSV, TSV, JSON or YAML, one row per run.", show_default=False, metavar="RUNS")
]
TargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        "-t",
        metavar="C",
        help="Compute to forecast, e.g. 1e24, or a multiple of the largest run, e.g. 1000x. Repeatable. "
        "Default: 10x, 100x, 1000x.",
        show_default=False,
    ),
]
LevelOption = Annotated[float, typer.Option(help="Level of the intervals, between 0 and 1.")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="Output: table, json, csv or markdown.")]


def _targets(values: list[str] | None) -> tuple[Any, ...]:
    from .forecast import parse_target

    return tuple(parse_target(v) for v in (values or DEFAULTS["targets"]))


def _check_format(fmt: str) -> str:
    from .render import FORMATS

    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: unknown format; choose one of {', '.join(FORMATS)}")
    return fmt


def _emit(result: Any, fmt: str) -> None:
    """Write the requested output to stdout; for machine formats, warnings also go to stderr."""
    from .render import render

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = max(80, os.get_terminal_size().columns) if sys.stdout.isatty() else 160
    sys.stdout.write(render(result, fmt, color=color, width=width))
    sys.stdout.flush()
    if fmt != "table":
        for warning in result.fit.warnings:
            print(f"warning: {warning}", file=sys.stderr)


@app.command()
def fit(
    runs: RunsArgument,
    target: TargetOption = None,
    law: Annotated[
        str,
        typer.Option(
            help="Law to fit: auto, loss (a*C^b + c), power (a*C^b) or passrate (-E[log pass_rate] = alpha*C^-k). "
            "auto picks passrate for pass-rate data, else loss."
        ),
    ] = DEFAULTS["law"],
    x: Annotated[
        str | None, typer.Option("--x", help="Column to use as compute (default: compute|flops|c, or 6*params*tokens).")
    ] = None,
    y: Annotated[str | None, typer.Option("--y", help="Column to use as loss (default: loss|val_loss).")] = None,
    sweep: Annotated[str | None, typer.Option(help="Fit only this sweep of a file with a sweep column.")] = None,
    level: LevelOption = DEFAULTS["level"],
    method: Annotated[
        str, typer.Option(help="Intervals: bootstrap (studentised residual bootstrap) or delta.")
    ] = DEFAULTS["method"],
    bootstrap: Annotated[int, typer.Option(help="Number of bootstrap replicates.")] = DEFAULTS["bootstrap"],
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = DEFAULTS["seed"],
    loss_fn: Annotated[str, typer.Option(help="Objective on log residuals: lsq or huber.")] = DEFAULTS["loss_fn"],
    huber_delta: Annotated[float, typer.Option(help="Huber threshold on log residuals.")] = DEFAULTS["huber_delta"],
    fmt: FormatOption = DEFAULTS["format"],
    save: Annotated[
        str | None, typer.Option(help="Also save the fit to this JSON file for 'forecast predict'.")
    ] = None,
    zeros: Annotated[
        str, typer.Option(help="Pass rates of 0: subset (drop those problems), smooth (pseudo-count) or error.")
    ] = DEFAULTS["zeros"],
    k: Annotated[int, typer.Option("--k", help="k of pass@k, from n_samples and n_correct.")] = DEFAULTS["k"],
    buckets: Annotated[
        int, typer.Option(help="Also fit K difficulty buckets of problems (by mean pass rate).", metavar="K")
    ] = 0,
) -> None:
    """Fit a scaling law to RUNS (losses or pass rates) and forecast each target compute."""
    from .forecast import FitSettings, fit_law, fit_pass_rates
    from .runs import load_pass_rates, load_runs, read_table

    _check_format(fmt)
    settings = FitSettings(
        law=law, level=level, method=method, n_boot=bootstrap, seed=seed, loss_fn=loss_fn, huber_delta=huber_delta
    )
    settings.validated()
    targets = _targets(target)
    table = read_table(runs)
    if law == "passrate" or (law == "auto" and table.has_pass_rates()):
        if not table.has_pass_rates():
            raise DataError(
                f"{runs}: --law passrate needs pass rates: 'pass_rate', 'n_samples' and 'n_correct', "
                "or 'mean_log_pass_rate'"
            )
        rates = load_pass_rates(table, x=x, sweep=sweep, k=k)
        result = fit_pass_rates(rates, settings, targets, zeros=zeros, buckets=buckets)
    else:
        data = load_runs(table, x=x, y=y, sweep=sweep)
        result = fit_law(
            data.x,
            data.y,
            settings,
            targets,
            file=data.file,
            x_column=data.x_column,
            y_column=data.y_column,
            sweep=data.sweep,
        )
    if save is not None:
        from .output import write_atomic
        from .render import json_text

        write_atomic(save, json_text(result.to_saved_dict()), protected=(runs,))
    _emit(result, fmt)


@app.command()
def predict(
    saved: Annotated[
        str,
        typer.Argument(
            help="A fit saved with 'forecast fit RUNS --save FIT.json'.", show_default=False, metavar="FIT.json"
        ),
    ],
    target: TargetOption = None,
    level: Annotated[
        float | None, typer.Option(help="Level of the intervals (default: the saved fit's).", show_default=False)
    ] = None,
    fmt: FormatOption = DEFAULTS["format"],
) -> None:
    """Forecast new targets from a saved fit, without refitting."""
    import json
    from pathlib import Path

    from .forecast import forecast, load_fit

    _check_format(fmt)
    targets = _targets(target)
    path = Path(saved)
    if not path.is_file():
        raise DataError(f"{saved}: file not found; save a fit with 'forecast fit RUNS --save {saved}'")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DataError(
            f"{saved}: not a saved fit (not valid JSON); create one with 'forecast fit RUNS --save FIT.json'"
        ) from None
    result = load_fit(document, saved)
    _emit(forecast(result, targets, result.level if level is None else level), fmt)


def main() -> None:
    """Console-script entry point."""
    app()
