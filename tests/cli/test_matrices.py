"""Every law in every command, and every option under every law: used as documented, or refused in one line.

Each registered law gets a small runs file of its own (made from the shipped examples), with spare
columns for the options to name: another compute (``compute2``), another metric (``y2``), other
parameter and token counts (``n2``, ``d2``), one ``task`` and one ``metric``. A grouped copy (column
``mix``) serves ``--by`` and ``compare``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.laws import LAWS

from ..conftest import EXAMPLES

FAST = ["--bootstrap", "100", "-f", "json"]


def _fast(law: str) -> list[str]:
    """JSON, and few bootstrap replicates for the laws that draw them (the calibrated accuracy law refuses it)."""
    return ["-f", "json"] if law == "accuracy" else FAST


def _rows(name: str, **where: str) -> list[dict[str, str]]:
    with (EXAMPLES / name).open(encoding="utf-8") as stream:
        return [r for r in csv.DictReader(stream) if all(r[k] == v for k, v in where.items())]


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


#: Per law: the example rows, the metric column ``--y`` renames, and the columns the law reads.
SOURCES: dict[str, tuple[list[dict[str, str]], str]] = {
    "loss": (_rows("runs.csv"), "loss"),
    "passrate": (_rows("passrates_aggregate.csv"), "pass_rate"),
    "chinchilla": (_rows("chinchilla.csv"), "loss"),
    "two-step": (_rows("pythia_lambada.csv"), "accuracy"),
    "direct": (_rows("pythia_tasks.csv", task="arc_easy"), "accuracy"),
}
SOURCE_OF = {
    "auto": "loss",
    "loss": "loss",
    "power": "loss",
    "broken": "loss",
    "passrate": "passrate",
    "chinchilla": "chinchilla",
    "two-step": "two-step",
    "gpt4": "direct",
    "sigmoid": "direct",
    "accuracy": "direct",
}
#: What ``--reach`` asks of each kind of metric.
REACH = {"loss": "2.5", "passrate": "0.5", "chinchilla": "2.5", "two-step": "0.6", "direct": "0.6"}
ACCURACY_LAWS = ("two-step", "gpt4", "sigmoid", "accuracy")
#: Every law ``--law`` takes: the registered ones and ``auto`` (the loss chooser on a file of losses).
LAW_NAMES = sorted(SOURCE_OF)


def test_the_matrices_cover_every_registered_law() -> None:
    assert set(SOURCE_OF) == {*LAWS, "auto"}


def _enriched(kind: str) -> list[dict[str, Any]]:
    rows, metric = SOURCES[kind]
    enriched = []
    for i, row in enumerate(rows):
        row = {k: v for k, v in row.items() if k not in ("task", "chance")}
        if kind == "chinchilla":
            n, d = float(row["params"]), float(row["tokens"])
        else:
            compute = float(row["compute"])
            n, d = compute / 6.0 / 3e11, 3e11
            row["compute2"] = repr(2.0 * compute)
            row["params"], row["tokens"] = repr(n), repr(d)
        row["n2"], row["d2"] = repr(1.5 * n), repr(2.0 * d)
        value = float(row[metric])
        row["y2"] = repr(value * (0.99 if metric in ("accuracy", "pass_rate") else 1.01))
        row["metric"] = "m1"
        if kind != "passrate":  # in a file of pass rates, 'task' names problems (HumanEval's task_id)
            row["task"] = "t1"
        if kind == "direct":
            row["chance"] = "0.25"
        if "run" not in row and "model" not in row:
            row["run"] = f"r{i}"
        enriched.append(row)
    return enriched


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Per kind of runs: a file of one ladder, and a file of two ladders told apart by ``mix``."""
    folder = tmp_path_factory.mktemp("matrices")
    made = {}
    for kind in SOURCES:
        rows = _enriched(kind)
        name = "run" if "run" in rows[0] else "model"
        grouped = [{**r, "mix": "a"} for r in rows] + [
            {**r, "mix": "b", name: f"{r[name]}-b", SOURCES[kind][1]: r["y2"]} for r in rows
        ]
        made[kind] = (_write(folder / f"{kind}.csv", rows), _write(folder / f"{kind}-mix.csv", grouped))
    return made


def _run(runner: CliRunner, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    result = runner.invoke(app, list(args))
    document = json.loads(result.stdout) if result.exit_code == 0 and result.stdout.startswith("{") else None
    return result.exit_code, document, result.stderr


def _one_line(code: int, stderr: str) -> bool:
    errors = [line for line in stderr.splitlines() if not line.startswith("warning:")]
    return code == 2 and len(errors) == 1 and errors[0].startswith("error: ")


@pytest.mark.parametrize("law", LAW_NAMES)
def test_every_command_serves_every_law(runner: CliRunner, files: dict[str, tuple[Path, Path]], law: str) -> None:
    """fit, --save + predict (the same numbers back), check (the law's own gate, either side of its pi),
    backtest, compare, --by and --plot, for each registered law."""
    kind = SOURCE_OF[law]
    single, grouped = (str(p) for p in files[kind])
    target = ["-t", "1e23"] if kind == "chinchilla" else ["-t", "10x"]
    base = ["--law", law, *target]
    saved = Path(single).with_suffix(f".{law}.json")
    code, fitted, stderr = _run(runner, "fit", single, *base, *_fast(law), "--save", str(saved))
    assert code == 0 and fitted is not None, stderr
    code, again, stderr = _run(runner, "predict", str(saved), *target, "-f", "json")
    assert code == 0 and again is not None and again["predictions"] == fitted["predictions"], stderr
    code, kept, stderr = _run(runner, "predict", str(saved), "-f", "json")  # the targets it was fitted with
    assert code == 0 and kept is not None and kept["predictions"] == fitted["predictions"], stderr
    name = "loss" if law == "auto" else law  # auto is the loss procedure, choosing among the loss laws
    spec = LAWS[name]()
    gate = f"--{spec.gate.replace('_', '-')}"
    p = fitted["predictions"][0]
    reported = p.get("pass_rate", p) if spec.reported == "pass_rate" else p
    edge = reported["pi"][1] if spec.sense == "lower" else reported["pi"][0]
    inside, outside = (edge * 1.001, edge * 0.999) if spec.sense == "lower" else (edge - 1e-4, edge + 1e-4)
    check = ["check", single, *base, *_fast(law)[:-2]]
    assert runner.invoke(app, [*check, gate, f"{inside:.6g}"]).exit_code == 0
    assert runner.invoke(app, [*check, gate, f"{outside:.6g}"]).exit_code == 1
    code, backtest, stderr = _run(runner, "backtest", single, "--law", law, "--holdout", "1", *_fast(law))
    assert code in (0,) and backtest is not None and backtest["law"] == name, stderr
    code, compared, stderr = _run(runner, "compare", grouped, "--by", "mix", "--law", law, *target, *FAST)
    assert code == 0 and compared is not None and len(compared["comparisons"][0]["ranking"]) == 2, stderr
    code, by, stderr = _run(runner, "fit", grouped, "--by", "mix", *base, *_fast(law))
    assert code == 0 and by is not None and [f["mix"] for f in by["fits"]] == ["a", "b"], stderr
    pytest.importorskip("matplotlib")
    image = Path(single).with_suffix(f".{law}.svg")
    code, _, stderr = _run(runner, "fit", single, *base, *_fast(law), "--plot", str(image))
    assert code == 0 and image.read_bytes().lstrip().startswith(b"<?xml"), stderr


def _expected(law: str, option: str) -> str:
    """``refused`` or what the option changes, for each option under each law."""
    if option == "--models":
        return "refused"  # a runs file names each run's params and tokens itself
    if option == "--x" and law == "chinchilla":
        return "refused"
    if (option == "--chance" and law not in ACCURACY_LAWS) or (option == "--chance" and law == "gpt4"):
        return "refused"
    if option == "--drop-highest" and law != "chinchilla":
        return "refused"
    if option in ("--loss-fn", "--method") and law in ("sigmoid", "accuracy"):
        return "refused"  # least squares on accuracy; a case bootstrap, or the ladder's rolling-origin errors
    if option == "--method" and law == "chinchilla":
        return "refused"  # a case bootstrap over runs, as its reference protocol
    if option == "--task" and law == "passrate":
        return "refused"  # no task column: pass rates name their problems in it
    return "used"


OPTIONS: dict[str, list[str]] = {
    "--x": ["--x", "compute2"],
    "--y": ["--y", "y2"],
    "--params": ["--params", "n2"],
    "--tokens": ["--tokens", "d2"],
    "--task": ["--task", "t1"],
    "--metric": ["--metric", "m1"],
    "--models": ["--models", str(EXAMPLES / "harnesses" / "models.csv")],
    "--chance": ["--chance", "0.1"],
    "--reach": ["--reach", "REACH"],
    "--by": ["--by", "mix"],
    "--exclude": ["--exclude", "FIRST"],
    "--min-compute": ["--min-compute", "SECOND"],
    "--drop-highest": ["--drop-highest", "1"],
    "--loss-fn": ["--loss-fn", "LOSS_FN"],
    "--method": ["--method", "delta"],
}


def _changed(option: str, base: dict[str, Any], result: dict[str, Any]) -> bool:
    """Whether ``result`` shows the option's documented effect against the fit without it."""
    data, own = base["data"], result.get("data", {})
    if option == "--x":
        return own["x_column"] == "compute2" and own["compute_max"] == pytest.approx(2.0 * data["compute_max"])
    if option == "--y":  # a pass-rate fit names its quantity, -E[log pass_rate], not the column read
        named = "y2" in (own["y_column"], own.get("accuracy_column")) or result["law"] == "passrate"
        return result["predictions"] != base["predictions"] and named
    if option in ("--params", "--tokens"):
        return result["predictions"] != base["predictions"]
    if option in ("--task", "--metric"):
        return own["file"] != data["file"] and result["predictions"] == base["predictions"]
    if option == "--chance":  # the calibrated law has no floor: the chance judges a flat task only
        moved = result["predictions"] != base["predictions"] or result["law"] == "accuracy"
        return moved and own.get("chance") == 0.1 and data.get("chance") != 0.1
    if option == "--reach":
        return len(result.get("reach", [])) == 1
    if option == "--by":
        return [f["mix"] for f in result["fits"]] == ["a", "b"]
    if option in ("--exclude", "--min-compute", "--drop-highest"):
        return own["n_runs"] == data["n_runs"] - 1
    if option == "--method":
        moved = result["predictions"] != base["predictions"] or result["params"] != base["params"]
        return result["method"] == "delta" and moved
    if option == "--loss-fn":
        return result["loss_fn"] != base["loss_fn"] or result["params"] != base["params"]
    raise AssertionError(option)


@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("law", LAW_NAMES)
def test_every_option_is_used_or_refused_under_every_law(
    runner: CliRunner, files: dict[str, tuple[Path, Path]], law: str, option: str
) -> None:
    kind = SOURCE_OF[law]
    single, grouped = files[kind]
    target = ["-t", "1e23"] if kind == "chinchilla" else ["-t", "10x"]
    rows = _enriched(kind)
    names = [r.get("run") or r.get("model") for r in rows]
    compute = sorted(
        float(r["compute"]) if "compute" in r else 6 * float(r["params"]) * float(r["tokens"]) for r in rows
    )
    values = {
        "REACH": REACH[kind],
        "FIRST": str(names[0]),
        "SECOND": f"{compute[0] * 1.0001:.6g}",
        "LOSS_FN": "lsq" if law == "chinchilla" else "huber",
    }
    args = [values.get(a, a) for a in OPTIONS[option]]
    path = str(grouped if option == "--by" else single)
    code, base, stderr = _run(runner, "fit", str(single), "--law", law, *target, *_fast(law))
    assert code == 0 and base is not None, stderr
    code, result, stderr = _run(runner, "fit", path, "--law", law, *target, *args, *_fast(law))
    if _expected(law, option) == "refused":
        assert _one_line(code, stderr), (code, stderr)
    else:
        assert code == 0 and result is not None, stderr
        assert _changed(option, base, result), (option, law)
