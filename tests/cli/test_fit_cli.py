"""``forecast fit`` end to end: exact exit codes and exact one-line errors for every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES, write_csv

RUNS = str(EXAMPLES / "runs.csv")


def test_fit_prints_the_law_parameters_and_predictions(runner: CliRunner) -> None:
    result = runner.invoke(app, ["fit", RUNS, "--target", "1e24", "--bootstrap", "300"])
    assert result.exit_code == 0, result.output
    assert "loss law L(C) = a * C^b + c fitted to 9 runs" in result.stdout
    assert "1.0e24" in result.stdout and "90% CI" in result.stdout and "90% PI" in result.stdout
    assert "(CI: the law, PI: a new run)" in result.stdout
    assert result.stderr == ""


def test_yaml_example_gives_the_same_json(runner: CliRunner) -> None:
    outputs = []
    for name in ("runs.csv", "runs.yaml"):
        result = runner.invoke(app, ["fit", str(EXAMPLES / name), "-f", "json", "--bootstrap", "200"])
        assert result.exit_code == 0
        document = json.loads(result.stdout)
        document["data"].pop("file")
        outputs.append(document)
    assert outputs[0] == outputs[1]


def test_json_has_the_documented_keys(runner: CliRunner) -> None:
    result = runner.invoke(app, ["fit", RUNS, "-t", "1000x", "-t", "1e25", "-f", "json", "--bootstrap", "200"])
    document = json.loads(result.stdout)
    for key in ("schema_version", "law", "formula", "level", "method", "seed", "data", "params", "fit", "predictions"):
        assert key in document
    for key in ("n_runs", "compute_min", "compute_max"):
        assert key in document["data"]
    assert set(document["params"]) == {"a", "b", "c"}
    for param in document["params"].values():
        assert set(param) == {"estimate", "stderr", "ci"}
    assert {"rmse", "converged", "warnings"} <= set(document["fit"])
    first, _ = document["predictions"]
    assert set(first) == {"target", "estimate", "ci", "pi", "extrapolation_factor"}
    assert first["extrapolation_factor"] == 1000.0 and first["target"] == pytest.approx(1e24)
    assert "target 1e+25 is 10,000x beyond the largest run" in " ".join(document["fit"]["warnings"])
    assert "warning: target 1e+25 is 10,000x beyond the largest run" in result.stderr


def test_same_input_and_seed_give_identical_bytes(runner: CliRunner) -> None:
    args = ["fit", RUNS, "-f", "json", "--bootstrap", "300", "--seed", "7"]
    assert runner.invoke(app, args).stdout == runner.invoke(app, args).stdout


def test_csv_and_markdown_formats(runner: CliRunner) -> None:
    csv_out = runner.invoke(app, ["fit", RUNS, "-f", "csv", "--method", "delta"]).stdout.splitlines()
    assert csv_out[0] == "section,name,target,extrapolation_factor,estimate,stderr,ci_low,ci_high,pi_low,pi_high,level"
    candidates = (["candidate"] + ["candidate_prediction"] * 3) * 3  # loss, power, broken at the 3 default targets
    assert [line.split(",")[0] for line in csv_out[1:]] == ["param"] * 3 + ["prediction"] * 3 + candidates
    assert all(line.count(",") == csv_out[0].count(",") for line in csv_out)
    markdown = runner.invoke(app, ["fit", RUNS, "-f", "markdown", "--method", "delta"]).stdout
    assert "| target | x largest run | loss | 90% CI | 90% PI |" in markdown


def test_power_law_and_huber_options(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["fit", RUNS, "--law", "power", "--loss-fn", "huber", "-f", "json", "--bootstrap", "200"]
    )
    document = json.loads(result.stdout)
    assert document["law"] == "power" and set(document["params"]) == {"a", "b"}
    assert document["loss_fn"] == "huber" and document["huber_delta"] == 1e-3


def test_save_then_predict_reproduces_the_fit(runner: CliRunner, tmp_path: Path) -> None:
    saved = tmp_path / "fit.json"
    fitted = runner.invoke(
        app, ["fit", RUNS, "-t", "1e24", "-t", "300x", "-f", "json", "--bootstrap", "300", "--save", str(saved)]
    )
    assert fitted.exit_code == 0
    predicted = runner.invoke(app, ["predict", str(saved), "-t", "1e24", "-t", "300x", "-f", "json"])
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.stdout) == json.loads(fitted.stdout)
    other_level = json.loads(
        runner.invoke(app, ["predict", str(saved), "-t", "1e24", "--level", "0.5", "-f", "json"]).stdout
    )
    fit_ci = json.loads(fitted.stdout)["predictions"][0]["ci"]
    narrow = other_level["predictions"][0]["ci"]
    assert fit_ci[0] <= narrow[0] <= narrow[1] <= fit_ci[1]
    assert not list(tmp_path.glob(".fit.json.*"))


def test_save_refuses_to_overwrite_the_input(runner: CliRunner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "compute,loss", ["1e17,3.6", "1e18,3.0", "1e19,2.7", "1e20,2.5", "1e21,2.35"])
    before = path.read_bytes()
    result = runner.invoke(app, ["fit", str(path), "--save", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: refusing to overwrite the input file; write to another path\n"
    assert path.read_bytes() == before


def _error(runner: CliRunner, args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, args)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return result.exit_code, result.stderr.rstrip("\n")


BAD_FILES = [
    ("empty.csv", None, "file is empty; it needs a header row and one row per run"),
    ("header.csv", ["compute,loss"], "no runs; add one row per run under the header"),
    (
        "noloss.csv",
        ["compute,val", "1e18,3"],
        "no loss column; add 'loss' (or 'val_loss'), or name the column with --y",
    ),
    (
        "nocompute.csv",
        ["steps,loss", "1e18,3"],
        "no compute column; add 'compute' (or 'flops'), or 'params' and 'tokens', or name the column with --x",
    ),
    (
        "text.csv",
        ["compute,loss", "1e18,3.1", "1e19,abc"],
        "row 2, column 'loss': 'abc' is not a number; give a plain number like 1.5e20",
    ),
    (
        "nan.csv",
        ["compute,loss", "1e18,3.1", "1e19,nan"],
        "row 2, column 'loss': 'nan' is not finite; give a real measured value or remove the row",
    ),
    (
        "inf.csv",
        ["compute,loss", "inf,3.1"],
        "row 1, column 'compute': 'inf' is not finite; give a real measured value or remove the row",
    ),
    (
        "zero.csv",
        ["compute,loss", "1e18,3.1", "0,2.9"],
        "row 2, column 'compute': 0 must be positive; remove the row or fix the value",
    ),
    (
        "negc.csv",
        ["compute,loss", "-1e18,3.1"],
        "row 1, column 'compute': -1e+18 must be positive; remove the row or fix the value",
    ),
    (
        "negloss.csv",
        ["compute,loss", "1e18,-1"],
        "row 1, column 'loss': -1 must be positive (laws are fitted in log space); remove the row or fix the value",
    ),
    (
        "zeroloss.csv",
        ["compute,loss", "1e18,0"],
        "row 1, column 'loss': 0 must be positive (laws are fitted in log space); remove the row or fix the value",
    ),
    (
        "dup.csv",
        ["run,compute,loss", "a,1e18,3.1", "b,1e19,2.9", "a,1e20,2.7"],
        "rows 1 and 3 both name run 'a'; give each run a unique name",
    ),
    (
        "few.csv",
        ["compute,loss", "1e18,3.1", "1e19,2.9", "1e19,2.91"],
        "runs at 2 distinct compute value(s); even the power law needs 3 or more; add runs",
    ),
    (
        "ragged.csv",
        ["compute,loss", "1e18,3.1,7"],
        "row 1 has 3 values but the header has 2 columns (delimiter ','); give every row one value per column, "
        "and write decimals with a point (or use ';' between values)",
    ),
    (
        "sweeps.csv",
        ["compute,loss,sweep", "1e18,3,A", "1e19,2.9,B"],
        "column 'sweep' holds 2 sweeps (A, B); fit one with --sweep NAME or compare them with 'forecast compare --by sweep'",
    ),
]


@pytest.mark.parametrize(("name", "lines", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_give_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, name: str, lines: list[str] | None, message: str
) -> None:
    path = tmp_path / name
    path.write_text("" if lines is None else "\n".join(lines) + "\n")
    assert _error(runner, ["fit", str(path)]) == (2, f"error: {path}: {message}")


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    assert _error(runner, ["fit", str(path)]) == (2, f"error: {path}: file not found; check the path")


def test_malformed_yaml_and_python_tags(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("runs:\n  - compute: 1e18\n    loss: [3\n")
    assert _error(runner, ["fit", str(broken)]) == (
        2,
        f"error: {broken}: line 4, column 1: invalid YAML (expected ',' or ']', but got '<stream end>'); fix the syntax",
    )
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text('runs:\n  - compute: !!python/object/apply:os.system ["echo hi"]\n    loss: 3\n')
    assert _error(runner, ["fit", str(tagged)]) == (
        2,
        f"error: {tagged}: line 2: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed "
        "(files are read with safe_load); use plain values",
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            ["--law", "cubic"],
            "error: --law 'cubic': unknown law; choose one of auto, loss, power, broken, passrate, chinchilla, two-step, gpt4, sigmoid, accuracy",
        ),
        (
            ["--format", "xml"],
            "error: Invalid value for '--format' / '-f': Value error, 'xml' is not one of 'table', 'json', 'csv', 'markdown'. "
            "(see 'forecast --help')",
        ),
        (["--loss-fn", "l1"], "error: --loss-fn 'l1': unknown loss function; choose one of auto, lsq, huber"),
        (["--method", "jackknife"], "error: --method 'jackknife': unknown method; choose one of bootstrap, delta"),
        (["--target", "-5"], "error: target '-5': target compute must be a positive finite number"),
        (["--target", "0x"], "error: target '0x': target compute must be a positive finite number"),
        (
            ["--target", "big"],
            "error: target 'big': expected a compute like 1e24 or a multiple of the largest run like 1000x",
        ),
        (["--level", "1.5"], "error: --level 1.5: must be between 0 and 1 (exclusive), e.g. 0.9"),
        (
            ["--bootstrap", "10"],
            "error: --bootstrap 10: use 100 to 100,000 replicates (memory grows with replicates x runs; 100,000 replicates of 1,000 runs take about 4 GB)",
        ),
        (["--huber-delta", "0"], "error: --huber-delta 0.0: must be a positive number, e.g. 1e-3"),
        (["--sweep", "A"], f"error: {RUNS}: --sweep 'A' given but the file has no sweep column"),
        (
            ["--x", "steps"],
            f"error: {RUNS}: --x 'steps': no such column; columns are run, params, tokens, compute, loss",
        ),
        (["--zzz"], "error: No such option: --zzz (see 'forecast --help')"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(runner: CliRunner, option: list[str], message: str) -> None:
    assert _error(runner, ["fit", RUNS, *option]) == (2, message)


def test_a_flat_ladder_is_a_fit_failure_exit_3(runner: CliRunner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "flat.csv", "compute,loss", ["1e18,3", "1e19,3", "1e20,3", "1e21,3"])
    assert _error(runner, ["fit", str(path)]) == (
        3,
        f"error: {path}: the fitted power law is flat (loss does not change with compute); check that the runs differ in compute",
    )
    few = write_csv(tmp_path / "few.csv", "compute,loss", ["1e18,3.1", "1e19,2.9", "1e19,2.91", "1e20,2.7"])
    assert _error(runner, ["fit", str(few), "--law", "loss"]) == (
        2,
        f"error: {few}: the loss law has 3 parameters and needs runs at 4 or more distinct compute values, got 3; "
        "add runs or use --law power",
    )
    result = runner.invoke(app, ["fit", str(few), "--method", "delta", "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["law"] == "power"  # auto: the only law that fits


def test_predict_bad_files(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "fit.json"
    assert _error(runner, ["predict", str(missing)]) == (
        2,
        f"error: {missing}: file not found; save a fit with 'forecast fit RUNS --save {missing}'",
    )
    missing.write_text("{not json")
    assert _error(runner, ["predict", str(missing)]) == (
        2,
        f"error: {missing}: not a saved fit (not valid JSON); create one with 'forecast fit RUNS --save FIT.json'",
    )
    missing.write_text('{"law": "loss"}')
    assert _error(runner, ["predict", str(missing)]) == (
        2,
        f"error: {missing}: not a saved fit (missing or bad 'state'); create one with 'forecast fit RUNS --save FIT.json'",
    )


def test_help_for_every_command(runner: CliRunner) -> None:
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in ("fit", "check", "predict"):
        assert command in top.stdout
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "--format" in result.stdout and "--target" in result.stdout


def test_a_failed_rename_leaves_no_partial_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    saved = tmp_path / "fit.json"
    saved.write_text("previous fit\n")

    def failing_replace(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    assert _error(runner, ["fit", RUNS, "--method", "delta", "--save", str(saved)]) == (
        2,
        f"error: {saved}: could not be written (disk full); the previous file is unchanged",
    )
    assert saved.read_text() == "previous fit\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.json"]


def test_bare_forecast_prints_the_help_and_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 0 and "Usage: " in result.stdout and "Commands:" in result.stdout


def test_version_and_python_m() -> None:
    import subprocess
    import sys

    from scaling_forecast import __version__

    out = subprocess.run([sys.executable, "-m", "scaling_forecast", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"forecast (scaling-forecast) {__version__}"


def test_force_color_colours_a_table_written_to_a_pipe(runner: CliRunner) -> None:
    args = ["fit", RUNS, "--method", "delta", "-t", "1e24"]
    plain = runner.invoke(app, args)
    coloured = runner.invoke(app, args, env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in plain.stdout and "\x1b[" in coloured.stdout
    assert "\x1b[" not in runner.invoke(app, [*args, "--no-color"], env={"FORCE_COLOR": "1"}).stdout
