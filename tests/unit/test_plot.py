"""Figures: every plot renders to PNG and SVG for each law, decodes at the expected size, and repeats byte for byte."""

from __future__ import annotations

import io
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.plot import draw
from scaling_forecast.plot.curves import fit_curves
from scaling_forecast.plot.figures import DPI, SIZE, plot_backtest, plot_compare, plot_fit, plot_optimal
from scaling_forecast.readers.runs import load_pass_rates, load_runs, load_two_variable, read_sweeps
from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.backtest import backtest
from scaling_forecast.tasks.compare import compare_sweeps, sweeps_from
from scaling_forecast.tasks.fit import fit_pass_rates
from scaling_forecast.tasks.ladder import loss_ladder

from ..conftest import EXAMPLES

pytest.importorskip("matplotlib")
TARGETS = (parse_target("1e24"),)


def _check_png(data: bytes, columns: int = 1) -> None:
    from matplotlib.image import imread

    image = imread(io.BytesIO(data), format="png")
    width = SIZE[0] * (1.0 if columns == 1 else 1.35) * DPI
    assert image.shape[0] == pytest.approx(SIZE[1] * DPI, abs=1)
    assert image.shape[1] == pytest.approx(width, abs=1)
    assert image[..., :3].std() > 0.05  # not a blank canvas


def _check_svg(data: bytes) -> None:
    root = ElementTree.fromstring(data)
    assert root.tag.endswith("svg") and len(list(root.iter())) > 50


@pytest.mark.parametrize("law", ["loss", "power", "broken"])
def test_fit_plots_for_each_loss_law(law: str) -> None:
    runs = load_runs(EXAMPLES / "runs.csv")
    result = loss_ladder(runs, FitSettings(law=law, method="delta")).fit(targets=TARGETS)
    png = plot_fit(result, "png")
    _check_png(png)
    _check_svg(plot_fit(result, "svg"))
    assert draw(result, "png") == png  # same input, same image
    assert plot_fit(result, "pdf").startswith(b"%PDF")


def test_pass_rate_plot_has_two_panels_and_buckets() -> None:
    data = load_pass_rates(EXAMPLES / "passrates.csv")
    result = fit_pass_rates(data, FitSettings(method="delta"), (parse_target("1e22"),), buckets=3)
    assert len(fit_curves(result)[1]) == 3  # one curve per bucket
    _check_png(plot_fit(result, "png"), columns=2)
    _check_svg(plot_fit(result, "svg"))


def test_compare_backtest_and_optimal_plots() -> None:
    sweeps = sweeps_from(read_sweeps([str(EXAMPLES / "sweeps.csv")], by="sweep"))
    comparison = compare_sweeps(sweeps, FitSettings(n_boot=200), TARGETS)
    _check_png(plot_compare(comparison, "png"))
    _check_svg(plot_compare(comparison, "svg"))
    runs = load_runs(EXAMPLES / "runs.csv")
    ladder = loss_ladder(runs, FitSettings(law="loss", method="delta"))
    for options in ({"holdout": 3}, {"rolling": True}):
        result = backtest(ladder, **options)  # type: ignore[arg-type]
        _check_png(plot_backtest(result, "png"))
    _check_svg(plot_backtest(result, "svg"))
    two, _ = load_two_variable(EXAMPLES / "chinchilla.csv")
    chinchilla = loss_ladder(two, FitSettings(law="chinchilla", n_boot=100))
    summary = chinchilla.fit(targets=(parse_target(1e21), parse_target(5.88e23)))
    _check_png(plot_optimal(summary, "png"))
    _check_svg(plot_optimal(summary, "svg"))


def test_plot_option_on_every_command(runner: CliRunner, tmp_path: Path) -> None:
    commands = {
        "fit": ["fit", str(EXAMPLES / "runs.csv"), "--method", "delta"],
        "compare": ["compare", str(EXAMPLES / "sweeps.csv"), "--by", "sweep", "--bootstrap", "100"],
        "backtest": ["backtest", str(EXAMPLES / "runs.csv"), "--method", "delta"],
        "optimal": ["optimal", str(EXAMPLES / "chinchilla.csv"), "--budget", "1e21", "--bootstrap", "100"],
    }
    for name, args in commands.items():
        image = tmp_path / f"{name}.svg"
        result = runner.invoke(app, [*args, "--plot", str(image), "-f", "json"])
        assert result.exit_code == 0, (name, result.output)
        _check_svg(image.read_bytes())


def test_bad_plot_paths(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["fit", str(EXAMPLES / "runs.csv"), "--plot", str(tmp_path / "fit.gif")])
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"error: --plot {tmp_path / 'fit.gif'}: unknown image type '.gif'; end the name in .png, .svg or .pdf\n"
    )
    missing = tmp_path / "no" / "fit.png"
    result = runner.invoke(app, ["fit", str(EXAMPLES / "runs.csv"), "--plot", str(missing), "--method", "delta"])
    assert result.exit_code == 2 and "does not exist; create it first" in result.stderr


def test_without_matplotlib_plot_fails_in_one_line_and_nothing_else_breaks(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    image = tmp_path / "fit.png"
    result = runner.invoke(app, ["fit", str(EXAMPLES / "runs.csv"), "--plot", str(image)])
    assert result.exit_code == 2 and not image.exists()
    assert result.stderr == "error: --plot needs matplotlib, an optional extra: pip install 'scaling-forecast[plot]'\n"
    assert runner.invoke(app, ["fit", str(EXAMPLES / "runs.csv"), "--method", "delta"]).exit_code == 0


def test_a_fit_draws_on_a_given_axes_and_returns_the_figure() -> None:
    from matplotlib.figure import Figure

    runs = load_runs(EXAMPLES / "runs.csv")
    result = loss_ladder(runs, FitSettings(law="loss", method="delta")).fit(targets=TARGETS)
    figure = Figure()
    ax = figure.subplots()
    assert draw(result, ax=ax) is figure
    assert len(ax.lines) >= 1 and len(ax.collections) >= 2  # the law, its bands and the runs
    own = draw(result)
    assert isinstance(own, Figure) and own is not figure
