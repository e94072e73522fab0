"""Bad values of the options added with compare, backtest, auto laws, Chinchilla and plots: exit 2, one exact line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import EXAMPLES

RUNS = str(EXAMPLES / "runs.csv")
SWEEPS = str(EXAMPLES / "sweeps.csv")
CHINCHILLA = str(EXAMPLES / "chinchilla.csv")
LATE = ["--exclude", "ladder-09", "--exclude", "ladder-08", "--exclude", "ladder-07", "--exclude", "ladder-06"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["compare", SWEEPS, "--by", "sweep", "--min-p-best", "2"],
            "--min-p-best 2.0: must be a probability between 0 and 1",
        ),
        (
            ["compare", SWEEPS, RUNS, "--by", "sweep"],
            "--by 'sweep' splits one file into sweeps; got 2 files (give one, or drop --by)",
        ),
        (
            ["compare", SWEEPS, "--by", "sweep", "--law", "chinchilla"],
            f"{SWEEPS}: --law chinchilla needs a parameters column; add 'params' (or 'n_params')",
        ),
        (
            ["backtest", RUNS, "--rolling", "--law", "broken", *LATE],
            f"{RUNS}: --rolling needs runs at more than the law's 5 distinct compute values; add runs or use --holdout K",
        ),
        (["fit", RUNS, "--min-compute", "-1"], "--min-compute -1.0: must be a positive compute in FLOP, e.g. 1e18"),
        (["fit", RUNS, "--min-compute", "1e30"], f"{RUNS}: --exclude and --min-compute leave no runs; keep some"),
        (["fit", RUNS, "--misspecification", "loud"], "--misspecification 'loud': choose one of warn, widen"),
        (
            ["optimal", CHINCHILLA, "--budget", "1e21", "--drop-highest", "30"],
            "--drop-highest 30: must be between 0 and the number of runs minus 1",
        ),
        (
            ["optimal", CHINCHILLA, "--budget", "1e21", "--bootstrap", "50"],
            "--bootstrap 50: use 100 to 100,000 replicates (memory grows with replicates x runs; 100,000 replicates of 1,000 runs take about 4 GB)",
        ),
        (
            ["optimal", CHINCHILLA, "--budget", "1e21", "--huber-delta", "-1"],
            "--huber-delta -1.0: must be a positive number, e.g. 1e-3",
        ),
    ],
)
def test_bad_value_gives_exit_2_and_one_exact_line(runner: CliRunner, args: list[str], line: str) -> None:
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr) == (2, f"error: {line}\n")


def test_job_file_exclude_must_be_run_names(runner: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    job = tmp_path / "job.yaml"
    job.write_text(f"data: {RUNS}\nexclude: [1, 2]\n", encoding="utf-8")
    result = runner.invoke(app, ["fit", "--config", str(job)])
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {job}: invalid job file: exclude: expected a list of run names, got [1, 2]\n",
    )
