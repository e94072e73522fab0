"""``forecast compare``: one file split by a column or one file per sweep, gates, errors, formats."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES, saturating_ladder, write_csv

SWEEPS = str(EXAMPLES / "sweeps.csv")
FAST = ["--bootstrap", "200"]


def _compare(runner: CliRunner, *args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["compare", *args, *FAST, "-f", "json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}, result.stderr


def _ladder_file(path: Path, seed: int, **law: float) -> str:
    compute, loss = saturating_ladder(n=7, noise=0.005, seed=seed, **law)
    return str(write_csv(path, "compute,loss", [f"{c:.6g},{v:.6f}" for c, v in zip(compute, loss, strict=True)]))


def test_the_example_ranking_flips_between_small_and_large_compute(runner: CliRunner) -> None:
    result = runner.invoke(app, ["compare", SWEEPS, "--by", "sweep", "--target", "1e24", "-t", "1e18"])
    assert result.exit_code == 0, result.output
    assert "P(better)" in result.stdout and "P(best)" in result.stdout
    code, document, _ = _compare(runner, SWEEPS, "--by", "sweep", "-t", "1e24", "-t", "1e18")
    assert code == 0
    large, small = ([r["sweep"] for r in c["ranking"]] for c in document["comparisons"])
    assert large[0] == "deep-c" and small[0] == "mix-b"
    assert large[-1] == small[0]  # the best small-compute recipe is the worst at scale
    assert {(c["below"], c["above"]) for c in document["crossings"]} >= {("mix-b", "deep-c")}
    entry = document["comparisons"][0]["ranking"][1]
    assert set(entry) == {"sweep", "estimate", "ci", "delta", "delta_ci", "p_better", "p_best"}
    assert document["comparisons"][0]["ranking"][0]["p_better"] is None


def test_one_file_per_sweep_named_after_the_file_or_by_name(runner: CliRunner, tmp_path: Path) -> None:
    first = _ladder_file(tmp_path / "adam.csv", 1)
    second = _ladder_file(tmp_path / "lion.csv", 2, c=1.7)
    code, document, _ = _compare(runner, first, second, "-t", "1e24")
    assert code == 0 and {s["name"] for s in document["sweeps"]} == {"adam", "lion"}
    code, document, _ = _compare(runner, first, second, "-t", "1e24", "--name", "A", "--name", "B")
    assert document["comparisons"][0]["ranking"][0]["sweep"] == "B"
    code, _, error = _compare(runner, first, second, "--name", "A")
    assert code == 2 and error == "error: --name given 1 time(s) for 2 file(s): give one --name per file\n"


def test_baseline_and_require_best_gate(runner: CliRunner) -> None:
    code, document, _ = _compare(runner, SWEEPS, "--by", "sweep", "-t", "1e24", "--baseline", "baseline")
    comparison = document["comparisons"][0]
    assert comparison["baseline"] == "baseline"
    deep = next(r for r in comparison["ranking"] if r["sweep"] == "deep-c")
    assert deep["delta"] < 0 and deep["p_better"] > 0.9
    assert _compare(runner, SWEEPS, "--by", "sweep", "-t", "1e24", "--require-best", "deep-c")[0] == 0
    code, _, error = _compare(runner, SWEEPS, "--by", "sweep", "-t", "1e24", "--require-best", "mix-b")
    assert code == 1 and "check failed: --require-best mix-b: at 1e+24 the best is 'deep-c'" in error
    code, _, error = _compare(
        runner, SWEEPS, "--by", "sweep", "-t", "1e24", "--require-best", "deep-c", "--min-p-best", "0.9999"
    )
    assert code == 1 and "P(best)" in error


def test_a_bad_sweep_is_reported_by_name_unless_strict(runner: CliRunner, tmp_path: Path) -> None:
    rows = (EXAMPLES / "sweeps.csv").read_text(encoding="utf-8").splitlines()
    rows += ["tiny,tiny-1,1e18,3.1", "tiny,tiny-2,1e19,2.8", "tiny,tiny-3,1e20,2.5"]
    path = tmp_path / "with-tiny.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, document, error = _compare(runner, str(path), "--by", "sweep", "-t", "1e24")
    assert code == 0 and len(document["sweeps"]) == 3
    assert "sweep 'tiny'" in document["left_out"][0] and "warning: sweep 'tiny'" in error
    code, document, error = _compare(runner, str(path), "--by", "sweep", "-t", "1e24", "--strict")
    assert code == 2 and error.startswith("error: sweep 'tiny'") and error.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "arch"], "no such column"),
        (["--by", "sweep", "--baseline", "nope"], "--baseline 'nope': no such sweep"),
        (["--by", "sweep", "--require-best", "nope"], "--require-best 'nope': no such sweep"),
        (["--by", "sweep", "--method", "delta"], "No such option"),
        ([], "one file is one sweep"),
    ],
)
def test_bad_options_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["compare", SWEEPS, *args])
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_empty_sweep_cell_names_the_row(runner: CliRunner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", "sweep,compute,loss", ["a,1e18,3", ",1e19,2.8"])
    result = runner.invoke(app, ["compare", str(path), "--by", "sweep"])
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: row 2, column 'sweep': empty; name the sweep of every run\n"


def test_formats_and_output_file(runner: CliRunner, tmp_path: Path) -> None:
    for fmt, marker in (("table", "P(best)"), ("markdown", "| rank | sweep |"), ("csv", "target,rank,sweep")):
        result = runner.invoke(app, ["compare", SWEEPS, "--by", "sweep", "-t", "1e24", *FAST, "-f", fmt])
        assert result.exit_code == 0 and marker in result.stdout
    out = tmp_path / "ranking.json"
    result = runner.invoke(
        app, ["compare", SWEEPS, "--by", "sweep", "-t", "1e24", *FAST, "-f", "json", "--output", str(out)]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["comparisons"][0]["target"] == 1e24
    before = Path(SWEEPS).read_bytes()
    result = runner.invoke(app, ["compare", SWEEPS, "--by", "sweep", *FAST, "--output", SWEEPS])
    assert result.exit_code == 2 and Path(SWEEPS).read_bytes() == before


def _pass_rate_sweeps(path: Path, rename_second: bool = False) -> str:
    rng = np.random.default_rng(3)
    alpha = 9950.0 * np.exp(rng.standard_normal(60) - 0.5)
    rows = []
    for sweep, scale in (("base", 1.0), ("tuned", 0.7)):
        for c in 1e18 * 10 ** (np.arange(6) / 2):
            correct = rng.binomial(50, np.exp(-scale * alpha * c**-0.2))
            prefix = "Q" if rename_second and sweep == "tuned" else "P"
            rows += [f"{sweep},{c:.4g},{prefix}{j:02d},50,{n}" for j, n in enumerate(correct)]
    return str(write_csv(path, "sweep,compute,problem,n_samples,n_correct", rows))


def test_pass_rate_sweeps_on_one_problem_set_are_paired(runner: CliRunner, tmp_path: Path) -> None:
    path = _pass_rate_sweeps(tmp_path / "rates.csv")
    code, document, _ = _compare(runner, path, "--by", "sweep", "-t", "1e22", "--zeros", "smooth")
    assert code == 0 and document["law"] == "passrate"
    best, other = document["comparisons"][0]["ranking"]
    assert best["sweep"] == "tuned" and best["p_best"] > 0.9
    assert 0.0 < best["pass_rate"]["estimate"] < 1.0
    # the same counts on problems with other names: no pairing, so the difference is less certain
    unpaired = _pass_rate_sweeps(tmp_path / "renamed.csv", rename_second=True)
    _, renamed, _ = _compare(runner, unpaired, "--by", "sweep", "-t", "1e22", "--zeros", "smooth")
    _, other_u = renamed["comparisons"][0]["ranking"]
    assert other_u["delta"] == pytest.approx(other["delta"])
    assert np.diff(other_u["delta_ci"])[0] > 1.5 * np.diff(other["delta_ci"])[0]
    code, _, error = _compare(runner, path, "--by", "sweep", "--law", "loss")
    assert code == 2 and "no loss column" in error


def test_a_comparison_with_many_warnings_prints_twenty_and_counts_the_rest(runner: CliRunner, tmp_path: Path) -> None:
    """Thirty sweeps 1,500x short of the target: 30 far-target warnings, 20 printed and one count; JSON has all."""
    rows = ["sweep,compute,loss"]
    for s in range(30):
        rows += [f"s{s},{c:.6g},{(1.8 + 777 * c ** (-0.15 - s / 1000)):.6g}" for c in np.geomspace(1e17, 1e20, 6)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table = runner.invoke(app, ["compare", str(path), "--by", "sweep", "--target", "1.5e23", "--bootstrap", "200"])
    assert table.exit_code == 0, table.output
    printed = [line for line in table.stdout.splitlines() if line.startswith("warning:")]
    assert (
        len(printed) == 21 and printed[-1].startswith("warning: and ") and "more warning(s), not shown" in printed[-1]
    )
    document = runner.invoke(
        app, ["compare", str(path), "--by", "sweep", "--target", "1.5e23", "--bootstrap", "200", "--format", "json"]
    )
    hidden = int(printed[-1].split()[2].replace(",", ""))
    assert len(json.loads(document.stdout)["warnings"]) == 20 + hidden


def test_a_baseline_that_cannot_be_fitted_is_one_line_wherever_it_sits(runner: CliRunner, tmp_path: Path) -> None:
    """The flat baseline is the second sweep of its size group: one line and exit 2 (it was an internal error)."""
    compute = np.geomspace(1e17, 1e21, 6)
    rows = ["sweep,compute,loss"]
    for name, loss in (
        ("a", 1.8 + 777 * compute**-0.15),
        ("flat", 3.0 + 0 * compute),
        ("b", 1.9 + 700 * compute**-0.15),
    ):
        rows += [f"{name},{c:.6g},{v:.6g}" for c, v in zip(compute, loss, strict=True)]
    path = tmp_path / "flat.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["compare", str(path), "--by", "sweep", "--target", "1e23", "--baseline", "flat"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: sweep 'flat'") and "could not be fitted" in result.stderr
