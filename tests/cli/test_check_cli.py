"""``forecast check`` and job files: gates, exit codes, precedence, config errors, atomic output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES, ROOT

RUNS = str(EXAMPLES / "runs.csv")
PASSRATES = str(EXAMPLES / "passrates.csv")
FAST = ["--method", "delta"]


def _check(runner: CliRunner, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["check", *args, *FAST, "-f", "json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}


@pytest.mark.parametrize(
    ("gate", "passing", "failing"),
    [("--max-loss", "2.1", "1.95"), ("--max-rmse", "0.01", "0.001"), ("--max-interval-width", "0.2", "0.05")],
)
def test_loss_gates_pass_and_fail(runner: CliRunner, gate: str, passing: str, failing: str) -> None:
    code, document = _check(runner, RUNS, "-t", "1e24", gate, passing)
    assert code == 0 and document["check"]["passed"] is True
    code, document = _check(runner, RUNS, "-t", "1e24", gate, failing)
    assert code == 1 and document["check"]["passed"] is False
    assert document["check"]["gates"][0]["gate"] == gate[2:].replace("-", "_")
    gate_json = document["check"]["gates"][0]
    fit_wide = gate == "--max-rmse"  # a gate on the fit, not on a forecast: no target, no interval
    assert gate_json["target"] == (None if fit_wide else 1e24)
    assert gate_json["interval"] == (None if fit_wide else document["predictions"][0]["pi"])
    assert document["check"]["verdict"].startswith("FAIL: 1 of 1 gates fail (judged on pi): ")


def test_pass_rate_gate(runner: CliRunner) -> None:
    assert _check(runner, PASSRATES, "-t", "1000x", "--min-pass-rate", "0.85")[0] == 0
    code, document = _check(runner, PASSRATES, "-t", "1000x", "--min-pass-rate", "0.95")
    assert code == 1
    gate = document["check"]["gates"][0]
    assert gate["value"] == document["predictions"][0]["pass_rate"]["pi"][0]


def test_gate_is_judged_on_pi_ci_or_estimate(runner: CliRunner) -> None:
    values = {}
    for on in ("pi", "ci", "estimate"):
        _, document = _check(runner, RUNS, "-t", "1e24", "--max-loss", "2.5", "--on", on)
        values[on] = document["check"]["gates"][0]["value"]
        prediction = document["predictions"][0]
    assert values == {"pi": prediction["pi"][1], "ci": prediction["ci"][1], "estimate": prediction["estimate"]}
    # a threshold between the estimate and the pessimistic ends separates the three
    between = (prediction["estimate"] + prediction["ci"][1]) / 2
    codes = {on: _check(runner, RUNS, "-t", "1e24", "--max-loss", str(between), "--on", on)[0] for on in values}
    assert codes == {"pi": 1, "ci": 1, "estimate": 0}


def test_exit_codes_2_and_3(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["check", str(tmp_path / "none.csv"), "-t", "1e24", "--max-loss", "2"]).exit_code == 2
    flat = tmp_path / "flat.csv"
    flat.write_text("compute,loss\n1e18,3\n1e19,3\n1e20,3\n1e21,3\n")
    assert runner.invoke(app, ["check", str(flat), "-t", "1e24", "--max-loss", "2"]).exit_code == 3


def test_strict_turns_warnings_into_exit_3(runner: CliRunner) -> None:
    loose = runner.invoke(app, ["check", RUNS, "-t", "1e26", "--max-loss", "5", *FAST])
    assert loose.exit_code == 0
    strict = runner.invoke(app, ["check", RUNS, "-t", "1e26", "--max-loss", "5", "--strict", *FAST])
    assert strict.exit_code == 3
    assert strict.stderr == (
        "error: --strict: 1 reliability warning(s), the first: target 1e+26 is 100,000x beyond the largest run "
        "(more than 1,000x): treat the forecast with caution\n"
    )
    assert runner.invoke(app, ["fit", RUNS, "-t", "1e26", "--strict", *FAST]).exit_code == 3
    assert runner.invoke(app, ["fit", RUNS, "-t", "1e24", "--strict", *FAST]).exit_code == 0


def test_markdown_verdict_gates_and_predictions(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", RUNS, "-t", "1e24", "--max-loss", "1.95", *FAST, "-f", "markdown"])
    lines = result.stdout.splitlines()
    assert lines[0] == "**FAIL**: 1 of 1 gates fail (judged on pi): max_loss at 1e+24: 2.002 > 1.95 (FAIL)"
    assert "| gate | target | judged on | value | threshold | result |" in lines
    assert "| target | x largest run | loss | 90% CI | 90% PI |" in lines
    assert result.stderr.startswith("check failed: FAIL: 1 of 1 gates fail")


def test_no_colour_when_not_a_terminal(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", RUNS, "-t", "1e24", "--max-loss", "1.95", *FAST], env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout and "\x1b[" not in result.stderr
    assert runner.invoke(app, ["fit", RUNS, "--no-color", *FAST]).stdout.count("\x1b[") == 0


def _job(tmp_path: Path, text: str) -> Path:
    (tmp_path / "runs.csv").write_bytes((EXAMPLES / "runs.csv").read_bytes())
    job = tmp_path / "job.yaml"
    job.write_text(text)
    return job


def test_job_file_precedence(runner: CliRunner, tmp_path: Path) -> None:
    job = _job(tmp_path, "data: runs.csv\nmethod: delta\nlevel: 0.8\ntargets: [1e23, 1000x]\ngates: {max_loss: 2.1}\n")
    from_file = json.loads(runner.invoke(app, ["check", "--config", str(job), "-f", "json"]).stdout)
    assert from_file["level"] == 0.8 and [p["target"] for p in from_file["predictions"]] == [1e23, 1e24]
    assert from_file["check"]["gates"][0]["threshold"] == 2.1
    overridden = json.loads(
        runner.invoke(
            app, ["check", "--config", str(job), "--level", "0.95", "-t", "1e22", "--max-loss", "3", "-f", "json"]
        ).stdout
    )
    assert overridden["level"] == 0.95 and [p["target"] for p in overridden["predictions"]] == [1e22]
    assert overridden["check"]["gates"][0]["threshold"] == 3.0
    bare = _job(tmp_path, "data: runs.csv\nmethod: delta\n")
    defaults = json.loads(runner.invoke(app, ["fit", "--config", str(bare), "-f", "json"]).stdout)
    assert defaults["level"] == 0.9 and [p["extrapolation_factor"] for p in defaults["predictions"]] == [
        10.0,
        100.0,
        1000.0,
    ]


def test_shipped_job_files_pass(runner: CliRunner) -> None:
    for job in ("loss-job.yaml", "passrate-job.yaml"):
        result = runner.invoke(app, ["check", "--config", str(ROOT / "configs" / job), "--bootstrap", "300"])
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data: runs.csv\ngates: {max_loss: abc}\n", "gates.max_loss: expected a number, got 'abc'"),
        (
            "data: runs.csv\ncolour: red\n",
            "colour: unknown key (known: data, law, columns, input_format, task, metric, models, sweep, targets, level, method, bootstrap, seed, loss_fn, huber_delta, zeros, k, buckets, min_compute, exclude, misspecification, drop_highest, chance, format, output, on, require_trend, strict, gates)",
        ),
        ("data: runs.csv\nbootstrap: 2.5\n", "bootstrap: expected a whole number, got 2.5"),
        ("data: runs.csv\nstrict: maybe\n", "strict: expected true or false, got 'maybe'"),
        ("data: runs.csv\nlaw: 3\n", "law: expected text, got 3"),
        (
            "data: runs.csv\ntargets: {a: 1}\n",
            "targets: expected a list of computes like 1e24 or multiples like 1000x, got {'a': 1}",
        ),
        ("data: runs.csv\ncolumns: [x]\n", "columns: expected a mapping, got ['x']"),
        (
            "data: runs.csv\ngates: {max_los: 2}\n",
            "gates.max_los: unknown key (known: max_loss, min_pass_rate, min_accuracy, max_rmse, max_interval_width)",
        ),
        (
            "level: high\n",
            "level: expected a number, got 'high'; data: required (the runs file, relative to the job file)",
        ),
    ],
)
def test_config_errors_list_every_bad_field(runner: CliRunner, tmp_path: Path, text: str, message: str) -> None:
    job = _job(tmp_path, text)
    result = runner.invoke(app, ["check", "--config", str(job), "-t", "1e24", "--max-loss", "2"])
    assert result.exit_code == 2
    assert result.stderr == f"error: {job}: invalid job file: {message}\n"


def test_config_file_problems(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["fit", "--config", str(missing)])
    assert (result.exit_code, result.stderr) == (2, f"error: {missing}: job file not found; check the path\n")
    job = _job(tmp_path, "- data: runs.csv\n")
    result = runner.invoke(app, ["fit", "--config", str(job)])
    assert result.stderr == f"error: {job}: a job file is a YAML mapping with at least 'data: RUNS.csv'\n"
    job.write_text("data: [runs.csv\n")
    assert runner.invoke(app, ["fit", "--config", str(job)]).stderr.startswith(f"error: {job}: line 2: invalid YAML")
    job.write_text("data: runs.csv\nlaw: cubic\n")
    assert runner.invoke(app, ["fit", "--config", str(job)]).stderr == (
        "error: --law 'cubic': unknown law; choose one of auto, loss, power, broken, passrate, chinchilla, two-step, gpt4, sigmoid, accuracy\n"
    )
    assert (
        runner.invoke(app, ["fit"]).stderr
        == "error: no runs file: give RUNS, or --config JOB.yaml with 'data: RUNS.csv'\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-t", "1e24"],
            "no gate given; add --max-loss, --min-pass-rate, --min-accuracy, --max-rmse, --max-interval-width or "
            "--require-trend (or gates: in the job file)",
        ),
        (["--max-loss", "2"], "forecast check needs --target C (or targets: in the job file)"),
        (
            ["-t", "1e24", "--min-pass-rate", "0.5"],
            "--min-pass-rate does not apply to the loss law, which forecasts a loss; gate it with --max-loss",
        ),
        (["-t", "1e24", "--max-loss", "2", "--on", "median"], "--on 'median': choose one of pi, ci, estimate"),
    ],
)
def test_check_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["check", RUNS, *args])
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")


def test_pass_rate_usage_errors(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", PASSRATES, "-t", "1e24", "--max-loss", "2", *FAST])
    assert result.stderr == (
        "error: --max-loss does not apply to the passrate law, which forecasts a pass rate; gate it with --min-pass-rate\n"
    )
    result = runner.invoke(app, ["check", PASSRATES, "-t", "1e24", "--min-pass-rate", "85", *FAST])
    assert result.stderr == "error: --min-pass-rate 85: must be a pass rate in [0, 1]\n"


def test_output_file_is_written_atomically(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report.md"
    result = runner.invoke(
        app, ["check", RUNS, "-t", "1e24", "--max-loss", "2.1", *FAST, "-f", "markdown", "--output", str(report)]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert report.read_text().startswith("**PASS**: all 1 gates pass")
    report.write_text("old report\n")

    def failing_replace(source: str, destination: str) -> None:
        raise OSError("simulated interruption")

    monkeypatch.setattr(os, "replace", failing_replace)
    result = runner.invoke(app, ["check", RUNS, "-t", "1e24", "--max-loss", "2.1", *FAST, "--output", str(report)])
    assert result.exit_code == 2
    assert report.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_output_never_overwrites_the_inputs(runner: CliRunner, tmp_path: Path) -> None:
    job = _job(tmp_path, "data: runs.csv\nmethod: delta\ngates: {max_rmse: 0.1}\n")
    before = (tmp_path / "runs.csv").read_bytes()
    for target in (tmp_path / "runs.csv", job):
        result = runner.invoke(app, ["check", "--config", str(job), "--output", str(target)])
        assert result.exit_code == 2
        assert result.stderr == f"error: {target}: refusing to overwrite the input file; write to another path\n"
    assert (tmp_path / "runs.csv").read_bytes() == before


def test_check_judges_the_default_procedure_interval(runner: CliRunner, tmp_path: Path) -> None:
    """Under --law auto the gate is judged on the interval that spans the law choice, not the chosen law's own."""
    import numpy as np

    compute = np.geomspace(1e13, 1e15, 8)
    loss = (777.0 * compute**-0.155 + 1.8) * np.exp(np.random.default_rng(1).normal(0.0, 0.01, compute.size))
    runs = tmp_path / "early.csv"
    runs.write_text("compute,loss\n" + "".join(f"{c:.6g},{v:.6f}\n" for c, v in zip(compute, loss, strict=True)))
    gate = ["check", str(runs), "-t", "1e18", "--max-loss", "3.0", "--bootstrap", "300", "-f", "json"]
    fixed = runner.invoke(app, [*gate, "--law", "power"])
    default = runner.invoke(app, gate)
    assert fixed.exit_code == 0  # the power law alone is sure the loss stays below 3.0 ...
    assert default.exit_code == 1  # ... the default is not: the true loss there is 3.06
    document = json.loads(default.stdout)
    assert document["law"] == "power" and document["check"]["gates"][0]["value"] == document["predictions"][0]["pi"][1]


def test_the_trend_gate_passes_an_improving_ladder_and_fails_a_flat_one(runner: CliRunner, tmp_path: Path) -> None:
    """examples/runs.csv falls with compute; a ladder of pure noise around 2.2 has no trend the noise can tell."""
    improving = runner.invoke(app, ["check", str(EXAMPLES / "runs.csv"), "--require-trend", "improving", "-f", "json"])
    assert improving.exit_code == 0, improving.output
    (gate,) = json.loads(improving.stdout)["check"]["gates"]
    assert (gate["gate"], gate["observed"], gate["required"], gate["passed"]) == (
        "trend",
        "improving",
        "improving",
        True,
    )
    rng = np.random.default_rng(4)
    compute = np.geomspace(1e18, 1e21, 8)
    loss = 2.2 * np.exp(rng.normal(0.0, 0.01, 8))
    path = tmp_path / "flat.csv"
    path.write_text("compute,loss\n" + "".join(f"{c:.6g},{v:.6f}\n" for c, v in zip(compute, loss, strict=True)))
    flat = runner.invoke(app, ["check", str(path), "--require-trend", "improving", "--law", "power"])
    assert flat.exit_code == 1
    assert "trend: flat (required: improving) (FAIL)" in flat.stderr + flat.stdout
    lenient = runner.invoke(app, ["check", str(path), "--require-trend", "not-worsening", "--law", "power"])
    assert lenient.exit_code == 0


def test_an_unknown_trend_requirement_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "runs.csv"), "--require-trend", "flat"])
    assert result.exit_code == 2
    assert result.stderr == "error: --require-trend 'flat': choose one of improving, not-worsening\n"


def test_an_accuracy_forecast_is_gated_on_its_pi_in_its_own_sense(runner: CliRunner) -> None:
    """``--min-accuracy`` passes just below the lower end of the accuracy's pi and fails just above it; a loss
    gate on an accuracy is refused in one line."""
    lambada = str(EXAMPLES / "pythia_lambada.csv")
    args = ["check", lambada, "--chance", "0", "-t", "2.13e22", "--bootstrap", "300"]
    fitted = runner.invoke(app, ["fit", *args[1:], "-f", "json"])
    low = json.loads(fitted.stdout)["predictions"][0]["pi"][0]
    assert runner.invoke(app, [*args, "--min-accuracy", f"{low - 1e-6}"]).exit_code == 0
    failed = runner.invoke(app, [*args, "--min-accuracy", f"{low + 1e-6}"])
    assert failed.exit_code == 1 and "min_accuracy at 2.13e+22" in failed.stderr
    on_ci = runner.invoke(app, [*args, "--min-accuracy", f"{low + 1e-6}", "--on", "ci"])
    assert on_ci.exit_code == 0  # the ci is inside the pi: its lower end is higher
    refused = runner.invoke(app, [*args, "--max-loss", "0.5"])
    assert refused.exit_code == 2 and refused.stderr.splitlines()[-1] == (
        "error: --max-loss does not apply to the two-step law, which forecasts an accuracy; gate it with --min-accuracy"
    )


def test_a_job_file_s_on_key_is_the_option_not_yaml_s_true(runner: CliRunner, tmp_path: Path) -> None:
    """YAML 1.1 reads a bare ``on:`` key as the boolean true; a job file's ``on: ci`` is ``--on ci``."""
    job = tmp_path / "job.yaml"
    job.write_text(f"data: {RUNS}\ntargets: [1e24]\non: ci\ngates: {{max_loss: 3}}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--config", str(job), *FAST, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["check"]["on"] == "ci"


@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_a_replaced_output_keeps_its_permissions_and_a_new_one_gets_the_umasks(tmp_path: Path, mode: int) -> None:
    """--output over a private file leaves it private (the atomic write makes a new file and renames it); a new
    file is an ordinary one, 0666 less the umask."""
    import os
    import stat

    from scaling_forecast.writers.atomic import write_atomic

    kept = tmp_path / "report.txt"
    kept.write_text("old")
    kept.chmod(mode)
    write_atomic(kept, "new")
    assert kept.read_text() == "new" and stat.S_IMODE(kept.stat().st_mode) == mode
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        write_atomic(fresh, "new")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    finally:
        os.umask(umask)
