"""Files that experiment trackers write, read as is: W&B, MLflow, JSON lines, standard input, gzip."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES, write_csv

TRACKERS = EXAMPLES / "trackers"
FAST = ["-t", "1e24", "--bootstrap", "200", "-f", "json"]


def _fit(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[dict, str]:
    result = runner.invoke(app, ["fit", *args, *FAST], input=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


@pytest.mark.parametrize("name", ["wandb_runs.csv", "wandb_project.csv", "mlflow_runs.csv", "runs.jsonl"])
def test_every_export_gives_the_ladder_s_forecast(runner: CliRunner, name: str) -> None:
    reference, _ = _fit(runner, str(TRACKERS / "runs.jsonl"))
    document, stderr = _fit(runner, str(TRACKERS / name))
    assert document["data"]["n_runs"] == 9
    assert document["predictions"][0]["estimate"] == pytest.approx(reference["predictions"][0]["estimate"], rel=1e-12)
    assert document["params"] == reference["params"]
    if name in ("wandb_runs.csv", "mlflow_runs.csv"):  # the crashed tenth run is left out, by name
        assert "left out 1 run(s) that did not finish" in stderr and "ladder-10" in stderr


def test_standard_input_and_gzip(runner: CliRunner, tmp_path: Path) -> None:
    text = (EXAMPLES / "runs.csv").read_text(encoding="utf-8")
    from_file, _ = _fit(runner, str(EXAMPLES / "runs.csv"))
    from_stdin, _ = _fit(runner, "-", stdin=text)
    packed = tmp_path / "runs.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    from_gzip, _ = _fit(runner, str(packed))
    lines = (TRACKERS / "runs.jsonl").read_text(encoding="utf-8")
    from_jsonl_stdin, _ = _fit(runner, "-", "--input-format", "jsonl", stdin=lines)
    for document in (from_stdin, from_gzip):
        assert document["predictions"] == from_file["predictions"]
    assert from_jsonl_stdin["data"]["n_runs"] == 9


def test_y_wins_over_pass_rate_columns(runner: CliRunner, tmp_path: Path) -> None:
    rows = [f"{10 ** (17 + i / 2):.4g},{3.6 - 0.15 * i:.3f},{0.1 + 0.05 * i:.2f}" for i in range(8)]
    path = write_csv(tmp_path / "both.csv", "compute,bits_per_byte,pass_rate", rows)
    document, _ = _fit(runner, str(path), "--y", "bits_per_byte")
    assert document["law"] != "passrate" and document["data"]["y_column"] == "bits_per_byte"


def test_params_and_tokens_columns_derive_compute(runner: CliRunner, tmp_path: Path) -> None:
    lines = (EXAMPLES / "runs.csv").read_text(encoding="utf-8").splitlines()[1:]
    rows = [",".join([cells[0], cells[1], cells[2], cells[4]]) for cells in (line.split(",") for line in lines)]
    path = write_csv(tmp_path / "sizes.csv", "run,width_params,seen_tokens,loss", rows)
    document, _ = _fit(runner, str(path), "--params", "width_params", "--tokens", "seen_tokens")
    reference, _ = _fit(runner, str(TRACKERS / "runs.jsonl"))
    assert document["predictions"][0]["estimate"] == pytest.approx(reference["predictions"][0]["estimate"], rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input-format", "xml"], "--input-format 'xml': choose one of csv, tsv, json, jsonl, yaml"),
        (["--params", "nope"], "--params 'nope': no such column"),
    ],
)
def test_bad_reading_options_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["fit", str(TRACKERS / "wandb_runs.csv"), *args])
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_a_ladder_with_no_finished_run_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "crashed.csv", "Name,State,compute,loss", ["a,crashed,1e18,3.1", "b,running,1e19,"])
    result = runner.invoke(app, ["fit", str(path)])
    assert result.exit_code == 2
    assert "no run has a 'loss' value from a finished run" in result.stderr and result.stderr.count("\n") == 1


def test_bad_jsonl_line_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"compute": 1e18, "loss": 3.1}\n{"compute": oops}\n', encoding="utf-8")
    result = runner.invoke(app, ["fit", str(path)])
    assert result.exit_code == 2 and "r.jsonl: line 2" in result.stderr and "one JSON object per line" in result.stderr
