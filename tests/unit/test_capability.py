"""The two-step capability law and trend verdicts, against known truths and the published Pythia results."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.engine.capability import fit_link, split_normal
from scaling_forecast.engine.runs import Runs
from scaling_forecast.engine.trend import trend_verdict
from scaling_forecast.laws import SigmoidLink
from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.capability import fit_direct, fit_two_step

from ..conftest import ROOT, SHARED_DATA

PYTHIA = SHARED_DATA / "pythia" / "pythia_evals_final.csv"
EXAMPLE = ROOT / "examples" / "pythia_lambada.csv"
#: Published 0-shot lambada_openai accuracy of Pythia 12B (EleutherAI/pythia evals, step 143000).
PYTHIA_12B_LAMBADA = 0.7046
PYTHIA_12B_COMPUTE = 2.1315e22


def _ladder(n_runs: int, seed: int, chance: float = 0.25, k: float = 2.0, l0: float = 2.4, noise: float = 0.01):
    """Runs whose task loss follows ``1.5 + 3 (C/1e18)^-0.3`` and accuracy the sigmoid (known truth)."""
    rng = np.random.default_rng(seed)
    compute = np.geomspace(1e18, 1e21, n_runs)
    task_loss = (1.5 + 3.0 * (compute / 1e18) ** -0.3) * np.exp(rng.normal(0, 0.005, n_runs))
    accuracy = chance + (1 - chance) * expit(-k * (task_loss - l0)) + rng.normal(0, noise, n_runs)
    return compute, task_loss, np.clip(accuracy, 0.0, 1.0)


def _runs(compute: np.ndarray, task_loss: np.ndarray | None, accuracy: np.ndarray) -> Runs:
    """Runs of accuracies (with their task loss, for the two-step law), as the readers make them."""
    columns = None if task_loss is None else task_loss[:, None]
    names = tuple(f"r{i}" for i in range(compute.size))
    return Runs(
        compute,
        accuracy,
        names,
        "compute",
        "accuracy",
        "<data>",
        columns=columns,
        column_names=("task_loss",) if columns is not None else (),
        metric="accuracy",
    )


def _truth(compute: float, chance: float = 0.25, k: float = 2.0, l0: float = 2.4) -> tuple[float, float]:
    loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    return loss, chance + (1 - chance) * float(expit(-k * (loss - l0)))


def test_the_sigmoid_link_recovers_a_known_sigmoid() -> None:
    loss = np.linspace(1.0, 4.0, 30)
    accuracy = 0.25 + 0.75 * expit(-3.0 * (loss - 2.5))
    link = fit_link(SigmoidLink(0.25), loss, accuracy, 200, np.random.default_rng(0))
    assert link is not None
    assert np.exp(link.theta[0]) == pytest.approx(3.0, rel=1e-6)
    assert link.theta[1] == pytest.approx(2.5, abs=1e-6)
    assert link.boot_theta.shape == (200, 2) and np.isfinite(link.boot_theta).all()


def test_the_two_step_forecast_covers_a_known_truth_about_as_often_as_it_says() -> None:
    """Simulated ladders from a known law: the 90% ci of accuracy at 10x holds the truth in 75-100% of them,
    and is not so wide that it spans 0.1 of accuracy (its median width is about 0.024)."""
    target = 1e22
    _, truth = _truth(target)
    covered, widths, pi_widths = 0, [], []
    pi_holds_run = ci_holds_run = 0
    true_loss, _ = _truth(target)
    for seed in range(30):
        compute, task_loss, accuracy = _ladder(8, seed)
        result = fit_two_step(
            _runs(compute, task_loss, accuracy), FitSettings(n_boot=300, seed=seed, chance=0.25), (Target(target),)
        )
        p = result.predictions[0]
        assert p.task_loss is not None
        assert p.ci[0] <= p.estimate <= p.ci[1] and p.pi[0] <= p.estimate <= p.pi[1]
        covered += p.ci[0] <= truth <= p.ci[1]
        rng = np.random.default_rng(1000 + seed)  # a new run at the target, drawn as the ladder's runs were
        loss = true_loss * np.exp(rng.normal(0, 0.005))
        run = 0.25 + 0.75 * float(expit(-2.0 * (loss - 2.4))) + rng.normal(0, 0.01)
        pi_holds_run += p.pi[0] <= run <= p.pi[1]
        ci_holds_run += p.ci[0] <= run <= p.ci[1]
        widths.append(p.ci[1] - p.ci[0])
        pi_widths.append(p.pi[1] - p.pi[0])
    assert 0.75 <= covered / 30 <= 29 / 30  # two-sided: all 30 would say too wide; these seeds give 25
    assert float(np.median(widths)) < 0.1
    # a new run scatters by the simulated 1% around the curve: its pi is at least that scatter's own 90% width,
    # and at most about three times it (the rolling-origin widening errs wide: these seeds give 0.093)
    assert 2 * 1.645 * 0.01 <= float(np.median(pi_widths)) <= 0.15
    # the pi holds a new run about as often as it says (these seeds: 29 of 30; all 30 would say too wide), and
    # more often than the ci does (23): the two intervals are told apart
    assert 25 <= pi_holds_run <= 29 and ci_holds_run < pi_holds_run


def test_checkpoints_give_step_one_each_runs_last_step_and_step_two_every_row(tmp_path: Path) -> None:
    compute, task_loss, accuracy = _ladder(6, 3)
    lines = ["run,step,compute,task_loss,accuracy"]
    for i, (c, loss, acc) in enumerate(zip(compute, task_loss, accuracy, strict=True)):
        for step, share in ((1000, 0.25), (2000, 0.5), (4000, 1.0)):  # earlier checkpoints: less compute, more loss
            early = loss * (1.0 + 0.3 * (1.0 - share))
            early_acc = 0.25 + 0.75 * float(expit(-2.0 * (early - 2.4)))
            lines.append(f"r{i},{step},{c * share:.6g},{early:.6f},{acc if share == 1.0 else early_acc:.6f}")
    path = tmp_path / "checkpoints.csv"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        app, ["fit", str(path), "--law", "two-step", "--chance", "0.25", "-t", "1e22", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["data"]["n_runs"] == 6  # one result per run for step 1
    assert document["data"]["compute_max"] == pytest.approx(compute[-1], rel=1e-5)
    prediction = document["predictions"][0]
    assert set(prediction["task_loss"]) == {"estimate", "ci", "pi"}
    assert prediction["ci"][0] <= prediction["estimate"] <= prediction["ci"][1]


def test_the_cli_prints_accuracy_with_its_task_loss(tmp_path: Path) -> None:
    compute, task_loss, accuracy = _ladder(8, 5)
    path = tmp_path / "ladder.csv"
    rows = "".join(f"{c:.6g},{t:.6f},{a:.6f}\n" for c, t, a in zip(compute, task_loss, accuracy, strict=True))
    path.write_text("compute,task_loss,accuracy\n" + rows)
    result = CliRunner().invoke(
        app, ["fit", str(path), "--law", "two-step", "--chance", "0.25", "--target", "1e22", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    prediction = document["predictions"][0]
    assert set(prediction) >= {"estimate", "ci", "pi", "task_loss"}
    loss, truth = _truth(1e22)
    assert prediction["estimate"] == pytest.approx(truth, abs=0.05)
    assert prediction["task_loss"]["estimate"] == pytest.approx(loss, rel=0.1)
    assert document["law"] == "two-step" and document["fit"]["trend"] == "improving"
    assert document["data"]["accuracy_column"] == "accuracy"


def test_a_smallest_model_below_chance_does_not_break_the_fit(tmp_path: Path) -> None:
    compute, task_loss, accuracy = _ladder(7, 8)
    accuracy[0] = 0.181  # Pythia 70M on 4-choice arc_challenge
    result = fit_two_step(_runs(compute, task_loss, accuracy), FitSettings(n_boot=300, chance=0.25), (Target(1e22),))
    assert np.isfinite(result.predictions[0].estimate)
    assert any("below chance (0.25) on accuracy, the lowest 0.181" in w for w in result.fit.warnings)
    assert "acc = 0.181 + (1 - 0.181)" in result.formula  # the floor follows the smallest model down


def test_a_falling_accuracy_is_worsening_and_warned() -> None:
    compute, task_loss, _ = _ladder(8, 9)
    accuracy = np.linspace(0.6, 0.4, 8)
    result = fit_two_step(_runs(compute, task_loss, accuracy), FitSettings(n_boot=300, chance=0.25), (Target(1e22),))
    assert result.fit.trend == "worsening"
    assert any("scaling may reverse" in w for w in result.fit.warnings)


def test_trend_verdicts_on_constructed_series() -> None:
    x = np.log(np.geomspace(1e18, 1e21, 8))
    rng = np.random.default_rng(0)
    assert trend_verdict(x, 0.5 + 0.05 * (x - x.mean()) + rng.normal(0, 0.005, 8), lower_is_better=False) == "improving"
    assert trend_verdict(x, 0.5 - 0.05 * (x - x.mean()), lower_is_better=False) == "worsening"
    assert trend_verdict(x, 0.5 - 0.05 * (x - x.mean()), lower_is_better=True) == "improving"
    assert trend_verdict(x, 0.365 + rng.normal(0, 0.01, 8), lower_is_better=False) == "flat"
    u_shape = 0.5 + 0.02 * (x - x.mean()) ** 2  # falls, then rises (hindsight neglect)
    assert trend_verdict(x, u_shape, lower_is_better=False) == "non-monotone"
    assert trend_verdict(x[:2], u_shape[:2], lower_is_better=False) is None


@pytest.mark.skipif(not PYTHIA.exists(), reason="../shared/data/pythia is absent")
@pytest.mark.parametrize(
    ("task", "expected"),
    [("wsc", "flat"), ("lambada_openai", "improving"), ("piqa", "improving"), ("sciq", "improving")],
)
def test_pythia_trends(task: str, expected: str) -> None:
    """Fit range 70M-1.4B, 0-shot, standard Pile, accuracy."""
    with PYTHIA.open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["task"] == task and r["metric"] == "acc"]
    rows = sorted((r for r in rows if r["shots"] == "0" and r["data"] == "standard"), key=lambda r: float(r["params"]))
    compute = np.array([float(r["compute_6ND"]) for r in rows[:5]])
    accuracy = np.array([float(r["value"]) for r in rows[:5]])
    assert trend_verdict(np.log(compute), accuracy, lower_is_better=False) == expected


def test_pythia_lambada_12b_is_forecast_within_4_points_from_the_five_smallest() -> None:
    """examples/pythia_lambada.csv holds 70M-1.4B (log perplexity as the task loss); 12B scored 0.7046."""
    result = CliRunner().invoke(
        app, ["fit", str(EXAMPLE), "--law", "two-step", "--chance", "0", "-t", str(PYTHIA_12B_COMPUTE), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    prediction = json.loads(result.stdout)["predictions"][0]
    assert abs(prediction["estimate"] - PYTHIA_12B_LAMBADA) < 0.04
    assert prediction["pi"][0] <= PYTHIA_12B_LAMBADA <= prediction["pi"][1]
    if PYTHIA.exists():  # the shipped example is the published data
        with PYTHIA.open() as handle:
            rows = [r for r in csv.DictReader(handle) if r["model"] == "pythia-12b" and r["task"] == "lambada_openai"]
        published = next(float(r["value"]) for r in rows if r["metric"] == "acc" and r["shots"] == "0")
        assert published == pytest.approx(PYTHIA_12B_LAMBADA, abs=1e-4)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--chance", "1.5"], "error: --chance 1.5: must be at least 0 and below 1, e.g. 0.25"),
        (
            ["--chance", "0.25", "--law", "loss"],
            "error: --chance: the loss law does not use it (the laws that do: two-step, sigmoid, accuracy); leave it out",
        ),
    ],
)
def test_two_step_option_errors_are_one_line(args: list[str], line: str, tmp_path: Path) -> None:
    law = [] if "--law" in args else ["--law", "two-step"]
    result = CliRunner().invoke(app, ["fit", str(EXAMPLE), *law, *args])
    assert result.exit_code == 2
    assert result.stderr.strip() == line


def test_a_file_without_a_task_loss_says_what_to_add(tmp_path: Path) -> None:
    path = tmp_path / "acc.csv"
    path.write_text("compute,accuracy\n1e18,0.3\n1e19,0.4\n1e20,0.5\n")
    result = CliRunner().invoke(app, ["fit", str(path), "--law", "two-step"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {path}: --law two-step reads a task loss ('task_loss', 'bpb', 'nll' or 'correct_nll') column; "
        "add it to the file"
    )


def test_the_link_is_not_a_registered_law_but_the_accuracy_laws_are() -> None:
    from scaling_forecast.laws import LAWS

    assert SigmoidLink.name not in LAWS
    assert {"two-step", "gpt4", "sigmoid", "accuracy"} <= set(LAWS)


TASKS = ROOT / "examples" / "pythia_tasks.csv"


def test_fit_by_task_fits_each_task_on_its_own_and_reports_them_together() -> None:
    """Each task's forecast equals the one from a file of that task alone; every format carries all of them."""
    runner = CliRunner()
    result = runner.invoke(app, ["fit", str(TASKS), "--by", "task", "-t", "2.13e22", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [f["task"] for f in document["fits"]] == ["arc_easy", "piqa", "sciq", "wsc"]
    assert {f["fit"]["trend"] for f in document["fits"]} == {"improving", "flat"}
    with TASKS.open() as handle:
        piqa = [r for r in csv.DictReader(handle) if r["task"] == "piqa"]
    alone = _runs(np.array([float(r["compute"]) for r in piqa]), None, np.array([float(r["accuracy"]) for r in piqa]))
    single = fit_direct(alone, FitSettings(law="accuracy", chance=0.5), (Target(2.13e22),))
    by_task = next(f for f in document["fits"] if f["task"] == "piqa")
    assert by_task["predictions"][0]["estimate"] == pytest.approx(single.predictions[0].estimate, rel=1e-9)
    # and against the accuracy law's closed form: the least-squares line of log(-log acc) on ln C, by numpy
    slope, intercept = np.polyfit(np.log(alone.x), np.log(-np.log(alone.y)), 1)
    closed_form = math.exp(-math.exp(intercept + slope * math.log(2.13e22)))
    assert by_task["predictions"][0]["estimate"] == pytest.approx(closed_form, rel=1e-9)
    table = runner.invoke(app, ["fit", str(TASKS), "--by", "task", "-t", "2.13e22"])
    assert all(task in table.stdout for task in ("arc_easy", "piqa", "sciq", "wsc"))
    rows = runner.invoke(app, ["fit", str(TASKS), "--by", "task", "-t", "2.13e22", "-f", "csv"]).stdout.splitlines()
    assert rows[0].startswith("task,section,") and {r.split(",")[0] for r in rows[1:]} == {
        "arc_easy",
        "piqa",
        "sciq",
        "wsc",
    }
    markdown = runner.invoke(app, ["fit", str(TASKS), "--by", "task", "-t", "2.13e22", "-f", "markdown"]).stdout
    assert "| wsc | accuracy | flat |" in markdown


def test_a_flat_task_is_forecast_as_flat_with_its_scatter() -> None:
    """wsc (5 smallest Pythias) under the sigmoid law: the mean of the runs, and a pi as wide as a new run's
    Student-t interval."""
    with TASKS.open() as handle:
        wsc = [r for r in csv.DictReader(handle) if r["task"] == "wsc"]
    accuracy = np.array([float(r["accuracy"]) for r in wsc])
    compute = np.array([float(r["compute"]) for r in wsc])
    from scipy.stats import t as student

    result = fit_direct(_runs(compute, None, accuracy), FitSettings(law="sigmoid", chance=0.5), (Target(2.13e22),))
    p = result.predictions[0]
    assert result.fit.trend == "flat"
    assert p.estimate == pytest.approx(accuracy.mean(), rel=1e-12)
    half = student.ppf(0.95, 4) * accuracy.std(ddof=1) * np.sqrt(1 + 1 / 5)
    assert p.pi[0] == pytest.approx(max(accuracy.mean() - half, 0.0), rel=1e-9)
    assert p.pi[1] == pytest.approx(accuracy.mean() + half, rel=1e-9)
    mean_half = student.ppf(0.95, 4) * accuracy.std(ddof=1) / np.sqrt(5)  # the mean's own interval: s / sqrt(n)
    assert p.ci == pytest.approx((accuracy.mean() - mean_half, accuracy.mean() + mean_half), rel=1e-9)


def test_by_fits_any_law_each_value_on_its_own() -> None:
    """``--by sweep`` on a file of losses: each sweep is the fit of its rows alone."""
    sweeps = ROOT / "examples" / "sweeps.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["fit", str(sweeps), "--by", "sweep", "-t", "1e24", "--bootstrap", "200", "-f", "json"])
    assert result.exit_code == 0, result.output
    fits = json.loads(result.stdout)["fits"]
    one = runner.invoke(
        app, ["fit", str(sweeps), "--sweep", fits[0]["sweep"], "-t", "1e24", "--bootstrap", "200", "-f", "json"]
    )
    assert json.loads(one.stdout)["predictions"] == fits[0]["predictions"]


def test_an_accuracy_file_without_a_loss_is_fitted_with_the_direct_laws(tmp_path: Path) -> None:
    """GPT-4 form data: -log(acc) = 300 C^-0.15 exactly; the default accuracy law recovers it, and its rolling-origin
    errors are nil, so its interval is the point."""
    compute = np.geomspace(1e18, 1e21, 6)
    accuracy = np.exp(-300.0 * compute**-0.15)
    path = tmp_path / "acc.csv"
    path.write_text(
        "compute,accuracy\n" + "".join(f"{c:.8g},{a:.10f}\n" for c, a in zip(compute, accuracy, strict=True))
    )
    result = CliRunner().invoke(app, ["fit", str(path), "-t", "1e22", "-f", "json", "--chance", "0"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["law"] == "accuracy" and document["law_selection"] is None
    truth = float(np.exp(-300.0 * 1e22**-0.15))
    assert document["predictions"][0]["estimate"] == pytest.approx(truth, rel=1e-9)
    assert document["predictions"][0]["pi"] == pytest.approx([truth, truth], rel=1e-8)
    params = {name: p["estimate"] for name, p in document["params"].items()}
    assert params == pytest.approx({"alpha": 300.0, "k": 0.15})


def test_split_normal_draws_have_the_bounds_as_their_quantiles() -> None:
    """The step-1 interval (estimate 2, bounds [1.5, 3.2]) carried as a split normal: its 5% and 95% quantiles
    are the bounds (each side its own normal), not the bounds mirrored."""
    from scipy.special import ndtri

    z = float(ndtri(0.95))
    draws = split_normal(np.random.default_rng(0).standard_normal(200_000), 2.0, (1.5, 3.2), z)
    assert np.quantile(draws, [0.05, 0.95]) == pytest.approx([1.5, 3.2], abs=0.01)
    assert np.median(draws) == pytest.approx(2.0, abs=0.01)


@pytest.mark.parametrize(("t_statistic", "expected"), [(2.0, "flat"), (2.6, "improving"), (-2.6, "worsening")])
def test_the_trend_test_is_two_sided_at_five_percent(t_statistic: float, expected: str) -> None:
    """A line plus residuals orthogonal to it, scaled so the slope's t statistic is exactly ``t`` (6 dof):
    |t| <= t_{0.975, 6} = 2.447 is flat, beyond it a trend (accuracy: rising is improving)."""
    x = np.arange(8.0)
    design = np.column_stack([np.ones(8), x])
    raw = np.random.default_rng(5).normal(size=8)
    residual = raw - design @ np.linalg.lstsq(design, raw, rcond=None)[0]
    residual *= np.sqrt(6.0 / (residual @ residual))  # s^2 = 1
    slope = t_statistic / np.sqrt(((x - x.mean()) ** 2).sum())
    assert trend_verdict(x, 0.5 + slope * x + residual, lower_is_better=False) == expected


def test_the_library_refuses_what_the_command_line_refuses() -> None:
    """An accuracy outside [0, 1], a delta interval for the sigmoid, a chance for a law with no floor."""
    from scaling_forecast.errors import ConfigError, DataError
    from scaling_forecast.tasks.ladder import fit_law

    compute = np.geomspace(1e18, 1e21, 6)
    accuracy = np.array([0.3, 0.4, 0.5, 0.7, 0.9, 1.45])
    for law in ("gpt4", "sigmoid", "accuracy", "two-step"):
        columns = np.linspace(3.0, 1.0, 6)[:, None] if law == "two-step" else None
        with pytest.raises(DataError, match=r"1\.45 is not a share between 0 and 1"):
            fit_law(compute, accuracy, FitSettings(law=law), columns=columns)
    with pytest.raises(ConfigError, match="--method delta"):
        fit_law(compute, accuracy / 2, FitSettings(law="sigmoid", method="delta"))
    with pytest.raises(ConfigError, match="does not use it"):
        FitSettings(law="gpt4", chance=0.25)


def test_load_runs_picks_a_task_and_predict_takes_the_command_lines_targets() -> None:
    import pandas as pd

    from scaling_forecast import fit_runs, load_runs, parse_target
    from scaling_forecast.errors import DataError

    table = pd.read_csv(ROOT / "examples" / "pythia_tasks.csv")
    with pytest.raises(DataError, match="holds 4 tasks in column 'task'"):
        load_runs(table)
    runs = load_runs(table, task="piqa")
    assert len(runs) == 5 and runs.chance == 0.5
    result = fit_runs(runs, FitSettings(law="accuracy", n_boot=200), (parse_target("10x"),))
    again = result.predict(["10x", 1e22])
    assert again.predictions[0].estimate == result.predictions[0].estimate
    assert again.predictions[1].target == 1e22


def test_the_chance_warning_is_for_laws_with_a_floor_and_compare_takes_chance() -> None:
    runner = CliRunner()
    gpt4 = runner.invoke(app, ["fit", str(EXAMPLE), "--law", "gpt4", "--bootstrap", "200"])
    assert gpt4.exit_code == 0 and "--chance" not in gpt4.output
    sigmoid = runner.invoke(app, ["fit", str(EXAMPLE), "--law", "sigmoid", "--bootstrap", "200"])
    assert sigmoid.exit_code == 0 and "no --chance given" in sigmoid.output
    tasks = str(ROOT / "examples" / "pythia_tasks.csv")
    compare = ["compare", tasks, "--by", "task", "--law", "sigmoid", "--bootstrap", "200", "-f", "json"]
    own, given = (runner.invoke(app, [*compare, *extra]) for extra in ([], ["--chance", "0.1"]))
    assert own.exit_code == 0 and given.exit_code == 0, given.stderr
    assert json.loads(own.stdout)["comparisons"] != json.loads(given.stdout)["comparisons"]
    losses = runner.invoke(app, ["compare", str(ROOT / "examples" / "sweeps.csv"), "--by", "sweep", "--chance", "0.1"])
    assert losses.exit_code == 2 and "--chance" in losses.stderr


def test_a_file_of_loss_and_accuracy_asks_which_to_fit(tmp_path: Path) -> None:
    both = tmp_path / "both.csv"
    rows = [("a", 1e18, 3.2, 0.30), ("b", 1e19, 2.9, 0.36), ("c", 1e20, 2.7, 0.45), ("d", 1e21, 2.5, 0.55)]
    both.write_text("model,compute,loss,accuracy\n" + "".join(f"{m},{c},{lo},{a}\n" for m, c, lo, a in rows))
    runner = CliRunner()
    asked = runner.invoke(app, ["fit", str(both)])
    assert asked.exit_code == 2 and "say which to fit: --y loss (a loss law) or --y accuracy" in asked.stderr
    accuracy = runner.invoke(app, ["fit", str(both), "--y", "accuracy", "-f", "json"])
    assert accuracy.exit_code == 0 and json.loads(accuracy.stdout)["law"] == "accuracy", accuracy.stderr
    loss = runner.invoke(app, ["fit", str(both), "--y", "loss", "--law", "power", "--bootstrap", "200", "-f", "json"])
    assert loss.exit_code == 0 and json.loads(loss.stdout)["data"]["y_column"] == "loss", loss.stderr


def test_reach_beyond_a_share_is_refused_and_compare_names_the_seed_given() -> None:
    runner = CliRunner()
    above = runner.invoke(app, ["fit", str(EXAMPLE), "--reach", "1.5", "--bootstrap", "200"])
    assert above.exit_code == 2 and above.stderr.startswith("error: --reach 1.5: the two-step law reports accuracy")
    tasks = str(ROOT / "examples" / "pythia_tasks.csv")
    compared = runner.invoke(app, ["compare", tasks, "--by", "task", "--bootstrap", "200", "--seed", "5"])
    head = "\n".join(compared.stdout.splitlines()[:2])
    assert compared.exit_code == 0 and "drawn from seed 5" in head and "seed" not in head.split("drawn from")[0]
    assert "-log(acc) = alpha * C^(-k)" in head


def _rising(chance: float, top: float) -> Runs:
    """8 runs over 3 decades rising from near ``chance`` towards ``top`` (a logistic in log10 C), with fixed noise."""
    compute = np.geomspace(1e19, 1e22, 8)
    noise = np.array([0.006, -0.004, 0.008, -0.007, 0.003, -0.005, 0.004, -0.002])
    share = expit(1.6 * (np.log10(compute) - 20.5))
    return _runs(compute, None, np.clip(chance + (top - chance) * share + noise, 0.001, 0.999))


@pytest.mark.parametrize(("chance", "top"), [(0.0, 0.2), (0.5, 0.995)], ids=["near 0", "near 1"])
@pytest.mark.parametrize("level", [0.9, 0.6])
def test_the_sigmoid_intervals_are_the_percentiles_of_its_replicates(chance: float, top: float, level: float) -> None:
    """Recomputed here from the fitted link's replicates with numpy: the ci is their percentile interval at
    (1 - level) / 2, the pi that of each replicate plus a resampled residual clipped to [0, 1]; each holds the
    estimate and the pi holds the ci. slope = exp(theta_0) and C_mid = 10^-theta_1, with the replicates'
    percentiles."""
    from scaling_forecast.engine.capability import log_compute_design

    targets = (Target(1e21), Target(1e23), Target(1e25))
    result = fit_direct(_rising(chance, top), FitSettings(law="sigmoid", chance=chance, level=level), targets)
    link = result.model.sigmoid
    values = np.array([t.value for t in targets])
    estimate, replicates = link.at(log_compute_design(values))
    noisy = np.clip(replicates + link.noise[:, None], 0.0, 1.0)
    tail = (1 - level) / 2
    for i, p in enumerate(result.predictions):
        ci = np.quantile(replicates[:, i], [tail, 1 - tail])
        pi = np.quantile(noisy[:, i], [tail, 1 - tail])
        expected_ci = (min(ci[0], estimate[i]), max(ci[1], estimate[i]))
        expected_pi = (min(pi[0], expected_ci[0]), max(pi[1], expected_ci[1]))
        assert p.estimate == pytest.approx(estimate[i], rel=1e-12)
        assert p.ci == pytest.approx(expected_ci, rel=1e-12) and p.pi == pytest.approx(expected_pi, rel=1e-12)
        assert p.pi[0] >= 0.0 and p.pi[1] <= 1.0
    assert np.array_equal(result.model.draws(1e23), replicates[:, 1][np.isfinite(replicates[:, 1])])
    slope, midpoint = result.params
    assert (slope.name, midpoint.name) == ("slope", "C_mid")
    assert slope.estimate == pytest.approx(math.exp(link.theta[0])) and midpoint.estimate == pytest.approx(
        10 ** -link.theta[1]
    )
    assert slope.ci == pytest.approx(tuple(np.quantile(np.exp(link.boot_theta[:, 0]), [tail, 1 - tail])))
    assert midpoint.ci == pytest.approx(tuple(np.quantile(10 ** -link.boot_theta[:, 1], [tail, 1 - tail])))


@pytest.mark.parametrize("law", ["gpt4", "sigmoid", "accuracy", "two-step"])
@pytest.mark.parametrize("shape", ["rising", "flat"])
def test_a_saved_accuracy_fit_predicts_and_draws_the_same(law: str, shape: str) -> None:
    """Every accuracy law, on a rising and on a flat task, saved to JSON and loaded: the same forecast, warnings and
    draws of the true accuracy (compare's P(better))."""
    from scaling_forecast.engine.models import load_fit

    compute = np.geomspace(1e19, 1e22, 8)
    if shape == "flat":
        accuracy = 0.62 + np.array([0.01, -0.012, 0.004, 0.009, -0.006, 0.0, -0.01, 0.007])
    else:
        accuracy = _rising(0.25, 0.9).y
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    runs = replace(_runs(compute, task_loss if law == "two-step" else None, accuracy), warnings=("a reader's note",))
    targets = (Target(1e23), Target(1e24))
    settings = FitSettings(law=law, chance=None if law == "gpt4" else 0.25, seed=3, n_boot=300)
    result = fit_two_step(runs, settings, targets) if law == "two-step" else fit_direct(runs, settings, targets)
    assert result.fit.trend == ("flat" if shape == "flat" else "improving")
    reloaded = load_fit(json.loads(json.dumps(result.to_saved_dict())), "fit.json").predict(targets, 0.9)
    assert reloaded.predictions == result.predictions
    assert [p.to_dict() for p in reloaded.params] == [p.to_dict() for p in result.params]  # NaN where undefined
    assert reloaded.fit.warnings == result.fit.warnings
    assert np.array_equal(reloaded.model.draws(1e23), result.model.draws(1e23))
    assert result.model.draws(1e23).size >= 300
    assert "a reader's note" in result.fit.warnings  # what reading the runs left out is said under every law
    assert reloaded.model.law.name == law and reloaded.data_warnings == result.data_warnings
    assert reloaded.model.before == result.model.before and reloaded.model.after == result.model.after
    assert all(p.pass_rate is None for p in result.predictions)
    if law == "two-step":
        for name in ("theta", "boot_theta", "residuals", "noise", "x", "accuracy"):
            assert np.array_equal(getattr(reloaded.model.link, name), getattr(result.model.link, name))


@pytest.mark.parametrize("law", ["accuracy", "gpt4", "sigmoid"])
def test_a_direct_fits_summary_is_its_residuals_in_accuracy(law: str) -> None:
    """rmse and objective (half the residual sum of squares) of accuracy minus the fitted curve, recomputed here
    from the GPT-4 form's least-squares line (accuracy), the published form's own parameters (gpt4, which fits
    -log acc) or the link's residuals (sigmoid); n - 2 degrees of freedom; what the fit was asked for."""
    runs = _rising(0.25, 0.9)
    settings = FitSettings(law=law, chance=None if law == "gpt4" else 0.25, n_boot=300, seed=2, level=0.8)
    result = fit_direct(runs, settings, (Target(1e23),))
    compute, accuracy = runs.x, runs.y
    if law == "accuracy":
        slope, intercept = np.polyfit(np.log(compute), np.log(-np.log(accuracy)), 1)
        fitted = np.exp(-np.exp(intercept + slope * np.log(compute)))
    elif law == "gpt4":
        alpha, k = (p.estimate for p in result.params)
        fitted = np.exp(-alpha * compute ** (-k))
    else:
        fitted = accuracy - result.model.sigmoid.residuals
        kept = result.model.sigmoid.boot_theta.shape[0]
        assert result.fit.failed_replicates == 300 - kept and kept > 250
    residuals = accuracy - fitted
    assert result.fit.rmse == pytest.approx(math.sqrt(np.mean(residuals**2)), rel=1e-6)
    assert result.fit.objective == pytest.approx(0.5 * float(residuals @ residuals), rel=1e-6)
    assert result.fit.dof == 6 and result.fit.converged and result.fit.trend == "improving"
    assert result.level == 0.8 and result.loss_fn == "lsq" and result.misspecification == settings.misspecification
    assert result.data.y_column == "accuracy" and result.data.chance == settings.chance
    if law != "sigmoid":
        assert result.fit.failed_replicates == 0


@pytest.mark.parametrize("edge", [0.0, 1.0])
def test_an_accuracy_of_exactly_0_or_1_is_refused_by_the_gpt4_form_and_fitted_by_the_sigmoid(edge: float) -> None:
    from scaling_forecast.errors import DataError

    runs = _rising(0.25, 0.9)
    accuracy = runs.y.copy()
    accuracy[0 if edge == 0.0 else -1] = edge
    edged = _runs(runs.x, None, accuracy)
    for law in ("accuracy", "gpt4"):
        with pytest.raises(DataError, match=r"accuracies of exactly 0 or 1 cannot be fitted by the GPT-4 form"):
            fit_direct(edged, FitSettings(law=law), ())
    assert fit_direct(edged, FitSettings(law="sigmoid", chance=0.0, n_boot=200), (Target(1e23),)).predictions


def test_a_two_step_fit_of_three_computes_has_no_calibration_and_saves() -> None:
    """Three runs leave no rolling origin: the pi is the link's own, and the saved fit says so and loads."""
    from scaling_forecast.engine.models import load_fit

    compute = np.geomspace(1e19, 1e21, 3)
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    runs = _runs(compute, task_loss, np.array([0.4, 0.55, 0.7]))
    result = fit_two_step(runs, FitSettings(law="two-step", chance=0.25, n_boot=200), (Target(1e22),))
    assert result.model.calibration is None and result.model.to_state()["calibration"] is None
    reloaded = load_fit(json.loads(json.dumps(result.to_saved_dict())), "fit.json").predict(Target(1e22), 0.9)
    assert reloaded.model.calibration is None and reloaded.predictions == result.predictions


def test_a_flat_tasks_draws_and_intervals_are_the_closed_form() -> None:
    """mean + z s / sqrt(n) for standard normal z; ci = mean +- t s / sqrt(n) and pi = mean +- t s sqrt(1 + 1/n),
    clipped at 1 for a task flat near 1."""
    from scaling_forecast.engine.capability import Flat

    accuracy = np.array([0.985, 0.999, 0.982, 0.999, 0.998])
    flat = Flat(accuracy)
    mean, s, n = accuracy.mean(), accuracy.std(ddof=1), 5
    assert flat.draws(np.array([-1.0, 0.0, 2.0])) == pytest.approx(mean + np.array([-1.0, 0.0, 2.0]) * s / math.sqrt(n))
    t = stats.t.ppf(0.975, n - 1)
    estimate, ci, pi = flat.interval(0.95)
    assert estimate == pytest.approx(mean)
    assert ci == pytest.approx((mean - t * s / math.sqrt(n), min(mean + t * s / math.sqrt(n), 1.0)))
    assert pi == pytest.approx((mean - t * s * math.sqrt(1 + 1 / n), 1.0))
    assert ci[1] == 1.0  # mean + t s / sqrt(n) = 1.003: clipped


def test_the_sigmoid_pi_holds_its_ci_even_when_every_noise_draw_is_positive() -> None:
    result = fit_direct(_rising(0.25, 0.9), FitSettings(law="sigmoid", chance=0.25, n_boot=300), ())
    link = result.model.sigmoid
    shifted = replace(result.model, sigmoid=replace(link, noise=np.full_like(link.noise, 0.05)))
    ((estimate, ci, pi),) = shifted._sigmoid(np.array([1e21]), 0.9)
    assert pi[0] == ci[0] < estimate < ci[1] < pi[1]


def test_a_constant_accuracy_under_gpt4_draws_the_flat_tasks_mean() -> None:
    from scaling_forecast.engine.capability import FLAT_DRAWS

    runs = _runs(np.geomspace(1e19, 1e22, 6), None, np.full(6, 0.5))
    result = fit_direct(runs, FitSettings(law="gpt4"), (Target(1e23),))
    draws = result.model.draws(1e23)
    assert result.fit.trend == "flat" and draws.size == FLAT_DRAWS and np.all(draws == 0.5)


def test_two_step_draws_do_not_depend_on_the_level_reported() -> None:
    """The draws of the true accuracy (compare's P(better)) come from step 1's 90% ci, whatever --level the fit
    reports: a fit at 0.5 and one at 0.9 draw the same."""
    compute = np.geomspace(1e19, 1e22, 8)
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    runs = _runs(compute, task_loss, _rising(0.25, 0.9).y)
    draws = [
        fit_two_step(runs, FitSettings(law="two-step", chance=0.25, n_boot=200, level=level), ()).model.draws(1e23)
        for level in (0.5, 0.9)
    ]
    assert np.array_equal(draws[0], draws[1]) and draws[0].size == 200


@pytest.mark.parametrize("law", ["accuracy", "gpt4", "sigmoid"])
def test_a_direct_fit_records_what_it_was_fitted_to_and_how(law: str) -> None:
    """The header of the JSON a direct law writes: method (rolling-origin for the calibrated law, else the
    bootstrap asked for), n_boot, the formula (the sigmoid's with its floor), the runs' span, columns, sweep and
    points, the level and Huber's delta asked for, the chosen law's warnings."""
    runs = replace(_rising(0.25, 0.9), sweep="mix-a", x_column="flops", warnings=("a reader's note",))
    chance = None if law == "gpt4" else 0.25
    settings = FitSettings(law=law, chance=chance, n_boot=300, seed=2, level=0.8, huber_delta=0.02)
    result = fit_direct(runs, settings, (Target(1e23),))
    assert result.method == ("rolling-origin" if law == "accuracy" else settings.method)
    assert result.n_boot == (0 if law == "accuracy" else 300) and result.level == 0.8 and result.huber_delta == 0.02
    expected_formula = {
        "accuracy": "-log(acc) = alpha",
        "gpt4": "-log(acc) = alpha",
        "sigmoid": "acc = 0.25 + (1 - 0.25) * sigmoid(",
    }[law]
    assert expected_formula in result.formula and "chance" not in result.formula
    data = result.data
    assert (data.compute_min, data.compute_max, data.n_runs) == (1e19, 1e22, 8)
    assert (data.x_column, data.y_column, data.sweep, data.chance) == ("flops", "accuracy", "mix-a", chance)
    assert (
        result.runs is not None and result.runs.x == tuple(runs.x.tolist()) and result.runs.y == tuple(runs.y.tolist())
    )
    assert result.params and result.predictions[0].target == 1e23
    assert result.data_warnings[0] == "a reader's note" and result.fit.warnings[0] == "a reader's note"
    if law == "gpt4":
        assert (
            result.fit.drift is result.model.gpt4.fit.drift and result.fit.converged == result.model.gpt4.fit.converged
        )


def test_a_two_step_pi_without_calibration_carries_the_links_scatter() -> None:
    """Before the rolling-origin widening, the two-step pi is the link's own: a new run drawn from step 1, through the
    link, plus the link's resampled residuals. Without those residuals that pi is narrower; the ci is the same."""
    compute = np.geomspace(1e19, 1e22, 8)
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    runs = _runs(compute, task_loss, _rising(0.25, 0.9).y)
    result = fit_two_step(runs, FitSettings(law="two-step", chance=0.25, n_boot=400), (Target(3e22),))
    own = replace(result, model=replace(result.model, calibration=None))
    link = own.model.link
    assert np.ptp(link.noise) > 0.01
    quiet = replace(own, model=replace(own.model, link=replace(link, noise=np.zeros_like(link.noise))))
    (with_scatter,) = own.predict(Target(3e22)).predictions
    (without,) = quiet.predict(Target(3e22)).predictions
    assert without.ci == with_scatter.ci and with_scatter.pi[1] < 1.0
    assert with_scatter.pi[1] - with_scatter.pi[0] > (without.pi[1] - without.pi[0]) + 0.01


def test_the_checkpoint_bootstrap_draws_runs_then_rows_within_each_drawn_run() -> None:
    """With checkpoints, a replicate draws runs with replacement (uniformly), then ``n // runs`` rows of each drawn
    run with replacement (uniformly, independently); without, rows with replacement. Checked on 4,000 replicates
    against those probabilities (binomial errors of about 0.005 for a share of 1/3)."""
    from scaling_forecast.engine.capability import _case_draws

    groups = np.array(["a"] * 3 + ["b"] * 5 + ["c"] * 4)
    draws = _case_draws(np.random.default_rng(0), 12, 4000, groups)
    assert draws.shape == (4000, 12) and draws.min() >= 0 and draws.max() <= 11
    blocks = groups[draws].reshape(4000, 3, 4)  # three drawn runs, four rows of each
    assert (blocks == blocks[:, :, :1]).all()
    for run in "abc":
        assert np.mean(blocks[:, :, 0] == run) == pytest.approx(1 / 3, abs=0.02)
    rows_of_b = draws[groups[draws] == "b"]
    assert np.bincount(rows_of_b, minlength=12)[3:8] / rows_of_b.size == pytest.approx([0.2] * 5, abs=0.02)
    same = np.mean([(d == d[0]).all() for d in draws.reshape(4000, 3, 4)[blocks[:, :, 0] == "b"]])
    assert same < 0.03  # four rows of b all alike: 1/125 if drawn independently
    assert _case_draws(np.random.default_rng(0), 4, 100, np.array(["a", "a", "b", "c"])).shape == (100, 3)
    plain = _case_draws(np.random.default_rng(1), 12, 4000, None)
    assert plain.shape == (4000, 12)
    assert np.bincount(plain.ravel(), minlength=12) / plain.size == pytest.approx([1 / 12] * 12, abs=0.005)


def test_percentile_parameters_split_normal_draws_and_the_floor_by_hand() -> None:
    """``percentile_params``: numpy's quantiles and the standard deviation with ``B - 1``, NaN, silently, with an infinite draw;
    ``split_normal``: ``q + z_i * (q - low) / z`` below the estimate and ``(high - q) / z`` above it; ``floor_of``:
    a run exactly at chance is not below it."""
    from scaling_forecast.engine.capability import floor_of, percentile_params, split_normal

    draws = np.random.default_rng(2).gamma(2.0, 1.0, (999, 2))
    x, y = percentile_params(("x", "y"), np.array([1.0, 2.0]), draws, 0.8)
    assert (x.name, y.name, x.estimate) == ("x", "y", 1.0)
    assert x.ci == pytest.approx(tuple(np.quantile(draws[:, 0], [0.1, 0.9])), rel=1e-12)
    assert y.stderr == pytest.approx(float(np.std(draws[:, 1], ddof=1)), rel=1e-12)
    (wild,) = percentile_params(("x",), np.array([1.0]), np.array([[3.0], [np.inf], [4.0]]), 0.8)
    assert np.isnan(wild.stderr) and wild.ci[0] == pytest.approx(3.2)  # an infinite draw: no spread, silently
    normal = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    drawn = split_normal(normal, 1.0, (0.0, 4.0), 2.0)  # below: 0.5 per unit; above: 1.5 per unit
    assert drawn.tolist() == [0.0, 0.75, 1.0, 1.75, 4.0]
    assert floor_of(0.25, np.array([0.25, 0.3, 0.5]), "acc") == (0.25, ())
    floor, warned = floor_of(0.25, np.array([0.2, 0.3, 0.5]), "acc")
    assert floor == 0.2 and warned[0].startswith("1 run(s) score below chance (0.25) on acc, the lowest 0.2")


@pytest.mark.parametrize("level", [0.9, 0.5])
def test_a_two_step_ci_is_the_quantiles_of_its_draws_and_its_link_parameters_those_of_its_replicates(
    level: float,
) -> None:
    """At any level the two-step ``ci`` is numpy's quantiles at ``(1 - level) / 2`` of the model's draws of the true
    accuracy (step 1's 90% interval through the link's replicates), widened to hold the estimate; the link's
    parameters are the link's own, with the percentiles of its replicates; a new run's ``pi`` stays in [0, 1]
    where the accuracy sits on the floor (a new run's noise would take it below 0)."""
    compute, task_loss, accuracy = _ladder(8, seed=3, chance=0.0)
    settings = FitSettings(law="two-step", chance=0.0, n_boot=400)
    result = fit_two_step(_runs(compute, task_loss, accuracy), settings, (Target(1e22),))
    at = result.predict(Target(1e22), level)
    prediction = at.predictions[0]
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(result.model.draws(1e22), [tail, 1.0 - tail])
    assert prediction.ci == pytest.approx((min(low, prediction.estimate), max(high, prediction.estimate)), rel=1e-12)
    link = result.model.link
    own = link.link.to_user(link.theta[None, :], 0.0)[0]
    replicates = link.link.to_user(link.boot_theta, 0.0)
    for i, name in enumerate(link.link.param_names):
        param = at.param(f"step2.{name}")
        assert param.estimate == pytest.approx(own[i], rel=1e-12)
        assert param.ci == pytest.approx(tuple(np.quantile(replicates[:, i], [tail, 1.0 - tail])), rel=1e-12)
    floor = result.predict(Target(1e16), level).predictions[0]
    assert floor.estimate < 1e-6 and floor.pi[0] == 0.0 and 0.0 < floor.pi[1] < 0.2


def test_a_two_step_fit_of_checkpoints_bootstraps_runs_keeps_its_warnings_and_points() -> None:
    """Runs with checkpoints: step 2's replicates are the link refitted to whole runs drawn with replacement (the
    link's own stream, the runs' names as groups), not to rows; the result keeps each run's last step as its
    points, the sweep, the runs' own warnings, the below-chance warning and the trend's, naming the column."""
    from scaling_forecast.engine.streams import Stream, stream
    from scaling_forecast.laws import TwoStepLaw

    compute, task_loss, accuracy = _ladder(6, seed=5)
    steps = np.tile([1.0, 2.0, 3.0], 6)
    names = tuple(np.repeat([f"m{i}" for i in range(6)], 3))
    x = np.repeat(compute, 3) * steps / 3.0
    loss = np.repeat(task_loss, 3) * (1.0 + 0.05 * (3.0 - steps))
    acc = np.clip(np.repeat(accuracy, 3) - 0.02 * (3.0 - steps), 0.0, 1.0)
    acc[0] = 0.2  # a small model's early checkpoint below chance
    runs = Runs(
        x,
        acc,
        names,
        "compute",
        "acc",
        "c.csv",
        "s1",
        columns=loss[:, None],
        column_names=("task_loss",),
        warnings=("left one out",),
        metric="accuracy",
        steps=steps,
    )
    settings = FitSettings(law="two-step", chance=0.25, n_boot=300)
    result = fit_two_step(runs, settings, (Target(1e22),))
    floor = 0.2  # lowered to the lowest accuracy
    link = TwoStepLaw().link(floor)
    grouped = fit_link(link, loss, acc, 300, stream(0, Stream.LINK_BOOTSTRAP), np.array(names))
    by_rows = fit_link(link, loss, acc, 300, stream(0, Stream.LINK_BOOTSTRAP), None)
    assert grouped is not None and by_rows is not None
    assert np.array_equal(result.model.link.boot_theta, grouped.boot_theta)
    assert not np.array_equal(grouped.boot_theta, by_rows.boot_theta)
    final = runs.final_rows()
    assert result.runs is not None and result.runs.x == tuple(x[final].tolist())
    assert result.runs.y == tuple(acc[final].tolist())
    assert result.data.sweep == "s1" and result.data.chance == 0.25
    warnings = result.data_warnings
    assert "left one out" in warnings
    assert any(w.startswith("2 run(s) score below chance (0.25) on acc, the lowest 0.2") for w in warnings)


def test_a_flat_two_step_task_is_forecast_as_its_runs_mean() -> None:
    """Accuracies that do not move with compute (the trend test says flat): the two-step forecast is the flat
    model's, the runs' mean, with its warning naming the column and the law."""
    compute = np.geomspace(1e19, 1e22, 8)
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    accuracy = 0.5 + np.array([0.01, -0.01, 0.012, -0.008, 0.0, 0.009, -0.011, 0.002])
    result = fit_two_step(_runs(compute, task_loss, accuracy), FitSettings(law="two-step", n_boot=200), (Target(1e23),))
    assert result.fit.trend == "flat" and result.model.flat is not None
    assert result.predictions[0].estimate == pytest.approx(float(accuracy.mean()), rel=1e-12)
    flat_warning = [w for w in result.data_warnings if "flat" in w]
    assert flat_warning and "accuracy" in flat_warning[0]
    assert any(
        w.startswith("no --chance given (nor a 'chance' column): the sigmoid's floor is 0")
        for w in result.data_warnings
    )
    assert result.model.link.link.floor == 0.0  # no chance given: the floor is 0


def test_a_registered_two_step_law_is_fitted_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new two-step law is one class and one registry entry: fitted by name, it is that law, not the default."""
    from scaling_forecast.laws import LAWS, TwoStepLaw
    from scaling_forecast.tasks.capability import fit_accuracy_law

    class RenamedTwoStep(TwoStepLaw):
        name = "renamed-two-step"

    monkeypatch.setitem(LAWS, RenamedTwoStep.name, RenamedTwoStep)
    compute, task_loss, accuracy = _ladder(8, seed=6)
    settings = FitSettings(law="renamed-two-step", chance=0.25, n_boot=200)
    result = fit_accuracy_law(_runs(compute, task_loss, accuracy), settings, (Target(1e22),))
    assert result.law == "renamed-two-step" and isinstance(result.model.law, RenamedTwoStep)


def test_accuracy_laws_refuse_a_share_out_of_range_and_a_law_of_loss_word_for_word() -> None:
    from scaling_forecast.errors import DataError
    from scaling_forecast.tasks.capability import fit_accuracy_law

    compute, task_loss, accuracy = _ladder(8, seed=6)
    percent = accuracy.copy()
    percent[2] = 55.0
    with pytest.raises(DataError) as refused:
        fit_accuracy_law(_runs(compute, task_loss, percent), FitSettings(law="two-step", n_boot=200))
    assert str(refused.value) == (
        "<data>: run 'r2', 'accuracy': 55 is not a share between 0 and 1; an accuracy in percent divides by 100"
    )
    with pytest.raises(TypeError) as refused_law:
        fit_accuracy_law(_runs(compute, task_loss, accuracy), FitSettings(law="power"))
    assert str(refused_law.value) == "the power law is not a law of accuracy"


def test_a_direct_fits_summary_chance_and_warnings_are_its_runs() -> None:
    """The sigmoid on runs whose file gives a chance column and notes: the chance is the file's, the warnings keep
    the file's note and the below-chance line naming the column, the summary is the link's residuals, replicates
    and least squares, the formula carries the floor; the gpt4 form fits ``-log acc`` with the passrate law and
    reports its loss function and convergence."""
    from scaling_forecast.tasks.capability import fit_accuracy_law

    compute = np.geomspace(1e19, 1e22, 8)
    accuracy = 0.25 + 0.6 * expit(1.5 * (np.log10(compute) - 20.5)) + np.random.default_rng(8).normal(0.0, 0.01, 8)
    accuracy[0] = 0.2
    runs = replace(_runs(compute, None, accuracy), chance=0.25, warnings=("left one out",), y_column="acc_norm")
    result = fit_accuracy_law(runs, FitSettings(law="sigmoid", n_boot=300, level=0.8), (Target(1e23),))
    assert result.data.chance == 0.25 and result.level == 0.8 and result.loss_fn == "lsq"
    warnings = result.data_warnings
    assert "left one out" in warnings
    assert any(w.startswith("1 run(s) score below chance (0.25) on acc_norm, the lowest 0.2") for w in warnings)
    link = result.model.sigmoid
    assert result.fit.rmse == pytest.approx(float(np.sqrt(np.mean(link.residuals**2))), rel=1e-12)
    assert result.fit.failed_replicates == 300 - link.boot_theta.shape[0] and result.fit.converged is True
    assert "0.2" in result.formula and result.data.y_column == "acc_norm"
    gpt4 = fit_accuracy_law(
        replace(runs, y=np.clip(accuracy, 0.3, 0.99)), FitSettings(law="gpt4", n_boot=200), (Target(1e23),)
    )
    assert gpt4.law == "gpt4" and gpt4.loss_fn == "lsq" and gpt4.fit.converged is True
    assert gpt4.model.gpt4 is not None and gpt4.model.gpt4.data.y_column == "-log acc_norm"
    assert "left one out" in gpt4.data_warnings


def _grid_runs(noise: float = 0.0) -> Runs:
    """An over-training grid (4 sizes, 3 token counts each) whose task loss is Chinchilla's ``L(N, D)`` and whose
    accuracy is a sigmoid of it, noise-free unless ``noise``: the known truth of the two-step calibration."""
    params = np.repeat([2e7, 5e7, 1e8, 2e8], 3)
    tokens = params * np.tile([10.0, 20.0, 40.0], 4)
    loss = 1.7 + 400.0 / params**0.34 + 410.0 / tokens**0.28
    accuracy = 0.25 + 0.75 * expit(-2.0 * (loss - 3.5)) + np.random.default_rng(4).normal(0.0, noise, 12)
    order = np.argsort(6.0 * params * tokens, kind="stable")
    return Runs(
        (6.0 * params * tokens)[order],
        accuracy[order],
        tuple(f"r{i}" for i in range(12)),
        "compute",
        "accuracy",
        "grid.csv",
        columns=np.column_stack([loss, params, tokens])[order],
        column_names=("task_loss", "params", "tokens"),
        metric="accuracy",
    )


def _origin_distances(x: np.ndarray) -> np.ndarray:
    """The calibration's distances by hand: each origin (the runs at the smallest ``k`` computes, ``k`` from 3, the
    largest three origins) to each larger run, in decades from the origin's mean log10 compute."""
    levels = np.unique(x)
    out = []
    for k in range(max(3, levels.size - 3), levels.size):
        inside, beyond = x <= levels[k - 1], x > levels[k - 1]
        out.append(np.log10(x[beyond]) - np.log10(x[inside]).mean())
    return np.concatenate(out)


@pytest.mark.parametrize("grid", [False, True])
def test_the_two_step_calibration_of_a_noise_free_ladder_has_no_error_at_its_distances(grid: bool) -> None:
    """Noise-free task losses (a power law of compute, or L(N, D) on a grid of sizes and token counts) and a
    noise-free sigmoid: each rolling origin's step 1 (``auto``, or ``chinchilla`` at each run's N and D) and link
    forecast every larger run exactly, at the distances counted by hand from the compute alone."""
    if grid:
        runs = _grid_runs()
    else:
        compute = np.geomspace(1e18, 1e21, 8)
        task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
        runs = _runs(compute, task_loss, 0.25 + 0.75 * expit(-2.0 * (task_loss - 2.4)))
    result = fit_two_step(runs, FitSettings(law="two-step", chance=0.25, n_boot=200), (Target(1e22),))
    calibration = result.model.calibration
    assert calibration is not None
    expected = _origin_distances(runs.x)
    assert calibration.errors.size == expected.size
    np.testing.assert_allclose(calibration.errors, 0.0, atol=1e-6)
    np.testing.assert_allclose(calibration.distances, expected, rtol=1e-12)
    assert calibration.n == runs.x.size and calibration.centre == pytest.approx(np.log10(runs.x).mean(), rel=1e-12)


@pytest.mark.parametrize("fails", ["step 1", "link"])
def test_a_rolling_origin_that_cannot_be_fitted_is_skipped_and_the_later_ones_kept(
    fails: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first rolling origin's step 1 (or link) fails: the calibration is the other origins' errors, not none."""
    import scaling_forecast.tasks.capability as capability
    from scaling_forecast.errors import ForecastError

    compute = np.geomspace(1e18, 1e21, 8)
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    runs = _runs(compute, task_loss, 0.25 + 0.75 * expit(-2.0 * (task_loss - 2.4)))
    calls = {"fit_curve": 0, "fit_link": 0}
    real_curve, real_link = capability.fit_curve, capability.fit_link

    def curve(*args: object, **kwargs: object) -> object:
        calls["fit_curve"] += 1
        if fails == "step 1" and calls["fit_curve"] == 2:  # the first is the forecast's own step 1
            raise ForecastError("no fit")
        return real_curve(*args, **kwargs)  # type: ignore[arg-type]

    def link(*args: object, **kwargs: object) -> object:
        calls["fit_link"] += 1
        if fails == "link" and calls["fit_link"] == 2:  # the first is the forecast's own link
            return None
        return real_link(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(capability, "fit_curve", curve)
    monkeypatch.setattr(capability, "fit_link", link)
    result = fit_two_step(runs, FitSettings(law="two-step", chance=0.25, n_boot=200), (Target(1e22),))
    calibration = result.model.calibration
    first = int((compute > compute[4]).sum())  # the first origin holds the 5 smallest runs and forecasts the rest
    assert calibration is not None and calibration.errors.size == _origin_distances(compute).size - first
    np.testing.assert_allclose(calibration.distances, _origin_distances(compute)[first:], rtol=1e-12)


def test_accuracies_of_exactly_0_and_1_are_shares_the_two_step_law_fits() -> None:
    compute, task_loss, accuracy = _ladder(8, seed=6)
    accuracy[0], accuracy[-1] = 0.0, 1.0
    from scaling_forecast.tasks.capability import fit_accuracy_law

    result = fit_accuracy_law(_runs(compute, task_loss, accuracy), FitSettings(law="two-step", chance=0.25, n_boot=200))
    assert result.runs is not None and result.runs.y[0] == 0.0 and result.runs.y[-1] == 1.0


def test_a_link_that_fails_is_refused_word_for_word_and_half_its_replicates_are_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The link not fitted, or fitted in fewer than half its replicates: one line naming the file; exactly half is
    kept, and a sigmoid's lost replicates are its failed ones."""
    import scaling_forecast.tasks.capability as capability
    from scaling_forecast.errors import FitError

    compute, task_loss, accuracy = _ladder(8, seed=6)
    runs = replace(_runs(compute, task_loss, accuracy), file="ladder.csv")
    real = capability.fit_link
    kept: dict[str, int | None] = {"rows": None}

    def link(*args: object, **kwargs: object) -> object:
        fitted = real(*args, **kwargs)  # type: ignore[arg-type]
        if kept["rows"] is None or fitted is None or fitted.boot_theta.shape[0] == 0:
            return None if kept["rows"] is None else fitted
        return replace(fitted, boot_theta=fitted.boot_theta[: kept["rows"]], noise=fitted.noise[: kept["rows"]])

    monkeypatch.setattr(capability, "fit_link", link)
    settings = FitSettings(law="two-step", chance=0.25, n_boot=200)
    with pytest.raises(FitError) as refused:
        fit_two_step(runs, settings, (Target(1e22),))
    assert (
        str(refused.value)
        == "ladder.csv: the task-loss-to-accuracy link could not be fitted; check the accuracy column"
    )
    with pytest.raises(FitError) as sigmoid_refused:
        fit_direct(replace(runs, columns=None, column_names=()), replace(settings, law="sigmoid"), (Target(1e22),))
    assert str(sigmoid_refused.value) == "ladder.csv: the sigmoid in log compute could not be fitted; check 'accuracy'"
    kept["rows"] = 99
    with pytest.raises(FitError) as few:
        fit_two_step(runs, settings, (Target(1e22),))
    assert str(few.value) == (
        "ladder.csv: the task-loss-to-accuracy link failed in most bootstrap replicates; check the accuracy column"
    )
    kept["rows"] = 100
    assert fit_two_step(runs, settings, (Target(1e22),)).predictions
    sigmoid = fit_direct(replace(runs, columns=None, column_names=()), replace(settings, law="sigmoid"), ())
    assert sigmoid.fit.failed_replicates == 100


def test_a_two_step_tasks_flat_trend_near_the_files_chance_is_warned_with_both() -> None:
    """A flat task a little above the file's chance (no --chance): the warning says it is forecast as flat and sits
    near that chance, and the summary's chance is the file's."""
    compute = np.geomspace(1e19, 1e22, 8)
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    accuracy = 0.26 + np.array([0.01, -0.01, 0.012, -0.008, 0.0, 0.009, -0.011, 0.002])
    runs = replace(_runs(compute, task_loss, accuracy), chance=0.25, y_column="acc")
    result = fit_two_step(runs, FitSettings(law="two-step", n_boot=200), (Target(1e23),))
    assert result.data.chance == 0.25
    assert (
        "acc is flat across these runs (no change the noise can distinguish): it is forecast as flat, the runs' mean "
        "with an interval as wide as their scatter; it sits near chance (0.25), so the task has not started to scale"
    ) in " ".join(result.data_warnings)


def test_a_flat_task_under_the_accuracy_law_is_warned_as_forecast_along_its_form() -> None:
    compute = np.geomspace(1e19, 1e22, 8)
    accuracy = 0.5 + np.array([0.01, -0.01, 0.012, -0.008, 0.0, 0.009, -0.011, 0.002])
    runs = replace(_runs(compute, None, accuracy), y_column="acc")
    result = fit_direct(runs, FitSettings(law="accuracy"), (Target(1e23),))
    assert result.fit.trend == "flat"
    assert (
        "acc is flat across these runs (no change the noise can distinguish): it is forecast along the fitted form, "
        "its interval growing with distance"
    ) in result.data_warnings


def test_the_accuracy_laws_draws_are_as_many_as_asked() -> None:
    compute, _, accuracy = _ladder(8, seed=6)
    result = fit_direct(_runs(compute, None, accuracy), FitSettings(law="accuracy", n_boot=300), (Target(1e22),))
    assert result.model.draws(1e22).size == 300


def test_the_gpt4_forms_drift_warning_names_the_gpt4_law_and_its_fit_the_file() -> None:
    """``-log acc`` that bends down after two decades (a known break): the rolling forecasts drift, and the warning
    names the law the user asked for (gpt4, not the passrate law it fits), its fit the user's file and column."""
    compute = np.geomspace(1e18, 1e22, 12)
    decades = np.log10(compute) - 18.0
    neg_log = 1.2 * (compute / 1e18) ** -0.05 * np.where(decades > 2.0, 10.0 ** (-0.5 * (decades - 2.0)), 1.0)
    accuracy = np.exp(-neg_log) * (1.0 + np.random.default_rng(0).normal(0.0, 0.002, 12))
    runs = replace(_runs(compute, None, accuracy), file="ladder.csv", x_column="flops")
    result = fit_direct(runs, FitSettings(law="gpt4", n_boot=200), (Target(1e23),))
    assert result.fit.drift is not None and result.fit.drift.warned
    assert any(
        w.startswith("the ladder's own rolling forecasts drift: the gpt4 law fitted to its smaller runs")
        for w in result.fit.warnings
    )
    gpt4 = result.model.gpt4
    assert (gpt4.data.file, gpt4.data.x_column, gpt4.data.y_column) == ("ladder.csv", "flops", "-log accuracy")


def test_the_gpt4_forms_fit_reports_its_own_loss_convergence_and_failed_replicates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the gpt4 form's ``-log acc`` fit reports (Huber's loss, a fit that did not converge, lost replicates)
    is the accuracy fit's report; a constant accuracy it cannot fit has residuals of zero."""
    import scaling_forecast.tasks.capability as capability

    real = capability.fit_curve

    def curve(*args: object, **kwargs: object) -> object:
        fitted = real(*args, **kwargs)  # type: ignore[arg-type]
        return replace(fitted, fit=replace(fitted.fit, converged=False, failed_replicates=7))

    compute, _, accuracy = _ladder(8, seed=6)
    runs = _runs(compute, None, np.clip(accuracy, 0.3, 0.99))
    huber = fit_direct(runs, FitSettings(law="gpt4", n_boot=200, loss_fn="huber"), (Target(1e22),))
    assert huber.loss_fn == "huber" and huber.model.gpt4.loss_fn == "huber"
    monkeypatch.setattr(capability, "fit_curve", curve)
    reported = fit_direct(runs, FitSettings(law="gpt4", n_boot=200), (Target(1e22),))
    assert reported.fit.converged is False and reported.fit.failed_replicates == 7
    monkeypatch.undo()
    constant = fit_direct(_runs(np.geomspace(1e19, 1e22, 6), None, np.full(6, 0.5)), FitSettings(law="gpt4"), ())
    assert constant.fit.rmse == 0.0 and constant.fit.objective == 0.0


def test_a_ladder_without_checkpoints_bootstraps_its_link_over_rows() -> None:
    """No checkpoints: the link's replicates draw rows with replacement, ``rng.integers(0, n, (B, n))`` on the link's
    stream, each refitted: the same replicates as the link fitted alone with no groups."""
    from scaling_forecast.engine.streams import Stream, stream

    compute, task_loss, accuracy = _ladder(8, seed=6)
    result = fit_two_step(_runs(compute, task_loss, accuracy), FitSettings(law="two-step", chance=0.25, n_boot=200))
    alone = fit_link(SigmoidLink(0.25), task_loss, accuracy, 200, stream(0, Stream.LINK_BOOTSTRAP))
    assert alone is not None
    np.testing.assert_array_equal(result.model.link.boot_theta, alone.boot_theta)


def test_the_sigmoid_refuses_a_falling_accuracy_word_for_word() -> None:
    from scaling_forecast.errors import FitError

    compute = np.geomspace(1e19, 1e22, 6)
    runs = replace(_runs(compute, None, np.array([0.8, 0.7, 0.6, 0.5, 0.4, 0.3])), file="ladder.csv", y_column="acc")
    with pytest.raises(FitError) as refused:
        fit_direct(runs, FitSettings(law="sigmoid", chance=0.25, n_boot=200), (Target(1e23),))
    assert str(refused.value) == (
        "ladder.csv: acc falls with compute (trend: worsening), and the sigmoid law only rises from chance; fit it "
        "with --law accuracy (the default) or --law gpt4, which follow a falling accuracy"
    )


def test_trend_warnings_word_for_word_and_near_chance_at_a_tenth_of_the_way_to_1() -> None:
    """The warnings of a worsening, a constant and a flat task, written out; a flat task sits near chance when its
    mean is less than a tenth of the way from chance to 1: with chance 0.25, below 0.325 (exactly 0.325, which
    these floats hold, is not)."""
    from scaling_forecast.engine.capability import NEAR_CHANCE, chance_warning, trend_warnings

    assert trend_warnings("worsening", "acc") == (
        "acc gets worse with compute across these runs (trend: worsening): scaling may reverse, as it did for "
        "hindsight neglect in the GPT-4 report, and the extrapolation is not a forecast of the large model",
    )
    assert trend_warnings("flat", "acc", "two-step", 0.25, np.array([0.5, 0.5, 0.5])) == (
        "every run scores 0.5 on acc: the forecast is that value, with an interval of no width (nothing in the runs "
        "varies to measure error by); a larger model may still differ",
    )
    assert trend_warnings("flat", "acc", "two-step", 0.25, None) == (
        "acc is flat across these runs (no change the noise can distinguish): it is forecast as flat, the runs' mean "
        "with an interval as wide as their scatter",
    )
    near = "; it sits near chance (0.25), so the task has not started to scale: these runs cannot rule out that it "
    near += "starts beyond them, and no interval from them holds such a start"
    threshold = NEAR_CHANCE * (1.0 - 0.25)
    assert threshold == pytest.approx(0.075)
    for mean, warned in ((0.25 + 0.5 * threshold, True), (0.25 + threshold, False), (0.25 + 1.5 * threshold, False)):
        accuracy = np.array([mean - 0.01, mean + 0.01])
        assert mean != 0.25 + threshold or accuracy.mean() - 0.25 == threshold  # the boundary itself, exactly
        (text,) = trend_warnings("flat", "acc", "two-step", 0.25, accuracy)
        assert text.endswith(near) == warned, mean
    assert chance_warning(False) == (
        "no --chance given (nor a 'chance' column): the sigmoid's floor is 0; for a multiple-choice task give the "
        "accuracy of random guessing, e.g. --chance 0.25 for four choices",
    )
    assert chance_warning(True) == ()


def test_the_gpt4_forms_draws_are_accuracies_about_its_forecast() -> None:
    compute, _, accuracy = _ladder(8, seed=6)
    result = fit_direct(_runs(compute, None, np.clip(accuracy, 0.3, 0.99)), FitSettings(law="gpt4", n_boot=400), ())
    draws = result.model.draws(1e22)
    estimate = result.model.forecast(result, (Target(1e22),), 0.9).predictions[0].estimate
    assert np.all((draws > 0.0) & (draws < 1.0))
    assert float(np.median(draws)) == pytest.approx(estimate, abs=0.02)


@pytest.mark.parametrize(("n_runs", "top"), [(3, 0.985), (8, 0.985), (8, 0.02)])
def test_a_two_step_pi_near_a_bound_is_its_new_run_draws_clipped_to_shares_by_hand(n_runs: int, top: float) -> None:
    """Accuracies close to 1 (or to 0 with chance 0): without calibration (three computes) the pi is the quantiles of
    the link's replicates at step 1's pi draws plus each replicate's residual noise, clipped to [0, 1], and holds
    the ci; with calibration, the calibrated half-width about the estimate, clipped likewise, by hand."""
    from scipy.special import expit

    from scaling_forecast.engine.capability import Z_90, split_normal

    compute = np.geomspace(1e19, 1e21, n_runs)
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    if top > 0.5:
        accuracy = np.linspace(0.7, top, n_runs)
    else:
        k = -6.0
        accuracy = expit(k * (task_loss.max() - task_loss) + np.log(top / (1 - top)) - k * np.ptp(task_loss))
        accuracy = np.clip(accuracy + np.random.default_rng(2).normal(0.0, 0.004, n_runs), 0.0, 1.0)
    settings = FitSettings(law="two-step", chance=0.0, n_boot=300)
    result = fit_two_step(_runs(compute, task_loss, accuracy), settings, (Target(1e22),))
    model = result.model
    prediction = result.predictions[0]
    reference = model.step1.model.forecast(model.step1, (Target(1e22),), 0.9).predictions[0]
    normal_ci, normal_pi = model._normals()
    boot, noise = model.link.boot_theta, model.link.noise
    link = model.link.link
    new_run = np.clip(
        link.log_predict(boot, split_normal(normal_pi, reference.estimate, reference.pi, Z_90)[:, None])[:, 0] + noise,
        0,
        1,
    )
    on_curve = link.log_predict(boot, split_normal(normal_ci, reference.estimate, reference.ci, Z_90)[:, None])[:, 0]
    ci = np.quantile(on_curve, [0.05, 0.95])
    pi = np.quantile(new_run, [0.05, 0.95])
    pi = np.array([min(pi[0], ci[0]), max(pi[1], ci[1])])
    if model.calibration is not None:
        _, half = model.calibration.halves(np.array([1e22]), 0.9)
        pi = np.clip([min(pi[0], prediction.estimate - half[0]), max(pi[1], prediction.estimate + half[0])], 0, 1)
    expected = (min(pi[0], prediction.estimate), max(pi[1], prediction.estimate))
    assert prediction.pi == pytest.approx(expected, abs=1e-12)
    assert prediction.pi[0] >= 0.0 and prediction.pi[1] <= 1.0
    assert prediction.pi[1] == 1.0 if top > 0.5 else prediction.pi[0] == 0.0


def test_a_two_step_new_run_near_0_is_clipped_to_a_share_without_calibration() -> None:
    """Three seeds at each of three computes (too few computes to calibrate), accuracies from 0 with a scatter of
    0.008: at the smallest compute a new run's draws, the link's replicates plus their residual noise, reach below
    0 at the 5% quantile; they are clipped, so the pi starts at 0 and no lower."""
    from scaling_forecast.engine.capability import Z_90, split_normal

    compute = np.repeat(np.geomspace(1e19, 1e21, 3), 3)
    task_loss = 1.5 + 3.0 * (compute / 1e18) ** -0.3
    accuracy = np.clip(np.repeat([0.002, 0.01, 0.04], 3) + np.tile([-0.008, 0.0, 0.008], 3), 0.0, 1.0)
    settings = FitSettings(law="two-step", chance=0.0, n_boot=300)
    result = fit_two_step(_runs(compute, task_loss, accuracy), settings, (Target(1e19),))
    model = result.model
    assert model.calibration is None and model.flat is None
    reference = model.step1.model.forecast(model.step1, (Target(1e19),), 0.9).predictions[0]
    _, normal_pi = model._normals()
    draws = model.link.link.log_predict(
        model.link.boot_theta, split_normal(normal_pi, reference.estimate, reference.pi, Z_90)[:, None]
    )[:, 0]
    assert np.quantile(draws + model.link.noise, 0.05) < -0.005  # unclipped, the pi would start below 0
    assert result.predictions[0].pi[0] == 0.0


def test_a_sigmoid_new_run_near_0_is_clipped_to_a_share() -> None:
    """Accuracies from 0.3% with chance 0 and a scatter larger than that: a new run's draws below 0 are clipped, so
    the pi starts at 0 and no lower."""
    compute = np.geomspace(1e19, 1e22, 8)
    accuracy = np.clip(0.003 + 0.3 * expit(2.0 * (np.log10(compute) - 21.5)), 0.0, 1.0)
    accuracy = accuracy + np.array([0.004, -0.002, 0.006, -0.001, 0.003, -0.004, 0.002, 0.0])
    result = fit_direct(
        _runs(compute, None, np.clip(accuracy, 0.001, 1.0)),
        FitSettings(law="sigmoid", chance=0.0, n_boot=300),
        (Target(1e18),),
    )
    assert result.predictions[0].pi[0] == 0.0
