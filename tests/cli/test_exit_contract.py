"""The exit-code contract is total: an error that is not one of ours is one line and exit 4, never 1."""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app, working
from scaling_forecast.readers import runs, saved, tables
from scaling_forecast.tasks import fit

from ..conftest import EXAMPLES

RUNS = str(EXAMPLES / "runs.csv")


def _boom(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("a bug")


@pytest.mark.parametrize(
    ("args", "module", "name"),
    [
        (["fit", RUNS], runs, "runs_of"),
        (["check", RUNS, "-t", "1e24", "--max-loss", "3"], runs, "runs_of"),
        (["backtest", RUNS], runs, "runs_of"),
        (["optimal", str(EXAMPLES / "chinchilla.csv"), "--budget", "1e21"], runs, "runs_of"),
        (["compare", str(EXAMPLES / "sweeps.csv"), "--by", "sweep"], runs, "read_sweeps"),
        (["predict", "FIT.json", "-t", "1e24"], saved, "read_fit"),
    ],
)
def test_an_unexpected_exception_is_one_line_and_exit_4(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], module: object, name: str
) -> None:
    monkeypatch.setattr(module, name, _boom)
    if args[0] == "predict":
        saved = tmp_path / "FIT.json"
        saved.write_text("{}", encoding="utf-8")
        args = ["predict", str(saved), *args[2:]]
    result = runner.invoke(app, args)
    assert result.exit_code == 4, result.output
    assert result.stderr.startswith("internal error: ZeroDivisionError: a bug; please report it with this command:")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_a_deeply_nested_json_is_one_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    for args in (["fit", str(path)], ["check", str(path), "-t", "1e24", "--max-loss", "3"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
        assert "nested" in result.stderr and "Traceback" not in result.output


def test_a_yaml_alias_bomb_is_refused_before_it_grows(runner: CliRunner, tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(20)]
    lines += ["runs:", "  - compute: 1e18", "    loss: 3.0", "    run: *u"]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["fit", str(path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "expands to more than 1,000,000 values" in result.stderr
    job = tmp_path / "job.yaml"
    job.write_text("\n".join([*lines[:-4], "data: runs.csv"]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["fit", "--config", str(job)])
    assert result.exit_code == 2 and "expands to more than 1,000,000 values" in result.stderr


def test_a_file_larger_than_the_limit_is_one_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tables, "MAX_INPUT_BYTES", 100)
    result = runner.invoke(app, ["fit", RUNS])
    assert result.exit_code == 2 and "MB a runs file may hold" in result.stderr and result.stderr.count("\n") == 1
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    monkeypatch.setattr(tables, "MAX_INPUT_BYTES", 2**20)
    result = runner.invoke(app, ["fit", RUNS])
    assert result.exit_code == 2 and "rows is more than the 3 a runs file may hold" in result.stderr


def test_deep_yaml_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["fit", str(path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.output


NUMERIC = {
    "fit": ["--level", "--bootstrap", "--seed", "--huber-delta", "--k", "--buckets", "--min-compute", "--drop-highest"],
    "check": ["--max-loss", "--max-rmse", "--max-interval-width", "--min-pass-rate", "--level", "--bootstrap"],
    "backtest": ["--tolerance", "--holdout", "--max-compute-fraction", "--level"],
    "compare": ["--level", "--bootstrap", "--min-p-best"],
}


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
@pytest.mark.parametrize(("command", "option"), [(c, o) for c, options in NUMERIC.items() for o in options])
def test_every_numeric_option_refuses_nan_inf_negative_and_zero_where_they_mean_nothing(
    runner: CliRunner, command: str, option: str, value: str
) -> None:
    base = {
        "fit": ["fit", RUNS],
        "check": ["check", RUNS, "-t", "1e24", "--max-loss", "3"],
        "backtest": ["backtest", RUNS],
        "compare": ["compare", str(EXAMPLES / "sweeps.csv"), "--by", "sweep"],
    }[command]
    allowed_zero = {"--seed", "--drop-highest", "--min-p-best"}  # a seed, "drop none", "no threshold"
    if value == "0" and option in allowed_zero:
        pytest.skip("0 is meaningful here")
    result = runner.invoke(
        app,
        [*base, option, value, "--method", "delta"]
        if command == "fit" and option != "--bootstrap"
        else [*base, option, value],
    )
    assert result.exit_code == 2, (option, value, result.output)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_a_target_below_the_runs_is_a_backcast_warning_and_strict_makes_it_fatal(runner: CliRunner) -> None:
    args = ["check", RUNS, "-t", "1e15", "--max-loss", "9", "--method", "delta"]
    warned = runner.invoke(app, [*args, "-f", "json"])
    assert warned.exit_code == 0
    assert "warning: target 1e+15 is below the smallest run (1e+17): that is a backcast" in warned.stderr
    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 3 and "--strict: 1 reliability warning(s), the first: target 1e+15" in strict.stderr


@pytest.mark.parametrize("target", ["1e-283x", "1e7x", "1e40"])
def test_an_absurd_target_is_refused(runner: CliRunner, target: str) -> None:
    result = runner.invoke(app, ["fit", RUNS, "-t", target, "--method", "delta"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: target ") and "no law holds that far" in result.stderr


def test_a_file_with_loss_and_pass_rates_asks_which_to_fit(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    rows = [f"{10 ** (17 + i / 2):.4g},{3.6 - 0.15 * i:.3f},{0.1 + 0.05 * i:.2f}" for i in range(8)]
    path.write_text("compute,loss,pass_rate\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["fit", str(path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "holds both a loss column ('loss') and pass rates; say which to fit: --y loss" in result.stderr
    assert runner.invoke(app, ["fit", str(path), "--y", "loss", "--method", "delta"]).exit_code == 0
    assert runner.invoke(app, ["fit", str(path), "--law", "passrate", "--method", "delta"]).exit_code == 0


def test_check_help_does_not_offer_a_default_target_it_then_refuses(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(app, ["check", "--help"]).stdout.split())
    assert "Required (here or as targets: in the job file)" in text and "[default: 10x" not in text


def test_rising_loss_is_called_rising_not_flat(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "rising.csv"
    path.write_text("compute,loss\n1e18,2.0\n1e19,2.2\n1e20,2.4\n1e21,2.6\n1e22,2.8\n", encoding="utf-8")
    for law in ("auto", "loss", "power"):
        result = runner.invoke(app, ["fit", str(path), "--law", law])
        assert result.exit_code == 3 and result.stderr.count("\n") == 1
        assert "loss rises with compute (from 2 at 1e+18 to 2.8 at 1e+22)" in result.stderr


def _chinchilla_file(tmp_path: Path, loss: Callable[[np.ndarray, np.ndarray], np.ndarray], seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    params, tokens = 10 ** rng.uniform(7, 9, 20), 10 ** rng.uniform(9, 11, 20)
    path = tmp_path / "chinchilla.csv"
    values = loss(params, tokens) * (1 + rng.normal(0, 0.01, 20))
    rows = "".join(f"{n:.17g},{d:.17g},{v:.17g}\n" for n, d, v in zip(params, tokens, values, strict=True))
    path.write_text("params,tokens,loss\n" + rows, encoding="utf-8")
    return path


def test_a_chinchilla_fit_that_loses_a_term_says_so_and_exits_3(runner: CliRunner, tmp_path: Path) -> None:
    """Loss that does not depend on tokens leaves no allocation: one line, exit 3, no numpy warnings leaked."""
    path = _chinchilla_file(tmp_path, lambda n, d: 2.0 + 1e3 / n**0.3 + 0.0 * d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = runner.invoke(app, ["optimal", str(path), "--budget", "1e23"])
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1 and "Warning" not in result.stderr
    assert "the chinchilla fit has no tokens term (B/D^beta moves the loss by under 0.01% across the runs)" in (
        result.stderr
    )


def test_a_parameter_the_runs_cannot_pin_down_is_named(runner: CliRunner, tmp_path: Path) -> None:
    """Loss that hardly depends on tokens leaves B free over decades: the warning names it; --strict fails."""
    rng = np.random.default_rng(1)
    params, tokens = 10 ** rng.uniform(7, 9, 20), 10 ** rng.uniform(9, 11, 20)
    rng.normal(0, 0.3, 20)
    values = (2.0 + 1e3 / params**0.3) * (1 + rng.normal(0, 0.01, 20))
    path = tmp_path / "chinchilla.csv"
    rows = "".join(f"{n:.17g},{d:.17g},{v:.17g}\n" for n, d, v in zip(params, tokens, values, strict=True))
    path.write_text("params,tokens,loss\n" + rows, encoding="utf-8")
    result = runner.invoke(app, ["optimal", str(path), "--budget", "1e23"])
    assert result.exit_code == 0, result.output
    assert "warning: parameter B is not identified by these runs: its 90% interval [" in result.output
    strict = runner.invoke(app, ["optimal", str(path), "--budget", "1e23", "--strict"])
    assert strict.exit_code == 3 and strict.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"\r\x00", "no runs; add one row per run under the header"),
        (b",,,\n,,\n", "no values, only separators; it needs a header row and one row per run"),
        (b'compute,"loss\n', "no runs; add one row per run under the header"),
    ],
)
def test_tables_the_fuzzer_found_are_one_line(runner: CliRunner, tmp_path: Path, content: bytes, line: str) -> None:
    path = tmp_path / "runs.csv"
    path.write_bytes(content)
    result = runner.invoke(app, ["fit", str(path)])
    assert result.exit_code == 2 and result.stderr == f"error: {path}: {line}\n"


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def test_ctrl_c_is_one_line_exit_130_and_leaves_no_file(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fit, "forecast", _interrupt)
    output = tmp_path / "forecast.json"
    result = runner.invoke(app, ["fit", RUNS, "--output", str(output), "--format", "json"])
    assert result.exit_code == 130 and result.stderr == "interrupted: stopped before anything was written\n"
    assert list(tmp_path.iterdir()) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "args", "shown"),
    [(_Terminal(), ["fit"], True), (_Terminal(), ["fit", "-q"], False), (io.StringIO(), ["fit"], False)],
)
def test_the_progress_spinner_shows_only_on_a_terminal_and_not_under_quiet(
    stream: io.StringIO, args: list[str], shown: bool
) -> None:
    with working(args, stream, delay=0.01):
        time.sleep(0.5)
    assert ("forecast fit: fitting" in stream.getvalue()) is shown
